"""Wallet and top-up tools onto ``domain.use_cases.commands`` (get_wallet, get/list/create top-ups)."""
from __future__ import annotations

from typing import Any

from domain.mailbook.contacts import parse_limit
from domain.money.topups import TOPUP_FIELDS
from domain.use_cases import commands
from tools._common import body_of, unwrap
from tools.context import ToolEnv, mode_of


async def get_wallet(env: ToolEnv, args: dict[str, Any]) -> dict[str, Any]:
    caller = await env.caller(mode_of(args))
    return await commands.get_wallet(env.db, caller, args.get("currency"))


async def get_topup(env: ToolEnv, args: dict[str, Any]) -> dict[str, Any]:
    caller = await env.caller(mode_of(args))
    return await commands.get_topup(env.db, caller, args["topupId"])


async def list_topups(env: ToolEnv, args: dict[str, Any]) -> dict[str, Any]:
    mode = mode_of(args)
    caller = await env.caller(mode)
    filters: dict[str, Any] = {"limit": parse_limit(args.get("limit"), default=10), "mode": mode}
    if args.get("currency") is not None:
        filters["currency"] = args["currency"]
    page = await commands.list_topups(env.db, caller, **filters)
    return {"topups": page["data"]}


async def create_credit_topup(env: ToolEnv, args: dict[str, Any]) -> dict[str, Any]:
    caller = await env.caller(mode_of(args))
    body = {k: v for k, v in body_of(args).items() if k in TOPUP_FIELDS}
    result = await commands.create_topup(env.db, env.settings, caller, body,
                                         idempotency_key=args.get("idempotencyKey"))
    return unwrap(result)


TOOLS = {
    "get_wallet": get_wallet,
    "get_topup": get_topup,
    "list_topups": list_topups,
    "create_credit_topup": create_credit_topup,
}
