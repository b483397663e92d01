"""Read-only figures for operators (``/metrics``, ``/readyz``): no state changes here."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from domain.assets.service import storage_for
from domain.core.clock import utcnow
from domain.core.settings import Settings
from domain.fulfillment.handoff import JOB_PENDING, JOB_REFUNDING
from domain.persistence.db import Database
from domain.persistence.models import FulfillmentJob, Order


@dataclass(frozen=True)
class QueueFigures:
    backlog: int  # jobs waiting or running
    due: int  # of which are due now
    oldest_due_age_seconds: float  # how long the oldest due job has been waiting (0 when none)


@dataclass(frozen=True)
class OperationsSnapshot:
    orders_by_status: dict[tuple[str, str], int] = field(default_factory=dict)  # (mode, status) -> count
    queues: dict[str, QueueFigures] = field(default_factory=dict)  # queue name -> figures


async def snapshot(db: Database) -> OperationsSnapshot:
    """Orders by mode and status, and the fulfillment queue's backlog and oldest due job."""
    now = utcnow()
    open_jobs = FulfillmentJob.status.in_((JOB_PENDING, JOB_REFUNDING))
    async with db.read() as session:
        rows = (await session.execute(
            select(Order.mode, Order.status, func.count()).group_by(Order.mode, Order.status))).all()
        backlog = int((await session.execute(select(func.count()).where(open_jobs))).scalar_one())
        due_count, oldest = (await session.execute(
            select(func.count(), func.min(FulfillmentJob.run_after)).where(open_jobs, FulfillmentJob.run_after <= now)
        )).one()
    age = 0.0
    if oldest is not None:
        if oldest.tzinfo is None and now.tzinfo is not None:
            oldest = oldest.replace(tzinfo=now.tzinfo)
        age = max(0.0, (now - oldest).total_seconds())
    return OperationsSnapshot(
        orders_by_status={(mode, status): int(count) for mode, status, count in rows},
        queues={"fulfillment": QueueFigures(backlog, int(due_count or 0), age)},
    )


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
