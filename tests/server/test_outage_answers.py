"""PostgreSQL refusing connections: every surface answers 503 ``db_error`` with ``Retry-After``,
over a real uvicorn server, and a keep-alive connection keeps answering request after request.

The database URL points at a loopback port nobody listens on, so asyncpg raises a raw
``ConnectionRefusedError`` (not SQLAlchemy's ``OperationalError``) - the case that used to
become 500 ``unknown_error`` and, worse, a dropped connection.
"""
from __future__ import annotations

from pathlib import Path

import httpx

from tests.conftest import make_settings
from tests.server.uvicorn_inproc import serving
from tests.support.servers import free_port


def _dead_database_settings(tmp_path: Path):
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nothing_listens_here"
    return make_settings(url, tmp_path / "assets")


async def _assert_db_error(response: httpx.Response) -> None:
    assert response.status_code == 503, (response.request.url, response.status_code, response.text)
    assert response.headers.get("retry-after", "").isdigit()


async def test_every_surface_answers_503_db_error_on_one_keep_alive_connection(tmp_path: Path) -> None:
    from server.app import create_app

    app = create_app(_dead_database_settings(tmp_path), run_migrations=False)
    bearer = {"Authorization": "Bearer pp_test_" + "a" * 40}
    async with serving(app) as base:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
            for _ in range(3):  # the same connection, again and again: each request gets its answer
                rest = await http.get("/v1/orders", headers=bearer)
                await _assert_db_error(rest)
                assert rest.json()["code"] == "db_error"
                created = await http.post("/v1/orders", headers={**bearer, "Idempotency-Key": "k1"},
                                          json={"requestType": "letter"})
                await _assert_db_error(created)
                assert created.json()["code"] == "db_error"
                mcp = await http.post("/mcp", headers={**bearer, "Accept": "application/json, text/event-stream"},
                                      json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
                await _assert_db_error(mcp)
                token = await http.post("/mcp/oauth/token", data={
                    "grant_type": "authorization_code", "code": "c" * 40, "client_id": "cli_x",
                    "redirect_uri": "http://127.0.0.1:1/cb", "code_verifier": "v" * 50})
                await _assert_db_error(token)
                page = await http.get("/v1/sandbox/checkout/ord_x", headers={"Accept": "text/html"})
                await _assert_db_error(page)
                assert page.headers["content-type"].startswith("text/html")
                public = await http.get("/api/public-assets/asset_x")
                await _assert_db_error(public)
                health = await http.get("/healthz")
                assert health.status_code == 200  # liveness does not depend on the database
