"""Events feed and webhook endpoints as REST and the dashboard call them: one transaction each."""
from __future__ import annotations

from typing import Any

from domain.core.context import Caller
from domain.core.errors import InvalidRequest
from domain.core.settings import Settings
from domain.events import feed
from domain.events.views import event_view
from domain.persistence.db import Database
from domain.webhooks import deliveries, endpoints
from domain.webhooks.rounds import run_round


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidRequest("The request body must be a JSON object.")
    return body


async def list_events(db: Database, settings: Settings, caller: Caller, **filters: Any) -> dict[str, Any]:
    async with db.read() as session:
        rows, has_more = await feed.list_events(session, caller, **filters)
        return {"data": [event_view(e, settings.base_url) for e in rows], "hasMore": has_more}


async def get_event(db: Database, settings: Settings, caller: Caller, event_id: str) -> dict[str, Any]:
    async with db.read() as session:
        return event_view(await feed.get_event(session, caller, event_id), settings.base_url)


async def create_endpoint(db: Database, settings: Settings, caller: Caller, body: Any) -> dict[str, Any]:
    """The view includes ``secret``: the only time it is shown."""
    async with db.transaction() as session:
        made = await endpoints.create_endpoint(session, caller, _object(body), settings)
        return endpoints.endpoint_view(made.endpoint, made.secret)


async def list_endpoints(db: Database, caller: Caller) -> dict[str, Any]:
    async with db.read() as session:
        rows = await endpoints.list_endpoints(session, caller)
        return {"data": [endpoints.endpoint_view(e) for e in rows], "hasMore": False}


async def get_endpoint(db: Database, caller: Caller, endpoint_id: str) -> dict[str, Any]:
    async with db.read() as session:
        return endpoints.endpoint_view(await endpoints.get_endpoint(session, caller, endpoint_id))


async def update_endpoint(db: Database, settings: Settings, caller: Caller, endpoint_id: str,
                          body: Any) -> dict[str, Any]:
    async with db.transaction() as session:
        row = await endpoints.update_endpoint(session, caller, endpoint_id, _object(body), settings)
        return endpoints.endpoint_view(row)


async def delete_endpoint(db: Database, caller: Caller, endpoint_id: str) -> dict[str, Any]:
    async with db.transaction() as session:
        row = await endpoints.delete_endpoint(session, caller, endpoint_id)
        return {"id": row.id, "deleted": True}


async def rotate_secret(db: Database, settings: Settings, caller: Caller, endpoint_id: str) -> dict[str, Any]:
    async with db.transaction() as session:
        made = await endpoints.rotate_secret(session, caller, endpoint_id, settings)
        return endpoints.endpoint_view(made.endpoint, made.secret)


async def list_deliveries(db: Database, caller: Caller, endpoint_id: str, **page: Any) -> dict[str, Any]:
    async with db.read() as session:
        endpoint = await endpoints.get_endpoint(session, caller, endpoint_id)
        rows, has_more = await deliveries.list_deliveries(session, endpoint, **page)
        return {"data": rows, "hasMore": has_more}


async def send_test(db: Database, caller: Caller, endpoint_id: str) -> dict[str, Any]:
    async with db.transaction() as session:
        endpoint = await endpoints.get_endpoint(session, caller, endpoint_id)
        delivery = await deliveries.send_test(session, caller, endpoint)
        return deliveries.delivery_view(delivery, "webhook.test", [])


async def resend_delivery(db: Database, caller: Caller, endpoint_id: str, delivery_id: str) -> dict[str, Any]:
    async with db.transaction() as session:
        endpoint = await endpoints.get_endpoint(session, caller, endpoint_id)
        delivery = await deliveries.resend(session, endpoint, delivery_id)
        return await deliveries.one_view(session, delivery)


async def dashboard_page(db: Database, caller: Caller, *, per_endpoint: int = 10) -> list[dict[str, Any]]:
    """Every endpoint of the mode with its most recent deliveries (the Webhooks page)."""
    async with db.read() as session:
        found = []
        for row in await endpoints.list_endpoints(session, caller):
            recent, _ = await deliveries.list_deliveries(session, row, limit=per_endpoint)
            found.append({**endpoints.endpoint_view(row), "deliveries": recent})
        return found


async def deliver_webhooks(db: Database, settings: Settings, worker_id: str) -> list[str]:
    """The worker's webhook step: fan new events out, send every due delivery (leased)."""
    return await run_round(db, settings, worker_id)
