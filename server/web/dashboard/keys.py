"""API keys: create (secret shown once), list, revoke after a confirmation page.

The new secret reaches the page through an encrypted one-time cookie (``server.web.flash``)
after a 303, so a reload shows the list without it and cannot create a second key.
"""
from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from domain.core.errors import DomainError
from domain.use_cases import keys
from domain.use_cases import limits
from server.web import flash
from server.web.dashboard.common import Visit, dashboard, redirect
from server.web.dashboard.limits import cents_or_clear

PATH = "/api/dashboard/keys"


async def _list(visit: Visit) -> list[dict[str, object]]:
    return await keys.list_keys(visit.db, visit.caller.account_id)


@dashboard
async def keys_page(visit: Visit) -> Response:
    created = flash.read(visit.request, visit.settings)
    created = created if created and created.get("kind") == "api_key" else None
    response = visit.render("dashboard/keys.html", section="keys", keys=await _list(visit), created=created,
                            revoked=visit.request.query_params.get("revoked"))
    flash.clear(visit.request, response, PATH)
    return response


@dashboard
async def create_key(visit: Visit) -> Response:
    mode = visit.field("mode") or visit.mode
    try:  # a live key may get its own daily live limit at creation (docs/limits.md)
        view, secret = await limits.create_key(visit.db, visit.caller.account_id, mode, visit.field("name") or None,
                                               cents_or_clear(visit.field("live_limit")))
    except DomainError as exc:
        return visit.render("dashboard/keys.html", exc.status, section="keys", keys=await _list(visit),
                            error=exc.message, name=visit.field("name"))
    response = redirect(PATH)
    flash.put(response, visit.settings, PATH, {"kind": "api_key", "key": view, "secret": secret})
    return response


@dashboard
async def revoke_key(visit: Visit) -> Response:
    key_id = visit.request.path_params["key_id"]
    if visit.request.method == "GET":
        key = await keys.get_key(visit.db, visit.caller.account_id, key_id)
        return visit.render("dashboard/key_revoke.html", section="keys", key=key)
    await keys.revoke_key(visit.db, visit.caller.account_id, key_id)
    return redirect(f"{PATH}?revoked={key_id}")


routes = [
    Route(PATH, keys_page, methods=["GET"]),
    Route(PATH, create_key, methods=["POST"]),
    Route(PATH + "/{key_id}/revoke", revoke_key, methods=["GET", "POST"]),
]
