"""MCP ``tools/call`` throughput and p50/p99 latency over real HTTP, through the SDK client.

PieterPost's ``quote_order`` and ``get_wallet`` at 1, 8 and 32 concurrent sessions, beside the
SDK's bare low-level server with one trivial tool (bench/mcp_bare.py) on the same uvicorn and
transport settings, in the same run. The token comes from the real OAuth flow (the SDK's
OAuthClientProvider and a scripted person, tests/support/mcp_oauth.py).

    python bench/mcp_calls.py [--calls 300] [--postgres postgresql://postgres@127.0.0.1:5432/test]

The ratio column is the figure: PieterPost's calls/s over the bare server's at the same level.
"""
from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the SDK package: drop its own directory from the import path first.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import asyncio  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from itertools import count  # noqa: E402
from typing import Any  # noqa: E402

import httpx2  # noqa: E402

from bench.common import Figures, table, uvicorn_server  # noqa: E402
from bench.orders import _env  # noqa: E402
from tests.support.mcp_client import open_session  # noqa: E402
from tests.support.mcp_oauth import Browser, oauth_http_client, oauth_provider  # noqa: E402

LEVELS = (1, 8, 32)
SERVE = ["-m", "uvicorn", "--factory", "server.app:app_factory", "--port", "{port}", "--log-level", "warning"]
BARE = ["-m", "uvicorn", "--factory", "bench.mcp_bare:app_factory", "--port", "{port}", "--log-level", "warning"]
RECIPIENT = {"name": "Pieter Example", "streetAddress": "Damrak 1", "postalCode": "1012 AB", "city": "Amsterdam",
             "country": "NL"}
QUOTE = {"requestType": "letter", "letters": [{"message": "Hello from the benchmark.", "recipient": RECIPIENT}]}


async def sign_in(base: str) -> str:
    """One real OAuth connect; the access token then serves every benchmark session."""
    provider = oauth_provider(f"{base}/mcp/", Browser())
    async with oauth_http_client(provider) as http, open_session(f"{base}/mcp/", http_client=http) as session:
        await session.list_tools()
    assert provider.context.current_tokens is not None
    return provider.context.current_tokens.access_token


async def run_level(url: str, token: str | None, tool: str, args: dict[str, Any], sessions: int,
                    calls: int) -> Figures:
    """``calls`` tools/call requests spread over ``sessions`` concurrent SDK client sessions."""
    latencies: list[float] = []
    errors = 0
    ticket = count()
    ready = asyncio.Barrier(sessions + 1)
    go = asyncio.Event()
    headers = {"Authorization": f"Bearer {token}"} if token else {}

    async def one_session() -> None:
        nonlocal errors
        limits = httpx2.Limits(max_connections=2, max_keepalive_connections=2)
        http = httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(120), limits=limits)
        async with http, open_session(url, http_client=http) as session:
            await session.call_tool(tool, args)  # warm this session up
            await ready.wait()
            await go.wait()
            while next(ticket) < calls:
                started = time.perf_counter()
                result = await session.call_tool(tool, args)
                latencies.append(time.perf_counter() - started)
                errors += 1 if result.is_error else 0

    tasks = [asyncio.create_task(one_session()) for _ in range(sessions)]
    waiting = asyncio.create_task(ready.wait())
    await asyncio.wait([waiting, *tasks], return_when=asyncio.FIRST_COMPLETED)
    for task in tasks:  # a session that failed to open: stop instead of waiting forever
        if task.done() and task.exception():
            go.set()
            raise task.exception()  # type: ignore[misc]
    await waiting
    started = time.perf_counter()
    go.set()
    await asyncio.gather(*tasks)
    return Figures(len(latencies), time.perf_counter() - started, latencies, errors)


async def measure(url: str, token: str | None, tool: str, args: dict[str, Any], calls: int) -> dict[int, Figures]:
    return {level: await run_level(url, token, tool, args, level, max(calls, level * 10)) for level in LEVELS}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300, help="tools/call requests per level")
    parser.add_argument("--postgres", default="", help="also run on this PostgreSQL URL")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="pp-bench-mcp-"))
    with uvicorn_server(BARE, {}) as bare:
        baseline = asyncio.run(measure(f"{bare}/mcp/", None, "echo", {"x": 1}, args.calls))
    rows = [["bare SDK server", "echo", level, f"{f.rate:.0f}", f"{f.pct(0.5):.1f}", f"{f.pct(0.99):.1f}", "1.00",
             f.errors] for level, f in baseline.items()]
    backends = {"sqlite": f"sqlite+aiosqlite:///{tmp}/bench.db"}
    if args.postgres:
        backends["postgresql"] = args.postgres
    for name, database_url in backends.items():
        env = _env(database_url, tmp / "assets")
        with uvicorn_server(SERVE, env) as base:
            token = asyncio.run(sign_in(base))
            for tool, tool_args in (("quote_order", QUOTE), ("get_wallet", {})):
                figures = asyncio.run(measure(f"{base}/mcp/", token, tool, tool_args, args.calls))
                for level, f in figures.items():
                    rows.append([f"pieterpost ({name})", tool, level, f"{f.rate:.0f}", f"{f.pct(0.5):.1f}",
                                 f"{f.pct(0.99):.1f}", f"{f.rate / baseline[level].rate:.3f}", f.errors])
    print(f"MCP tools/call over Streamable HTTP (protocol 2025-11-25, stateless, JSON responses), "
          f"{args.calls} calls per level")
    print(table(rows, ["server", "tool", "sessions", "calls/s", "p50 ms", "p99 ms", "ratio", "errors"]))


if __name__ == "__main__":
    main()
