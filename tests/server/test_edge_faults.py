"""Faults found by trying the service as an attacker: each is answered cleanly now."""
from __future__ import annotations

import asyncio
import logging

import httpx
import pytest

from domain.core.settings import Settings
from server.cli import uvicorn_options
from tests.conftest import auth
from tests.server.uvicorn_inproc import serving
from tests.support.apps import asgi_client, running_app


def _scope(method: str, path: str, headers: list[tuple[bytes, bytes]]) -> dict:
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "path": path,
            "raw_path": path.encode(), "query_string": b"", "headers": headers, "client": ("127.0.0.1", 5000),
            "server": ("127.0.0.1", 8000), "scheme": "http", "root_path": ""}


@pytest.mark.parametrize("path,content_type", [
    ("/v1/orders", b"application/json"),
    ("/v1/uploads", b"multipart/form-data; boundary=XyZ"),
])
async def test_client_gone_mid_body_is_not_an_error(app, account, caplog, path: str, content_type: bytes) -> None:
    """A client that disconnects half-way through its body is one info line, not an error
    with tracebacks (any client could otherwise flood the error log)."""
    headers = [(b"host", b"127.0.0.1:8000"), (b"authorization", f"Bearer {account['test_key']}".encode()),
               (b"idempotency-key", b"gone-1"), (b"content-type", content_type), (b"content-length", b"5000")]
    first = b'{"requestType": "letter", ' if path == "/v1/orders" else \
        b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.4 '
    messages = [{"type": "http.request", "body": first, "more_body": True}, {"type": "http.disconnect"}]

    async def receive() -> dict:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    caplog.set_level(logging.INFO)
    await app(_scope("POST", path, headers), receive, send)  # must not raise
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
    assert any("disconnected" in r.getMessage() for r in caplog.records)


async def test_stripe_webhook_without_secret_is_404_not_500(client: httpx.AsyncClient, settings: Settings) -> None:
    assert not settings.stripe_webhook_secret
    answer = await client.post("/v1/stripe/webhook", content=b"{}", headers={"Stripe-Signature": "t=1,v1=00"})
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"


@pytest.mark.parametrize("method,path,allowed", [
    ("DELETE", "/v1/orders", {"GET", "POST"}),
    ("PUT", "/v1/credits/topups", {"GET", "POST"}),
    ("DELETE", "/v1/sandbox/checkout/ord_x", {"GET", "POST"}),
])
async def test_405_allow_lists_every_method_of_the_path(client: httpx.AsyncClient, method: str, path: str,
                                                        allowed: set[str]) -> None:
    answer = await client.request(method, path)
    assert answer.status_code == 405
    listed = {m.strip() for m in answer.headers["allow"].split(",")}
    assert allowed <= listed and method not in listed, listed


@pytest.mark.parametrize("body", [
    '{"requestType": "letter"}'.encode("utf-16"),
    '{"requestType": "letter"}'.encode("utf-16-le"),
    '{"requestType": "letter"}'.encode("utf-32"),
    b"\xef\xbb\xbf" + b'{"requestType": "letter"}',
])
async def test_json_that_is_not_plain_utf8_is_invalid_json(client: httpx.AsyncClient, account, body: bytes) -> None:
    answer = await client.post("/v1/orders", content=body, headers=auth(account["test_key"], **{
        "Idempotency-Key": "utf16", "Content-Type": "application/json"}))
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_json", answer.text


async def test_hsts_only_with_https_base_url(settings: Settings, client: httpx.AsyncClient) -> None:
    assert "strict-transport-security" not in (await client.get("/healthz")).headers
    secure = settings.model_copy(update={"base_url": "https://post.example"})
    async with running_app(secure) as app, asgi_client(app, "https://post.example") as https:
        answer = await https.get("/healthz")
        assert answer.headers["strict-transport-security"].startswith("max-age=")
        assert int(answer.headers["strict-transport-security"].split("=")[1]) >= 15552000  # 180 days


def test_uvicorn_is_started_with_limits() -> None:
    options = uvicorn_options(Settings())
    assert options["timeout_keep_alive"] <= 10
    assert options["h11_max_incomplete_event_size"] and options["h11_max_incomplete_event_size"] <= 128 * 1024
    assert options["http"] == "h11"  # the header limit above binds only h11 (httptools has none)
    assert options["limit_concurrency"] and options["timeout_graceful_shutdown"]


async def test_slow_body_gets_408_and_the_connection_is_freed(settings: Settings, account) -> None:
    """A client that sends headers and then dribbles (or stops sending) its body is answered
    408 once the idle deadline passes, over a real uvicorn server."""
    slow = settings.model_copy(update={"body_idle_timeout_seconds": 0.5, "body_total_timeout_seconds": 2.0})
    from server.app import create_app

    app = create_app(slow, run_migrations=False)
    async with serving(app) as base:
        port = int(base.rsplit(":", 1)[1])
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /v1/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Authorization: Bearer " + account["test_key"].encode() + b"\r\nIdempotency-Key: slow\r\n"
                     b"Content-Length: 1000\r\n\r\n{\"a\":")
        await writer.drain()
        started = asyncio.get_running_loop().time()
        head = await asyncio.wait_for(reader.read(4096), timeout=10)
        waited = asyncio.get_running_loop().time() - started
        writer.close()
    assert head.startswith(b"HTTP/1.1 408"), head[:200]
    assert b"request_timeout" in head
    assert waited < 5
