"""Webhooks: add an endpoint (its signing secret shown once), send a test event, see recent
deliveries with status, duration and response excerpt, resend one, re-enable, rotate, delete.

Every change goes through ``domain.use_cases.webhooks`` (one transaction each); a new secret
reaches the page through the encrypted one-time cookie, as a new API key does.
"""
from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from domain.core.errors import DomainError, NotFound
from domain.events.catalogue import CATALOGUE, SUBSCRIBABLE
from domain.use_cases import webhooks
from server.web import flash
from server.web.dashboard.common import Visit, dashboard, redirect

PATH = "/api/dashboard/webhooks"


async def _render(visit: Visit, status: int = 200, **context: object) -> Response:
    created = flash.read(visit.request, visit.settings)
    created = created if created and created.get("kind") == "webhook_secret" else None
    response = visit.render("dashboard/webhooks.html", status, section="webhooks", created=created,
                            endpoints=await webhooks.dashboard_page(visit.db, visit.caller),
                            catalogue={name: CATALOGUE[name][1] for name in SUBSCRIBABLE},
                            notice=visit.request.query_params.get("done"), **context)
    flash.clear(visit.request, response, PATH)
    return response


@dashboard
async def webhooks_page(visit: Visit) -> Response:
    return await _render(visit)


def _chosen_events(visit: Visit) -> list[str]:
    assert visit.form is not None
    chosen = [str(v) for v in visit.form.getlist("events")]
    return ["*"] if not chosen or "*" in chosen else chosen


@dashboard
async def create_endpoint(visit: Visit) -> Response:
    body = {"url": visit.field("url"), "enabledEvents": _chosen_events(visit), "description": visit.field("description")}
    try:
        made = await webhooks.create_endpoint(visit.db, visit.settings, visit.caller, body)
    except DomainError as exc:
        return await _render(visit, exc.status, error=exc.message, error_code=exc.code.value, url=body["url"],
                             description=body["description"])
    response = redirect(PATH)
    flash.put(response, visit.settings, PATH, {"kind": "webhook_secret", "endpointId": made["id"],
                                               "url": made["url"], "secret": made["secret"]})
    return response


@dashboard
async def endpoint_action(visit: Visit) -> Response:
    endpoint_id, action = visit.request.path_params["endpoint_id"], visit.request.path_params["action"]
    if action == "test":
        await webhooks.send_test(visit.db, visit.caller, endpoint_id)
        return redirect(f"{PATH}?done=test")
    if action == "enable":
        await webhooks.update_endpoint(visit.db, visit.settings, visit.caller, endpoint_id, {"enabled": True})
        return redirect(f"{PATH}?done=enabled")
    if action == "disable":
        await webhooks.update_endpoint(visit.db, visit.settings, visit.caller, endpoint_id, {"enabled": False})
        return redirect(f"{PATH}?done=disabled")
    if action == "delete":
        await webhooks.delete_endpoint(visit.db, visit.caller, endpoint_id)
        return redirect(f"{PATH}?done=deleted")
    if action == "rotate":
        made = await webhooks.rotate_secret(visit.db, visit.settings, visit.caller, endpoint_id)
        response = redirect(PATH)
        flash.put(response, visit.settings, PATH, {"kind": "webhook_secret", "endpointId": made["id"],
                                                   "url": made["url"], "secret": made["secret"], "rotated": True})
        return response
    raise NotFound(f"No webhook action {action}.")


@dashboard
async def resend(visit: Visit) -> Response:
    await webhooks.resend_delivery(visit.db, visit.caller, visit.request.path_params["endpoint_id"],
                                   visit.request.path_params["delivery_id"])
    return redirect(f"{PATH}?done=resent")


routes = [
    Route(PATH, webhooks_page, methods=["GET"]),
    Route(PATH, create_endpoint, methods=["POST"]),
    Route(PATH + "/{endpoint_id}/deliveries/{delivery_id}/resend", resend, methods=["POST"]),
    Route(PATH + "/{endpoint_id}/{action}", endpoint_action, methods=["POST"]),
]
