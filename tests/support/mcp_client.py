"""Connect the official ``mcp`` SDK client to a PieterPost server at a chosen protocol version.

The SDK client always offers its newest handshake version; to connect "as" an older client the
helper sends ``initialize`` with that version through the SDK's own session and then installs
the result with ``ClientSession.adopt`` — the same steps ``ClientSession.initialize`` takes.
2026-07-28 goes through the SDK's ``server/discover`` probe (``mode="auto"``).
"""
from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2
import mcp_types as types
from mcp.client._probe import negotiate_auto
from mcp.client.session import ClientSession
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client

HANDSHAKE_VERSIONS = ("2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05")
MODERN_VERSION = "2026-07-28"
ALL_VERSIONS = (*HANDSHAKE_VERSIONS, MODERN_VERSION)


async def handshake(session: ClientSession, version: str) -> str:
    """Negotiate ``version``; returns what the server agreed to."""
    if version == MODERN_VERSION:
        await negotiate_auto(session)
        return session.protocol_version
    result = await session.send_request(
        types.InitializeRequest(params=types.InitializeRequestParams(
            protocol_version=version,
            capabilities=types.ClientCapabilities(),
            client_info=types.Implementation(name="pieterpost-tests", version="1"),
        )),
        types.InitializeResult,
    )
    session.adopt(result)
    await session.send_notification(types.InitializedNotification())
    return result.protocol_version


@asynccontextmanager
async def open_session(url: str, version: str = "2025-11-25", *, token: str | None = None,
                       http_client: httpx2.AsyncClient | None = None, sse: bool = False) -> AsyncIterator[ClientSession]:
    """A ready ClientSession over streamable HTTP (``url`` = .../mcp/) or legacy SSE (.../mcp/sse)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    owned = None
    if sse:
        transport = sse_client(url, headers=headers, timeout=30)
    else:
        if http_client is None:
            http_client = owned = httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(60))
        transport = streamable_http_client(url, http_client=http_client)
    try:
        async with transport as (read, write), ClientSession(read, write) as session:
            await handshake(session, version)
            yield session
    finally:
        if owned is not None:
            await owned.aclose()


def structured(result: Any) -> dict[str, Any]:
    """The structured result, after checking the first item is its text copy and any others are images
    (the first-page preview quote_order and get_order add)."""
    assert not result.is_error, result.content
    assert result.content[0].type == "text"
    rest = result.content[1:]
    if rest and rest[0].type == "text":  # get_order: where each piece is, in plain words
        rest = rest[1:]
    assert all(item.type == "image" for item in rest), result.content
    assert json.loads(result.content[0].text) == result.structured_content
    return result.structured_content


def error_of(result: Any) -> dict[str, str]:
    assert result.is_error, result
    return json.loads(result.content[0].text)
