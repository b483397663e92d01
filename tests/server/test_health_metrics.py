"""``/healthz``, ``/readyz`` and ``/metrics`` (scraped and parsed with prometheus-client's parser)."""
from __future__ import annotations

import socket

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from domain.core.settings import Settings
from tests.api.payloads import DIRECT_LETTER, TOPUP
from tests.conftest import auth
from tests.server.uvicorn_inproc import serving
from tests.support.apps import asgi_client, running_app
from tests.support.mcp_client import error_of, open_session, structured
from tests.support.servers import free_port
from tests.tools.test_mcp_transport import issue_token

METRICS_TOKEN = "metrics-token-for-tests-0123456789"


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


async def test_healthz_is_liveness_and_readyz_checks_database_and_assets(client: httpx.AsyncClient) -> None:
    live = await client.get("/healthz")
    assert live.status_code == 200 and live.json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json() == {"status": "ok", "database": "ok", "assets": "ok"}


async def test_readyz_pings_redis_when_configured(settings: Settings) -> None:
    from tests.support.system import require_system_part

    require_system_part("Redis", _redis_up(), "start redis-server on 127.0.0.1:6379")
    up = settings.model_copy(update={"redis_url": "redis://127.0.0.1:6379/0"})
    down = settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})
    async with running_app(up) as app, asgi_client(app) as http:
        answer = await http.get("/readyz")
        assert answer.status_code == 200 and answer.json()["redis"] == "ok"
    async with running_app(down) as app, asgi_client(app) as http:
        answer = await http.get("/readyz")
        assert answer.status_code == 503 and answer.json()["redis"].startswith("down")
        assert answer.json()["database"] == "ok"


async def test_readyz_is_503_when_the_database_is_down(tmp_path) -> None:
    from tests.conftest import make_settings

    dead = make_settings(f"postgresql://postgres@127.0.0.1:{free_port()}/none", tmp_path / "assets")
    async with running_app(dead) as app, asgi_client(app) as http:
        assert (await http.get("/healthz")).status_code == 200
        answer = await http.get("/readyz")
        assert answer.status_code == 503 and answer.json()["database"].startswith("down")


async def test_metrics_is_off_without_a_token(client: httpx.AsyncClient) -> None:
    assert (await client.get("/metrics")).status_code == 404


def _families(text: str) -> dict[str, object]:
    return {family.name: family for family in text_string_to_metric_families(text)}


def _samples(families: dict, name: str) -> list:
    family = families[name]
    return list(family.samples)  # type: ignore[attr-defined]


@pytest.fixture
async def metered(settings: Settings):
    on = settings.model_copy(update={"metrics_token": METRICS_TOKEN})
    from server.app import create_app

    app = create_app(on, run_migrations=False)
    async with serving(app) as base:
        yield app, base


async def test_metrics_scrape_parses_and_counts_requests_tools_orders_and_jobs(metered, account) -> None:
    app, base = metered
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        assert (await http.get("/metrics")).status_code == 401
        assert (await http.get("/metrics", headers={"Authorization": "Bearer wrong"})).status_code == 401
        key = auth(account["test_key"])
        assert (await http.post("/v1/credits/topups", json=TOPUP, headers={**key, "Idempotency-Key": "m1"})
                ).status_code == 200
        order = await http.post("/v1/orders", json=DIRECT_LETTER, headers={**key, "Idempotency-Key": "m2"})
        assert order.status_code == 200, order.text
        assert (await http.get(f"/v1/orders/{order.json()['orderId']}", headers=key)).status_code == 200
        assert (await http.get("/v1/orders/ord_doesnotexist", headers=key)).status_code == 404

        token = await issue_token(app, "api:read mailbook:read")
        async with open_session(f"{base}/mcp/", token=token) as session:
            structured(await session.call_tool("get_wallet", {}))
            error_of(await session.call_tool("get_order", {"orderId": "ord_nope"}))

        scraped = await http.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert scraped.status_code == 200 and scraped.headers["content-type"].startswith("text/plain")
    families = _families(scraped.text)

    requests = {(s.labels["method"], s.labels["route"], s.labels["status"]): s.value
                for s in _samples(families, "pieterpost_http_requests") if s.name.endswith("_total")}
    assert requests[("POST", "/v1/orders", "200")] >= 1
    assert requests[("GET", "/v1/orders/{order_id}", "200")] >= 1
    assert requests[("GET", "/v1/orders/{order_id}", "404")] >= 1
    assert not any("ord_" in route for _, route, _ in requests)  # templates, never raw ids
    buckets = [s for s in _samples(families, "pieterpost_http_request_duration_seconds")
               if s.name.endswith("_bucket") and s.labels["route"] == "/v1/orders"]
    assert buckets and any(s.labels["le"] == "+Inf" and s.value >= 1 for s in buckets)

    tools = {(s.labels["tool"], s.labels["outcome"]): s.value
             for s in _samples(families, "pieterpost_mcp_tool_calls") if s.name.endswith("_total")}
    assert tools[("get_wallet", "ok")] == 1 and tools[("get_order", "not_found")] == 1

    orders = {(s.labels["mode"], s.labels["status"]): s.value for s in _samples(families, "pieterpost_orders")}
    assert orders[("test", "fulfilled")] >= 1
    backlog = {s.labels["queue"]: s.value for s in _samples(families, "pieterpost_jobs_backlog")}
    assert "fulfillment" in backlog and backlog["fulfillment"] >= 0
    ages = {s.labels["queue"]: s.value for s in _samples(families, "pieterpost_jobs_oldest_due_age_seconds")}
    assert ages["fulfillment"] >= 0
    pool = {s.labels["state"]: s.value for s in _samples(families, "pieterpost_db_pool_connections")}
    assert "in_use" in pool and pool["in_use"] >= 0


def _queues(text: str) -> dict[str, tuple[float, float, float]]:
    """queue -> (backlog, due, oldest due age in seconds), from one scrape."""
    families = _families(text)
    figures = [{s.labels["queue"]: s.value for s in _samples(families, name)} for name in (
        "pieterpost_jobs_backlog", "pieterpost_jobs_due", "pieterpost_jobs_oldest_due_age_seconds")]
    return {queue: (figures[0][queue], figures[1][queue], figures[2][queue]) for queue in figures[0]}


async def test_metrics_webhook_queues_count_deliveries_to_an_unreachable_endpoint_and_their_age(
        settings: Settings, account, db) -> None:
    from datetime import timedelta

    from domain.core import clock
    from domain.webhooks.rounds import run_round
    from server.app import create_app
    from tests.support.payments import fund
    from tests.support.webhook_backlog import settle_pending

    hooked = settings.model_copy(update={"metrics_token": METRICS_TOKEN, "webhook_allow_private_targets": True,
                                         "webhook_timeout_seconds": 1.0})
    await settle_pending(settings.database_url)  # other tests' deliveries: the backlog starts at 0
    key = auth(account["test_key"])
    scrape_key = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    try:
        async with serving(create_app(hooked, run_migrations=False)) as base, httpx.AsyncClient(
                base_url=base, timeout=30) as http:
            async def queues() -> dict[str, tuple[float, float, float]]:
                scraped = await http.get("/metrics", headers=scrape_key)
                assert scraped.status_code == 200
                return _queues(scraped.text)

            before = await queues()
            assert before["webhooks"] == (0, 0, 0) and before["webhook_fanout"] == (0, 0, 0)

            nobody = f"http://127.0.0.1:{free_port()}/hooks"  # nothing listens there
            endpoint = await http.post("/v1/webhook-endpoints", headers=key, json={"url": nobody})
            assert endpoint.status_code == 200, endpoint.text
            for _ in range(3):  # one delivery each, made at once (no fan-out), all about the endpoint
                sent = await http.post(f"/v1/webhook-endpoints/{endpoint.json()['id']}/test", headers=key)
                assert sent.status_code == 200, sent.text
            await fund(db, account["id"], "test", 10_000)
            order = await http.post("/v1/orders", json=DIRECT_LETTER, headers={**key, "Idempotency-Key": "wh-1"})
            assert order.status_code == 200, order.text
            events = (await http.get("/v1/events", params={"objectId": order.json()["orderId"]}, headers=key)
                      ).json()["data"]
            assert len(events) >= 2

            queued = await queues()
            assert queued["webhooks"][:2] == (3, 1)  # the later two wait for the first: one object, in order
            assert queued["webhook_fanout"][:2] == (len(events), len(events))

            clock.advance(timedelta(seconds=60))
            aged = await queues()
            assert aged["webhooks"][:2] == (3, 1) and aged["webhooks"][2] >= 60
            assert aged["webhook_fanout"][2] >= 60

            # a worker round: events fanned out, every sendable delivery tried once and refused
            outcomes = await run_round(db, hooked, "metrics-test")
            assert outcomes == ["retry"] * 2, outcomes  # the first of each object; the rest wait behind it
            tried = await queues()
            assert tried["webhook_fanout"] == (0, 0, 0)
            assert tried["webhooks"] == (3 + len(events), 0, 0)  # retries not due yet, later events queued

            clock.advance(timedelta(minutes=10))  # past the first retry's 5 s (+10 % jitter)
            due = await queues()
            assert due["webhooks"][:2] == (3 + len(events), 2) and due["webhooks"][2] >= 600 - 5.5
    finally:
        clock.reset()
