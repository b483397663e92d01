"""The one Redis connection of a process (``PIETERPOST_REDIS_URL``), for state several processes share.

Redis holds nothing that must survive: minute rate-limit windows and the revocation channel. So a
Redis that does not answer must never fail a request: callers catch ``RedisDown`` and carry on
(limits fail open, revocations fall back to the cache TTL). Timeouts are short and there are no
retries, and after a failure Redis is skipped for ``PAUSE_S`` so a dead server costs nothing per
request; a warning is logged at most once per pause.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

log = logging.getLogger("pieterpost.redis")
T = TypeVar("T")
PAUSE_S = 1.0
TIMEOUT_S = 0.25


class RedisDown(Exception):
    """Redis did not answer (or is in its pause after a failure)."""


class RedisLink:
    def __init__(self, url: str, prefix: str) -> None:
        self.url = url
        self.prefix = prefix
        self.client = aioredis.from_url(url, socket_timeout=TIMEOUT_S, socket_connect_timeout=TIMEOUT_S,
                                        retry=Retry(NoBackoff(), 0), decode_responses=True)
        self._paused_until = 0.0

    def key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    async def run(self, what: str, work: Callable[[aioredis.Redis], Awaitable[T]]) -> T:
        """Run ``work`` against Redis, or raise ``RedisDown`` (logged) without waiting long."""
        if time.monotonic() < self._paused_until:
            raise RedisDown(what)
        try:
            return await work(self.client)
        except (RedisError, OSError, TimeoutError) as exc:
            self._paused_until = time.monotonic() + PAUSE_S
            log.warning("redis unavailable, %s without it", what, extra={"fields": {"error": type(exc).__name__}})
            raise RedisDown(what) from exc

    def pubsub(self) -> Any:
        return self.client.pubsub(ignore_subscribe_messages=True)

    async def close(self) -> None:
        await self.client.aclose()
