"""Public API key tools (scope api:keys). Keys made here are ordinary /v1 keys; the secret is
returned once and cannot be read again. MCP's own internal action keys are never listed or revocable."""
from __future__ import annotations

from typing import Any

from domain.use_cases import keys, limits
from tools.context import ToolEnv, mode_of

SECRET_WARNING = "Store this secret now: it is shown only once and cannot be retrieved again."


async def list_api_keys(env: ToolEnv, args: dict[str, Any]) -> dict[str, Any]:
    return {"keys": await keys.list_keys(env.db, env.account_id)}


async def create_api_key(env: ToolEnv, args: dict[str, Any]) -> dict[str, Any]:
    mode = mode_of(args)
    name = (args.get("name") or "").strip() or f"{mode} key (MCP)"
    # a live key made here inherits this connection's daily live limit (docs/limits.md)
    view, secret = await limits.create_key_for_connection(env.db, env.account_id, env.grant_id, mode, name)
    return {"key": view, "secret": secret, "warning": SECRET_WARNING}


async def revoke_api_key(env: ToolEnv, args: dict[str, Any]) -> dict[str, Any]:
    return {"key": await keys.revoke_key(env.db, env.account_id, args["keyId"]), "revoked": True}


TOOLS = {"list_api_keys": list_api_keys, "create_api_key": create_api_key, "revoke_api_key": revoke_api_key}
