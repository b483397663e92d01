"""Who is calling, and whether this minute still allows them another request.

REST resolves its API key and counts the request in one commit (key lookup, last use,
three counters); an MCP tool call counts in the same account and IP windows. A refused
request is rolled back, so it is not counted.
"""
from __future__ import annotations

from domain.accounts.apikeys import authenticate
from domain.core.context import Caller
from domain.core.settings import Settings
from domain.persistence.db import Database
from domain.requests.rate_limits import WindowCount, hit_minute_limits, request_buckets


async def api_request(db: Database, settings: Settings, secret: str | None, ip: str) -> tuple[Caller, WindowCount]:
    """The REST caller for this bearer secret, with the tightest minute window after counting it."""
    async with db.transaction() as session:
        caller, account, key = await authenticate(session, secret)
        window = await hit_minute_limits(session, request_buckets(settings, account_id=account.id, ip=ip,
                                                                  key_id=key.id))
        return caller, window


async def mcp_call(db: Database, settings: Settings, account_id: str, ip: str) -> WindowCount:
    """Count one MCP tool call; raises ``rate_limited`` past a limit."""
    async with db.transaction() as session:
        return await hit_minute_limits(session, request_buckets(settings, account_id=account_id, ip=ip))
