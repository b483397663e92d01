"""Piece events: the entry point piece tracking calls when a piece's status moves.

Tracking knows the piece and order ids and the carrier's report; this loads the order and
piece (normally already in the session) and records the one ``piece.*`` event in the same
transaction. Statuses without a customer-facing event (submitted, in_production, …) record
nothing.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.events.record import piece_event
from domain.persistence.models import Order, OrderPiece
from domain.persistence.webhook_models import Event

PIECE_STATUS_EVENTS = {
    "mailed": "piece.mailed",
    "in_transit": "piece.in_transit",
    "delivered": "piece.delivered",
    "returned_to_sender": "piece.returned_to_sender",
    "undeliverable": "piece.undeliverable",
}


async def piece_status_event(session: AsyncSession, *, order_id: str, piece_id: str, status: str,
                             tracking: dict[str, Any] | None = None, at: datetime | None = None) -> Event | None:
    """Record the event for a piece that just moved to ``status`` (None when that status has none)."""
    kind = PIECE_STATUS_EVENTS.get(status)
    if kind is None:
        return None
    order = await session.get(Order, order_id)
    piece = await session.get(OrderPiece, piece_id)
    if order is None or piece is None:
        raise ValueError(f"piece {piece_id} of order {order_id} does not exist")
    return piece_event(session, order, piece, kind, tracking={"status": status, **(tracking or {})}, at=at)
