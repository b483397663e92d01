"""API key → Caller for every /v1 request, from the credential cache when it can be.

A hit costs no database round trip; a miss is one joined read (``apikeys.authenticate``). Only
successful verifications are remembered, so a refused key is refused by the database each time
and a key revoked here is dropped from the cache when the revoking transaction commits.
"""
from __future__ import annotations

from domain.accounts import apikeys
from domain.core.clock import utcnow
from domain.core.context import Caller
from domain.persistence.db import Database
from domain.persistence.models import ApiKey
from domain.requests import last_used
from domain.requests.credential_cache import CACHE


async def api_key_caller(db: Database, secret: str | None) -> Caller:
    digest = apikeys.digest_of(secret)
    cache_key = ("api_key", db.url, digest)
    caller: Caller | None = CACHE.get(cache_key)
    if caller is None:
        async with db.read() as session:
            caller, account, key = await apikeys.authenticate(session, secret)
        CACHE.put(cache_key, caller, apikeys.key_tags(key.id, account.id))
    assert caller.api_key_id is not None
    last_used.note(db, ApiKey.__table__, caller.api_key_id, utcnow())
    return caller
