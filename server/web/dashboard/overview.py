"""Overview: account status, balances per mode and currency, quick start; the test/live switch."""
from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from server.web.dashboard.common import MODE_COOKIE, Visit, dashboard, redirect
from server.web.dashboard.limits import spend_overview
from server.web.render import secure_cookies
from server.web.signin import local_path
from server.web.snippets import quick_start


@dashboard
async def overview(visit: Visit) -> Response:
    return visit.render("dashboard/overview.html", section="overview",
                        snippets=quick_start(visit.settings.base_url), spend=await spend_overview(visit),
                        limits_saved=visit.request.query_params.get("limits") == "saved")


@dashboard
async def switch_mode(visit: Visit) -> Response:
    """Remember the chosen mode in a cookie; every section reads it (default test)."""
    mode = visit.field("mode")
    response = redirect(local_path(visit.field("next")))
    if mode in ("test", "live"):
        response.set_cookie(MODE_COOKIE, mode, max_age=365 * 86400, path="/", httponly=True, samesite="lax",
                            secure=secure_cookies(visit.settings))
    return response


routes = [
    Route("/api/dashboard", overview, methods=["GET"]),
    Route("/api/dashboard/", overview, methods=["GET"]),
    Route("/api/dashboard/mode", switch_mode, methods=["POST"]),
]
