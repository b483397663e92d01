"""The object as it was at the moment of the event, in the same shape the API returns it."""
from __future__ import annotations

from typing import Any

from domain.core.clock import iso
from domain.orders.views import order_view
from domain.persistence.models import Order, OrderPiece, Topup

RELATIVE = ""  # snapshots keep this service's own URLs relative; views add the base URL


def order_data(order: Order) -> dict[str, Any]:
    return order_view(order, RELATIVE)


def topup_data(topup: Topup) -> dict[str, Any]:
    return {
        "amountCents": topup.amount_cents,
        "createdAt": iso(topup.created_at),
        "currency": topup.currency,
        "paidAt": iso(topup.paid_at),
        "status": topup.status,
        "testMode": topup.mode == "test",
        "topupId": topup.id,
        "updatedAt": iso(topup.updated_at),
    }


def piece_data(order: Order, piece: OrderPiece, tracking: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "pieceId": piece.id,
        "orderId": order.id,
        "position": piece.position,
        "kind": piece.kind,
        "status": piece.status,
        "testMode": order.mode == "test",
        "tracking": dict(tracking or {}),
    }


def with_base_url(data: dict[str, Any], base_url: str) -> dict[str, Any]:
    """Make a snapshot's relative own-service URLs absolute for the reader."""
    url = data.get("publicCheckoutUrl")
    if isinstance(url, str) and url.startswith("/"):
        return {**data, "publicCheckoutUrl": base_url + url}
    return data
