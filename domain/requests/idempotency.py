"""Idempotent creates (docs/product.md § Idempotency).

The create and its idempotency record commit in ONE transaction (see ``run_idempotent``). The
record's unique index on (account, scope, key) makes a concurrent duplicate fail at commit and
roll back everything it did; it then reads the committed record and replays it. Failed
requests roll back and leave no record, so a retry after fixing the cause (a top-up, say) runs
again. Records are kept 24 hours.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, bindparam, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.core.clock import utcnow
from domain.persistence.core_rows import insert_new
from domain.persistence.db import Database
from domain.core.errors import DomainError, IdempotencyConflict, InvalidRequest
from domain.persistence.models import Account, IdempotencyRecord
from domain.orders.fields import check_text

RETENTION = timedelta(hours=24)
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: str  # exact bytes sent the first time
    replayed: bool


def request_fingerprint(payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_key(key: str | None, field: str = "Idempotency-Key") -> str | None:
    if key is None:
        return None
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise InvalidRequest(f"{field} must be 1 to {MAX_KEY_LENGTH} characters.", field=field)
    return check_text(key, field)  # MCP passes it as an argument, where a NUL can arrive


Operation = Callable[[AsyncSession], Awaitable[tuple[int, Any]]]


#: The account row with its record for (scope, key), if any; built once (building and
#: cache-keying it per request cost more than running it).
_ACCOUNT_AND_RECORD = select(Account, IdempotencyRecord).outerjoin(IdempotencyRecord, and_(
    IdempotencyRecord.account_id == Account.id, IdempotencyRecord.scope == bindparam("scope"),
    IdempotencyRecord.key == bindparam("key"))).where(Account.id == bindparam("account_id"))


async def run_idempotent(
    db: Database,
    *,
    account_id: str,
    scope: str,
    key: str | None,
    payload: Any,
    operation: Operation,
    render: Callable[[Any], str] = lambda body: json.dumps(body, separators=(",", ":")),
    claim_first: bool = True,
) -> StoredResponse:
    """Run ``operation`` once per (account, scope, key, payload); replay its response after.

    One transaction: read the record (with the account row, which every create needs and then
    finds in the session), run the operation, store the response. With ``claim_first`` the
    record is inserted before the operation, so a concurrent duplicate waits on the unique
    index and never runs it — needed where the operation calls out (a Stripe session). Without
    it (an operation that only writes this database, like a direct order) the record is
    inserted once, complete, at the end: a concurrent duplicate then fails on the unique index
    at commit and rolls all of its work back; one that fails on the way (the winner took the
    balance, say) also replays the winner's record. Either way the duplicate replays it.
    """
    if key is None:
        async with db.transaction() as session:
            status, body = await operation(session)
            return StoredResponse(status, render(body), replayed=False)
    fingerprint = request_fingerprint(payload)
    try:
        async with db.transaction() as session:
            found = (await session.execute(_ACCOUNT_AND_RECORD,
                                           {"account_id": account_id, "scope": scope, "key": key})).one_or_none()
            record = found[1] if found is not None else None
            if record is not None and utcnow() - record.created_at <= RETENTION:
                return _replay(record, fingerprint)
            if record is None:
                record = IdempotencyRecord(account_id=account_id, scope=scope, key=key, request_hash=fingerprint,
                                           status_code=0, response_body="", created_at=utcnow())
                if claim_first:
                    session.add(record)
                    await session.flush()  # takes the unique-index slot now: duplicates wait here
            else:  # past the replay window: the key starts over on the same row
                record.request_hash, record.created_at = fingerprint, utcnow()
            status, body = await operation(session)
            text = render(body)
            record.status_code, record.response_body = status, text
            if record not in session:  # complete at last: queued with the operation's own new rows
                insert_new(session, [record])
            return StoredResponse(status, text, replayed=False)
    except IntegrityError:
        replay = await _lookup(db, account_id, scope, key, fingerprint)
        if replay is None:
            raise
        return replay
    except DomainError:
        replay = await _lookup(db, account_id, scope, key, fingerprint)
        if replay is None:
            raise
        return replay


def _replay(record: IdempotencyRecord, fingerprint: str) -> StoredResponse:
    if record.request_hash != fingerprint:
        raise IdempotencyConflict(
            "This Idempotency-Key was already used with a different request body; use a new key."
        )
    return StoredResponse(record.status_code, record.response_body, replayed=True)


def _select(account_id: str, scope: str, key: str):  # type: ignore[no-untyped-def]
    return select(IdempotencyRecord).where(
        IdempotencyRecord.account_id == account_id, IdempotencyRecord.scope == scope, IdempotencyRecord.key == key
    )


async def _lookup(db: Database, account_id: str, scope: str, key: str, fingerprint: str) -> StoredResponse | None:
    """A committed record still inside the replay window, replayed (or a conflict)."""
    async with db.read() as session:
        record = (await session.execute(_select(account_id, scope, key))).scalar_one_or_none()
    if record is None or utcnow() - record.created_at > RETENTION:
        return None
    return _replay(record, fingerprint)


async def purge_expired(db: Database) -> None:
    """Drop records past the 24 h replay window (the worker's housekeeping calls this)."""
    async with db.transaction() as session:
        await session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < utcnow() - RETENTION))
