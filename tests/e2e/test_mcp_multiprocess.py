"""Two ``pieterpost serve`` processes on one database behave as one MCP server (README, docs/deploy.md).

The endpoint is stateless Streamable HTTP, so no session lives in a process: the SDK client's
requests are sent alternately to process A and process B (initialize on one, the calls on
the other), including the OAuth token exchange, and every step still works.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client

from tests.support.mcp_client import handshake, structured
from tests.support.mcp_oauth import Browser, oauth_provider
from tests.support.servers import cli_env, free_port, running_server


class RoundRobin(httpx2.AsyncBaseTransport):
    """Sends each request to the next process in turn, as a load balancer without affinity would."""

    def __init__(self, ports: list[int]) -> None:
        self.inner = httpx2.AsyncHTTPTransport()
        self.ports = itertools.cycle(ports)
        self.mcp_posts: list[int] = []
        self.requests: list[tuple[int, str]] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        port = next(self.ports)
        request.url = request.url.copy_with(port=port)
        request.headers["host"] = f"127.0.0.1:{port}"
        self.requests.append((port, request.url.path))
        if request.method == "POST" and request.url.path.startswith("/mcp/") and "oauth" not in request.url.path:
            self.mcp_posts.append(port)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[tuple[str, list[int]]]:
    tmp = tmp_path_factory.mktemp("mcp-multi")
    url = database_url  # both databases: several processes on one PostgreSQL act as one service
    ports = [free_port(), free_port()]
    public = f"http://127.0.0.1:{ports[0]}"  # one public BASE_URL for the whole service
    env = cli_env(url, tmp / "assets", PIETERPOST_BASE_URL=public, PIETERPOST_RATE_LIMIT_PER_MINUTE="10000",
                  PIETERPOST_RUN_WORKER="false")
    with running_server(env, ports[0]), running_server(env, ports[1]):
        yield public, ports


@pytest.mark.parametrize("version", ["2025-11-25", "2025-03-26"])
async def test_requests_alternate_between_processes(two_processes: tuple[str, list[int]], version: str) -> None:
    public, ports = two_processes
    transport = RoundRobin(ports)
    provider = oauth_provider(f"{public}/mcp/", Browser())
    async with httpx2.AsyncClient(auth=provider, transport=transport, timeout=60) as http, streamable_http_client(
            f"{public}/mcp/", http_client=http) as (read, write), ClientSession(read, write) as session:
        assert await handshake(session, version) == version
        contact = structured(await session.call_tool("create_mailbook_contact", {
            "displayName": "Ada Multi", "street": "Damrak", "houseNumber": "5", "postalCode": "1012 AB",
            "city": "Amsterdam", "country": "NL"}))
        for _ in range(3):
            found = structured(await session.call_tool("list_mailbook_contacts", {"query": "ada multi"}))
            assert [c["id"] for c in found["contacts"]] == [contact["id"]]
        topup = structured(await session.call_tool("create_credit_topup", {"amountCents": 500, "idempotencyKey": "k"}))
        again = structured(await session.call_tool("create_credit_topup", {"amountCents": 500, "idempotencyKey": "k"}))
        assert again["topupId"] == topup["topupId"]  # idempotency is shared, not per process
        assert structured(await session.call_tool("get_wallet", {}))["wallet"]["balanceCents"] == 500
    assert set(transport.mcp_posts) == set(ports)


async def test_legacy_sse_messages_reach_the_stream_on_the_other_process(
        two_processes: tuple[str, list[int]]) -> None:
    """The SSE stream stays on one process while its message POSTs alternate between both."""
    from mcp.client.sse import sse_client

    public, ports = two_processes
    transport = RoundRobin(ports)
    browser = Browser()
    provider = oauth_provider(f"{public}/mcp/sse", browser)

    def client_factory(headers: dict | None = None, timeout: httpx2.Timeout | None = None,
                       auth: httpx2.Auth | None = None) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(headers=headers, timeout=timeout, auth=auth, transport=transport)

    async with sse_client(f"{public}/mcp/sse", auth=provider, timeout=30, httpx_client_factory=client_factory) as (
            read, write), ClientSession(read, write) as session:
        assert await handshake(session, "2024-11-05") == "2024-11-05"
        contact = structured(await session.call_tool("create_mailbook_contact", {
            "displayName": "Sam Relay", "street": "Damrak", "houseNumber": "7", "postalCode": "1012 AB",
            "city": "Amsterdam", "country": "NL"}))
        for _ in range(4):
            found = structured(await session.call_tool("list_mailbook_contacts", {"query": "sam relay"}))
            assert [c["id"] for c in found["contacts"]] == [contact["id"]]
    message_posts = [p for p, path in transport.requests if path.startswith("/mcp/messages")]
    assert set(message_posts) == set(ports)


async def test_another_accounts_session_id_is_not_found(two_processes: tuple[str, list[int]]) -> None:
    """A relayed POST is accepted only from the account that opened the stream."""
    import httpx

    public, ports = two_processes
    owner, stranger = Browser(), Browser()
    tokens = []
    for person in (owner, stranger):
        provider = oauth_provider(f"{public}/mcp/", person)
        async with httpx2.AsyncClient(auth=provider, timeout=60) as http, streamable_http_client(
                f"{public}/mcp/", http_client=http) as (read, write), ClientSession(read, write) as session:
            await handshake(session, "2025-11-25")
        tokens.append(provider.context.current_tokens.access_token)
    async with httpx.AsyncClient(timeout=30) as http, http.stream(
            "GET", f"http://127.0.0.1:{ports[0]}/mcp/sse", headers={"Authorization": f"Bearer {tokens[0]}"}) as stream:
        lines = stream.aiter_lines()
        endpoint = ""
        async for line in lines:
            if line.startswith("data: /mcp/messages/"):
                endpoint = line.removeprefix("data: ")
                break
        ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
        other = f"http://127.0.0.1:{ports[1]}{endpoint}"
        refused = await http.post(other, json=ping, headers={"Authorization": f"Bearer {tokens[1]}"})
        accepted = await http.post(other, json=ping, headers={"Authorization": f"Bearer {tokens[0]}"})
    assert refused.status_code == 404 and accepted.status_code == 202
