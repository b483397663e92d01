"""Each piece of an order as people and agents see it: status, provider id, timeline.

One shape for ``GET /v1/orders/{id}`` (``pieces[]``), the dashboard's per-piece timeline and
the sentence MCP ``get_order`` adds to its text content.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.core.clock import iso
from domain.persistence.mail_models import PieceTracking, TrackingEvent
from domain.persistence.models import Order, OrderPiece

_WORDS = {
    "pending": "waiting to be handed to the printer", "failed": "not sent (the order failed)",
    "cancelled": "not sent (the order was cancelled)", "submitted": "accepted by the printer",
    "in_production": "being printed", "mailed": "mailed", "in_transit": "in the post",
    "delivered": "delivered", "returned_to_sender": "returned to the sender",
    "undeliverable": "undeliverable", "provider_cancelled": "cancelled by the printer",
}


def _untracked_status(order: Order, piece: OrderPiece) -> str:
    if piece.status == "handed_off":
        return "submitted"
    if order.status == "failed" or piece.status == "failed":
        return "failed"
    if order.status in ("cancelled", "expired"):
        return "cancelled"
    return "pending"


async def pieces_view(session: AsyncSession, order: Order) -> list[dict[str, Any]]:
    pieces = (await session.execute(select(OrderPiece).where(OrderPiece.order_id == order.id)
                                    .order_by(OrderPiece.position))).scalars().all()
    rows = {t.piece_id: t for t in (await session.execute(
        select(PieceTracking).where(PieceTracking.order_id == order.id))).scalars()}
    events: dict[str, list[dict[str, Any]]] = {}
    if rows:
        for event in (await session.execute(select(TrackingEvent).where(TrackingEvent.piece_id.in_(list(rows)))
                                            .order_by(TrackingEvent.occurred_at, TrackingEvent.id))).scalars():
            events.setdefault(event.piece_id, []).append({
                "type": event.type, "occurredAt": iso(event.occurred_at), "location": event.location,
                "description": event.description})
    out = []
    for piece in pieces:
        row = rows.get(piece.id)
        recipient = piece.recipient or {}
        out.append({
            "pieceId": piece.id,
            "position": piece.position,
            "kind": piece.kind,
            "recipientName": str(recipient.get("name", "")),
            "status": row.status if row else _untracked_status(order, piece),
            "provider": row.provider if row else None,
            "providerId": row.provider_ref if row else piece.provider_ref,
            "expectedDeliveryDate": row.expected_delivery_date if row else None,
            "statusChangedAt": iso(row.status_changed_at) if row else None,
            "trackingEvents": events.get(piece.id, []),
        })
    return out


def where_text(pieces: list[dict[str, Any]]) -> str:
    """One plain sentence per piece: where it is, since when, and when it should arrive."""
    lines = []
    for piece in pieces:
        line = f"Piece {piece['position'] + 1} ({piece['kind']} to {piece['recipientName'] or 'recipient'}): " \
               f"{_WORDS.get(piece['status'], piece['status'])}"
        if piece["statusChangedAt"] and piece["status"] not in ("pending", "submitted"):
            line += f" since {piece['statusChangedAt'][:10]}"
        last = piece["trackingEvents"][-1] if piece["trackingEvents"] else None
        if last and last.get("location"):
            line += f", last seen at {last['location']}"
        if piece["expectedDeliveryDate"] and piece["status"] not in ("delivered",):
            line += f"; expected by {piece['expectedDeliveryDate']}"
        if piece["provider"] == "simulated":
            line += " (test mode: simulated, nothing is printed or posted)"
        lines.append(line + ".")
    return "\n".join(lines) if lines else "This order has no pieces."
