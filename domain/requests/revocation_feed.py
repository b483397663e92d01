"""Tell this process about revocations made by other processes on PostgreSQL (``credential_cache``).

One dedicated asyncpg connection ``LISTEN``s on the revocation channel; the revoking transaction
``NOTIFY``s, so only committed revocations arrive, within milliseconds. Whenever the listener
(re)connects or breaks, the whole cache is cleared: a notice may have been missed, and the
database is the truth. SQLite needs no feed: its processes share a host, and the signal file
beside the database is checked on each lookup.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from sqlalchemy.engine import make_url

from domain.requests.credential_cache import CACHE, CHANNEL

log = logging.getLogger("pieterpost.revocations")
RETRY_S = 1.0


async def _listen(dsn: str, connected: asyncio.Event) -> None:
    while True:
        conn = None
        try:
            conn = await asyncpg.connect(dsn)
            lost = asyncio.Event()
            conn.add_termination_listener(lambda _conn: lost.set())
            await conn.add_listener(CHANNEL, lambda _c, _pid, _ch, payload: CACHE.drop(payload.split()))
            CACHE.clear()
            connected.set()
            await lost.wait()
            log.warning("revocation feed lost its PostgreSQL connection; reconnecting")
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - keep serving; the TTL bounds what we miss
            log.warning("revocation feed cannot listen on PostgreSQL", extra={"fields": {"error": type(exc).__name__}})
        finally:
            CACHE.clear()
            if conn is not None and not conn.is_closed():
                await asyncio.shield(conn.close(timeout=2))
        await asyncio.sleep(RETRY_S)


@asynccontextmanager
async def running(database_url: str) -> AsyncIterator[None]:
    """Keep the feed for this database running while the app serves (PostgreSQL only)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        yield
        return
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    connected = asyncio.Event()
    task = asyncio.create_task(_listen(dsn, connected), name="revocation-feed")
    try:
        try:  # serve once listening (or after a short wait when PostgreSQL refuses: fail open)
            await asyncio.wait_for(connected.wait(), timeout=2)
        except TimeoutError:
            pass
        yield
    finally:
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
