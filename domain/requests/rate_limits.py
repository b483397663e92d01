"""Fixed-window counters in the database, so every server process shares them.

One upsert per check (``INSERT … ON CONFLICT DO UPDATE … RETURNING``) on SQLite ≥ 3.35 and
PostgreSQL alike. Minute windows for request rates (per account, per key, per source IP);
UTC-day windows for the order cap, counted inside the order's own transaction so a
rejected order leaves the count unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from domain.core.clock import utcnow
from domain.core.errors import ErrorCode, LimitExceeded
from domain.core.settings import Settings
from domain.persistence.models import UsageCounter


@dataclass(frozen=True)
class WindowCount:
    count: int
    limit: int
    reset_in: int  # seconds until the window ends

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)


def request_buckets(settings: Settings, *, account_id: str, ip: str,
                    key_id: str | None = None) -> list[tuple[str, int]]:
    """The minute windows one request counts in: per account, per API key (REST only), per source IP.

    REST and MCP share the account and IP windows, so a client cannot double its rate by
    switching between them."""
    per_account = settings.rate_limit_per_minute
    buckets = [(f"acct:{account_id}", per_account)]
    if key_id is not None:
        buckets.append((f"key:{key_id}", per_account))
    buckets.append((f"ip:{ip}", settings.rate_limit_ip_per_minute))
    return buckets


async def increment(session: AsyncSession, bucket: str, window: int, by: int = 1) -> int:
    insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(UsageCounter).values(bucket=bucket, window=window, count=by)
    stmt = stmt.on_conflict_do_update(
        index_elements=[UsageCounter.bucket, UsageCounter.window],
        set_={"count": UsageCounter.count + by},
    ).returning(UsageCounter.count)
    return int((await session.execute(stmt)).scalar_one())


async def hit_minute_limits(session: AsyncSession, buckets: list[tuple[str, int]]) -> WindowCount:
    """Count one request in each ``(bucket, limit)``; raise ``rate_limited`` when any passes its limit.

    The returned window describes the tightest bucket (for the ``X-RateLimit-*`` headers).
    """
    now = utcnow().timestamp()
    window = int(now // 60)
    reset_in = max(1, int((window + 1) * 60 - now))
    tightest: WindowCount | None = None
    for bucket, limit in buckets:
        count = await increment(session, f"rate:{bucket}", window)
        current = WindowCount(count=count, limit=limit, reset_in=reset_in)
        if tightest is None or current.remaining < tightest.remaining:
            tightest = current
        if count > limit:
            raise LimitExceeded(
                f"Too many requests: {limit} per minute. Retry in {reset_in} s.",
                code=ErrorCode.RATE_LIMITED,
                retry_after=reset_in,
            )
    assert tightest is not None
    return tightest


async def counts(session: AsyncSession, buckets: list[str], window: int) -> dict[str, int]:
    """Current counts of ``buckets`` in ``window`` (missing buckets are 0), without counting."""
    rows = (await session.execute(select(UsageCounter.bucket, UsageCounter.count).where(
        UsageCounter.bucket.in_(buckets), UsageCounter.window == window))).all()
    return {bucket: int(count) for bucket, count in rows}


async def count_daily_order(session: AsyncSession, account_id: str, cap: int) -> int:
    """Count one order for today's UTC day; raise ``daily_order_cap_reached`` past ``cap``."""
    now = utcnow()
    day = int(now.timestamp() // 86400)
    count = await increment(session, f"orders:{account_id}", day)
    if count > cap:
        reset_in = max(1, int((day + 1) * 86400 - now.timestamp()))
        raise LimitExceeded(
            f"This account reached its cap of {cap} orders per UTC day.",
            code=ErrorCode.DAILY_ORDER_CAP_REACHED,
            retry_after=reset_in,
        )
    return count


async def prune(session: AsyncSession, older_than_window: int) -> None:
    """Drop minute windows that can no longer matter (called by the worker)."""
    await session.execute(delete(UsageCounter).where(UsageCounter.bucket.like("rate:%"),
                                                     UsageCounter.window < older_than_window))
