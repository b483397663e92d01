"""Shared steps of the spending-limit tests: live accounts with keys, limits, counters, states."""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from domain.accounts.accounts import create_account
from domain.accounts.apikeys import create_key
from domain.limits import manage
from domain.persistence.db import Database
from domain.persistence.limits_models import LiveSpendDay
from domain.persistence.models import FulfillmentJob, Order
from domain.use_cases import limits
from tests.support.payments import fund, wallet_state

PRICE = 200  # one DIRECT_LETTER


async def live_account(db: Database, *, funds: int = 100_000, approve: bool = True,
                       password_hash: str | None = None) -> dict[str, Any]:
    """A fresh account with a test key and a live key, its live EUR wallet funded."""
    async with db.transaction() as session:
        acct = await create_account(session, f"limits-{uuid.uuid4().hex[:10]}@example.com", approve=approve,
                                    password_hash=password_hash)
        test_key = await create_key(session, acct.id, "test", "test")
        live_key = await create_key(session, acct.id, "live", "live")
    if funds:
        await fund(db, acct.id, "live", funds)
    return {"id": acct.id, "email": acct.email, "test_key": test_key.secret, "live_key": live_key.secret,
            "live_key_id": live_key.key.id, "funds": funds}


async def set_operator_limit(db: Database, account_id: str, cents: int | None) -> None:
    async with db.transaction() as session:
        await manage.set_operator_limit(session, account_id, cents)


async def live_key_with_limit(db: Database, account_id: str, cents: int | None) -> tuple[str, str]:
    """(key id, secret) of a new live key created with its own daily limit (the creation path)."""
    view, secret = await limits.create_key(db, account_id, "live", "limited", cents)
    return str(view["id"]), secret


async def counters(db: Database, subject_id: str) -> dict[int, int]:
    """Spent cents per UTC day of one subject's EUR counter."""
    async with db.read() as session:
        rows = (await session.execute(select(LiveSpendDay).where(LiveSpendDay.subject_id == subject_id,
                                                                 LiveSpendDay.currency == "eur"))).scalars()
        return {row.day: int(row.spent_cents) for row in rows}


async def live_orders(db: Database, account_id: str) -> tuple[int, int]:
    """(live orders, their fulfillment jobs) of the account."""
    async with db.read() as session:
        orders = await session.scalar(select(func.count()).select_from(Order).where(
            Order.account_id == account_id, Order.mode == "live"))
        jobs = await session.scalar(select(func.count()).select_from(FulfillmentJob).join(
            Order, Order.id == FulfillmentJob.order_id).where(Order.account_id == account_id))
        return int(orders or 0), int(jobs or 0)


async def assert_wallet(db: Database, account_id: str, expected_balance: int) -> None:
    """The live wallet holds ``expected_balance`` and equals the sum of its ledger rows."""
    balance, ledger, _ = await wallet_state(db, account_id, "live")
    assert balance == ledger == expected_balance, (balance, ledger, expected_balance)
