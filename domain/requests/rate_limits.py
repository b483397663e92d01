"""Request rate limits (per minute, never a database write) and the daily order cap (exact, in the database).

Minute limits are fixed windows counted by a ``MinuteLimiter``: in this process's memory
(``MemoryLimiter``, the embedded default: one process, nothing shared) or in Redis when
``PIETERPOST_REDIS_URL`` is set (``RedisLimiter``: one round trip, a small Lua script that INCRs
every bucket and sets a new one's EXPIRE, shared by every process). A Redis that does not answer fails open — the request is
served, a warning is logged — because a lost counter costs less than a refused customer. A
rejected request is not counted.

Counters that are not on the hot path stay in ``usage_counters`` (``hit_minute_limits``: fresh
preview renders; ``counts``/``increment``: sign-in throttles), shared by every process.

The daily order cap is a UTC-day row in ``usage_counters``, upserted inside the order's own
transaction (``INSERT … ON CONFLICT DO UPDATE … RETURNING``), so it stays exact across
processes and a rejected order leaves the count unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from domain.adapters.redis_link import RedisDown, RedisLink
from domain.core.clock import utcnow
from domain.core.errors import ErrorCode, LimitExceeded
from domain.core.settings import Settings
from domain.persistence.core_rows import execute
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


Bucket = tuple[str, int]  # (name, limit per minute)


class MinuteLimiter(Protocol):
    async def hit(self, buckets: list[Bucket]) -> WindowCount: ...

    async def close(self) -> None: ...


def _minute() -> tuple[int, int]:
    now = utcnow().timestamp()
    window = int(now // 60)
    return window, max(1, int((window + 1) * 60 - now))


def _verdict(buckets: list[Bucket], seen: list[int], reset_in: int) -> WindowCount:
    """The tightest bucket (for the ``X-RateLimit-*`` headers), or ``rate_limited`` past a limit."""
    tightest: WindowCount | None = None
    for (_, limit), count in zip(buckets, seen, strict=True):
        current = WindowCount(count=count, limit=limit, reset_in=reset_in)
        if count > limit:
            raise LimitExceeded(f"Too many requests: {limit} per minute. Retry in {reset_in} s.",
                                code=ErrorCode.RATE_LIMITED, retry_after=reset_in)
        if tightest is None or current.remaining < tightest.remaining:
            tightest = current
    assert tightest is not None
    return tightest


class MemoryLimiter:
    """This process's counters for the current minute (older minutes are dropped at once)."""

    def __init__(self) -> None:
        self._window = -1
        self._counts: dict[str, int] = {}

    async def hit(self, buckets: list[Bucket]) -> WindowCount:
        window, reset_in = _minute()
        if window != self._window:
            self._window, self._counts = window, {}
        counts = [self._counts.get(name, 0) + 1 for name, _ in buckets]
        verdict = _verdict(buckets, counts, reset_in)  # raises before counting a rejected request
        for (name, _), count in zip(buckets, counts, strict=True):
            self._counts[name] = count
        return verdict

    async def close(self) -> None:
        return None


#: INCR each key; a key seen for the first time (count 1) expires after two minutes. One EVALSHA
#: costs the client about half of a four-command pipeline, and the script runs atomically.
COUNT_SCRIPT = """
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = redis.call('INCR', key)
  if counts[i] == 1 then redis.call('EXPIRE', key, ARGV[1]) end
end
return counts
"""
WINDOW_TTL_S = 120


class RedisLimiter:
    """Counters in Redis, shared by every process: ``<prefix>rate:<bucket>:<minute>``."""

    def __init__(self, link: RedisLink) -> None:
        self.link = link
        self._count = link.client.register_script(COUNT_SCRIPT)  # EVALSHA; reloaded by redis-py if flushed

    async def hit(self, buckets: list[Bucket]) -> WindowCount:
        window, reset_in = _minute()
        keys = [self.link.key("rate", name, str(window)) for name, _ in buckets]

        async def count(client: Any) -> list[Any]:
            return await self._count(keys=keys, args=[WINDOW_TTL_S], client=client)  # type: ignore[no-any-return]

        try:
            replies = await self.link.run("rate limits served", count)
        except RedisDown:  # fail open: serve the request uncounted
            return WindowCount(count=0, limit=min(limit for _, limit in buckets), reset_in=reset_in)
        counts = [int(reply) for reply in replies]
        try:
            return _verdict(buckets, counts, reset_in)
        except LimitExceeded:
            await self._uncount(keys)
            raise

    async def _uncount(self, keys: list[str]) -> None:
        async def undo(client: Any) -> list[Any]:
            pipe = client.pipeline(transaction=False)
            for key in keys:
                pipe.decr(key)
            return await pipe.execute()

        try:
            await self.link.run("rate limit correction", undo)
        except RedisDown:
            pass

    async def close(self) -> None:
        await self.link.close()


def build_limiter(link: RedisLink | None) -> MinuteLimiter:
    return RedisLimiter(link) if link is not None else MemoryLimiter()


def _upsert(insert: Any) -> Any:
    """``INSERT … ON CONFLICT (bucket, window) DO UPDATE SET count = count + :by RETURNING count``."""
    by = bindparam("by")
    stmt = insert(UsageCounter).values(bucket=bindparam("bucket"), window=bindparam("window"), count=by)
    return stmt.on_conflict_do_update(index_elements=[UsageCounter.bucket, UsageCounter.window],
                                      set_={"count": UsageCounter.count + by}).returning(UsageCounter.count)


#: Built once per dialect: building and cache-keying this statement cost ~150 µs per call, more
#: than running it (it is on every order, as the daily cap).
_UPSERTS = {"postgresql": _upsert(postgresql.insert), "sqlite": _upsert(sqlite.insert)}


async def increment(session: AsyncSession, bucket: str, window: int, by: int = 1) -> int:
    stmt = _UPSERTS[session.bind.dialect.name]
    return int((await execute(session, stmt, {"bucket": bucket, "window": window, "by": by})).scalar_one())


async def hit_minute_limits(session: AsyncSession, buckets: list[tuple[str, int]]) -> WindowCount:
    """Count one request in each ``(bucket, limit)`` in the database; raise ``rate_limited`` past a limit.

    For rare, costly requests only (preview renders): request rates go through a ``MinuteLimiter``.
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
