"""``pieterpost`` command line: serve, migrate, worker, accounts (create, approve, pause, reactivate, list,
limits), keys, wallet top-ups and credits."""
from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn

from domain.accounts.passwords import hash_password
from domain.core.errors import DomainError
from domain.core.settings import Settings, get_settings
from domain.money.currency import CURRENCIES, DEFAULT_CURRENCY
from domain.use_cases import accounts, limits, mail, system
from domain.use_cases.system import Database
from server import logs
from server.app import serving_app
from server.worker import run_forever


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
        # h11 even where httptools is installed: uvicorn's httptools protocol has no header size
        # limit (docs/speed.md, "uvloop, httptools")
        "http": "h11",
    }


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    uvicorn.run(serving_app(settings), host=args.host, port=args.port, log_config=None,
                **uvicorn_options(settings))
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    system.upgrade_schema(settings.database_url)
    _print(args, {"migrated": True}, "database is up to date")
    return 0


def _run(settings: Settings, work: Callable[[Database], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
    """Migrate, open the database, run one use case, close it."""
    async def go() -> dict[str, Any]:
        system.upgrade_schema(settings.database_url)
        db = system.open_database(settings)
        try:
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(go())


def cmd_accounts_create(args: argparse.Namespace, settings: Settings) -> int:
    password = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if len(password) < 8:
            raise DomainError("Passwords need at least 8 characters.")

    password_hash = hash_password(password) if password else None
    data = _run(settings, lambda db: accounts.create_for_operator(db, args.email, approve=args.approve,
                                                                  password_hash=password_hash))
    _print(args, data, f"created account {data['id']} for {data['email']} ({data['approvalStatus']})")
    return 0


def cmd_accounts_control(args: argparse.Namespace, settings: Settings) -> int:
    """approve | pause | reactivate: takes effect on the account's next request."""
    data = _run(settings, lambda db: limits.control_account(db, args.email, args.sub))
    _print(args, data, f"account {data['id']} ({data['email']}): status {data['status']}, "
                       f"approval {data['approvalStatus']}")
    return 0


def cmd_accounts_list(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: Database) -> dict[str, Any]:
        return {"data": await limits.list_accounts(db, settings)}

    data = _run(settings, work)
    if args.json:
        print(json.dumps(data))
        return 0
    print(f"{'email':40} {'status':8} {'approval':9} {'limit/day':>10} {'EUR today':>10} {'USD today':>10}")
    for row in data["data"]:
        spent = row["liveSpentTodayCents"]
        print(f"{row['email']:40} {row['status']:8} {row['approvalStatus']:9} {row['liveDailyLimitCents']:>10} "
              f"{spent['eur']:>10} {spent['usd']:>10}")
    return 0


def cmd_accounts_limits(args: argparse.Namespace, settings: Settings) -> int:
    """The operator's daily live spend limit for one account (``--default``: back to the service value)."""
    cents = None if args.default else args.live_daily_cents
    data = _run(settings, lambda db: limits.set_operator_limit(db, settings, args.email, cents))
    _print(args, data, f"account {data['id']} ({data['email']}): live limit {data['limitCents']} cents a UTC day "
                       f"per currency (operator value {data['operatorLimitCents']})")
    return 0


def cmd_keys_create(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: Database) -> dict[str, Any]:  # a live key may carry its own daily live limit
        view, secret = await limits.create_key_for_email(db, args.email, args.mode, args.name, args.live_daily_cents)
        return {**view, "secret": secret}

    data = _run(settings, work)
    _print(args, data, f"{data['secret']}\n(key {data['id']}, {data['mode']}; shown once, store it now)")
    return 0


def cmd_wallet_topup(args: argparse.Namespace, settings: Settings) -> int:
    data = _run(settings, lambda db: accounts.topup_for_operator(db, settings, args.email, args.mode,
                                                                 args.amount_cents, args.currency))
    _print(args, data, f"top-up {data['topupId']}: {data['status']}, balance {data['wallet']['balanceCents']}")
    return 0


def cmd_wallet_credit(args: argparse.Namespace, settings: Settings) -> int:
    """An operator's credit (bank transfer, invoice, goodwill): one ledger entry with its reason."""
    try:
        who = getpass.getuser()
    except (OSError, KeyError):
        who = "the operator"
    note = args.note or f"by {who} from the command line"
    data = _run(settings, lambda db: mail.operator_credit(
        db, settings, email=args.email, amount_cents=args.amount_cents, mode=args.mode, reason=args.reason,
        note=note, currency=args.currency))
    _print(args, data, f"credited {data['amountCents']} cents ({data['reason']}); "
                       f"{args.mode} balance {data['wallet']['balanceCents']}")
    return 0


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
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
    for action, text in (("approve", "approve for live mode and live direct send"),
                         ("pause", "refuse every key, token and live hand-off of the account"),
                         ("reactivate", "undo pause")):
        add(action, cmd_accounts_control, accounts, help=text).add_argument("--email", required=True)
    add("list", cmd_accounts_list, accounts, help="every account: status, approval, live limit, today's live spend")
    lim = add("limits", cmd_accounts_limits, accounts, help="set an account's daily live spend limit")
    lim.add_argument("--email", required=True)
    which = lim.add_mutually_exclusive_group(required=True)
    which.add_argument("--live-daily-cents", type=int, help="cents per UTC day and currency")
    which.add_argument("--default", action="store_true", help="back to PIETERPOST_LIVE_DAILY_SPEND_LIMIT_CENTS")
    keys = sub.add_parser("keys").add_subparsers(dest="sub", required=True)
    key = add("create", cmd_keys_create, keys)
    key.add_argument("--email", required=True)
    key.add_argument("--mode", choices=["test", "live"], required=True)
    key.add_argument("--name")
    key.add_argument("--live-daily-cents", type=int, help="this live key's own daily live spend limit")
    wallet = sub.add_parser("wallet").add_subparsers(dest="sub", required=True)
    top = add("topup", cmd_wallet_topup, wallet)
    top.add_argument("--email", required=True)
    top.add_argument("--amount-cents", type=int, required=True)
    top.add_argument("--mode", choices=["test"], default="test")
    top.add_argument("--currency", choices=list(CURRENCIES), default=DEFAULT_CURRENCY)
    credit = add("credit", cmd_wallet_credit, wallet, help="credit a wallet by hand, with a reason (ledger entry)")
    credit.add_argument("--email", required=True)
    credit.add_argument("--amount-cents", type=int, required=True)
    credit.add_argument("--mode", choices=["test", "live"], required=True)
    credit.add_argument("--reason", required=True, help="bank transfer, invoice number, goodwill, …")
    credit.add_argument("--note", help="the operator's note (default: who ran the command)")
    credit.add_argument("--currency", choices=list(CURRENCIES), default=DEFAULT_CURRENCY)
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
