"""MCP endpoint (SPEC "MCP server"), hooked into ``server/app.py`` through the area interface:
``build_routes(settings)`` (MCP transports + docs pages) and ``lifespan(app)``.
"""
from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from starlette.routing import BaseRoute

from domain.settings import Settings


def build_routes(settings: Settings) -> list[BaseRoute]:
    from server.mcp.app import McpEndpoint
    from server.mcp.docs_routes import build_routes as docs_routes

    return [*McpEndpoint(settings).routes(), *docs_routes(settings)]


@contextlib.asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """Start the endpoint that ``build_routes`` put into this app's router."""
    endpoint = next((r.mcp_endpoint for r in app.routes if hasattr(r, "mcp_endpoint")), None)
    if endpoint is None:
        yield
        return
    async with endpoint.lifespan(app.state.db):
        yield
