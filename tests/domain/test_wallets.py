"""Wallet and ledger rules at the domain level (docs/product.md § Wallets and ledger), on the real database.

No overdraft (a debit to exactly zero passes, one cent more is refused and changes nothing), the
balance always equals the sum of the ledger rows, each row records the balance after it, refunds
credit the wallet, and ``post_entry_for`` (the order debit) follows the same rules.
"""
from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import func, select

from domain.accounts.accounts import create_account
from domain.core.errors import InsufficientCredits
from domain.money.wallets import ensure_wallet, ledger_sum, peek_wallet, post_entry, post_entry_for, wallet_view
from domain.persistence.db import Database
from domain.persistence.models import LedgerEntry, Wallet


async def _state(db: Database, account_id: str, mode: str = "test", currency: str = "eur") -> tuple[int, int, int]:
    """(stored balance, sum of the ledger, number of ledger rows)."""
    async with db.read() as session:
        wallet = (await session.execute(select(Wallet).where(
            Wallet.account_id == account_id, Wallet.mode == mode, Wallet.currency == currency))).scalar_one()
        rows = await session.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.wallet_id == wallet.id))
        return wallet.balance_cents, await ledger_sum(session, wallet.id), int(rows or 0)


async def test_ensure_wallet_creates_one_wallet_and_returns_it_again(db: Database, account: dict) -> None:
    async with db.transaction() as session:
        first = await ensure_wallet(session, account["id"], "live", "usd")
        assert (first.balance_cents, first.mode, first.currency) == (0, "live", "usd")
    async with db.transaction() as session:
        again = await ensure_wallet(session, account["id"], "live", "usd")
        assert again.id == first.id
        count = await session.scalar(select(func.count()).select_from(Wallet).where(
            Wallet.account_id == account["id"], Wallet.mode == "live", Wallet.currency == "usd"))
        assert count == 1


async def test_peek_wallet_shows_an_empty_unsaved_wallet_and_then_the_real_one(db: Database, account: dict) -> None:
    async with db.read() as session:
        empty = await peek_wallet(session, account["id"], "live", "eur")
        assert (empty.id, empty.balance_cents, empty.mode, empty.currency) == ("", 0, "live", "eur")
        assert wallet_view(empty)["balanceCents"] == 0
    async with db.transaction() as session:
        wallet = await ensure_wallet(session, account["id"], "live", "eur")
        await post_entry(session, wallet, 700, "topup")
    async with db.read() as session:
        seen = await peek_wallet(session, account["id"], "live", "eur")
        assert (seen.id, seen.balance_cents) == (wallet.id, 700)


async def test_credit_debit_to_exactly_zero_and_refund_keep_balance_equal_to_ledger(db: Database, account: dict) -> None:
    async with db.transaction() as session:
        wallet = await ensure_wallet(session, account["id"], "test", "eur")
        top = await post_entry(session, wallet, 500, "topup")
        assert (top.amount_cents, top.kind, top.balance_after_cents, wallet.balance_cents) == (500, "topup", 500, 500)
        debit = await post_entry(session, wallet, -500, "debit", order_id="ord_x")
        assert (debit.balance_after_cents, debit.order_id, debit.topup_id, wallet.balance_cents) == (0, "ord_x", None, 0)
        refund = await post_entry(session, wallet, 200, "refund", order_id="ord_x")
        assert (refund.kind, refund.balance_after_cents, refund.wallet_id, refund.account_id) == (
            "refund", 200, wallet.id, account["id"])
    assert await _state(db, account["id"]) == (200, 200, 3)


async def _funded(db: Database, account_id: str, cents: int) -> Wallet:
    """The account's test EUR wallet, topped up by ``cents`` in a transaction of its own."""
    async with db.transaction() as session:
        wallet = await ensure_wallet(session, account_id, "test", "eur")
        await post_entry(session, wallet, cents, "topup")
    return wallet


async def test_overdraft_by_one_cent_is_refused_and_changes_nothing(db: Database, account: dict) -> None:
    await _funded(db, account["id"], 300)
    with pytest.raises(InsufficientCredits) as exc:
        async with db.transaction() as session:
            wallet = await ensure_wallet(session, account["id"], "test", "eur")
            await post_entry(session, wallet, -301, "debit")
    assert exc.value.message == "The test EUR wallet holds 300 cents; this needs 301. Top up first."
    assert await _state(db, account["id"]) == (300, 300, 1)


async def test_a_debit_from_an_empty_wallet_is_refused(db: Database, account: dict) -> None:
    with pytest.raises(InsufficientCredits):
        async with db.transaction() as session:
            wallet = await ensure_wallet(session, account["id"], "test", "eur")
            await post_entry(session, wallet, -1, "debit")
    assert await _state(db, account["id"]) == (0, 0, 0)


async def test_post_entry_for_debits_to_zero_and_records_the_row(db: Database, account: dict) -> None:
    wallet = await _funded(db, account["id"], 450)
    async with db.transaction() as session:
        snapshot, entry = await post_entry_for(session, account["id"], "test", "eur", -450, "debit", order_id="ord_y")
        assert (snapshot.id, snapshot.balance_cents, snapshot.mode, snapshot.currency) == (wallet.id, 0, "test", "eur")
        assert (entry.amount_cents, entry.balance_after_cents, entry.order_id, entry.kind, entry.topup_id) == (
            -450, 0, "ord_y", "debit", None)
        assert wallet_view(snapshot) == {"balanceCents": 0, "currency": "eur", "mode": "test",
                                         "updatedAt": wallet_view(snapshot)["updatedAt"]}
        assert isinstance(wallet_view(snapshot)["updatedAt"], str)
    assert await _state(db, account["id"]) == (0, 0, 2)


async def test_post_entry_for_refuses_an_overdraft_and_a_missing_wallet(db: Database, account: dict) -> None:
    await _funded(db, account["id"], 100)
    with pytest.raises(InsufficientCredits) as exc:
        async with db.transaction() as session:
            await post_entry_for(session, account["id"], "test", "eur", -101, "debit")
    assert exc.value.message == "The test EUR wallet holds 100 cents; this needs 101. Top up first."
    assert await _state(db, account["id"]) == (100, 100, 1)
    with pytest.raises(InsufficientCredits) as none:
        async with db.transaction() as session:
            await post_entry_for(session, account["id"], "live", "usd", -1, "debit")
    assert none.value.message == "The live USD wallet holds 0 cents; this needs 1. Top up first."


async def test_ledger_sum_of_a_wallet_without_rows_is_zero(db: Database, account: dict) -> None:
    async with db.read() as session:
        assert await ledger_sum(session, "wal_none") == 0


def test_wallet_view_leaves_out_the_time_when_asked() -> None:
    wallet = Wallet(id="wal_1", account_id="acct", mode="live", currency="usd", balance_cents=42)
    assert wallet_view(wallet, with_updated_at=False) == {"balanceCents": 42, "currency": "usd", "mode": "live"}


@pytest.mark.parametrize("other", ["usd", "aud"])  # sorting after and before "eur"
async def test_each_currency_and_mode_has_its_own_wallet(db: Database, account: dict, other: str) -> None:
    async with db.transaction() as session:
        eur = await ensure_wallet(session, account["id"], "test", "eur")  # made with the account
        await post_entry(session, eur, 500, "topup")
    async with db.read() as session:
        unseen = await peek_wallet(session, account["id"], "test", other)
        assert (unseen.id, unseen.balance_cents, unseen.currency) == ("", 0, other)
    async with db.transaction() as session:
        created = await ensure_wallet(session, account["id"], "test", other)
        assert created.id != eur.id and (created.currency, created.balance_cents) == (other, 0)
        await post_entry(session, created, 70, "topup")
    async with db.transaction() as session:
        snapshot, _ = await post_entry_for(session, account["id"], "test", other, -70, "debit")
        assert (snapshot.id, snapshot.balance_cents) == (created.id, 0)
    async with db.read() as session:
        assert (await peek_wallet(session, account["id"], "test", "eur")).balance_cents == 500
        assert (await peek_wallet(session, account["id"], "test", other)).id == created.id
        assert (await peek_wallet(session, account["id"], "live", "eur")).id == ""
    assert await _state(db, account["id"]) == (500, 500, 1)
    assert await _state(db, account["id"], currency=other) == (0, 0, 2)


async def test_a_debit_by_owner_columns_touches_only_that_modes_wallet(db: Database, account: dict) -> None:
    async with db.transaction() as session:
        test = await ensure_wallet(session, account["id"], "test", "eur")
        live = await ensure_wallet(session, account["id"], "live", "eur")
        await post_entry(session, test, 300, "topup")
        await post_entry(session, live, 300, "topup")
    async with db.transaction() as session:
        snapshot, entry = await post_entry_for(session, account["id"], "live", "eur", -100, "debit")
        assert (snapshot.id, entry.wallet_id, entry.balance_after_cents) == (live.id, live.id, 200)
    assert await _state(db, account["id"], mode="live") == (200, 200, 2)
    assert await _state(db, account["id"], mode="test") == (300, 300, 1)
    async with db.transaction() as session:
        snapshot, entry = await post_entry_for(session, account["id"], "test", "eur", -100, "debit")
        assert (snapshot.id, entry.wallet_id, entry.balance_after_cents) == (test.id, test.id, 200)
    assert await _state(db, account["id"], mode="live") == (200, 200, 2)
    assert await _state(db, account["id"], mode="test") == (200, 200, 2)


async def test_a_debit_by_owner_columns_touches_only_that_accounts_wallet(db: Database, account: dict) -> None:
    """Two accounts' test EUR wallets, each debited in turn: the other account's wallet stays as it was.

    Both orders of the two ids are covered, so an owner match of ``<=`` or ``>=`` debits the other one.
    """
    async with db.transaction() as session:
        other = await create_account(session, f"other-{uuid.uuid4().hex[:10]}@example.com", approve=True)
    first, second = sorted([account["id"], other.id])
    for owner in (first, second):
        await _funded(db, owner, 300)
    async with db.transaction() as session:
        await post_entry_for(session, second, "test", "eur", -100, "debit")
    assert (await _state(db, first), await _state(db, second)) == ((300, 300, 1), (200, 200, 2))
    async with db.transaction() as session:
        await post_entry_for(session, first, "test", "eur", -100, "debit")
    assert (await _state(db, first), await _state(db, second)) == ((200, 200, 2), (200, 200, 2))


async def test_peeking_finds_exactly_the_wallet_of_that_mode_and_currency(db: Database, account: dict) -> None:
    """Wallets on every side of (test, eur) in sort order: a peek must see its own one only."""
    balances = {("live", "eur"): 11, ("test", "aud"): 22, ("test", "usd"): 33, ("test", "eur"): 44}
    async with db.transaction() as session:
        for (mode, currency), cents in balances.items():
            await post_entry(session, await ensure_wallet(session, account["id"], mode, currency), cents, "topup")
    async with db.read() as session:
        for (mode, currency), cents in balances.items():
            seen = await peek_wallet(session, account["id"], mode, currency)
            assert (seen.mode, seen.currency, seen.balance_cents) == (mode, currency, cents)


async def test_two_requests_creating_the_same_wallet_at_once_share_one(db: Database, account: dict) -> None:
    """The second creator must end with the first one's wallet, not an IntegrityError.

    On PostgreSQL the second insert waits on the unique index behind the first (still open),
    fails when it commits and reads the committed wallet: the ``except IntegrityError`` path.
    SQLite queues writers, so there the second simply finds the wallet.
    """
    inserted = asyncio.Event()

    async def first() -> str:
        async with db.transaction() as session:
            wallet = await ensure_wallet(session, account["id"], "live", "usd")
            inserted.set()
            await asyncio.sleep(1.0)  # uncommitted while the second one inserts
            return wallet.id

    async def second() -> str:
        await inserted.wait()
        async with db.transaction() as session:
            return (await ensure_wallet(session, account["id"], "live", "usd")).id

    first_id, second_id = await asyncio.gather(first(), second())
    assert first_id == second_id
    async with db.read() as session:
        assert await session.scalar(select(func.count()).select_from(Wallet).where(
            Wallet.account_id == account["id"], Wallet.mode == "live", Wallet.currency == "usd")) == 1


async def test_a_wallet_another_transaction_creates_mid_lookup_is_found_and_not_doubled(pg_database_url: str) -> None:
    """``ensure_wallet`` looked, found none, and another request created the wallet before this
    one inserted it: the insert fails on the unique (account, mode, currency) index and the
    wallet the other request made is returned. PostgreSQL only: on SQLite a write transaction
    holds the database lock from its BEGIN, so no other writer can get in between."""
    import uuid

    from sqlalchemy import create_engine, event, insert

    from domain.accounts.accounts import create_account
    from domain.core.clock import utcnow
    from domain.persistence.db import sync_url

    db = Database(pg_database_url)
    other = create_engine(sync_url(pg_database_url))  # the other request, on its own connection
    try:
        async with db.transaction() as session:
            acct = await create_account(session, f"race-{uuid.uuid4().hex[:10]}@example.com", approve=True)
        theirs = f"wal_{uuid.uuid4().hex[:20]}"

        def other_request_creates_it(sync_session, flush_context, instances):  # type: ignore[no-untyped-def]
            if any(isinstance(obj, Wallet) for obj in sync_session.new):  # our lookup found nothing
                with other.begin() as conn:
                    conn.execute(insert(Wallet.__table__).values(id=theirs, account_id=acct.id, mode="live",
                                                                 currency="usd", balance_cents=0, updated_at=utcnow()))

        async with db.transaction() as session:
            event.listen(session.sync_session, "before_flush", other_request_creates_it)
            wallet = await ensure_wallet(session, acct.id, "live", "usd")
            assert wallet.id == theirs
            await post_entry(session, wallet, 300, "topup")  # the transaction goes on after the savepoint
        async with db.read() as session:
            rows = (await session.execute(select(Wallet.id, Wallet.balance_cents).where(
                Wallet.account_id == acct.id, Wallet.mode == "live", Wallet.currency == "usd"))).all()
        assert [tuple(row) for row in rows] == [(theirs, 300)]
    finally:
        other.dispose()
        await db.dispose()
