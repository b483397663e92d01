"""Events become deliveries: the worker gives each new event one delivery per subscribed endpoint.

``record`` only writes the event row (no I/O inside the state change). Here a batch of events
not yet fanned out is locked (``SKIP LOCKED`` on PostgreSQL, so two workers take different
batches), a delivery is added for each enabled endpoint of the same account and mode that
subscribes to the type and existed when the event happened, and the batch is marked done —
all in one transaction, so an event is fanned out exactly once.
"""
from __future__ import annotations

from sqlalchemy import select, tuple_, update

from domain.core.clock import utcnow
from domain.core.ids import new_id
from domain.persistence.db import Database
from domain.persistence.webhook_models import Event, WebhookDelivery, WebhookEndpoint
from domain.webhooks.endpoints import subscribed

BATCH = 200


async def fan_out(db: Database, limit: int = BATCH) -> int:
    """Fan out one batch; returns how many events it handled (0 when none was waiting)."""
    pending = select(Event).where(Event.fanned_out.is_(False)).order_by(Event.seq).limit(limit)
    async with db.read() as session:  # an idle round takes no write lock
        if (await session.execute(pending.with_only_columns(Event.seq))).first() is None:
            return 0
    async with db.transaction() as session:
        events = list((await session.execute(pending.with_for_update(skip_locked=True))).scalars())
        if not events:
            return 0
        owners = {(e.account_id, e.mode) for e in events if e.type != "webhook.test"}
        endpoints: dict[tuple[str, str], list[WebhookEndpoint]] = {}
        if owners:
            rows = (await session.execute(select(WebhookEndpoint).where(
                WebhookEndpoint.status == "enabled",
                tuple_(WebhookEndpoint.account_id, WebhookEndpoint.mode).in_(list(owners))))).scalars()
            for endpoint in rows:
                endpoints.setdefault((endpoint.account_id, endpoint.mode), []).append(endpoint)
        now = utcnow()
        for event in events:
            if event.type == "webhook.test":
                continue  # its one delivery was made with it
            for endpoint in endpoints.get((event.account_id, event.mode), []):
                if endpoint.created_at <= event.created_at and subscribed(endpoint, event.type):
                    session.add(new_delivery(endpoint, event, now))
        await session.flush()
        await session.execute(update(Event).where(Event.seq.in_([e.seq for e in events])).values(fanned_out=True))
    return len(events)


def new_delivery(endpoint: WebhookEndpoint, event: Event, now) -> WebhookDelivery:  # type: ignore[no-untyped-def]
    return WebhookDelivery(id=new_id("msg"), account_id=endpoint.account_id, endpoint_id=endpoint.id,
                           event_id=event.id, event_seq=event.seq, object_id=event.object_id, status="pending",
                           attempts=0, next_attempt_at=now, created_at=now, updated_at=now)
