"""One order in full for people (dashboard detail page): view, pieces, status timeline.

The ownership rule is ``orders.get_order``'s (another account's id is ``not_found``); this
module only gathers what a person needs to follow an order: every status change from
``order_events``, each piece's recipient, pages and price, and whether cancel is allowed.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from domain.fulfillment.piece_views import pieces_view
from domain.orders import orders
from domain.core.clock import iso
from domain.core.context import Caller
from domain.persistence.db import Database
from domain.persistence.models import OrderEvent, OrderPiece
from domain.orders.views import order_view
from domain.core.settings import Settings


def _piece_view(piece: OrderPiece) -> dict[str, Any]:
    recipient = dict(piece.recipient or {})
    return {
        "position": piece.position,
        "kind": piece.kind,
        "recipientName": recipient.get("name", ""),
        "recipientPlace": ", ".join(str(recipient[k]) for k in ("city", "country") if recipient.get(k)),
        "pageCount": piece.page_count,
        "amountCents": piece.amount_cents,
        "status": piece.status,
        "attachmentCount": len(piece.attachments or []),
    }


async def order_detail(db: Database, settings: Settings, caller: Caller, order_id: str) -> dict[str, Any]:
    async with db.read() as session:
        order = await orders.get_order(session, caller, order_id)
        pieces = (await session.execute(
            select(OrderPiece).where(OrderPiece.order_id == order.id).order_by(OrderPiece.position))).scalars()
        events = (await session.execute(
            select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.created_at, OrderEvent.id)
        )).scalars()
        return {
            "order": order_view(order, settings.base_url),
            "mode": order.mode,
            "pieces": [_piece_view(p) for p in pieces],
            "events": [{"status": e.status, "note": e.note, "at": iso(e.created_at)} for e in events],
            "cancellable": orders.can_cancel(order),
            "tracking": await pieces_view(session, order),
        }
