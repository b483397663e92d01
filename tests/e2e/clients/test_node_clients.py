"""Real TypeScript-based MCP clients against a real ``pieterpost serve``, with the URL people
paste spelled both ways (``{BASE}/mcp`` and ``{BASE}/mcp/``).

Each client runs its own discovery from the 401, registers itself, sends the person to the
authorization URL (scripted: ``Browser.authorize`` signs up and approves through the real
forms) and gets its tokens, then lists the tools and calls one. Versions are pinned in
package.json: @modelcontextprotocol/sdk, @modelcontextprotocol/inspector (CLI mode),
@ai-sdk/mcp with ai, and mcp-remote.
"""
from __future__ import annotations

import json
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from domain.persistence import migrate
from oauth.pkce import s256_challenge
from tests.e2e.clients import harness
from tests.support.mcp_oauth import Browser
from tests.support.servers import cli_env, free_port, running_server

SCRIPT_REDIRECT = "http://127.0.0.1:33420/callback"  # lib.mjs MemoryProvider
ALL_SCOPES = ["api:read", "api:send", "api:keys", "mailbook:read", "mailbook:write"]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("clients-e2e")
    url = f"sqlite+aiosqlite:///{tmp / 'pieterpost.db'}"
    migrate.upgrade(url)
    with running_server(cli_env(url, tmp / "assets", PIETERPOST_RATE_LIMIT_PER_MINUTE="10000")) as base:
        yield base


@pytest.fixture
async def person() -> AsyncIterator[Browser]:
    browser = Browser()
    yield browser
    await browser.http.aclose()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


def _tool_names(tools: list[str]) -> None:
    from schemas import tool_names

    assert tools == tool_names() and len(tools) == 21


@pytest.mark.parametrize("form", harness.URL_FORMS)
async def test_typescript_sdk_client_with_oauth_provider(served: str, person: Browser, home: Path, form: str) -> None:
    harness.require_node_package("@modelcontextprotocol/sdk")
    url = served + form
    out = await harness.run(["node", "ts_sdk_client.mjs", url], harness.node_env(home), person,
                            redirect_prefix=SCRIPT_REDIRECT)
    assert out.returncode == 0, out.tail()
    _tool_names(out.result["tools"])
    assert out.result["call"]["isError"] is False
    assert out.result["call"]["structuredContent"]["wallet"]["currency"] == "usd"
    assert out.result["resourceParam"] == url  # the metadata named exactly the URL it was given
    assert out.result["scope"].split() == ALL_SCOPES
    assert person.pages_seen == ["signin", "signup", "consent"]


@pytest.mark.parametrize("form", harness.URL_FORMS)
async def test_ai_sdk_client_converts_all_21_tools(served: str, person: Browser, home: Path, form: str) -> None:
    harness.require_node_package("@ai-sdk/mcp")
    harness.require_node_package("ai")
    url = served + form
    out = await harness.run(["node", "ai_sdk_client.mjs", url], harness.node_env(home), person,
                            redirect_prefix=SCRIPT_REDIRECT)
    assert out.returncode == 0, out.tail()
    _tool_names(out.result["tools"])
    offered = out.result["offered"]  # what generateText handed the model: one function tool each
    assert [t["name"] for t in offered] == out.result["tools"]
    assert all(t["type"] == "function" and t["schemaType"] == "object" for t in offered)
    [called] = out.result["toolResult"]
    assert called["toolName"] == "get_wallet" and called["output"]["isError"] is False
    assert called["output"]["structuredContent"]["wallet"]["currency"] == "usd"
    assert out.result["resourceParam"] == url


def _inspector_env(home: Path) -> dict[str, str]:
    # MCP_AUTO_OPEN_ENABLED: the CLI runs its interactive OAuth without a TTY (our person is scripted);
    # BROWSER=true (node_env) keeps xdg-open from starting a real browser.
    return harness.node_env(home, MCP_AUTO_OPEN_ENABLED="true", MCP_INSPECTOR_SECRET_STORE="memory",
                            MCP_STORAGE_DIR=str(home / "inspector"))


def _inspector(url: str, *args: str) -> list[str]:
    return ["mcp-inspector", "--cli", url, "--transport", "http", "--format", "json", *args]


@pytest.mark.parametrize("form", harness.URL_FORMS)
async def test_inspector_cli_runs_its_own_oauth_flow(served: str, person: Browser, home: Path, form: str) -> None:
    harness.require_node_package("@modelcontextprotocol/inspector")
    callback = f"http://127.0.0.1:{free_port()}/oauth/callback"
    out = await harness.run(_inspector(served + form, "--method", "tools/list", "--strict", "--callback-url", callback),
                            _inspector_env(home), person, redirect_prefix=callback, deliver="callback", timeout=120)
    assert out.returncode == 0, out.tail()
    assert len(out.authorized) == 1 and "resource=" in out.authorized[0]
    assert parse_qs(urlsplit(out.authorized[0]).query)["resource"] == [served + form]
    answer = json.loads(out.stdout)
    _tool_names([t["name"] for t in answer["result"]["tools"]])
    # --strict lists every schema portability finding: none may concern an input schema (the
    # untyped asset-reference fields were 12 "untyped-schema" warnings)
    findings = answer.get("schemaFindings", [])
    assert [f for f in findings if f.get("schema") == "inputSchema" or f.get("rule") == "untyped-schema"] == []


async def _token_for(served: str, person: Browser, resource: str) -> str:
    """An access token obtained the way any client would: register, authorize, exchange."""
    redirect = "http://127.0.0.1:33421/callback"
    async with httpx.AsyncClient(base_url=served, timeout=30) as http:
        client = (await http.post("/mcp/oauth/register", json={
            "client_name": "Inspector bearer e2e", "redirect_uris": [redirect], "token_endpoint_auth_method": "none"})).json()
        verifier = "v" * 64
        query = {"response_type": "code", "client_id": client["client_id"], "redirect_uri": redirect,
                 "code_challenge": s256_challenge(verifier), "code_challenge_method": "S256", "state": "s",
                 "resource": resource}
        location = await person.authorize(f"{served}/mcp/oauth/authorize?{httpx.QueryParams(query)}", redirect)
        code = parse_qs(urlsplit(location).query)["code"][0]
        token = await http.post("/mcp/oauth/token", data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": redirect,
            "client_id": client["client_id"], "code_verifier": verifier, "resource": resource})
        assert token.status_code == 200, token.text
        return token.json()["access_token"]


@pytest.mark.parametrize("form", harness.URL_FORMS)
async def test_inspector_cli_with_a_bearer_header(served: str, person: Browser, home: Path, form: str) -> None:
    """A token bound to the other spelling works too: both name the same endpoint."""
    harness.require_node_package("@modelcontextprotocol/inspector")
    other = "/mcp/" if form == "/mcp" else "/mcp"
    token = await _token_for(served, person, served + other)
    out = await harness.run(_inspector(served + form, "--method", "tools/call", "--tool-name", "get_wallet",
                                       "--tool-args-json", '{"currency": "usd"}', "--stored-auth-only",
                                       "--header", f"Authorization: Bearer {token}"),
                            _inspector_env(home), person, redirect_prefix="none", deliver="callback", timeout=60)
    assert out.returncode == 0, out.tail()
    assert out.authorized == []  # no OAuth flow: the header was enough
    answer = json.loads(out.stdout)
    answer = answer.get("result", answer)
    assert answer.get("isError") is not True and answer["structuredContent"]["wallet"]["currency"] == "usd"


@pytest.mark.parametrize("form", harness.URL_FORMS)
async def test_mcp_remote_proxies_stdio_after_oauth_through_its_callback(served: str, person: Browser, home: Path,
                                                                          form: str) -> None:
    harness.require_node_package("mcp-remote")
    port = free_port()
    config_dir = Path(tempfile.mkdtemp(dir=home))
    env = harness.node_env(home, MCP_REMOTE_CONFIG_DIR=str(config_dir))
    client = harness.Client(["mcp-remote", served + form, str(port), "--host", "127.0.0.1"], env, person,
                            redirect_prefix=f"http://127.0.0.1:{port}/oauth/callback", deliver="callback")
    await client.start()
    try:
        await _wait_for(client, lambda: any("Proxy established" in line for line in client.stderr), 90)
        client.send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "e2e", "version": "1"}}})
        init = await _response(client, 1)
        assert init["result"]["serverInfo"]["name"] == "pieterpost"
        client.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        client.send({"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {}})
        _tool_names([t["name"] for t in (await _response(client, 2))["result"]["tools"]])
        client.send({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
                     "params": {"name": "get_wallet", "arguments": {"currency": "usd"}}})
        call = (await _response(client, 3))["result"]
        assert call.get("isError") is not True and call["structuredContent"]["wallet"]["currency"] == "usd"
    finally:
        await client.stop()
    assert len(client.authorized) == 1
    assert parse_qs(urlsplit(client.authorized[0]).query)["resource"] == [served + form]
    assert any(config_dir.rglob("*_tokens.json")), "mcp-remote kept its tokens in MCP_REMOTE_CONFIG_DIR"


async def _wait_for(client: harness.Client, ready, timeout: float) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not ready():
        if client.proc is not None and client.proc.returncode is not None:
            raise AssertionError(f"client exited early\n{client.outcome().tail()}")
        if loop.time() > deadline:
            raise AssertionError(f"client not ready in {timeout:.0f} s\n{client.outcome().tail()}")
        await asyncio.sleep(0.1)


async def _response(client: harness.Client, request_id: int, timeout: float = 30) -> dict:
    def find() -> dict | None:
        for line in client.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if isinstance(message, dict) and message.get("id") == request_id:
                return message
        return None

    await _wait_for(client, lambda: find() is not None, timeout)
    found = find()
    assert found is not None
    return found
