"""Sign-in throttling shared by every process (counters in ``usage_counters``).

Failed sign-ins are counted per email and per source address in 15-minute windows; once a
bucket reaches its limit, sign-in attempts for it are refused until the window ends, before
any password is checked (so the check cannot be used to keep guessing).
"""
from __future__ import annotations

from domain.core.clock import utcnow
from domain.persistence.db import Database
from domain.requests.rate_limits import counts, increment
from oauth.hashing import token_hash

WINDOW_S = 15 * 60
PER_EMAIL = 10
PER_ADDRESS = 50


def _buckets(email: str, address: str | None) -> list[tuple[str, int]]:
    out = [(f"login:email:{token_hash(email.strip().lower())[:32]}", PER_EMAIL)]
    if address:
        out.append((f"login:ip:{address}", PER_ADDRESS))
    return out


def _window() -> tuple[int, int]:
    now = utcnow().timestamp()
    window = int(now // WINDOW_S)
    return window, max(1, int((window + 1) * WINDOW_S - now))


async def retry_after(db: Database, email: str, address: str | None) -> int | None:
    """Seconds to wait when this email or address used up its failures, else None."""
    window, reset_in = _window()
    buckets = _buckets(email, address)
    async with db.read() as s:
        found = await counts(s, [b for b, _ in buckets], window)
    if any(found.get(bucket, 0) >= limit for bucket, limit in buckets):
        return reset_in
    return None


async def record_failure(db: Database, email: str, address: str | None) -> None:
    window, _ = _window()
    async with db.transaction() as s:
        for bucket, _limit in _buckets(email, address):
            await increment(s, bucket, window)
