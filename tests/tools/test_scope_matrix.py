"""Every tool's scope rule over the wire, on both databases.

For each of the 21 tools: a real OAuth token holding every scope except the one the tool needs is
refused by the MCP endpoint with HTTP 403 ``insufficient_scope`` naming that scope, and a token
holding only that scope gets the call through to the tool (through the SDK client). REST API keys
carry no scopes (a key acts for its account in its mode), so the matrix is MCP-only.
"""
from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from oauth.scopes import ALL_SCOPES, TOOL_SCOPES
from tests.conftest import make_settings
from tests.support import servers
from tests.support.mcp_client import open_session
from tests.tools.test_mcp_transport import issue_token

TOOLS = sorted(TOOL_SCOPES)


@pytest.fixture(scope="module")
async def matrix_server(database_url: str, asset_dir: Path) -> AsyncIterator[tuple[str, object]]:
    from server.app import create_app

    app = create_app(make_settings(database_url, asset_dir), run_migrations=False)
    port = servers.free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    yield f"http://127.0.0.1:{port}/mcp/", app
    server.should_exit = True
    await task


@pytest.fixture(scope="module")
async def tokens(matrix_server: tuple[str, object]) -> dict[tuple[str, str], str]:
    """("only"|"without", scope) -> a token issued through the real consent flow."""
    _, app = matrix_server
    out: dict[tuple[str, str], str] = {}
    for scope in ALL_SCOPES:
        out[("only", scope)] = await issue_token(app, scope)
        out[("without", scope)] = await issue_token(app, " ".join(s for s in ALL_SCOPES if s != scope))
    return out


def test_every_tool_has_exactly_one_known_scope() -> None:
    assert len(TOOLS) == 21
    assert set(TOOL_SCOPES.values()) == set(ALL_SCOPES)


@pytest.mark.parametrize("tool", TOOLS)
async def test_token_without_the_tools_scope_is_refused_403(matrix_server, tokens, tool: str) -> None:
    url, _ = matrix_server
    needed = TOOL_SCOPES[tool]
    call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": tool, "arguments": {}}}
    headers = {"Authorization": f"Bearer {tokens[('without', needed)]}", "MCP-Protocol-Version": "2025-11-25",
               "Accept": "application/json, text/event-stream"}
    async with httpx.AsyncClient(timeout=30) as http:
        answer = await http.post(url, json=call, headers=headers)
    assert answer.status_code == 403, answer.text
    challenge = answer.headers["www-authenticate"]
    assert 'error="insufficient_scope"' in challenge and f'scope="{needed}"' in challenge


@pytest.mark.parametrize("tool", TOOLS)
async def test_token_with_only_the_tools_scope_reaches_the_tool(matrix_server, tokens, tool: str) -> None:
    url, _ = matrix_server
    async with open_session(url, token=tokens[("only", TOOL_SCOPES[tool])]) as session:
        result = await session.call_tool(tool, {})
    if result.is_error:  # empty arguments are refused by the tool itself, never for scope
        error = json.loads(result.content[0].text)
        assert error["code"] not in {"insufficient_scope", "forbidden", "unauthorized"}, error
    else:
        assert result.structured_content is not None
