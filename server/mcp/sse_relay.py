"""Legacy HTTP+SSE across several processes, through a shared store (SPEC "MCP server").

An SSE client holds one long GET stream on one process and POSTs its messages to
``/mcp/messages/?session_id=…``; behind a load balancer those POSTs may reach any process.
The SDK's ``SseServerTransport`` only knows the streams of its own process, so:

- opening a stream registers its session id and owner (account, client) in ``mcp_sse_sessions``;
- a POST for a session this process does not hold is stored in ``mcp_sse_messages`` (after the
  bearer gate and an owner check: another account's session id is answered 404, like unknown);
- the process holding the stream polls for its sessions' messages and feeds them into the
  stream's reader, with the sender's verified principal attached, then deletes them.
Local POSTs take the SDK's direct path. Cross-process delivery costs one poll interval.
"""
from __future__ import annotations

import asyncio
import logging
import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

import mcp_types as types
from mcp.server.sse import SseServerTransport
from mcp.shared.message import ServerMessageMetadata, SessionMessage
from sqlalchemy import delete, select, update
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from domain.core.clock import utcnow
from server.mcp.auth import Principal
from server.mcp.gate import PRINCIPAL_KEY, principal_of
from server.mcp.relay_models import McpSseMessage, McpSseSession

if TYPE_CHECKING:
    from domain.persistence.db import Database

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.05
HEARTBEAT = timedelta(seconds=60)
STALE = timedelta(seconds=180)  # a session whose process stopped beating is gone
_SESSION_IN_ENDPOINT = re.compile(rb"session_id=([0-9a-f]{32})")


def _principal_json(p: Principal, client_ip: str) -> dict[str, Any]:
    return {"accountId": p.account_id, "clientId": p.client_id, "scopes": sorted(p.scopes), "grantId": p.grant_id,
            "clientIp": client_ip}


def _principal_from(data: dict[str, Any]) -> Principal:
    return Principal(account_id=data["accountId"], client_id=data["clientId"], scopes=frozenset(data["scopes"]),
                     grant_id=data.get("grantId"))


class SseRelay:
    def __init__(self, transport: SseServerTransport, db: "Database") -> None:
        self.transport = transport
        self.db = db
        self.local: dict[str, Principal] = {}  # session hex -> who opened it (this process only)

    # -- stream side -------------------------------------------------------------------------
    def watch_stream(self, scope: Scope, send: Send) -> Send:
        """Wrap the GET's ``send`` to learn the session id from the SDK's ``endpoint`` event."""
        principal = principal_of(scope)
        registered: list[str] = []

        async def sending(message: Message) -> None:
            if not registered and message["type"] == "http.response.body" and principal is not None:
                found = _SESSION_IN_ENDPOINT.search(message.get("body", b""))
                if found:
                    session = found.group(1).decode()
                    registered.append(session)
                    await self._register(session, principal)
            await send(message)

        sending.sessions = registered  # type: ignore[attr-defined]
        return sending

    async def _register(self, session: str, principal: Principal) -> None:
        self.local[session] = principal
        async with self.db.transaction() as s:
            s.add(McpSseSession(session_id=session, account_id=principal.account_id, client_id=principal.client_id))

    async def stream_closed(self, sending: Send) -> None:
        for session in getattr(sending, "sessions", []):
            self.local.pop(session, None)
            async with self.db.transaction() as s:
                await s.execute(delete(McpSseMessage).where(McpSseMessage.session_id == session))
                await s.execute(delete(McpSseSession).where(McpSseSession.session_id == session))

    # -- message side ------------------------------------------------------------------------
    async def handle_post(self, scope: Scope, receive: Receive, send: Send) -> None:
        session = Request(scope).query_params.get("session_id", "")
        if scope["method"] != "POST" or not re.fullmatch(r"[0-9a-f]{32}", session) or self._held_here(session):
            await self.transport.handle_post_message(scope, receive, send)
            return
        principal = principal_of(scope)
        async with self.db.transaction() as s:
            row = await s.get(McpSseSession, session)
            if row is not None and utcnow() - row.seen_at > STALE:
                await s.delete(row)
                row = None
            if row is None or principal is None or row.account_id != principal.account_id:
                await Response("Could not find session", status_code=404)(scope, receive, send)
                return
            body = await Request(scope, receive).body()
            try:
                types.jsonrpc_message_adapter.validate_json(body, by_name=False)
            except ValueError:
                await Response("Could not parse message", status_code=400)(scope, receive, send)
                return
            client = scope.get("client")
            s.add(McpSseMessage(session_id=session, body=body.decode(),
                                principal=_principal_json(principal, client[0] if client else "unknown")))
        await Response("Accepted", status_code=202)(scope, receive, send)

    def _held_here(self, session: str) -> bool:
        return UUID(hex=session) in self.transport._read_stream_writers  # noqa: SLF001 - no public lookup

    # -- delivery loop -----------------------------------------------------------------------
    async def run(self) -> None:
        last_beat = utcnow()
        while True:
            await asyncio.sleep(POLL_SECONDS if self.local else 0.5)
            if not self.local:
                continue
            try:
                await self._deliver()
                if utcnow() - last_beat > HEARTBEAT:
                    last_beat = utcnow()
                    async with self.db.transaction() as s:
                        await s.execute(update(McpSseSession).where(
                            McpSseSession.session_id.in_(list(self.local))).values(seen_at=last_beat))
            except Exception:  # keep relaying; the next round retries
                logger.exception("SSE relay round failed")

    async def _deliver(self) -> None:
        async with self.db.read() as s:
            rows = list((await s.execute(
                select(McpSseMessage).where(McpSseMessage.session_id.in_(list(self.local)))
                .order_by(McpSseMessage.id).limit(100))).scalars())
        if not rows:
            return
        for row in rows:
            writer = self.transport._read_stream_writers.get(UUID(hex=row.session_id))  # noqa: SLF001
            if writer is None:
                continue
            message = types.jsonrpc_message_adapter.validate_json(row.body, by_name=False)
            request = Request({"type": "http", "method": "POST", "path": "/mcp/messages/", "headers": [],
                               "query_string": b"", "client": (row.principal.get("clientIp", "unknown"), 0),
                               PRINCIPAL_KEY: _principal_from(row.principal)})
            await writer.send(SessionMessage(message, metadata=ServerMessageMetadata(request_context=request)))
        async with self.db.transaction() as s:
            await s.execute(delete(McpSseMessage).where(McpSseMessage.id.in_([r.id for r in rows])))
