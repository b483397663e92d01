"""The app in-process for tests: started with its lifespan, reached through an ASGI client."""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from domain.core.settings import Settings

BASE = "http://127.0.0.1:8000"


@asynccontextmanager
async def running_app(settings: Settings) -> AsyncIterator[Any]:
    """``create_app`` with its lifespan entered (migrations are the fixtures' job)."""
    from server.app import create_app

    application = create_app(settings, run_migrations=False)
    async with application.router.lifespan_context(application):
        yield application


@asynccontextmanager
async def asgi_client(app: Any, base_url: str = BASE) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url) as http:
        yield http
