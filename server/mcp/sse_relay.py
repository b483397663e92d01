"""Legacy HTTP+SSE across several processes, through a shared store (``domain.requests.relay_store``).

An SSE client holds one long GET stream on one process and POSTs its messages to
``/mcp/messages/?session_id=…``; behind a load balancer those POSTs may reach any process.
The SDK's ``SseServerTransport`` only knows the streams of its own process, so:

- opening a stream registers its session id and owner (account, client) in the store;
- a POST for a session this process does not hold is parked in the store (after the
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
from typing import Any
from uuid import UUID

import mcp_types as types
from mcp.server.sse import SseServerTransport
from mcp.shared.message import ServerMessageMetadata, SessionMessage
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from domain.core.clock import utcnow
from domain.requests import relay_store
from domain.use_cases.system import Database
from server.mcp.auth import Principal
from server.mcp.gate import PRINCIPAL_KEY, principal_of

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.05
HEARTBEAT = timedelta(seconds=60)  # well inside relay_store.STALE
_SESSION_IN_ENDPOINT = re.compile(rb"session_id=([0-9a-f]{32})")


def _principal_json(p: Principal, client_ip: str) -> dict[str, Any]:
    return {"accountId": p.account_id, "clientId": p.client_id, "scopes": sorted(p.scopes), "grantId": p.grant_id,
            "clientIp": client_ip}


def _principal_from(data: dict[str, Any]) -> Principal:
    return Principal(account_id=data["accountId"], client_id=data["clientId"], scopes=frozenset(data["scopes"]),
                     grant_id=data.get("grantId"))


class SseRelay:
    def __init__(self, transport: SseServerTransport, db: Database) -> None:
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
        await relay_store.register(self.db, session, principal.account_id, principal.client_id)

    async def stream_closed(self, sending: Send) -> None:
        for session in getattr(sending, "sessions", []):
            self.local.pop(session, None)
            await relay_store.forget(self.db, session)

    # -- message side ------------------------------------------------------------------------
    async def handle_post(self, scope: Scope, receive: Receive, send: Send) -> None:
        session = Request(scope).query_params.get("session_id", "")
        if scope["method"] != "POST" or not re.fullmatch(r"[0-9a-f]{32}", session) or self._held_here(session):
            await self.transport.handle_post_message(scope, receive, send)
            return
        principal = principal_of(scope)
        if principal is None or not await relay_store.owned_by(self.db, session, principal.account_id):
            await Response("Could not find session", status_code=404)(scope, receive, send)
            return
        body = await Request(scope, receive).body()
        try:
            types.jsonrpc_message_adapter.validate_json(body, by_name=False)
        except ValueError:
            await Response("Could not parse message", status_code=400)(scope, receive, send)
            return
        client = scope.get("client")
        await relay_store.park(self.db, session, body.decode(),
                               _principal_json(principal, client[0] if client else "unknown"))
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
                    await relay_store.heartbeat(self.db, list(self.local), last_beat)
            except Exception:  # keep relaying; the next round retries
                logger.exception("SSE relay round failed")

    async def _deliver(self) -> None:
        rows = await relay_store.waiting(self.db, list(self.local))
        if not rows:
            return
        for row in rows:
            writer = self.transport._read_stream_writers.get(UUID(hex=row.session_id))  # noqa: SLF001
            if writer is None:
                continue
            message = types.jsonrpc_message_adapter.validate_json(row.body, by_name=False)
            request = Request({"type": "http", "method": "POST", "path": "/mcp/messages/", "headers": [],
                               "query_string": b"", "client": (row.sender.get("clientIp", "unknown"), 0),
                               PRINCIPAL_KEY: _principal_from(row.sender)})
            await writer.send(SessionMessage(message, metadata=ServerMessageMetadata(request_context=request)))
        await relay_store.delivered(self.db, [r.id for r in rows])
