"""Concurrent direct orders never overdraw: the ledger and the balance always agree."""
from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import select

from domain.persistence.db import Database
from domain.persistence.models import Wallet
from domain.money.wallets import ledger_sum
from tests.api.payloads import DIRECT_LETTER
from tests.conftest import auth

PRICE = 200


async def test_sixty_concurrent_orders_against_wallet_for_25(client: httpx.AsyncClient, account: dict,
                                                             db: Database) -> None:
    key = account["test_key"]
    topup = 5100  # whole euros (docs/product.md § Top-ups): covers 25 letters of 200, not 26
    created = await client.post("/v1/credits/topups", json={"amountCents": topup}, headers=auth(key))
    assert created.json()["wallet"]["balanceCents"] == topup
    responses = await asyncio.gather(*(client.post("/v1/orders", json=DIRECT_LETTER, headers=auth(key))
                                       for _ in range(60)))
    codes = [r.status_code for r in responses]
    assert codes.count(200) == 25, codes
    assert codes.count(402) == 35
    assert all(r.json()["code"] == "insufficient_credits" for r in responses if r.status_code == 402)
    async with db.read() as session:
        wallet = (await session.execute(select(Wallet).where(Wallet.account_id == account["id"],
                                                             Wallet.mode == "test"))).scalar_one()
        assert wallet.balance_cents == topup - 25 * PRICE == await ledger_sum(session, wallet.id)
    assert wallet.balance_cents >= 0
