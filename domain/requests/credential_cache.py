"""Verified credentials remembered for a few seconds, and dropped the moment they are revoked.

Every API request and MCP call presents a credential (an API key or an OAuth access token);
reading it from the database each time was most of a small request's cost. A verified credential
is kept here for ``auth_cache_seconds`` (bounded to ``auth_cache_size`` entries, least recently
used out first). Each entry carries tags (``key:<id>``, ``grant:<id>``, ``token:<hash>``,
``account:<id>``); code that revokes calls ``revoked(session, *tags)`` inside its transaction:

- in this process the tagged entries are dropped right after that transaction commits (not
  before: a request racing the revocation could otherwise cache the old row again);
- on PostgreSQL the same transaction sends ``NOTIFY`` (delivered only if it commits) and every
  process's listener drops them (``domain.requests.revocation_feed``);
- on SQLite with Redis configured the tags are published on a Redis channel after the commit;
- on SQLite without Redis only this process learns of it; other processes on the same file see
  the revocation when their entry expires (docs/speed.md).

The cache is process-wide on purpose: a revocation reaches every app of the process.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Any

from cachetools import TTLCache
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

CHANNEL = "pieterpost_revoked"
_PENDING = "pieterpost.revoked"


class CredentialCache:
    def __init__(self, ttl: float = 10.0, maxsize: int = 10_000) -> None:
        self._entries: TTLCache[Hashable, tuple[Any, frozenset[str]]] = TTLCache(maxsize=maxsize, ttl=ttl)

    def configure(self, ttl: float, maxsize: int) -> None:
        if (self._entries.ttl, self._entries.maxsize) != (ttl, maxsize):
            self._entries = TTLCache(maxsize=max(1, maxsize), ttl=ttl)

    @property
    def enabled(self) -> bool:
        return self._entries.ttl > 0

    def get(self, key: Hashable) -> Any | None:
        hit = self._entries.get(key)
        return hit[0] if hit is not None else None

    def put(self, key: Hashable, value: Any, tags: Iterable[str]) -> None:
        if self.enabled:
            self._entries[key] = (value, frozenset(tags))

    def drop(self, tags: Iterable[str]) -> None:
        """Forget every entry carrying one of ``tags`` (a scan: revocations are rare)."""
        wanted = set(tags)
        for key in [k for k, (_, entry_tags) in list(self._entries.items()) if entry_tags & wanted]:
            self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


CACHE = CredentialCache()
# Called with the tags after a revoking transaction commits (the Redis publisher registers here).
PUBLISHERS: set[Callable[[frozenset[str]], None]] = set()


async def revoked(session: AsyncSession, *tags: str) -> None:
    """Mark credentials as revoked by this transaction: dropped everywhere once it commits."""
    session.info.setdefault(_PENDING, set()).update(tags)
    if session.bind.dialect.name == "postgresql":
        await session.execute(select(func.pg_notify(CHANNEL, " ".join(tags))))


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint: the revocation is not committed yet
        return
    tags = session.info.pop(_PENDING, None)
    if not tags:
        return
    frozen = frozenset(tags)
    CACHE.drop(frozen)
    for publish in list(PUBLISHERS):
        publish(frozen)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_PENDING, None)
