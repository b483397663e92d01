"""Fixtures for live-mail tests: fake Lob and Pingen servers and apps configured for each.

Import the fixtures a module needs (names in ``__all__``); everything runs on both databases
through ``database_url``.
"""
from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.core.settings import Settings
from domain.persistence.db import Database
from server.worker import run_once
from tests.conftest import make_settings
from tests.support import fake_lob as lob_mod
from tests.support import fake_pingen as pingen_mod
from tests.support.apps import asgi_client, running_app
from tests.support.payments import load_order

FROM_ADDRESS = json.dumps({"name": "PieterPost", "address_line1": "210 King St", "address_city": "San Francisco",
                           "address_state": "CA", "address_zip": "94107", "address_country": "US"})


@pytest.fixture(scope="session")
def lob_server() -> Iterator[lob_mod.FakeLob]:
    fake, server = lob_mod.start()
    yield fake
    fake.release.set()
    server.shutdown()


@pytest.fixture(scope="session")
def pingen_server() -> Iterator[pingen_mod.FakePingen]:
    fake, server = pingen_mod.start()
    yield fake
    fake.release.set()
    server.shutdown()


@pytest.fixture
def fake_lob(lob_server: lob_mod.FakeLob) -> lob_mod.FakeLob:
    lob_server.reset()
    return lob_server


@pytest.fixture
def fake_pingen(pingen_server: pingen_mod.FakePingen) -> pingen_mod.FakePingen:
    pingen_server.reset()
    return pingen_server


def lob_env(url: str) -> dict[str, str]:
    """The settings of a Lob-backed service, as environment variables."""
    return {"PIETERPOST_FULFILLMENT_PROVIDER": "lob", "PIETERPOST_LOB_API_BASE": url,
            "PIETERPOST_LOB_API_KEY": lob_mod.API_KEY, "PIETERPOST_LOB_WEBHOOK_SECRET": lob_mod.WEBHOOK_SECRET,
            "PIETERPOST_LOB_FROM_ADDRESS": FROM_ADDRESS}


def pingen_env(url: str) -> dict[str, str]:
    return {"PIETERPOST_FULFILLMENT_PROVIDER": "pingen", "PIETERPOST_PINGEN_API_BASE": url,
            "PIETERPOST_PINGEN_IDENTITY_BASE": url, "PIETERPOST_PINGEN_CLIENT_ID": pingen_mod.CLIENT_ID,
            "PIETERPOST_PINGEN_CLIENT_SECRET": pingen_mod.CLIENT_SECRET,
            "PIETERPOST_PINGEN_ORGANISATION_ID": pingen_mod.ORGANISATION_ID,
            "PIETERPOST_PINGEN_WEBHOOK_SECRET": pingen_mod.WEBHOOK_SECRET}


def _settings(database_url: str, asset_dir: Path, env: dict[str, str]) -> Settings:
    values: dict[str, Any] = {k.removeprefix("PIETERPOST_").lower(): v for k, v in env.items()}
    return make_settings(database_url, asset_dir, fulfillment_retry_base_seconds=0.01,
                         fulfillment_retry_max_seconds=0.05, **values)


@pytest.fixture(scope="session")
def lob_settings(database_url: str, asset_dir: Path, lob_server: lob_mod.FakeLob) -> Settings:
    return _settings(database_url, asset_dir, lob_env(lob_server.url))


@pytest.fixture(scope="session")
def pingen_settings(database_url: str, asset_dir: Path, pingen_server: pingen_mod.FakePingen) -> Settings:
    return _settings(database_url, asset_dir, pingen_env(pingen_server.url))


@pytest.fixture(scope="session")
async def lob_app(lob_settings: Settings) -> AsyncIterator[Any]:
    async with running_app(lob_settings) as application:
        yield application


@pytest.fixture(scope="session")
async def pingen_app(pingen_settings: Settings) -> AsyncIterator[Any]:
    async with running_app(pingen_settings) as application:
        yield application


@pytest.fixture
async def lob_client(lob_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(lob_app) as http:
        yield http


@pytest.fixture
async def pingen_client(pingen_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(pingen_app) as http:
        yield http


async def drain(db: Database, settings: Settings, order_id: str, rounds: int = 40) -> list[str]:
    """Worker rounds until the order settles (backoff in these settings is ≤ 50 ms)."""
    outcomes: list[str] = []
    for _ in range(rounds):
        outcomes += await run_once(db, settings)
        if (await load_order(db, order_id)).status in ("fulfilled", "failed"):
            break
        await asyncio.sleep(0.06)
    return outcomes


__all__ = ["FROM_ADDRESS", "drain", "fake_lob", "fake_pingen", "lob_app", "lob_client", "lob_env", "lob_server",
           "lob_settings", "pingen_app", "pingen_client", "pingen_env", "pingen_server", "pingen_settings"]
