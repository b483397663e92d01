"""upload_asset: the MCP form of ``POST /v1/uploads`` (bytes as base64, or a public https URL).

A thin adapter: base64 decoding, the SSRF-safe fetch of ``fileUrl``, sniffing, per-kind checks
and storage all live in ``domain.assets`` (``upload_tool.upload_asset``), shared with REST.
"""
from __future__ import annotations

from typing import Any

from domain.assets.upload_tool import upload_asset as upload_asset_domain
from tools.context import ToolEnv, mode_of


async def upload_asset(env: ToolEnv, args: dict[str, Any]) -> dict[str, Any]:
    caller = await env.caller(mode_of(args))
    return await upload_asset_domain(env.db, env.settings, caller, args)


TOOLS = {"upload_asset": upload_asset}
