"""An app of its own for the OAuth tests, so they can move its clock (code/token expiry)."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import httpx
import pytest

from domain.core.clock import utcnow
from domain.core.settings import Settings


class Clock:
    """The authorization server's notion of now; tests push it forward instead of sleeping."""

    def __init__(self) -> None:
        self.offset = timedelta(0)
        self.frozen: datetime | None = None  # set: time stands still there (exact-instant edges)

    def __call__(self) -> datetime:
        return self.frozen if self.frozen is not None else utcnow() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@pytest.fixture(scope="session")
def oauth_clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
async def oauth_app(settings: Settings, oauth_clock: Clock) -> AsyncIterator[object]:
    from server.app import create_app

    application = create_app(settings, run_migrations=False, oauth_options={"now": oauth_clock})
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def http(oauth_app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=oauth_app, client=("203.0.113.7", 5000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
        yield client
