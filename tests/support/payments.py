"""Fixtures for payment and fulfillment tests: fake Stripe, fake print partner, a live-ready app.

Import the fixtures into a test module (``from tests.support.payments import *``-style names
listed in ``__all__``); everything runs on both databases through ``database_url``.
"""
from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from domain.persistence.db import Database
from domain.persistence.models import LedgerEntry, Order, OrderPiece, Wallet
from domain.core.settings import Settings
from domain.money.wallets import ensure_wallet, ledger_sum, post_entry
from tests.support.apps import asgi_client, running_app
from tests.conftest import make_settings
from tests.support import fake_partner as partner_mod
from tests.support import fake_stripe as stripe_mod

BASE = "http://127.0.0.1:8000"


@pytest.fixture(scope="session")
def stripe_server() -> Iterator[stripe_mod.FakeStripe]:
    fake, server = stripe_mod.start()
    yield fake
    server.shutdown()


@pytest.fixture(scope="session")
def partner_server() -> Iterator[partner_mod.FakePartner]:
    fake, server = partner_mod.start()
    yield fake
    fake.release.set()
    server.shutdown()


@pytest.fixture
def partner(partner_server: partner_mod.FakePartner) -> partner_mod.FakePartner:
    """The shared fake partner, behaving normally at the start of each test."""
    partner_server.down_for.clear()
    partner_server.refuse.clear()
    partner_server.hold_key = None
    partner_server.holding.clear()
    partner_server.release.clear()
    return partner_server


def live_settings_for(database_url: str, asset_dir: Path, stripe_url: str, partner_url: str,
                      **extra: Any) -> Settings:
    return make_settings(
        database_url, asset_dir, stripe_secret_key=stripe_mod.SECRET_KEY,
        stripe_webhook_secret=stripe_mod.WEBHOOK_SECRET, stripe_api_base=stripe_url,
        fulfillment_url=partner_url, fulfillment_token=partner_mod.TOKEN,
        fulfillment_retry_base_seconds=0.01, fulfillment_retry_max_seconds=0.05, **extra)


@pytest.fixture(scope="session")
def live_settings(database_url: str, asset_dir: Path, stripe_server: stripe_mod.FakeStripe,
                  partner_server: partner_mod.FakePartner) -> Settings:
    return live_settings_for(database_url, asset_dir, stripe_server.url, partner_server.url)


@pytest.fixture(scope="session")
async def live_app(live_settings: Settings) -> AsyncIterator[Any]:
    async with running_app(live_settings) as application:
        yield application


@pytest.fixture
async def live_client(live_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(live_app, BASE) as http:
        yield http


async def fund(db: Database, account_id: str, mode: str, cents: int) -> None:
    async with db.transaction() as session:
        wallet = await ensure_wallet(session, account_id, mode, "eur")
        await post_entry(session, wallet, cents, "topup")


async def wallet_state(db: Database, account_id: str, mode: str) -> tuple[int, int, list[str]]:
    """(balance, sum of ledger rows, ledger kinds in order) of the account's EUR wallet."""
    async with db.read() as session:
        wallet = (await session.execute(select(Wallet).where(
            Wallet.account_id == account_id, Wallet.mode == mode, Wallet.currency == "eur"))).scalar_one()
        kinds = (await session.execute(select(LedgerEntry.kind).where(LedgerEntry.wallet_id == wallet.id)
                                       .order_by(LedgerEntry.created_at, LedgerEntry.id))).scalars().all()
        return wallet.balance_cents, await ledger_sum(session, wallet.id), list(kinds)


async def piece_ids(db: Database, order_id: str) -> list[str]:
    async with db.read() as session:
        return list((await session.execute(select(OrderPiece.id).where(OrderPiece.order_id == order_id)
                                           .order_by(OrderPiece.position))).scalars())


async def load_order(db: Database, order_id: str) -> Order:
    async with db.read() as session:
        order = await session.get(Order, order_id)
        assert order is not None
        return order


__all__ = ["fund", "live_app", "live_client", "live_settings", "live_settings_for", "load_order", "partner",
           "partner_server", "piece_ids", "stripe_server", "wallet_state"]
