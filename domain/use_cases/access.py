"""Who is calling, and whether this minute still allows them another request.

Neither touches the database on the hot path: the API key comes from the credential cache
(a miss is one joined read, ``apikeys.authenticate``; only successful verifications are
remembered, and a revocation drops them when its transaction commits), last use is noted for
the batched writer, and the minute windows are counted by the app's ``MinuteLimiter`` (memory,
or Redis shared by every process). A refused request is not counted. An MCP tool call counts
in the same account and IP windows.
"""
from __future__ import annotations

from domain.accounts import apikeys
from domain.core.clock import utcnow
from domain.core.context import Caller
from domain.core.settings import Settings
from domain.persistence.db import Database
from domain.persistence.models import ApiKey
from domain.requests import last_used
from domain.requests.credential_cache import CACHE
from domain.requests.rate_limits import MinuteLimiter, WindowCount, request_buckets


async def api_key_caller(db: Database, secret: str | None) -> Caller:
    """The caller a bearer secret speaks for; raises the auth codes."""
    digest = apikeys.digest_of(secret)
    cache_key = ("api_key", digest)
    caller: Caller | None = CACHE.get(db.url, cache_key)
    if caller is None:
        async with db.read() as session:
            caller, account, key = await apikeys.authenticate(session, secret)
        CACHE.put(db.url, cache_key, caller, apikeys.key_tags(key.id, account.id))
    assert caller.api_key_id is not None
    last_used.note(db, ApiKey.__table__, caller.api_key_id, utcnow())
    return caller


async def api_request(db: Database, limiter: MinuteLimiter, settings: Settings, secret: str | None,
                      ip: str) -> tuple[Caller, WindowCount]:
    """The REST caller for this bearer secret, with the tightest minute window after counting it."""
    caller = await api_key_caller(db, secret)
    window = await limiter.hit(request_buckets(settings, account_id=caller.account_id, ip=ip,
                                               key_id=caller.api_key_id))
    return caller, window


async def mcp_call(limiter: MinuteLimiter, settings: Settings, account_id: str, ip: str) -> WindowCount:
    """Count one MCP tool call; raises ``rate_limited`` past a limit."""
    return await limiter.hit(request_buckets(settings, account_id=account_id, ip=ip))
