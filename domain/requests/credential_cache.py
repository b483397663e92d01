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
- on SQLite (whose processes share one host and one file) the tags are appended to a signal file
  beside the database after the commit; every lookup first checks that file's size (one
  ``stat``) and drops what was appended since — this reaches other servers and the CLI alike.

The cache is process-wide on purpose: a revocation reaches every app of the process.
"""
from __future__ import annotations

import os
from collections.abc import Hashable, Iterable
from typing import Any

from cachetools import TTLCache
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url
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

    def get(self, database_url: str, key: Hashable) -> Any | None:
        """The remembered value for ``key`` of this database (after catching up on revocations)."""
        signals.catch_up(database_url, self)
        hit = self._entries.get((database_url, key))
        return hit[0] if hit is not None else None

    def put(self, database_url: str, key: Hashable, value: Any, tags: Iterable[str]) -> None:
        if self.enabled:
            self._entries[(database_url, key)] = (value, frozenset(tags))

    def drop(self, tags: Iterable[str]) -> None:
        """Forget every entry carrying one of ``tags`` (a scan: revocations are rare)."""
        wanted = set(tags)
        for key in [k for k, (_, entry_tags) in list(self._entries.items()) if entry_tags & wanted]:
            self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


class SignalFiles:
    """SQLite's revocation channel: ``<database file>-revoked``, one line of tags per revocation."""

    def __init__(self) -> None:
        self._paths: dict[str, str | None] = {}
        self._read_up_to: dict[str, int] = {}

    def path(self, database_url: str) -> str | None:
        if database_url not in self._paths:
            url = make_url(database_url)
            file = url.database if url.get_backend_name() == "sqlite" else None
            self._paths[database_url] = f"{file}-revoked" if file and file != ":memory:" else None
        return self._paths[database_url]

    def announce(self, database_url: str, tags: Iterable[str]) -> None:
        path = self.path(database_url)
        if path is not None:
            with open(path, "a", encoding="utf-8") as signal:  # one short O_APPEND write per revocation
                signal.write(" ".join(sorted(tags)) + "\n")

    def catch_up(self, database_url: str, cache: CredentialCache) -> None:
        path = self.path(database_url)
        if path is None:
            return
        try:
            size = os.stat(path).st_size
        except FileNotFoundError:
            size = 0
        seen = self._read_up_to.get(path)
        if seen is None or size == seen:  # first look: nothing of this database is cached yet
            self._read_up_to[path] = size if seen is None else seen
            return
        if size < seen:  # replaced or truncated: start over
            cache.clear()
            self._read_up_to[path] = size
            return
        with open(path, "rb") as signal:
            signal.seek(seen)
            fresh = signal.read(size - seen)
        complete = fresh[: fresh.rfind(b"\n") + 1]  # a line still being written is read next time
        cache.drop(complete.decode("utf-8", "replace").split())
        self._read_up_to[path] = seen + len(complete)


CACHE = CredentialCache()
signals = SignalFiles()


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
    CACHE.drop(tags)
    bind = session.get_bind()
    if bind.dialect.name == "sqlite":
        signals.announce(bind.url.render_as_string(hide_password=False), tags)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_PENDING, None)
