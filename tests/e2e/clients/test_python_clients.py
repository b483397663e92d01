"""Python MCP clients against a real ``pieterpost serve``, with the URL spelled both ways: the MCP
SDK's own streamable-HTTP client, and the OpenAI Agents SDK's ``MCPServerStreamableHttp``. Both
sign in through the MCP SDK's ``OAuthClientProvider``; the Agents SDK one also turns the tools
into agent function tools. No model is called: nothing needs an OpenAI API key or the network.
"""
from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from domain.persistence import migrate
from schemas import tool_names
from tests.e2e.clients import harness
from tests.support.mcp_oauth import Browser, oauth_http_client, oauth_provider
from tests.support.servers import cli_env, running_server



@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("agents-e2e")
    url = f"sqlite+aiosqlite:///{tmp / 'pieterpost.db'}"
    migrate.upgrade(url)
    with running_server(cli_env(url, tmp / "assets")) as base:
        yield base


@pytest.fixture
async def person() -> AsyncIterator[Browser]:
    browser = Browser()
    yield browser
    await browser.http.aclose()


@pytest.mark.parametrize("form", harness.URL_FORMS)
async def test_agents_sdk_streamable_http_client(served: str, person: Browser, form: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    pytest.importorskip("agents.mcp", reason="openai-agents is a dev dependency (pyproject.toml)")
    from agents import Agent
    from agents.mcp import MCPServerStreamableHttp
    from agents.mcp.util import MCPUtil

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    url = served + form
    server = MCPServerStreamableHttp(
        params={"url": url, "auth": oauth_provider(url, person), "timeout": 30},
        name="pieterpost", client_session_timeout_seconds=30, cache_tools_list=False)
    async with asyncio.timeout(120):
        async with server:
            tools = await server.list_tools()
            called = await server.call_tool("get_wallet", {"currency": "usd"})
            agent = Agent(name="mailer", mcp_servers=[server])
            function_tools = [MCPUtil.to_function_tool(t, server, convert_schemas_to_strict=False, agent=agent)
                              for t in tools]
    assert [t.name for t in tools] == tool_names()
    assert [t.name for t in function_tools] == tool_names()
    assert all(t.params_json_schema.get("type") == "object" for t in function_tools)
    assert called.is_error is not True
    assert called.structured_content["wallet"]["currency"] == "usd"
    assert person.pages_seen == ["signin", "signup", "consent"]


@pytest.mark.parametrize("form", harness.URL_FORMS)
async def test_python_sdk_streamable_http_client(served: str, person: Browser, form: str) -> None:
    import asyncio

    from mcp.client.session import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    url = served + form
    provider = oauth_provider(url, person)
    async with asyncio.timeout(120):
        async with oauth_http_client(provider) as http, streamable_http_client(url, http_client=http) as (
                read, write), ClientSession(read, write) as session:
            await session.initialize()
            tools = await session.list_tools()
            called = await session.call_tool("get_wallet", {"currency": "usd"})
    assert [t.name for t in tools.tools] == tool_names()
    assert called.is_error is not True and called.structured_content["wallet"]["currency"] == "usd"
    assert person.pages_seen == ["signin", "signup", "consent"]
