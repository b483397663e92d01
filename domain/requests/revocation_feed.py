"""Tell this process about revocations made by other processes (see ``credential_cache``).

PostgreSQL: one dedicated asyncpg connection ``LISTEN``s on the revocation channel (the revoking
transaction ``NOTIFY``s, so only committed revocations arrive). SQLite with Redis: a Redis
pub/sub subscription, and this process publishes its own revocations there after commit.
Whenever the feed (re)connects or breaks, the whole cache is cleared: a notice may have been
missed, and the database is the truth.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.engine import make_url

from domain.adapters.redis_link import RedisDown, RedisLink
from domain.requests.credential_cache import CACHE, CHANNEL, PUBLISHERS

log = logging.getLogger("pieterpost.revocations")
RETRY_S = 1.0


def _tags(payload: str) -> list[str]:
    return [tag for tag in payload.split() if tag]


async def _listen_postgres(dsn: str, connected: asyncio.Event) -> None:
    import asyncpg

    while True:
        conn = None
        try:
            conn = await asyncpg.connect(dsn)
            lost = asyncio.Event()
            conn.add_termination_listener(lambda _conn: lost.set())
            await conn.add_listener(CHANNEL, lambda _c, _pid, _ch, payload: CACHE.drop(_tags(payload)))
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


async def _listen_redis(link: RedisLink, connected: asyncio.Event) -> None:
    channel = link.key(CHANNEL)
    while True:
        pubsub = link.pubsub()
        try:
            await pubsub.subscribe(channel)
            CACHE.clear()
            connected.set()
            while True:
                message = await pubsub.get_message(timeout=5.0)
                if message and message.get("type") == "message":
                    CACHE.drop(_tags(str(message["data"])))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001
            log.warning("revocation feed lost Redis", extra={"fields": {"error": type(exc).__name__}})
        finally:
            CACHE.clear()
            try:
                await asyncio.shield(pubsub.aclose())
            except Exception:  # noqa: BLE001 - the connection is gone anyway
                pass
        await asyncio.sleep(RETRY_S)


def _redis_publisher(link: RedisLink) -> Any:
    pending: set[asyncio.Task[Any]] = set()

    async def send(tags: frozenset[str]) -> None:
        try:
            await link.run("revocation notice", lambda client: client.publish(link.key(CHANNEL), " ".join(tags)))
        except RedisDown:
            pass  # logged; other processes see it when their entry expires

    def publish(tags: frozenset[str]) -> None:
        task = asyncio.get_running_loop().create_task(send(tags))
        pending.add(task)
        task.add_done_callback(pending.discard)

    return publish


@asynccontextmanager
async def running(database_url: str, link: RedisLink | None) -> AsyncIterator[None]:
    """Keep the feed for this database running while the app serves."""
    url = make_url(database_url)
    connected = asyncio.Event()
    publisher = None
    if url.get_backend_name() == "postgresql":
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        task = asyncio.create_task(_listen_postgres(dsn, connected), name="revocation-feed")
    elif link is not None:
        publisher = _redis_publisher(link)
        PUBLISHERS.add(publisher)
        task = asyncio.create_task(_listen_redis(link, connected), name="revocation-feed")
    else:
        yield  # one process on SQLite: the local drop after commit is all there is
        return
    try:
        # start serving once subscribed (or after a short wait when the feed is down: fail open)
        try:
            await asyncio.wait_for(connected.wait(), timeout=2)
        except TimeoutError:
            pass
        yield
    finally:
        if publisher is not None:
            PUBLISHERS.discard(publisher)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
