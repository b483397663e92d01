"""Wiring of the MCP endpoint: routes, transports and their lifespan.

Transports (docs/product.md § MCP server):
- Streamable HTTP at ``/mcp`` and ``/mcp/`` (two routes, no redirect), run by the SDK's session
  manager in *stateless* mode with JSON responses: every POST is served on its own, so no
  session lives in a process and any number of ``pieterpost serve`` processes behave as one.
  Protocol 2026-07-28 requests take the SDK's per-request path; the handshake versions
  (2024-11-05 … 2025-11-25) are negotiated by ``initialize`` on the same route.
- Legacy HTTP+SSE (2024-11-05) at ``/mcp/sse`` with its message endpoint ``/mcp/messages/``.
Every route sits behind McpEdgeMiddleware (Host/Origin/CORS) and BearerGate (OAuth).
"""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from mcp.server.sse import SseServerTransport
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from domain.core.settings import Settings
from domain.requests.rate_limits import MemoryLimiter, MinuteLimiter
from domain.use_cases.system import Database
from server.mcp.auth import Authenticator, OAuthAuthenticator
from server.mcp.edge import McpEdgeMiddleware, OriginPolicy
from server.mcp.gate import BearerGate
from server.mcp.handlers import build_server
from server.mcp.sse_relay import SseRelay

SSE_PATH = "/mcp/sse"
SSE_MESSAGES_PATH = "/mcp/messages/"


class McpEndpoint:
    """One per app: ``routes()`` for the router, ``lifespan(db)`` entered once the db exists."""

    def __init__(self, settings: Settings, *, db: Database | None = None,
                 authenticator: Authenticator | None = None, limiter: MinuteLimiter | None = None) -> None:
        self.settings = settings
        self.limiter: MinuteLimiter = limiter or MemoryLimiter()
        self._db = db
        self._authenticator = authenticator
        self.server = build_server(self)
        self.manager = self._new_manager()
        self.sse = SseServerTransport(SSE_MESSAGES_PATH, max_request_body_size=settings.mcp_max_body_bytes)
        self._relay: SseRelay | None = None
        self._policy = OriginPolicy(settings)

    def _new_manager(self) -> StreamableHTTPSessionManager:
        return StreamableHTTPSessionManager(
            app=self.server,
            stateless=True,
            json_response=True,
            security_settings=None,  # Host/Origin are checked by McpEdgeMiddleware
            max_request_body_size=self.settings.mcp_max_body_bytes,
        )

    @property
    def db(self) -> Database:
        if self._db is None:
            raise RuntimeError("MCP endpoint used before its lifespan started")
        return self._db

    @property
    def relay(self) -> SseRelay:
        if self._relay is None:
            self._relay = SseRelay(self.sse, self.db)
        return self._relay

    @property
    def authenticator(self) -> Authenticator:
        if self._authenticator is None:
            self._authenticator = OAuthAuthenticator(self.db, self.settings)
        return self._authenticator

    def _guard(self, app: ASGIApp) -> ASGIApp:
        gate = BearerGate(app, lambda: self.authenticator, self.settings.mcp_max_body_bytes)
        return McpEdgeMiddleware(gate, self._policy)

    async def _streamable(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] == "GET":
            # Stateless: there is no server-initiated stream to open (transports spec allows 405).
            await Response(status_code=405, headers={"Allow": "POST"})(scope, receive, send)
            return
        await self.manager.handle_request(scope, receive, send)

    async def _sse_stream(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "GET":
            await Response(status_code=405, headers={"Allow": "GET"})(scope, receive, send)
            return
        # connect_sse builds the message URL from root_path; our path is absolute already.
        scope = {**scope, "root_path": ""}
        sending = self.relay.watch_stream(scope, send)  # registers the session in the shared store
        try:
            async with self.sse.connect_sse(scope, receive, sending) as (read_stream, write_stream):
                await self.server.run(read_stream, write_stream, self.server.create_initialization_options())
        finally:
            await self.relay.stream_closed(sending)

    async def _sse_post(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.relay.handle_post(scope, receive, send)

    def routes(self) -> list[Route]:
        streamable = self._guard(self._streamable)
        sse_stream = self._guard(self._sse_stream)
        sse_messages = self._guard(self._sse_post)
        routes = [
            Route("/mcp", endpoint=streamable),
            Route("/mcp/", endpoint=streamable),
            Route(SSE_PATH, endpoint=sse_stream),
            Route(SSE_MESSAGES_PATH, endpoint=sse_messages),
            Route(SSE_MESSAGES_PATH.rstrip("/"), endpoint=sse_messages),
        ]
        return routes

    @contextlib.asynccontextmanager
    async def lifespan(self, db: Database | None = None) -> AsyncIterator[None]:
        """Run the SDK session manager in a task of its own: its task group must be entered and
        left by one task, which a host's lifespan (or a test fixture) does not promise."""
        if db is not None:
            self._db = db
        if self.manager._has_started:  # the SDK manager runs once; a restarted app gets a new one
            self.manager = self._new_manager()
        started, stop = asyncio.Event(), asyncio.Event()

        async def hold() -> None:
            async with self.manager.run():
                started.set()
                await stop.wait()

        task = asyncio.create_task(hold(), name="mcp-session-manager")
        relay = asyncio.create_task(self.relay.run(), name="mcp-sse-relay")
        waiter = asyncio.create_task(started.wait())
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            waiter.cancel()
            task.result()  # re-raise why the manager could not start
        try:
            yield
        finally:
            relay.cancel()
            stop.set()
            await task
