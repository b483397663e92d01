"""Read-only figures for operators (``/metrics``, ``/readyz``): no state changes here."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, and_, func, select

from domain.assets.service import storage_for
from domain.core.clock import utcnow
from domain.core.settings import Settings
from domain.fulfillment.handoff import JOB_PENDING, JOB_REFUNDING
from domain.persistence.db import Database
from domain.persistence.models import FulfillmentJob, Order
from domain.persistence.webhook_models import Event, WebhookDelivery
from domain.webhooks.delivery import due_now


@dataclass(frozen=True)
class QueueFigures:
    backlog: int  # items waiting or in progress
    due: int  # of which are due now (in progress included)
    oldest_due_age_seconds: float  # how long the oldest due item has been due (0 when none)


@dataclass(frozen=True)
class OperationsSnapshot:
    orders_by_status: dict[tuple[str, str], int] = field(default_factory=dict)  # (mode, status) -> count
    queues: dict[str, QueueFigures] = field(default_factory=dict)  # queue name -> figures


def _age(now: datetime, oldest: datetime | None) -> float:
    if oldest is None:
        return 0.0
    if oldest.tzinfo is None and now.tzinfo is not None:  # SQLite returns naive UTC
        oldest = oldest.replace(tzinfo=now.tzinfo)
    return max(0.0, (now - oldest).total_seconds())


def _figures(now: datetime, row: Row[Any]) -> QueueFigures:
    backlog, due, oldest = row
    return QueueFigures(int(backlog or 0), int(due or 0), _age(now, oldest))


def _fulfillment(now: datetime) -> Select[Any]:
    """Pending and refunding jobs (a leased one is running: still in the backlog, still due)."""
    due = FulfillmentJob.run_after <= now
    return select(func.count(), func.count().filter(due), func.min(FulfillmentJob.run_after).filter(due)).where(
        FulfillmentJob.status.in_((JOB_PENDING, JOB_REFUNDING)))


def _webhooks(now: datetime) -> Select[Any]:
    """Pending deliveries: waiting for their first attempt or a retry, or being sent. Due: what a
    worker may send now (``delivery.due_now``); one queued behind an earlier event about the same
    object, or for a disabled endpoint, waits without being due."""
    due = and_(*due_now(now))
    return select(func.count(), func.count().filter(due), func.min(WebhookDelivery.next_attempt_at).filter(due)
                  ).where(WebhookDelivery.status == "pending")


def _webhook_fanout() -> Select[Any]:
    """Events the worker has not yet turned into deliveries: all due at once, aged from the event."""
    return select(func.count(), func.count(), func.min(Event.created_at)).where(Event.fanned_out.is_(False))


async def snapshot(db: Database) -> OperationsSnapshot:
    """Orders by mode and status, and each queue's backlog and oldest due item: one statement each."""
    now = utcnow()
    async with db.read() as session:
        rows = (await session.execute(
            select(Order.mode, Order.status, func.count()).group_by(Order.mode, Order.status))).all()
        queues = {name: _figures(now, (await session.execute(stmt)).one()) for name, stmt in (
            ("fulfillment", _fulfillment(now)), ("webhooks", _webhooks(now)), ("webhook_fanout", _webhook_fanout()))}
    return OperationsSnapshot(orders_by_status={(mode, status): int(count) for mode, status, count in rows},
                              queues=queues)


async def assets_ready(settings: Settings) -> None:
    """Raises unless the configured asset store is reachable and writable."""
    await storage_for(settings).check()


async def database_ready(db: Database) -> None:
    """Raises when the database cannot answer a trivial query."""
    await db.ping()


def pool_figures(db: Database) -> dict[str, int]:
    """Connections of this process's pool: checked out, idle in the pool, and its size."""
    pool = db.engine.sync_engine.pool
    figures = {}
    for name, attr in (("in_use", "checkedout"), ("idle", "checkedin"), ("size", "size"), ("overflow", "overflow")):
        method = getattr(pool, attr, None)
        if callable(method):
            try:
                figures[name] = int(method())
            except (TypeError, ValueError):
                continue
    return figures
