"""The running service's own needs: open and migrate the database, check it, keep tables small.

Edges hold a ``Database`` only to hand it to use cases; they never open a transaction on it.
``DATABASE_ERRORS`` lets the REST edge recognise an outage without importing the driver.
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from domain.adapters.redis_link import RedisLink
from domain.core.clock import utcnow
from domain.core.settings import Settings
from domain.persistence import migrate
from domain.persistence.db import DATABASE_ERRORS, Database
from domain.requests import last_used, revocation_feed
from domain.requests.credential_cache import CACHE
from domain.requests.rate_limits import MinuteLimiter, build_limiter, prune

__all__ = ["DATABASE_ERRORS", "Database", "SharedState", "open_database", "ping", "prune_rate_windows", "serving",
           "shared_state", "upgrade_schema"]


def open_database(settings: Settings) -> Database:
    return Database(settings.database_url)


def upgrade_schema(database_url: str) -> None:
    """Apply every migration (``upgrade heads``); synchronous, run it off the event loop."""
    migrate.upgrade(database_url)


async def ping(db: Database) -> bool:
    return await db.ping()


async def prune_rate_windows(db: Database) -> None:
    """Drop minute windows older than two minutes: they can no longer refuse anything."""
    async with db.transaction() as session:
        await prune(session, int(utcnow().timestamp() // 60) - 2)


@dataclass
class SharedState:
    """What a serving app keeps beside its database (docs/speed.md): the minute limiter (memory,
    or Redis when ``REDIS_URL`` is set)."""

    limiter: MinuteLimiter
    redis: RedisLink | None


def shared_state(settings: Settings) -> SharedState:
    redis = RedisLink(settings.redis_url, settings.redis_prefix) if settings.redis_url else None
    CACHE.configure(settings.auth_cache_seconds, settings.auth_cache_size)
    return SharedState(limiter=build_limiter(redis), redis=redis)


@asynccontextmanager
async def serving(db: Database, settings: Settings, state: SharedState) -> AsyncIterator[None]:
    """While the app serves: the revocation feed and the batched last-used writer; then close."""
    try:
        async with revocation_feed.running(db.url), \
                last_used.flushing(db, settings.last_used_flush_seconds):
            yield
    finally:
        await state.limiter.close()
