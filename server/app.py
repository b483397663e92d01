"""The one wiring function: check settings, build the database, mount every area, serve."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Route

from domain.core.errors import Misconfigured
from domain.core.settings import Settings, get_settings
from domain.use_cases import system
from domain.use_cases.system import Database
from domain.fulfillment.providers import check_configuration
from oauth.service import build as build_oauth_service
from oauth.service import build_routes as build_oauth_routes
from server import gc_policy, health, logs, metrics, worker
from server.api import links as api_links
from server.api import openapi as api_openapi
from server.api import orders as api_orders
from server.api import previews as api_previews
from server.api import proofs as api_proofs
from server.api import quotes as api_quotes
from server.api import provider_webhooks, stripe_webhook
from server.api import uploads as api_uploads
from server.api import wallet as api_wallet
from server.api import webhooks as api_webhooks
from server.mcp import docs_routes as mcp_docs_routes
from server.mcp.app import McpEndpoint
from server.web import dashboard, front, oauth_pages, signin, static_files
from server.web import docs as web_docs
from server.web.payments import checkout_pages, compose_pages, preview_pages, topup_pages
from server.errors import EXCEPTION_HANDLERS, AlwaysAnswerMiddleware
from server.secret import with_secret_key
from server.middleware import RequestIdMiddleware

log = logging.getLogger("pieterpost")

def check_settings(settings: Settings) -> None:
    """Refuse to serve with settings that cannot work (fail at start, not on first request)."""
    if not settings.base_url.startswith(("http://", "https://")):
        raise Misconfigured("PIETERPOST_BASE_URL must start with http:// or https://.")
    if not settings.base_url.startswith("https://") and not any(
        host in settings.base_url for host in ("://127.0.0.1", "://localhost", "://[::1]")
    ):
        log.warning("base url is not https; OAuth clients will refuse it outside localhost")
    check_configuration(settings)  # an unknown or half-configured PIETERPOST_FULFILLMENT_PROVIDER fails here
    if settings.stripe_secret_key and not settings.stripe_webhook_secret:
        log.warning("PIETERPOST_STRIPE_WEBHOOK_SECRET is unset: /v1/stripe/webhook answers 404 and "
                    "live checkouts are never marked paid")


def _routes(settings: Settings, mcp_endpoint: McpEndpoint) -> list[BaseRoute]:
    """Every area's routes, in the order they are matched (only overlapping paths care)."""
    return [
        Route("/healthz", health.healthz, methods=["GET"]),
        Route("/readyz", health.readyz, methods=["GET"]),
        Route("/metrics", metrics.metrics_endpoint, methods=["GET"]),
        *mcp_endpoint.routes(),  # early: the router tries routes in order, and MCP calls are the busiest
        *api_orders.routes,
        *api_uploads.routes,
        *api_proofs.routes,
        *api_previews.routes,
        *api_wallet.routes,
        *api_links.routes,
        *api_quotes.routes,
        *api_webhooks.routes,
        *api_openapi.routes,
        *build_oauth_routes(settings),
        *oauth_pages.build_routes(settings),
        *static_files.routes,
        *front.routes,
        *signin.routes,
        *dashboard.routes,
        *web_docs.routes,
        *mcp_docs_routes.build_routes(settings),
        *stripe_webhook.routes,
        *provider_webhooks.routes,
        *checkout_pages.routes,
        *topup_pages.routes,
        *compose_pages.routes,
        *preview_pages.routes,
    ]


def create_app(settings: Settings | None = None, *, run_migrations: bool = True,
               oauth_options: dict[str, Any] | None = None,
               on_started: Callable[[], None] | None = None) -> Starlette:
    """Build the whole service. ``oauth_options`` lets tests give the OAuth service a clock or
    a CIMD fetcher; ``on_started`` runs once everything has started (``serve`` settles the
    garbage collector there); everything else comes from ``settings``."""
    settings = with_secret_key(settings or get_settings())
    check_settings(settings)
    db = system.open_database(settings)
    oauth = build_oauth_service(settings, db, **(oauth_options or {}))
    shared = system.shared_state(settings)
    mcp_endpoint = McpEndpoint(settings, limiter=shared.limiter)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if run_migrations:
            await asyncio.to_thread(system.upgrade_schema, settings.database_url)
        async with contextlib.AsyncExitStack() as stack:
            await stack.enter_async_context(system.serving(db, settings, shared))
            await stack.enter_async_context(mcp_endpoint.lifespan(db))
            await stack.enter_async_context(worker.lifespan(app))
            if on_started is not None:
                on_started()
            yield
        await db.dispose()

    observed = metrics.enable() if settings.metrics_token else None
    app = Starlette(
        routes=_routes(settings, mcp_endpoint),
        middleware=[
            *([Middleware(metrics.MetricsMiddleware, metrics=observed)] if observed else []),
            Middleware(RequestIdMiddleware, hsts=settings.base_url.startswith("https://")),
            Middleware(AlwaysAnswerMiddleware, body_idle=settings.body_idle_timeout_seconds,
                       body_total=settings.body_total_timeout_seconds),
        ],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.limiter = shared.limiter
    app.state.oauth = oauth
    app.state.metrics = observed
    return app


def serving_app(settings: Settings) -> Starlette:
    """The app as a serving process runs it (``pieterpost serve``, ``app_factory``): logging
    configured, and the garbage collector settled once everything has started."""
    logs.configure(settings.log_level)
    return create_app(settings, on_started=lambda: gc_policy.settle(settings.gc_gen0_threshold))


def app_factory() -> Any:
    """Entry point for ``uvicorn --factory server.app:app_factory``."""
    return serving_app(get_settings())
