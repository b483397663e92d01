"""Baseline for bench/mcp_calls.py: the SDK's low-level Server with one trivial tool, on the same
transport settings as PieterPost's endpoint (stateless Streamable HTTP, JSON responses) and no auth.

    python -m uvicorn --factory bench.mcp_bare:app_factory --port 8001
"""
from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel.server import Server
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from starlette.applications import Starlette
from starlette.routing import Route

from bench.bare_app import settle_like_pieterpost

TOOL = {"name": "echo", "description": "Return the arguments.", "annotations": {"readOnlyHint": True},
        "inputSchema": {"type": "object", "additionalProperties": True},
        "outputSchema": {"type": "object", "additionalProperties": True}}


async def list_tools(ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None) -> dict[str, Any]:
    return {"tools": [TOOL], "resultType": "complete"}


async def call_tool(ctx: ServerRequestContext[Any, Any], params: types.CallToolRequestParams) -> dict[str, Any]:
    args = dict(params.arguments or {})
    return {"content": [{"type": "text", "text": "{}"}], "structuredContent": args, "isError": False,
            "resultType": "complete"}


def app_factory() -> Starlette:
    server = Server("bare", version="1", on_list_tools=list_tools, on_call_tool=call_tool)
    manager = StreamableHTTPSessionManager(app=server, stateless=True, json_response=True)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with manager.run():
            settle_like_pieterpost()
            yield

    class Endpoint:  # a plain ASGI app (not a function), so Starlette passes every method through
        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            await manager.handle_request(scope, receive, send)

    return Starlette(routes=[Route("/mcp/", endpoint=Endpoint())], lifespan=lifespan)
