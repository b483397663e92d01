"""Wallets and the append-only ledger: the only way money moves.

Each change is a single conditional ``UPDATE … SET balance = balance + :delta WHERE
balance + :delta >= 0`` plus one ledger row, inside the caller's transaction. The database
evaluates the condition on the locked row, so concurrent debits can never overdraw, and the
CHECK constraint is the last line of defence.
"""
from __future__ import annotations

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from domain.core.clock import iso, utcnow
from domain.core.errors import InsufficientCredits
from domain.core.ids import new_id
from domain.persistence.core_rows import execute, insert_new
from domain.persistence.models import LedgerEntry, Wallet


async def ensure_wallet(session: AsyncSession, account_id: str, mode: str, currency: str) -> Wallet:
    stmt = select(Wallet).where(Wallet.account_id == account_id, Wallet.mode == mode, Wallet.currency == currency)
    wallet = (await session.execute(stmt)).scalar_one_or_none()
    if wallet is not None:
        return wallet
    wallet = Wallet(id=new_id("wal"), account_id=account_id, mode=mode, currency=currency, balance_cents=0)
    try:
        async with session.begin_nested():
            session.add(wallet)
    except IntegrityError:  # created concurrently by another request
        wallet = (await session.execute(stmt)).scalar_one()
    return wallet


async def peek_wallet(session: AsyncSession, account_id: str, mode: str, currency: str) -> Wallet:
    """Read-only view: the wallet, or an unsaved empty one when none exists yet."""
    stmt = select(Wallet).where(Wallet.account_id == account_id, Wallet.mode == mode, Wallet.currency == currency)
    wallet = (await session.execute(stmt)).scalar_one_or_none()
    return wallet if wallet is not None else empty_wallet(account_id, mode, currency)


def empty_wallet(account_id: str, mode: str, currency: str) -> Wallet:
    """What a wallet that was never credited looks like (unsaved: it has no id)."""
    return Wallet(id="", account_id=account_id, mode=mode, currency=currency, balance_cents=0, updated_at=utcnow())


async def post_entry(
    session: AsyncSession,
    wallet: Wallet,
    amount_cents: int,
    kind: str,
    *,
    order_id: str | None = None,
    topup_id: str | None = None,
) -> LedgerEntry:
    """Move ``amount_cents`` (negative = debit) and record it; raises InsufficientCredits."""
    now = utcnow()
    result = await session.execute(
        update(Wallet)
        .where(Wallet.id == wallet.id, Wallet.balance_cents + amount_cents >= 0)
        .values(balance_cents=Wallet.balance_cents + amount_cents, updated_at=now)
        .returning(Wallet.balance_cents)
    )
    new_balance = result.scalar_one_or_none()
    if new_balance is None:
        await session.refresh(wallet)
        raise InsufficientCredits(
            f"The {wallet.mode} {wallet.currency.upper()} wallet holds {wallet.balance_cents} cents; "
            f"this needs {-amount_cents}. Top up first."
        )
    set_committed_value(wallet, "balance_cents", new_balance)  # already written by the UPDATE
    set_committed_value(wallet, "updated_at", now)
    entry = LedgerEntry(
        id=new_id("ledger"),
        wallet_id=wallet.id,
        account_id=wallet.account_id,
        amount_cents=amount_cents,
        kind=kind,
        order_id=order_id,
        topup_id=topup_id,
        balance_after_cents=new_balance,
        created_at=now,
    )
    session.add(entry)
    await session.flush()
    return entry


#: ``post_entry_for``'s conditional UPDATE, built once: building and cache-keying it on every
#: order cost more than running it. The rule is the one in the module docstring.
_DEBIT_BY_OWNER = (
    update(Wallet)
    .where(Wallet.account_id == bindparam("owner"), Wallet.mode == bindparam("wallet_mode"),
           Wallet.currency == bindparam("wallet_currency"), Wallet.balance_cents + bindparam("delta") >= 0)
    .values(balance_cents=Wallet.balance_cents + bindparam("delta"), updated_at=bindparam("now"))
    .returning(Wallet.id, Wallet.balance_cents)
)


async def post_entry_for(
    session: AsyncSession,
    account_id: str,
    mode: str,
    currency: str,
    amount_cents: int,
    kind: str,
    *,
    order_id: str | None = None,
) -> tuple[Wallet, LedgerEntry]:
    """``post_entry`` on the wallet of (account, mode, currency) without reading it first.

    The same conditional UPDATE, addressed by the wallet's unique owner columns, returns the id
    and new balance; the ledger row is queued (``core_rows``) and written with the transaction's
    other new rows.
    The returned wallet is a snapshot for the response (not attached to the session). Only when
    nothing matched is the wallet read, to say why (no wallet yet, or not enough credits).
    """
    now = utcnow()
    matched = (await execute(session, _DEBIT_BY_OWNER, {
        "owner": account_id, "wallet_mode": mode, "wallet_currency": currency, "delta": amount_cents, "now": now,
    })).first()
    if matched is None:
        current = await peek_wallet(session, account_id, mode, currency)
        raise InsufficientCredits(
            f"The {mode} {currency.upper()} wallet holds {current.balance_cents} cents; "
            f"this needs {-amount_cents}. Top up first."
        )
    wallet_id, new_balance = matched
    wallet = Wallet(id=wallet_id, account_id=account_id, mode=mode, currency=currency, balance_cents=new_balance,
                    updated_at=now)
    entry = LedgerEntry(id=new_id("ledger"), wallet_id=wallet_id, account_id=account_id, amount_cents=amount_cents,
                        kind=kind, order_id=order_id, topup_id=None, balance_after_cents=new_balance, created_at=now)
    insert_new(session, [entry])
    return wallet, entry


async def ledger_sum(session: AsyncSession, wallet_id: str) -> int:
    total = await session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
        LedgerEntry.wallet_id == wallet_id
    ))
    return int(total or 0)


def wallet_view(wallet: Wallet, *, with_updated_at: bool = True) -> dict[str, object]:
    view: dict[str, object] = {
        "balanceCents": wallet.balance_cents,
        "currency": wallet.currency,
        "mode": wallet.mode,
    }
    if with_updated_at:
        view["updatedAt"] = iso(wallet.updated_at)
    return view
