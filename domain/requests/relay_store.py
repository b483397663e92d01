"""The shared store behind the legacy HTTP+SSE transport (tables in ``persistence.relay_models``).

A client's SSE stream lives in one process while its POSTed messages may reach any process.
Opening a stream registers its session id and owner; a message for a session held elsewhere
is parked here with the sender's verified identity; the holding process collects its
sessions' messages, feeds them into the stream, and deletes them. A session whose process
stopped sending heartbeats for ``STALE`` counts as closed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update

from domain.core.clock import utcnow
from domain.persistence.db import Database
from domain.persistence.relay_models import McpSseMessage, McpSseSession

STALE = timedelta(seconds=180)


@dataclass(frozen=True)
class ParkedMessage:
    id: int
    session_id: str
    body: str
    sender: dict[str, Any]  # the verified identity the message was posted with


async def register(db: Database, session_id: str, account_id: str, client_id: str) -> None:
    async with db.transaction() as s:
        s.add(McpSseSession(session_id=session_id, account_id=account_id, client_id=client_id))


async def forget(db: Database, session_id: str) -> None:
    """The stream closed: drop the session and anything still waiting for it."""
    async with db.transaction() as s:
        await s.execute(delete(McpSseMessage).where(McpSseMessage.session_id == session_id))
        await s.execute(delete(McpSseSession).where(McpSseSession.session_id == session_id))


async def owned_by(db: Database, session_id: str, account_id: str) -> bool:
    """Whether ``session_id`` is open and was opened by ``account_id`` (a stale one is removed).

    Another account's session answers False exactly like an unknown one."""
    async with db.transaction() as s:
        row = await s.get(McpSseSession, session_id)
        if row is not None and utcnow() - row.seen_at > STALE:
            await s.delete(row)
            return False
        return row is not None and row.account_id == account_id


async def park(db: Database, session_id: str, body: str, sender: dict[str, Any]) -> None:
    async with db.transaction() as s:
        s.add(McpSseMessage(session_id=session_id, body=body, principal=sender))


async def waiting(db: Database, session_ids: list[str], limit: int = 100) -> list[ParkedMessage]:
    async with db.read() as s:
        rows = (await s.execute(select(McpSseMessage).where(McpSseMessage.session_id.in_(session_ids))
                                .order_by(McpSseMessage.id).limit(limit))).scalars()
        return [ParkedMessage(r.id, r.session_id, r.body, dict(r.principal)) for r in rows]


async def delivered(db: Database, message_ids: list[int]) -> None:
    async with db.transaction() as s:
        await s.execute(delete(McpSseMessage).where(McpSseMessage.id.in_(message_ids)))


async def heartbeat(db: Database, session_ids: list[str], at: datetime) -> None:
    async with db.transaction() as s:
        await s.execute(update(McpSseSession).where(McpSseSession.session_id.in_(session_ids)).values(seen_at=at))
