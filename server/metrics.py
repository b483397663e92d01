"""``/metrics`` in the Prometheus text format (prometheus-client), off unless a token is set.

Requests are counted by method, route template (``/v1/orders/{order_id}``, never the raw
path, so ids do not become label values) and status, with a latency histogram; MCP tool
calls by tool and outcome (``ok`` or the error code, a closed set). Orders by status, the
backlog of each queue (``fulfillment``, ``webhooks``, ``webhook_fanout``: see
``domain.use_cases.operations``) and the database pool are read when scraped. Each app has its own registry
(tests build many apps in one process); the tool counter goes to the latest app's.
"""
from __future__ import annotations

import hmac
import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.use_cases import operations

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter("pieterpost_http_requests", "HTTP requests answered",
                                ("method", "route", "status"), registry=r)
        self.latency = Histogram("pieterpost_http_request_duration_seconds", "Time to the end of the response",
                                 ("method", "route"), buckets=_LATENCY_BUCKETS, registry=r)
        self.tool_calls = Counter("pieterpost_mcp_tool_calls", "MCP tool calls", ("tool", "outcome"), registry=r)
        self.orders = Gauge("pieterpost_orders", "Orders by mode and status", ("mode", "status"), registry=r)
        self.backlog = Gauge("pieterpost_jobs_backlog", "Items waiting or in progress, by queue", ("queue",),
                             registry=r)
        self.due = Gauge("pieterpost_jobs_due", "Items due now (in progress included), by queue", ("queue",),
                         registry=r)
        self.oldest = Gauge("pieterpost_jobs_oldest_due_age_seconds", "Seconds the oldest due item has been due",
                            ("queue",), registry=r)
        self.pool = Gauge("pieterpost_db_pool_connections", "This process's database pool", ("state",), registry=r)

    async def refresh(self, db: object) -> None:
        snap = await operations.snapshot(db)  # type: ignore[arg-type]
        self.orders.clear()
        for (mode, status), count in snap.orders_by_status.items():
            self.orders.labels(mode, status).set(count)
        for queue, figures in snap.queues.items():
            self.backlog.labels(queue).set(figures.backlog)
            self.due.labels(queue).set(figures.due)
            self.oldest.labels(queue).set(figures.oldest_due_age_seconds)
        for state, value in operations.pool_figures(db).items():  # type: ignore[arg-type]
            self.pool.labels(state).set(value)


_current: Metrics | None = None


def enable() -> Metrics:
    global _current
    _current = Metrics()
    return _current


def observe_tool_call(tool: str, outcome: str) -> None:
    """Called by the MCP handler for every tool call; a no-op when metrics are off."""
    if _current is not None:
        _current.tool_calls.labels(tool, outcome).inc()


class MetricsMiddleware:
    """Plain ASGI: one count and one latency sample per answered request."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500}

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            route = scope.get("route")
            label = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "")
            self.metrics.requests.labels(method, label, str(status["code"])).inc()
            self.metrics.latency.labels(method, label).observe(time.perf_counter() - started)


async def metrics_endpoint(request: Request) -> Response:
    settings = request.app.state.settings
    metrics: Metrics | None = getattr(request.app.state, "metrics", None)
    if not settings.metrics_token or metrics is None:
        return JSONResponse({"code": "not_found", "error": "Not found."}, status_code=404)
    given = request.headers.get("authorization", "")
    expected = f"Bearer {settings.metrics_token}"
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return JSONResponse({"code": "invalid_api_key", "error": "Send Authorization: Bearer <metrics token>."},
                            status_code=401, headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    await metrics.refresh(request.app.state.db)
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
