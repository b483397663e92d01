"""An app whose webhooks may target loopback (the receiver runs in the test), and the receiver."""
from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.core import clock
from domain.core.settings import Settings
from tests.conftest import make_settings
from tests.support.apps import asgi_client, running_app
from tests.support.webhook_backlog import settle_pending
from tests.support.webhook_receiver import Receiver


@pytest.fixture(scope="session")
def hook_settings(database_url: str, asset_dir: Path) -> Settings:
    return make_settings(database_url, asset_dir, webhook_allow_private_targets=True, webhook_timeout_seconds=1.0,
                         webhook_concurrency=8)


@pytest.fixture(scope="session")
async def hook_app(hook_settings: Settings) -> AsyncIterator[Any]:
    async with running_app(hook_settings) as application:
        yield application


@pytest.fixture
async def hook_client(hook_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(hook_app) as http:
        yield http


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A fresh receiver per test: deliveries left over from other tests never reach it."""
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def moved_clock() -> Iterator[None]:
    yield
    clock.reset()


@pytest.fixture(autouse=True)
async def quiet_deliveries(request: pytest.FixtureRequest) -> None:
    """Earlier tests' receivers are gone: their pending deliveries (and events not yet fanned out)
    are settled before each test, so a round's outcomes are this test's own."""
    if "database_url" not in request.fixturenames:
        return  # (the two-process test has a database of its own)
    await settle_pending(request.getfixturevalue("settings").database_url)
