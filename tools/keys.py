"""Public API key tools (scope api:keys). Keys made here are ordinary /v1 keys; the secret is
returned once (SPEC "API keys"). MCP's own internal action keys are never listed or revocable."""
from __future__ import annotations

from typing import Any

from domain.accounts import apikeys
from domain.use_cases import limits
from tools.context import ToolEnv, mode_of

SECRET_WARNING = "Store this secret now: it is shown only once and cannot be retrieved again."


async def list_api_keys(env: ToolEnv, args: dict[str, Any]) -> dict[str, Any]:
    async with env.db.read() as session:
        keys = await apikeys.list_keys(session, env.account_id)
        return {"keys": [apikeys.key_view(k) for k in keys]}


async def create_api_key(env: ToolEnv, args: dict[str, Any]) -> dict[str, Any]:
    mode = mode_of(args)
    name = (args.get("name") or "").strip() or f"{mode} key (MCP)"
    # a live key made here inherits this connection's daily live limit (docs/limits.md)
    view, secret = await limits.create_key_for_connection(env.db, env.account_id, env.grant_id, mode, name)
    return {"key": view, "secret": secret, "warning": SECRET_WARNING}


async def revoke_api_key(env: ToolEnv, args: dict[str, Any]) -> dict[str, Any]:
    async with env.db.transaction() as session:
        key = await apikeys.revoke_key(session, env.account_id, args["keyId"])
        return {"key": apikeys.key_view(key), "revoked": True}


TOOLS = {"list_api_keys": list_api_keys, "create_api_key": create_api_key, "revoke_api_key": revoke_api_key}
