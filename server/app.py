"""The one wiring function: check settings, build the database, mount every area, serve."""
from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from domain import migrate
from domain.db import Database
from domain.errors import Misconfigured
from domain.settings import Settings, get_settings
from server import logs
from server.errors import EXCEPTION_HANDLERS
from server.secret import with_secret_key
from server.middleware import RateHeadersMiddleware, RequestIdMiddleware

log = logging.getLogger("pieterpost")

# Each area exposes ``routes`` (a list) or ``build_routes(settings) -> list``; order matters
# only where paths overlap. Areas add themselves here with one line.
ROUTE_MODULES: tuple[str, ...] = (
    "server.api.orders",
    "server.api.uploads",
    "server.api.proofs",
    "server.api.wallet",
    "server.api.links",
    "server.api.quotes",
    "server.api.openapi",
    "oauth",
    "server.web.oauth_pages",
    "server.web.static_files",
    "server.web.signin",
    "server.web.dashboard",
    "server.web.docs",
    "server.mcp",
    "server.api.stripe_webhook",
    "server.web.payments.checkout_pages",
    "server.web.payments.topup_pages",
    "server.web.payments.compose_pages",
)

# Areas needing start/stop work expose ``lifespan(app) -> AsyncContextManager``.
LIFESPAN_MODULES: tuple[str, ...] = ("server.mcp", "server.worker")


def check_settings(settings: Settings) -> None:
    """Refuse to serve with settings that cannot work (fail at start, not on first request)."""
    if not settings.base_url.startswith(("http://", "https://")):
        raise Misconfigured("PIETERPOST_BASE_URL must start with http:// or https://.")
    if not settings.base_url.startswith("https://") and not any(
        host in settings.base_url for host in ("://127.0.0.1", "://localhost", "://[::1]")
    ):
        log.warning("base url is not https; OAuth clients will refuse it outside localhost")


async def healthz(request: Request) -> Response:
    db: Database = request.app.state.db
    try:
        await asyncio.wait_for(db.ping(), timeout=5)
    except Exception:  # noqa: BLE001 - any failure means not healthy
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


def _routes(settings: Settings) -> list[BaseRoute]:
    routes: list[BaseRoute] = [Route("/healthz", healthz, methods=["GET"])]
    for name in ROUTE_MODULES:
        module = importlib.import_module(name)
        builder: Callable[[Settings], list[BaseRoute]] | None = getattr(module, "build_routes", None)
        routes.extend(builder(settings) if builder else module.routes)
    return routes


def create_app(settings: Settings | None = None, *, run_migrations: bool = True) -> Starlette:
    settings = with_secret_key(settings or get_settings())
    check_settings(settings)
    db = Database(settings.database_url)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if run_migrations:
            await asyncio.to_thread(migrate.upgrade, settings.database_url)
        async with contextlib.AsyncExitStack() as stack:
            for name in LIFESPAN_MODULES:
                await stack.enter_async_context(importlib.import_module(name).lifespan(app))
            yield
        await db.dispose()

    app = Starlette(
        routes=_routes(settings),
        middleware=[Middleware(RequestIdMiddleware), Middleware(RateHeadersMiddleware)],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    return app


def app_factory() -> Any:
    """Entry point for ``uvicorn --factory server.app:app_factory``."""
    settings = get_settings()
    logs.configure(settings.log_level)
    return create_app(settings)
