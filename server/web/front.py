"""``GET /``: the front door — what this instance is and where everything lives.

Signed-out visitors get sign-in and sign-up; a signed-in person gets the dashboard link. Both
see the MCP server URL to paste into a client, the REST base URL and the docs.
"""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.accounts.views import account_summary
from oauth import sessions
from server.web.render import page


async def front_door(request: Request) -> Response:
    db, settings = request.app.state.db, request.app.state.settings
    account_id = await sessions.current_account(db, request)
    account = await account_summary(db, account_id) if account_id else None
    base = settings.base_url
    return page(request, "front.html", page_title="Letters and postcards from your code and your AI assistant",
                account=account, mcp_url=f"{base}/mcp", api_url=f"{base}/v1", base_url=base)


routes = [Route("/", front_door, methods=["GET"])]
