"""Leased delivery: claim due messages, POST them signed, log the attempt, schedule or finish.

A delivery is claimed with a compare-and-set UPDATE (pending, due, lease free), so two worker
processes never send the same attempt. It is claimable only when no earlier event about the
same object is still pending for that endpoint (or not yet fanned out): a receiver that was
down gets each object's events in creation order. After the POST the result is written only
if the lease is still ours and the delivery still pending; a delivery cancelled meanwhile
(endpoint deleted) keeps its attempt log but is not rescheduled.
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import aliased

from domain.core.clock import utcnow
from domain.core.settings import Settings
from domain.events.views import event_view
from domain.persistence.db import Database
from domain.persistence.webhook_models import Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from domain.webhooks.endpoints import signing_secrets
from domain.webhooks.schedule import MAX_ATTEMPTS, next_delay, total_schedule
from domain.webhooks.sender import Sender, Sent
from domain.webhooks.signing import sign_headers

log = logging.getLogger("pieterpost.webhooks")


@dataclass(frozen=True)
class Claimed:
    delivery_id: str
    attempt: int
    worker_id: str


def due_now(now: datetime):  # type: ignore[no-untyped-def]
    """A pending delivery a worker may send now, or is sending (leased): its attempt time has come,
    its endpoint is enabled and no earlier event about the same object is still waiting for it.
    ``/metrics`` counts these as the ``webhooks`` queue's due items."""
    d = WebhookDelivery
    earlier = aliased(WebhookDelivery)
    blocked = exists().where(earlier.endpoint_id == d.endpoint_id, earlier.object_id == d.object_id,
                             earlier.event_seq < d.event_seq, earlier.status == "pending")
    unfanned = exists().where(Event.account_id == d.account_id, Event.object_id == d.object_id,
                              Event.seq < d.event_seq, Event.fanned_out.is_(False))
    enabled = exists().where(WebhookEndpoint.id == d.endpoint_id, WebhookEndpoint.status == "enabled")
    return (d.status == "pending", d.next_attempt_at <= now, enabled, ~blocked, ~unfanned)


def _claimable(now: datetime):  # type: ignore[no-untyped-def]
    d = WebhookDelivery
    return (*due_now(now), or_(d.leased_until.is_(None), d.leased_until < now))


async def claim_due(db: Database, settings: Settings, worker_id: str, limit: int) -> list[Claimed]:
    """Lease up to ``limit`` due deliveries in one transaction.

    Candidates are read first, so an idle poll writes nothing. The claim locks them with
    ``FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite has one writer anyway), so two workers
    take disjoint sets without waiting on or deadlocking each other, then leases them.
    """
    now = utcnow()
    async with db.read() as session:
        candidates = (await session.execute(
            select(WebhookDelivery.id).where(*_claimable(now))
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.event_seq).limit(limit))).scalars().all()
    if not candidates:
        return []
    lease_end = now + timedelta(seconds=settings.webhook_lease_seconds)
    async with db.transaction() as session:
        locked = (await session.execute(
            select(WebhookDelivery.id).where(WebhookDelivery.id.in_(candidates), *_claimable(now))
            .with_for_update(skip_locked=True))).scalars().all()
        if not locked:
            return []
        rows = (await session.execute(
            update(WebhookDelivery).where(WebhookDelivery.id.in_(locked))
            .values(leased_until=lease_end, leased_by=worker_id, attempts=WebhookDelivery.attempts + 1)
            .returning(WebhookDelivery.id, WebhookDelivery.attempts)
            .execution_options(synchronize_session=False))).all()
    return [Claimed(row.id, row.attempts, worker_id) for row in rows]


def message_body(event: Event, base_url: str) -> str:
    """The JSON POSTed: the event as ``GET /v1/events/{id}`` shows it plus the spec's ``timestamp``."""
    view = event_view(event, base_url)
    return json.dumps({**view, "timestamp": view["createdAt"]}, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class Message:
    url: str
    body: str
    msg_id: str
    secrets: list[str]


async def _load(db: Database, settings: Settings, claims: list[Claimed]) -> dict[str, Message]:
    """What to send for each claimed delivery, read in one go (endpoint gone or off: nothing)."""
    ids = [c.delivery_id for c in claims]
    async with db.read() as session:
        rows = (await session.execute(
            select(WebhookDelivery.id, Event, WebhookEndpoint)
            .join(Event, Event.id == WebhookDelivery.event_id)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(WebhookDelivery.id.in_(ids)))).all()
    found: dict[str, Message] = {}
    for delivery_id, event, endpoint in rows:
        if endpoint.status == "enabled":
            found[delivery_id] = Message(endpoint.url, message_body(event, settings.base_url), event.id,
                                         signing_secrets(endpoint, settings))
    return found


async def _send(sender: Sender, message: Message) -> tuple[datetime, Sent]:
    # the receiver checks webhook-timestamp against its own wall clock, so sign with the real time
    headers = sign_headers(message.msg_id, datetime.now(UTC), message.body, message.secrets)
    started = utcnow()
    return started, await sender.post(message.url, message.body.encode("utf-8"), headers)


async def _record(session, claim: Claimed, started: datetime, sent: Sent,  # type: ignore[no-untyped-def]
                  rand: Callable[[float, float], float] | None) -> str:
    session.add(WebhookAttempt(delivery_id=claim.delivery_id, number=claim.attempt, started_at=started,
                               duration_ms=sent.duration_ms, status_code=sent.status_code, succeeded=sent.ok,
                               error=sent.error, response_excerpt=sent.excerpt, sent_by=claim.worker_id))
    delivery = await session.get(WebhookDelivery, claim.delivery_id, with_for_update=True, populate_existing=True)
    if delivery is None or delivery.status != "pending" or delivery.leased_by != claim.worker_id:
        return "not ours"  # cancelled (endpoint deleted) or the lease ran out and another took it
    now = utcnow()
    delivery.leased_until, delivery.leased_by, delivery.updated_at = None, None, now
    delivery.last_status_code, delivery.last_error = sent.status_code, sent.error
    if sent.ok:
        delivery.status, delivery.delivered_at = "succeeded", now
        return "succeeded"
    if not sent.retry:
        delivery.status = "failed"
        if sent.status_code == 410:  # the receiver says this endpoint is gone for good
            await _disable(session, delivery.endpoint_id, "the receiver answered 410 Gone")
        return "failed"
    delay = next_delay(claim.attempt, rand) if rand else next_delay(claim.attempt)
    if delay is None:
        delivery.status = "failed"
        await _disable(session, delivery.endpoint_id,
                       f"every attempt failed for {MAX_ATTEMPTS} tries over "
                       f"{total_schedule().total_seconds() / 3600:.0f} hours (last: {sent.error})")
        return "failed"
    delivery.next_attempt_at = now + delay
    log.info("webhook delivery %s attempt %d failed (%s); next in %.0f s",
             claim.delivery_id, claim.attempt, sent.error, delay.total_seconds())
    return "retry"


async def _disable(session, endpoint_id: str, reason: str) -> None:  # type: ignore[no-untyped-def]
    endpoint = await session.get(WebhookEndpoint, endpoint_id, with_for_update=True, populate_existing=True)
    if endpoint is not None and endpoint.status == "enabled":
        endpoint.status, endpoint.disabled_reason, endpoint.updated_at = "disabled", reason, utcnow()
        log.warning("webhook endpoint %s disabled: %s", endpoint_id, reason)


async def deliver_due(db: Database, settings: Settings, worker_id: str, sender: Sender, *,
                      rand: Callable[[float, float], float] | None = None) -> list[str]:
    """Claim batches of ``webhook_concurrency`` due deliveries, POST each batch concurrently, and
    log the batch's attempts in one transaction; until none is due."""
    outcomes: list[str] = []
    while claims := await claim_due(db, settings, worker_id, max(1, settings.webhook_concurrency)):
        messages = await _load(db, settings, claims)
        sendable = [c for c in claims if c.delivery_id in messages]
        results = await asyncio.gather(*(_send(sender, messages[c.delivery_id]) for c in sendable),
                                       return_exceptions=True)
        async with db.transaction() as session:
            for claim, result in zip(sendable, results, strict=True):
                if isinstance(result, BaseException):  # a bug, not a receiver fault: the lease runs out
                    log.error("webhook delivery %s crashed: %r", claim.delivery_id, result)
                    outcomes.append("crashed")
                    continue
                outcomes.append(await _record(session, claim, result[0], result[1], rand))
            unsent = [c.delivery_id for c in claims if c.delivery_id not in messages]
            if unsent:  # the endpoint was switched off after the claim: hand these back untried
                await session.execute(update(WebhookDelivery).where(
                    WebhookDelivery.id.in_(unsent), WebhookDelivery.leased_by == worker_id)
                    .values(leased_until=None, leased_by=None, attempts=WebhookDelivery.attempts - 1)
                    .execution_options(synchronize_session=False))
                outcomes += ["endpoint off"] * len(unsent)
    return outcomes
