"""create_compose_link onto ``domain.use_cases.commands.create_compose_link``."""
from __future__ import annotations

from typing import Any

from domain.use_cases import commands
from tools._common import body_of, unwrap
from tools.context import ToolEnv, mode_of


async def create_compose_link(env: ToolEnv, args: dict[str, Any]) -> dict[str, Any]:
    caller = await env.caller(mode_of(args))
    result = await commands.create_compose_link(env.db, env.settings, caller, body_of(args),
                                                idempotency_key=args.get("idempotencyKey"))
    return unwrap(result)


TOOLS = {"create_compose_link": create_compose_link}
