"""Deliveries of one endpoint with their attempt log; resend one; send a test event."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.core.clock import iso, utcnow
from domain.core.context import Caller
from domain.core.errors import InvalidRequest, NotFound
from domain.core.ids import get_by_id
from domain.events import record
from domain.persistence.webhook_models import Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from domain.webhooks.fanout import new_delivery

MAX_ATTEMPTS_SHOWN = 20


async def list_deliveries(session: AsyncSession, endpoint: WebhookEndpoint, *, limit: int = 25,
                          starting_after: str | None = None) -> tuple[list[dict[str, Any]], bool]:
    stmt = select(WebhookDelivery, Event.type).join(Event, Event.id == WebhookDelivery.event_id).where(
        WebhookDelivery.endpoint_id == endpoint.id)
    if starting_after:
        after = await get_delivery(session, endpoint, starting_after, field="startingAfter")
        stmt = stmt.where((WebhookDelivery.created_at < after.created_at) | (
            (WebhookDelivery.created_at == after.created_at) & (WebhookDelivery.event_seq < after.event_seq)))
    stmt = stmt.order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.event_seq.desc()).limit(limit + 1)
    rows = list((await session.execute(stmt)).all())
    page = rows[:limit]
    attempts: dict[str, list[WebhookAttempt]] = {}
    if page:
        found = (await session.execute(select(WebhookAttempt).where(
            WebhookAttempt.delivery_id.in_([d.id for d, _ in page])).order_by(WebhookAttempt.id))).scalars()
        for item in found:
            attempts.setdefault(item.delivery_id, []).append(item)
    return [delivery_view(d, kind, attempts.get(d.id, [])) for d, kind in page], len(rows) > limit


async def get_delivery(session: AsyncSession, endpoint: WebhookEndpoint, delivery_id: object, *,
                       field: str | None = None, lock: bool = False) -> WebhookDelivery:
    options = {"with_for_update": True, "populate_existing": True} if lock else {}
    row = await get_by_id(session, WebhookDelivery, delivery_id, **options)
    if row is None or row.endpoint_id != endpoint.id:
        raise NotFound(f"No delivery {delivery_id} for this endpoint.", field=field)
    return row


def attempt_view(item: WebhookAttempt) -> dict[str, Any]:
    return {"attempt": item.number, "startedAt": iso(item.started_at), "durationMs": item.duration_ms,
            "statusCode": item.status_code, "succeeded": item.succeeded, "error": item.error,
            "responseExcerpt": item.response_excerpt}


def delivery_view(delivery: WebhookDelivery, event_type: str, attempts: list[WebhookAttempt]) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "endpointId": delivery.endpoint_id,
        "eventId": delivery.event_id,
        "eventType": event_type,
        "status": delivery.status,
        "attemptCount": len(attempts),
        "nextAttemptAt": iso(delivery.next_attempt_at) if delivery.status == "pending" else None,
        "lastStatusCode": delivery.last_status_code,
        "deliveredAt": iso(delivery.delivered_at),
        "createdAt": iso(delivery.created_at),
        "attempts": [attempt_view(a) for a in attempts[-MAX_ATTEMPTS_SHOWN:]],
    }


async def resend(session: AsyncSession, endpoint: WebhookEndpoint, delivery_id: str) -> WebhookDelivery:
    """Send the same message (same ``webhook-id``) again now, whatever its last outcome was."""
    delivery = await get_delivery(session, endpoint, delivery_id, lock=True)
    now = utcnow()
    delivery.status, delivery.next_attempt_at, delivery.updated_at = "pending", now, now
    delivery.leased_until, delivery.leased_by = None, None
    return delivery


async def send_test(session: AsyncSession, caller: Caller, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A ``webhook.test`` event with one delivery, to this endpoint only."""
    if endpoint.status != "enabled":
        raise InvalidRequest(f"Webhook endpoint {endpoint.id} is disabled; enable it before sending a test event.",
                             field="enabled")
    event = record(session, type="webhook.test", account_id=caller.account_id, mode=caller.mode,
                   object_id=endpoint.id, data={"endpointId": endpoint.id, "url": endpoint.url,
                                                "message": "A test event from PieterPost."})
    event.fanned_out = True
    await session.flush()
    delivery = new_delivery(endpoint, event, utcnow())
    session.add(delivery)
    await session.flush()
    return delivery


async def one_view(session: AsyncSession, delivery: WebhookDelivery) -> dict[str, Any]:
    event_type = (await session.execute(select(Event.type).where(Event.id == delivery.event_id))).scalar_one()
    attempts = list((await session.execute(select(WebhookAttempt).where(
        WebhookAttempt.delivery_id == delivery.id).order_by(WebhookAttempt.id))).scalars())
    return delivery_view(delivery, event_type, attempts)
