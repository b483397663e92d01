"""Idempotent creates at the domain level (docs/product.md § Idempotency), on the real database.

One debit per key: the same key and body replays the first response and never runs the
operation again; another body under the same key is a conflict; another scope is another
key; a failed attempt leaves no record so a retry runs; records replay for 24 hours exactly
and the key then starts over; ``purge_expired`` drops only expired records.
"""
from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from domain.accounts.accounts import create_account
from domain.core.errors import IdempotencyConflict, InsufficientCredits, InvalidRequest
from domain.money.wallets import ensure_wallet, ledger_sum, post_entry
from domain.persistence.db import Database
from domain.persistence.models import IdempotencyRecord
from domain.requests import idempotency
from domain.requests.idempotency import check_key, purge_expired, request_fingerprint, run_idempotent


#: The documented replay window, written out: the module's own constant is part of what is tested.
DAY = timedelta(hours=24)


class Debit:
    """An operation that debits 100 cents and counts its runs; it also notes whether its key was claimed."""

    def __init__(self, account_id: str, key: str | None = None, cents: int = 100) -> None:
        self.account_id, self.key, self.cents, self.runs, self.claimed = account_id, key, cents, 0, []

    async def __call__(self, session: Any) -> tuple[int, Any]:
        self.runs += 1
        if self.key is not None:
            rows = (await session.execute(select(IdempotencyRecord).where(
                IdempotencyRecord.account_id == self.account_id, IdempotencyRecord.key == self.key))).scalars().all()
            self.claimed.append(any(row.status_code == 0 for row in rows))  # inserted, response not yet stored
        wallet = await ensure_wallet(session, self.account_id, "test", "eur")
        entry = await post_entry(session, wallet, -self.cents, "debit")
        return 201, {"run": self.runs, "balance": entry.balance_after_cents}


async def _fund(db: Database, account_id: str, cents: int) -> str:
    async with db.transaction() as session:
        wallet = await ensure_wallet(session, account_id, "test", "eur")
        await post_entry(session, wallet, cents, "topup")
        return wallet.id


async def _balance(db: Database, wallet_id: str) -> int:
    async with db.read() as session:
        return await ledger_sum(session, wallet_id)


async def _run(db: Database, account_id: str, op: Debit, key: str | None, payload: Any = None, *,
               scope: str = "orders", claim_first: bool = True) -> idempotency.StoredResponse:
    return await run_idempotent(db, account_id=account_id, scope=scope, key=key, payload=payload or {"a": 1},
                                operation=op, claim_first=claim_first)


@pytest.mark.parametrize("claim_first", [True, False])
async def test_same_key_and_body_debits_once_and_replays_the_exact_response(
        db: Database, account: dict, claim_first: bool) -> None:
    wallet = await _fund(db, account["id"], 1000)
    op = Debit(account["id"], "k-1")
    first = await _run(db, account["id"], op, "k-1", claim_first=claim_first)
    again = await _run(db, account["id"], op, "k-1", claim_first=claim_first)
    assert (first.status, first.body, first.replayed) == (201, '{"run":1,"balance":900}', False)
    assert (again.status, again.body, again.replayed) == (201, first.body, True)
    assert op.runs == 1 and op.claimed == [claim_first]  # claimed before the operation only with claim_first
    assert await _balance(db, wallet) == 900


async def test_without_a_key_every_call_runs(db: Database, account: dict) -> None:
    wallet = await _fund(db, account["id"], 1000)
    op = Debit(account["id"])
    results = [await _run(db, account["id"], op, None) for _ in range(2)]
    assert [(r.body, r.replayed) for r in results] == [('{"run":1,"balance":900}', False),
                                                       ('{"run":2,"balance":800}', False)]
    assert await _balance(db, wallet) == 800


async def test_same_key_with_another_body_is_a_conflict_that_changes_nothing(db: Database, account: dict) -> None:
    wallet = await _fund(db, account["id"], 1000)
    op = Debit(account["id"], "k-2")
    await _run(db, account["id"], op, "k-2", {"a": 1})
    with pytest.raises(IdempotencyConflict):
        await _run(db, account["id"], op, "k-2", {"a": 2})
    assert op.runs == 1 and await _balance(db, wallet) == 900


async def test_another_scope_is_another_key(db: Database, account: dict) -> None:
    wallet = await _fund(db, account["id"], 1000)
    op = Debit(account["id"], "k-3")
    await _run(db, account["id"], op, "k-3")
    second = await _run(db, account["id"], op, "k-3", scope="postcards")
    assert (second.replayed, op.runs) == (False, 2)
    assert await _balance(db, wallet) == 800


async def test_a_failed_attempt_leaves_no_record_and_the_retry_runs(db: Database, account: dict) -> None:
    wallet = await _fund(db, account["id"], 50)
    op = Debit(account["id"], "k-4")
    with pytest.raises(InsufficientCredits):
        await _run(db, account["id"], op, "k-4")
    async with db.read() as session:
        assert (await session.execute(select(IdempotencyRecord).where(
            IdempotencyRecord.account_id == account["id"], IdempotencyRecord.key == "k-4"))).first() is None
    await _fund(db, account["id"], 100)
    retry = await _run(db, account["id"], op, "k-4")
    assert (retry.replayed, op.runs) == (False, 2)
    assert await _balance(db, wallet) == 50


async def test_a_failed_attempt_replays_no_other_accounts_or_keys_record(db: Database, account: dict) -> None:
    """After a refused operation the record looked up for a replay must be this account's and this key's.

    Records sit on both sides of the failing account, scope and key in sort order ("letters" <
    "orders" < "postcards"); each failing attempt must raise, not replay one of them.
    """
    async with db.transaction() as session:
        other = await create_account(session, f"other-{uuid.uuid4().hex[:10]}@example.com", approve=True)
    low, high = sorted([account["id"], other.id])
    records = {low: (("orders", "k-a"), ("orders", "k-c"), ("letters", "k-b"), ("postcards", "k-b")),
               high: (("orders", "k-b"),)}
    for owner, pairs in records.items():
        await _fund(db, owner, 500)
        for scope, key in pairs:
            await _run(db, owner, Debit(owner, key), key, scope=scope)
    for owner, key in ((low, "k-b"), (high, "k-a")):
        with pytest.raises(InsufficientCredits):
            await _run(db, owner, Debit(owner, key, cents=5000), key)


async def _age(db: Database, account_id: str, key: str, age: timedelta, now: datetime) -> None:
    async with db.transaction() as session:
        await session.execute(update(IdempotencyRecord).where(
            IdempotencyRecord.account_id == account_id, IdempotencyRecord.key == key).values(created_at=now - age))


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Stop the module's clock, so the 24-hour edge is an exact instant."""
    now = datetime(2026, 12, 2, 12, 0, 0, tzinfo=UTC)
    monkeypatch.setattr(idempotency, "utcnow", lambda: now)
    return now


async def test_a_record_replays_until_exactly_24_hours(db: Database, account: dict, frozen: datetime) -> None:
    await _fund(db, account["id"], 1000)
    op = Debit(account["id"], "k-5")
    await _run(db, account["id"], op, "k-5")
    await _age(db, account["id"], "k-5", DAY, frozen)
    assert (await _run(db, account["id"], op, "k-5")).replayed is True
    assert op.runs == 1


async def test_after_24_hours_the_key_starts_over_with_a_new_body(db: Database, account: dict, frozen: datetime) -> None:
    wallet = await _fund(db, account["id"], 1000)
    op = Debit(account["id"], "k-6")
    await _run(db, account["id"], op, "k-6", {"a": 1})
    await _age(db, account["id"], "k-6", DAY + timedelta(microseconds=1), frozen)
    fresh = await _run(db, account["id"], op, "k-6", {"a": 2})  # another body: no conflict any more
    assert (fresh.replayed, fresh.body, op.runs) == (False, '{"run":2,"balance":800}', 2)
    again = await _run(db, account["id"], op, "k-6", {"a": 2})
    assert (again.replayed, again.body) == (True, fresh.body)
    with pytest.raises(IdempotencyConflict):
        await _run(db, account["id"], op, "k-6", {"a": 1})
    assert await _balance(db, wallet) == 800


async def test_a_failed_retry_after_24_hours_replays_nothing(db: Database, account: dict, frozen: datetime) -> None:
    """Past the window the old response is gone: a retry that fails raises instead of replaying it."""
    await _fund(db, account["id"], 100)
    await _run(db, account["id"], Debit(account["id"], "k-8"), "k-8")
    await _age(db, account["id"], "k-8", DAY + timedelta(microseconds=1), frozen)
    with pytest.raises(InsufficientCredits):
        await _run(db, account["id"], Debit(account["id"], "k-8"), "k-8")


async def test_purge_drops_only_expired_records(db: Database, account: dict, frozen: datetime) -> None:
    await _fund(db, account["id"], 1000)
    op = Debit(account["id"])
    for key in ("k-old", "k-edge", "k-new"):
        await _run(db, account["id"], op, key)
    await _age(db, account["id"], "k-old", DAY + timedelta(seconds=1), frozen)
    await _age(db, account["id"], "k-edge", DAY, frozen)
    await purge_expired(db)
    async with db.read() as session:
        keys = set((await session.execute(select(IdempotencyRecord.key).where(
            IdempotencyRecord.account_id == account["id"]))).scalars())
    assert keys == {"k-edge", "k-new"}


def test_fingerprint_ignores_key_order_and_keeps_unicode() -> None:
    assert request_fingerprint({"a": 1, "b": 2}) == request_fingerprint({"b": 2, "a": 1})
    assert request_fingerprint({"a": 1}) != request_fingerprint({"a": 2})
    assert request_fingerprint({"b": "é", "a": 1}) == hashlib.sha256('{"a":1,"b":"é"}'.encode()).hexdigest()


def test_a_stored_response_cannot_be_altered() -> None:
    """Its body is the exact bytes sent the first time; nothing on the way out may rewrite it."""
    response = idempotency.StoredResponse(201, '{"a":1}', replayed=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        response.body = "{}"  # type: ignore[misc]
    assert response.body == '{"a":1}'


def test_check_key_accepts_1_to_255_characters() -> None:
    assert check_key(None) is None
    assert check_key("k") == "k"
    assert check_key("x" * 255) == "x" * 255
    for bad in ("", "   ", "x" * 256, 7):
        with pytest.raises(InvalidRequest) as exc:
            check_key(bad, "idempotencyKey")  # type: ignore[arg-type]
        assert exc.value.field == "idempotencyKey"
        assert "1 to 255" in exc.value.message
    with pytest.raises(InvalidRequest):
        check_key("a\x00b")


class SlowDebit(Debit):
    """A ``Debit`` that holds its transaction open for a second after debiting."""

    def __init__(self, account_id: str, key: str) -> None:
        super().__init__(account_id, key)
        self.debited = asyncio.Event()

    async def __call__(self, session: Any) -> tuple[int, Any]:
        result = await super().__call__(session)
        self.debited.set()
        await asyncio.sleep(1.0)  # uncommitted while the duplicate arrives
        return result


@pytest.mark.parametrize(("claim_first", "funds"), [(True, 1000), (False, 1000), (False, 100)])
async def test_a_duplicate_arriving_during_the_first_request_replays_its_response(
        db: Database, account: dict, claim_first: bool, funds: int) -> None:
    """The duplicate replays the first response and debits nothing, whichever way it collides.

    On PostgreSQL the duplicate does not see the first one's uncommitted record: with
    ``claim_first`` its claim waits on the unique index and fails (IntegrityError); without it
    the operation runs too and either its record fails at commit (IntegrityError) or, when the
    first took the last credits, its debit is refused (InsufficientCredits); each time it then
    replays the committed record. SQLite queues writers, so there it finds the record at once.
    """
    wallet = await _fund(db, account["id"], funds)
    op = SlowDebit(account["id"], "k-race")

    async def duplicate() -> idempotency.StoredResponse:
        await op.debited.wait()
        return await _run(db, account["id"], op, "k-race", claim_first=claim_first)

    first, again = await asyncio.gather(_run(db, account["id"], op, "k-race", claim_first=claim_first), duplicate())
    assert (first.body, first.replayed) == (f'{{"run":1,"balance":{funds - 100}}}', False)
    assert (again.status, again.body, again.replayed) == (201, first.body, True)
    assert await _balance(db, wallet) == funds - 100
