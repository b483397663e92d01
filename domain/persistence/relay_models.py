"""Tables of the legacy-SSE relay (migration ``0006_mcp_sse_relay``): the shared store that lets
a message POSTed to any process reach the process holding that client's SSE stream."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from domain.core.clock import utcnow
from domain.persistence.base import Base


class McpSseSession(Base):
    """An open legacy SSE stream: who opened it, and whether its process is still alive."""

    __tablename__ = "mcp_sse_sessions"
    session_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(40))
    client_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class McpSseMessage(Base):
    """A client message waiting for the stream's process; deleted once delivered."""

    __tablename__ = "mcp_sse_messages"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    autoincrement=True)
    session_id: Mapped[str] = mapped_column(String(32), index=True)
    body: Mapped[str] = mapped_column(Text)
    principal: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
