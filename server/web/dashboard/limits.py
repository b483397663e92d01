"""Spending limits on the dashboard: today's live spend against each limit, and lowering them.

The account holder may lower the account's daily live limit (never above the operator's value)
and give each live API key and each MCP connection its own lower limit. Amounts are typed in
currency units ("50.00") and apply to each currency per UTC day; an empty field clears the
holder's own value. Every change goes through ``domain.use_cases.limits``.
"""
from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from domain.core.errors import DomainError
from domain.use_cases import limits
from oauth import connections
from server.web.dashboard.common import Visit, dashboard, redirect
from server.web.dashboard.wallet import cents_from_form

PATH = "/api/dashboard/limits"
OVERVIEW = "/api/dashboard"


def cents_or_clear(value: str) -> int | None:
    """ "" -> None (no own limit), "50" / "50.00" -> 5000 cents."""
    if not value.strip():
        return None
    try:
        return cents_from_form(value)
    except DomainError as exc:
        raise DomainError(exc.message.replace("amount", "limit"), code=exc.code, field="liveDailyCents") from None


async def spend_overview(visit: Visit) -> dict[str, Any]:
    """For the overview page: the account's, each live key's and each connection's spend today."""
    account_id = visit.account["accountId"]
    grants = await connections.list_connections(visit.db, account_id)
    return await limits.spend_overview(visit.db, visit.settings, account_id, grants)


def _done(anchor: str) -> Response:
    return redirect(f"{OVERVIEW}?limits=saved#{anchor}")


@dashboard
async def set_account_limit(visit: Visit) -> Response:
    await limits.set_holder_limit(visit.db, visit.settings, visit.account["accountId"],
                                  cents_or_clear(visit.field("limit")))
    return _done("limits")


@dashboard
async def set_key_limit(visit: Visit) -> Response:
    key_id = visit.request.path_params["key_id"]
    await limits.set_key_limit(visit.db, visit.account["accountId"], key_id, cents_or_clear(visit.field("limit")))
    return _done(f"limit-{key_id}")


@dashboard
async def set_connection_limit(visit: Visit) -> Response:
    grant_id = visit.request.path_params["grant_id"]
    account_id = visit.account["accountId"]
    owned = [c["grantId"] for c in await connections.list_connections(visit.db, account_id)]
    await limits.set_grant_limit(visit.db, account_id, grant_id, cents_or_clear(visit.field("limit")), owned)
    return _done(f"limit-{grant_id}")


routes = [
    Route(PATH + "/account", set_account_limit, methods=["POST"]),
    Route(PATH + "/keys/{key_id}", set_key_limit, methods=["POST"]),
    Route(PATH + "/connections/{grant_id}", set_connection_limit, methods=["POST"]),
]
