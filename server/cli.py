"""``pieterpost`` command line: serve, migrate, worker, accounts, keys, wallet top-ups."""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from domain.persistence import migrate
from domain.core.errors import DomainError
from domain.core.settings import Settings, get_settings


def _print(args: argparse.Namespace, data: dict[str, Any], text: str) -> None:
    print(json.dumps(data) if args.json else text)


MAX_HEADER_BYTES = 64 * 1024  # request line plus headers; h11 refuses more with 431-style errors


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The HTTP server's limits: idle keep-alive connections close after a few seconds, headers
    are bounded, connections past ``limit_concurrency`` get 503 at once, and SIGTERM waits up to
    ``graceful_shutdown_seconds`` for in-flight requests (bodies are timed by the app itself)."""
    return {
        "proxy_headers": True,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
        "timeout_keep_alive": max(1, int(settings.keep_alive_timeout_seconds)),
        "timeout_graceful_shutdown": max(1, int(settings.graceful_shutdown_seconds)),
        "limit_concurrency": settings.limit_concurrency or None,
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
    }


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from server import logs
    from server.app import create_app

    logs.configure(settings.log_level)
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_config=None,
                **uvicorn_options(settings))
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    migrate.upgrade(settings.database_url)
    _print(args, {"migrated": True}, "database is up to date")
    return 0


async def _with_session(settings: Settings, work: Callable[[Any], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
    from domain.persistence.db import Database

    migrate.upgrade(settings.database_url)
    db = Database(settings.database_url)
    try:
        async with db.transaction() as session:
            return await work(session)
    finally:
        await db.dispose()


def cmd_accounts_create(args: argparse.Namespace, settings: Settings) -> int:
    from domain.accounts.accounts import create_account
    from domain.accounts.passwords import hash_password

    password = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if len(password) < 8:
            raise DomainError("Passwords need at least 8 characters.")

    async def work(session: Any) -> dict[str, Any]:
        account = await create_account(session, args.email, approve=args.approve,
                                       password_hash=hash_password(password) if password else None)
        return {"id": account.id, "email": account.email, "approvalStatus": account.approval_status,
                "liveEnabled": account.live_enabled}

    data = asyncio.run(_with_session(settings, work))
    _print(args, data, f"created account {data['id']} for {data['email']} ({data['approvalStatus']})")
    return 0


async def _account_by_email(session: Any, email: str) -> Any:
    from domain.accounts.accounts import get_account_by_email

    account = await get_account_by_email(session, email)
    if account is None:
        raise DomainError(f"No account for {email}; run 'pieterpost accounts create' first.")
    return account


def cmd_keys_create(args: argparse.Namespace, settings: Settings) -> int:
    from domain.accounts.apikeys import create_key, key_view

    async def work(session: Any) -> dict[str, Any]:
        account = await _account_by_email(session, args.email)
        created = await create_key(session, account.id, args.mode, args.name)
        return {**key_view(created.key), "secret": created.secret, "accountId": account.id}

    data = asyncio.run(_with_session(settings, work))
    _print(args, data, f"{data['secret']}\n(key {data['id']}, {data['mode']}; shown once, store it now)")
    return 0


def cmd_wallet_topup(args: argparse.Namespace, settings: Settings) -> int:
    from domain.core.context import Caller
    from domain.money.topups import create_topup, topup_view

    async def work(session: Any) -> dict[str, Any]:
        account = await _account_by_email(session, args.email)
        caller = Caller(account_id=account.id, mode=args.mode, channel="web")
        topup = await create_topup(session, caller, {"amountCents": args.amount_cents,
                                                     "currency": args.currency}, settings)
        return await topup_view(session, topup)

    data = asyncio.run(_with_session(settings, work))
    _print(args, data, f"top-up {data['topupId']}: {data['status']}, balance {data['wallet']['balanceCents']}")
    return 0


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from server import logs
    from server.worker import run_forever

    logs.configure(settings.log_level)
    asyncio.run(run_forever(settings))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pieterpost", description="PieterPost mail service")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, func: Callable[..., int], parent: Any = sub, **kw: Any) -> argparse.ArgumentParser:
        p = parent.add_parser(name, **kw)
        p.add_argument("--json", action="store_true", help="print one JSON object")
        p.set_defaults(func=func)
        return p

    serve = add("serve", cmd_serve, help="run the HTTP service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    add("migrate", cmd_migrate, help="apply database migrations")
    add("worker", cmd_worker, help="run the fulfillment/expiry worker")
    accounts = sub.add_parser("accounts").add_subparsers(dest="sub", required=True)
    acc = add("create", cmd_accounts_create, accounts)
    acc.add_argument("--email", required=True)
    acc.add_argument("--password-stdin", action="store_true")
    acc.add_argument("--approve", action="store_true")
    keys = sub.add_parser("keys").add_subparsers(dest="sub", required=True)
    key = add("create", cmd_keys_create, keys)
    key.add_argument("--email", required=True)
    key.add_argument("--mode", choices=["test", "live"], required=True)
    key.add_argument("--name")
    wallet = sub.add_parser("wallet").add_subparsers(dest="sub", required=True)
    top = add("topup", cmd_wallet_topup, wallet)
    top.add_argument("--email", required=True)
    top.add_argument("--amount-cents", type=int, required=True)
    top.add_argument("--mode", choices=["test"], default="test")
    top.add_argument("--currency", choices=["eur", "usd"], default="eur")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args, get_settings())
    except DomainError as exc:
        if getattr(args, "json", False):
            print(json.dumps(exc.to_dict()))
        else:
            print(f"error: {exc.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
