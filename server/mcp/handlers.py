"""The low-level MCP ``Server`` and its handlers: tools/list, tools/call, resources/list and resources/read.

Handlers stay thin: tools/list serves ``schemas/tools.json`` as is, tools/call checks the
call rate and hands over to ``tools.registry.call``. JSON-RPC errors are used only for an
unknown tool name (MCP "Error Handling": protocol error) — every other failure is an
``isError`` result (SEP-1303). The only resource is the MCP App page (``server/mcp/apps``).
"""
from __future__ import annotations

import json
from typing import Any, Protocol

import mcp_types as types
from mcp.server.caching import CacheHint
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel.server import Server
from mcp.shared.exceptions import MCPError

from domain.core.errors import DomainError
from domain.requests.rate_limits import MinuteLimiter
from domain.core.settings import Settings
from server import metrics
from domain.use_cases import access
from domain.use_cases.limits import check_active
from domain.use_cases.system import Database
from oauth import connections
from schemas import tools_by_name
from server.mcp import apps
from server.mcp.auth import Principal
from server.mcp.docs_routes import docs_sections
from server.mcp.gate import principal_of
from tools import registry, results
from tools.context import ToolEnv

SERVER_NAME = "pieterpost"
SERVER_TITLE = "PieterPost"
SERVER_VERSION = "0.1.0"
INSTRUCTIONS = (
    "PieterPost prices, pays for and sends real letters and postcards. Writable tools run in test "
    "mode unless you pass mode: \"live\". Look saved people up with list_mailbook_contacts and use "
    "their recipient object; call quote_order before any live send; read the final text back to the "
    "person before creating links or orders; for a live create_direct_order get explicit "
    "confirmation and pass confirmLiveSend: true with maxAmountCents. Send an idempotencyKey with "
    "every create call. Full guide: /api/docs/mcp.md"
)


def _principal(ctx: ServerRequestContext[Any, Any]) -> Principal:
    request = ctx.request
    principal = principal_of(request.scope) if request is not None else None
    if principal is None:  # the bearer gate runs before every transport; this is a wiring bug
        raise MCPError(code=types.INTERNAL_ERROR, message="Request reached the MCP server without authentication")
    return principal


def _input_schema(name: str) -> dict[str, Any] | None:
    tool = tools_by_name().get(name)
    return tool["inputSchema"] if tool else None


def _client_ip(ctx: ServerRequestContext[Any, Any]) -> str:
    client = ctx.request.scope.get("client") if ctx.request is not None else None
    return client[0] if client else "unknown"


def _connections_lister(db: Database, account_id: str) -> Any:
    """The user's connected MCP clients, from the oauth area (for search/fetch)."""

    async def list_connections() -> list[dict[str, Any]]:
        return await connections.list_connections(db, account_id)

    return list_connections


class Runtime(Protocol):
    """What the handlers need at call time (the db exists only once the app has started)."""

    settings: Settings
    limiter: MinuteLimiter

    @property
    def db(self) -> Database: ...


def _outcome(result: dict[str, Any]) -> str:
    """``ok``, or the error code of an ``isError`` result (a closed set: safe as a label)."""
    if not result.get("isError"):
        return "ok"
    try:
        return str(json.loads(result["content"][0]["text"])["code"])
    except (KeyError, IndexError, TypeError, ValueError):
        return "error"


def build_server(runtime: Runtime) -> Server[Any]:
    settings = runtime.settings
    docs = docs_sections(settings)

    async def on_list_tools(
        ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> dict[str, Any]:
        # resultType is required from 2026-07-28 on; older versions' serialisers drop it
        return {"tools": registry.list_tools(), "resultType": "complete"}

    async def on_call_tool(ctx: ServerRequestContext[Any, Any], params: types.CallToolRequestParams) -> dict[str, Any]:
        name = params.name
        if name not in registry.registry():
            raise MCPError(code=types.INVALID_PARAMS, message=f"Unknown tool: {name}")
        principal = _principal(ctx)  # its scope for this tool was checked by the bearer gate
        db = runtime.db
        try:  # a paused account's tokens stop at once, on every tool (account_inactive)
            await check_active(db, principal.account_id)
        except DomainError as err:
            return {**results.failure(err.code.value, err.message), "resultType": "complete"}
        ip = _client_ip(ctx)
        try:
            await access.mcp_call(runtime.limiter, settings, principal.account_id, ip)
        except DomainError as err:
            return {**results.failure(err.code.value, err.message), "resultType": "complete"}
        env = ToolEnv(
            db=db,
            settings=settings,
            account_id=principal.account_id,
            client_id=principal.client_id,
            grant_id=principal.grant_id,
            client_ip=ip,
            docs=docs,
            list_connections=_connections_lister(db, principal.account_id),
        )
        result = await registry.call(env, name, params.arguments)
        metrics.observe_tool_call(name, _outcome(result))
        return {**result, "resultType": "complete"}

    async def on_list_resources(
        ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> dict[str, Any]:
        return {"resources": apps.listing(), "resultType": "complete"}

    async def on_read_resource(ctx: ServerRequestContext[Any, Any], params: types.ReadResourceRequestParams
                               ) -> dict[str, Any]:
        found = apps.read(str(params.uri))
        if found is None:  # MCP "Resources": unknown URI is -32002 resource not found
            raise MCPError(code=-32002, message=f"Resource not found: {params.uri}")
        return {**found, "resultType": "complete"}

    return Server(
        SERVER_NAME,
        # The tool list is the same for every caller: 2026-07-28 clients may cache it for 5 minutes.
        cache_hints={"tools/list": CacheHint(ttl_ms=300_000, scope="public")},
        version=SERVER_VERSION,
        title=SERVER_TITLE,
        instructions=INSTRUCTIONS,
        website_url=settings.base_url,
        # 2026-07-28 Mcp-Param header checks look schemas up here instead of re-running tools/list
        get_tool_input_schema=_input_schema,
        on_list_tools=on_list_tools,
        on_call_tool=on_call_tool,
        on_list_resources=on_list_resources,
        on_read_resource=on_read_resource,
    )
