"""MCP endpoint (SPEC "MCP server"), hooked into ``server/app.py`` through the area interface:
``build_routes(settings)`` (MCP transports + docs pages) and ``lifespan(app)``.
"""
from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from starlette.routing import BaseRoute

from domain.settings import Settings

# id(settings) -> (settings, endpoint): the app factory passes the same Settings object to
# build_routes and (as app.state.settings) to lifespan; keeping settings alive pins the id.
_ENDPOINTS: dict[int, tuple[Settings, Any]] = {}


def endpoint_for(settings: Settings) -> Any:
    from server.mcp.app import McpEndpoint

    entry = _ENDPOINTS.get(id(settings))
    if entry is None:
        entry = (settings, McpEndpoint(settings))
        _ENDPOINTS[id(settings)] = entry
    return entry[1]


def build_routes(settings: Settings) -> list[BaseRoute]:
    from server.mcp.docs_routes import build_routes as docs_routes

    return [*endpoint_for(settings).routes(), *docs_routes(settings)]


@contextlib.asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    endpoint = endpoint_for(app.state.settings)
    async with endpoint.lifespan(app.state.db):
        yield
    _ENDPOINTS.pop(id(app.state.settings), None)
