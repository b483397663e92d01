"""MCP: the server URL, a client config snippet, connected clients and disconnecting them."""
from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from domain.core.errors import NotFound
from domain.use_cases import connected_clients
from oauth.connections import GRANTS
from oauth.scopes import describe
from server.web.dashboard.common import Visit, dashboard, redirect
from tools.docs import client_config

PATH = "/api/dashboard/mcp"


async def _connections(visit: Visit) -> list[dict[str, object]]:
    rows = await connected_clients.list_connected_clients(visit.db, visit.caller, GRANTS)
    return [{**row, "scopeWords": describe(row["scopes"])} for row in rows]


@dashboard
async def mcp_page(visit: Visit) -> Response:
    base = visit.settings.base_url
    return visit.render("dashboard/mcp.html", section="mcp", server_url=f"{base}/mcp/", config=client_config(base),
                        connections=await _connections(visit),
                        disconnected=visit.request.query_params.get("disconnected"))


@dashboard
async def disconnect(visit: Visit) -> Response:
    grant_id = visit.request.path_params["grant_id"]
    if visit.request.method == "GET":
        match = [c for c in await _connections(visit) if c["grantId"] == grant_id]
        if not match:
            raise NotFound("No such connection.")
        return visit.render("dashboard/mcp_revoke.html", section="mcp", connection=match[0])
    await connected_clients.disconnect_client(visit.db, visit.caller, grant_id, GRANTS)
    return redirect(f"{PATH}?disconnected={grant_id}")


routes = [
    Route(PATH, mcp_page, methods=["GET"]),
    Route(PATH + "/connections/{grant_id}/revoke", disconnect, methods=["GET", "POST"]),
]
