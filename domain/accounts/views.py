"""What a signed-in person sees of their account at a glance: flags and every wallet balance."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from domain.accounts.accounts import capability_flags, get_account
from domain.persistence.db import Database
from domain.persistence.models import Wallet
from domain.money.currency import DEFAULT_CURRENCY
from domain.money.wallets import wallet_view


async def account_summary(db: Database, account_id: str) -> dict[str, Any]:
    """Capability flags plus one balance per (mode, currency) wallet; test EUR always listed."""
    async with db.read() as session:
        account = await get_account(session, account_id)
        rows = (await session.execute(
            select(Wallet).where(Wallet.account_id == account_id).order_by(Wallet.mode.desc(), Wallet.currency)
        )).scalars().all()
        wallets = [wallet_view(w) for w in rows]
    if not any(w["mode"] == "test" and w["currency"] == DEFAULT_CURRENCY for w in wallets):
        wallets.insert(0, {"balanceCents": 0, "currency": DEFAULT_CURRENCY, "mode": "test", "updatedAt": None})
    if account.live_enabled and not any(w["mode"] == "live" for w in wallets):
        wallets.append({"balanceCents": 0, "currency": DEFAULT_CURRENCY, "mode": "live", "updatedAt": None})
    return {**capability_flags(account), "email": account.email, "wallets": wallets, "status": account.status}
