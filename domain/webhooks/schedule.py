"""When a failed delivery is tried again: exponential-ish steps with ±10 % jitter, ~3 days in all.

Attempt 1 is made as soon as the worker sees the event. After failed attempt n the next one
waits ``RETRY_DELAYS[n-1]`` (× a random factor in [0.9, 1.1], so endpoints that failed
together are not all retried in the same second). After attempt 10 fails the delivery is
``failed`` and the endpoint is disabled. Without jitter the last attempt is 71 h 35 min after the first.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=5),
    timedelta(hours=10), timedelta(hours=14), timedelta(hours=20), timedelta(hours=20),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
JITTER = 0.1


def next_delay(failed_attempt: int, rand: Callable[[float, float], float] = random.uniform) -> timedelta | None:
    """The wait after failed attempt number ``failed_attempt`` (1-based); None when none is left."""
    if failed_attempt >= MAX_ATTEMPTS:
        return None
    return RETRY_DELAYS[failed_attempt - 1] * rand(1 - JITTER, 1 + JITTER)


def total_schedule() -> timedelta:
    return sum(RETRY_DELAYS, timedelta(0))
