"""The MCP endpoint over real HTTP (uvicorn) with the SDK client and a real OAuth token.

Covers docs/product.md § MCP server: /mcp and /mcp/ without redirect, every protocol version, legacy SSE,
Host/Origin checks, CORS, the 401 challenge, the 403 insufficient_scope answer, tools/list equal
to the seed contract, JSON-RPC errors only for unknown tools.
"""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from mcp.shared.exceptions import MCPError

from domain.core.settings import Settings
from tests.conftest import make_settings
from tests.oauth import flow
from tests.support import servers
from tests.support.mcp_client import ALL_VERSIONS, error_of, open_session, structured
from tests.tools.test_tools_contract import assert_matches_seed

ALL_SCOPES = "api:read api:send api:keys mailbook:read mailbook:write"


@dataclass
class LiveServer:
    base: str  # where it listens
    app: object
    settings: Settings

    @property
    def mcp(self) -> str:
        return f"{self.base}/mcp/"


@pytest.fixture(scope="session")
async def live(database_url: str, asset_dir: Path) -> AsyncIterator[LiveServer]:
    from server.app import create_app

    settings = make_settings(database_url, asset_dir)  # BASE_URL stays http://127.0.0.1:8000
    app = create_app(settings, run_migrations=False)
    port = servers.free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    yield LiveServer(f"http://127.0.0.1:{port}", app, settings)
    server.should_exit = True
    await task


async def issue_token(app: object, scope: str) -> str:
    """A real token from the real authorization server (DCR, sign-up form, consent, PKCE)."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
        client = await flow.register(http)
        verifier = flow.verifier()
        code = await flow.get_code(http, client, verifier, scope=scope)
        answer = await flow.exchange(http, client, code, verifier)
        assert answer.status_code == 200, answer.text
        return answer.json()["access_token"]


@pytest.fixture(scope="session")
async def token(live: LiveServer) -> str:
    return await issue_token(live.app, ALL_SCOPES)


@pytest.mark.parametrize("version", ALL_VERSIONS)
async def test_every_protocol_version_lists_the_contract_and_calls_tools(live: LiveServer, token: str,
                                                                       version: str) -> None:
    async with open_session(live.mcp, version, token=token) as session:
        assert session.protocol_version == version
        listed = await session.list_tools()
        assert_matches_seed([t.model_dump(by_alias=True, exclude_none=True) for t in listed.tools], key_order=False)
        wallet = structured(await session.call_tool("get_wallet", {}))
        assert wallet["wallet"]["mode"] == "test"


async def test_both_paths_answer_without_redirect(live: LiveServer, token: str) -> None:
    for path in ("/mcp", "/mcp/"):
        async with open_session(f"{live.base}{path}", token=token) as session:
            assert len((await session.list_tools()).tools) == 21
    async with httpx.AsyncClient() as http:
        for path in ("/mcp", "/mcp/"):
            answer = await http.post(f"{live.base}{path}", json={})
            assert answer.status_code == 401  # not a 307 to the other spelling


async def test_legacy_sse_transport(live: LiveServer, token: str) -> None:
    async with open_session(f"{live.base}/mcp/sse", "2024-11-05", token=token, sse=True) as session:
        assert len((await session.list_tools()).tools) == 21
        quote = structured(await session.call_tool("get_wallet", {"currency": "usd"}))
        assert quote["wallet"]["currency"] == "usd"


async def test_bare_401_points_at_resource_metadata(live: LiveServer) -> None:
    async with httpx.AsyncClient() as http:
        answer = await http.post(live.mcp, json={"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}})
        challenge = answer.headers["www-authenticate"]
        assert answer.status_code == 401
        assert challenge.startswith('Bearer realm="PieterPost MCP"')
        assert 'resource_metadata="http://127.0.0.1:8000/.well-known/oauth-protected-resource/mcp/"' in challenge
        assert 'scope="' in challenge
        bad = await http.post(live.mcp, json={}, headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 401 and 'error="invalid_token"' in bad.headers["www-authenticate"]


async def test_missing_scope_is_403_naming_the_scope(live: LiveServer) -> None:
    read_only = await issue_token(live.app, "api:read")
    call = {"jsonrpc": "2.0", "id": 7, "method": "tools/call",
            "params": {"name": "create_mailbook_contact", "arguments": {}}}
    headers = {"Authorization": f"Bearer {read_only}", "Accept": "application/json, text/event-stream",
               "MCP-Protocol-Version": "2025-11-25"}
    async with httpx.AsyncClient() as http:
        answer = await http.post(live.mcp, json=call, headers=headers)
    assert answer.status_code == 403
    assert 'error="insufficient_scope"' in answer.headers["www-authenticate"]
    assert 'scope="mailbook:write"' in answer.headers["www-authenticate"]
    async with open_session(live.mcp, token=read_only) as session:  # allowed tools still work
        assert structured(await session.call_tool("get_wallet", {}))["wallet"]["mode"] == "test"


async def test_unknown_tool_is_a_jsonrpc_error_bad_arguments_are_tool_errors(live: LiveServer, token: str) -> None:
    async with open_session(live.mcp, token=token) as session:
        with pytest.raises(MCPError) as raised:
            await session.call_tool("send_fax", {})
        assert raised.value.error.code == -32602
        bad = error_of(await session.call_tool("get_order", {}))
        assert bad == {"code": "invalid_request", "error": "orderId is required"}
        missing = error_of(await session.call_tool("get_order", {"orderId": "ord_missing"}))
        assert missing["code"] == "not_found"


async def test_host_and_origin_checks(live: LiveServer, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient() as http:
        evil = await http.post(live.mcp, json={}, headers={**headers, "Origin": "https://evil.example"})
        assert evil.status_code == 403
        wrong_host = await http.post(live.mcp, json={}, headers={**headers, "Host": "evil.example"})
        assert wrong_host.status_code == 421


async def test_cors_preflight_and_exposed_headers(live: LiveServer, token: str) -> None:
    origin = "http://localhost:6274"  # MCP Inspector on a developer machine (loopback BASE_URL)
    async with httpx.AsyncClient() as http:
        pre = await http.options(live.mcp, headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                                    "Access-Control-Request-Headers": "authorization"})
        assert pre.status_code == 204
        assert pre.headers["access-control-allow-origin"] == origin
        allowed = {h.strip().lower() for h in pre.headers["access-control-allow-headers"].split(",")}
        assert allowed == {"authorization", "content-type", "mcp-session-id", "mcp-protocol-version",
                           "last-event-id"}
        denied = await http.post(live.mcp, json={}, headers={"Origin": origin})
        assert denied.status_code == 401
        assert denied.headers["access-control-allow-origin"] == origin
        exposed = {h.strip().lower() for h in denied.headers["access-control-expose-headers"].split(",")}
        assert exposed == {"mcp-session-id", "www-authenticate"}


async def test_search_and_fetch_include_the_users_mcp_connections(live: LiveServer, token: str) -> None:
    async with open_session(live.mcp, token=token) as session:
        found = structured(await session.call_tool("search", {"query": "connected Test Agent"}))["results"]
        connection = next(r for r in found if r["id"].startswith("connection:"))
        assert connection["url"].endswith("/api/dashboard/mcp")
        doc = structured(await session.call_tool("fetch", {"id": connection["id"]}))
        assert doc["metadata"] == {"type": "mcp_connection"} and "Test Agent" in doc["text"]


async def test_rate_limit_is_a_tool_error(database_url: str, asset_dir: Path) -> None:
    """MCP calls count against the account's per-minute limit (docs/product.md § Limits) and say so as isError."""
    import httpx2

    from server.app import create_app

    app = create_app(make_settings(database_url, asset_dir, rate_limit_per_minute=2), run_migrations=False)
    async with app.router.lifespan_context(app):
        token = await issue_token(app, "api:read")
        http = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), headers={"Authorization": f"Bearer {token}"})
        async with http, open_session("http://127.0.0.1:8000/mcp/", http_client=http) as session:
            # a minute boundary can reset the window once, so six calls always meet the limit
            outcomes = [await session.call_tool("get_wallet", {}) for _ in range(6)]
    refused = [error_of(r) for r in outcomes if r.is_error]
    assert refused and all(e["code"] == "rate_limited" for e in refused)
    assert "per minute" in refused[0]["error"]


@pytest.mark.parametrize("method", ["tools/call", "tools/list"])
async def test_deeply_nested_body_is_a_parse_error_not_a_crash(live: LiveServer, token: str, method: str) -> None:
    deep = "[" * 50_000 + "]" * 50_000
    body = '{"jsonrpc":"2.0","id":1,"method":"%s","params":{"name":"get_wallet","arguments":%s}}' % (method, deep)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
               "Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-06-18"}
    async with httpx.AsyncClient(timeout=30) as http:
        answer = await http.post(live.mcp, content=body, headers=headers)
        assert 400 <= answer.status_code < 500, answer.text
        still_fine = await http.post(live.mcp, json={"jsonrpc": "2.0", "id": 2, "method": "ping"}, headers=headers)
        assert still_fine.status_code < 500
