"""The order status machine (docs/product.md § Order statuses): only the listed transitions exist."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.core.clock import utcnow
from domain.core.errors import NotCancellable
from domain.events import order_event
from domain.events.record import PUBLIC_EVENT, order_event_row, write_event_rows
from domain.events.catalogue import ORDER_STATUS_EVENTS
from domain.persistence.core_rows import insert_rows
from domain.persistence.models import Order, OrderEvent

STATUSES = ("draft", "checkout_open", "paid", "queued", "fulfilled", "failed", "cancelled", "expired")
PAID_STATES = ("paid", "queued", "fulfilled")  # money taken: the order is on its way or sent

TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"checkout_open", "paid", "failed", "cancelled"}),
    "checkout_open": frozenset({"paid", "cancelled", "expired", "failed"}),
    "paid": frozenset({"queued", "failed", "cancelled"}),
    "queued": frozenset({"fulfilled", "failed"}),
    "fulfilled": frozenset(),
    "failed": frozenset(),
    "cancelled": frozenset(),
    "expired": frozenset(),
}

_STAMPS = {"paid": "paid_at", "queued": "queued_at", "fulfilled": "fulfilled_at", "cancelled": "cancelled_at"}


class IllegalTransition(NotCancellable):
    """A state change the machine does not allow (409)."""


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS[current]


def move(session: AsyncSession, order: Order, target: str, *, note: str | None = None,
         at: datetime | None = None, events: list[dict[str, Any]] | None = None) -> None:
    """Change status, stamp ``updatedAt`` (and the matching timestamp), record the timeline row and,
    for a customer-visible status, the one public event (``domain.events``) in this transaction.

    With ``events`` the timeline row is appended there instead of to the session, so a caller
    creating an order in its final status writes every timeline row with one multi-row INSERT
    (``write_events``)."""
    if not can_move(order.status, target):
        raise IllegalTransition(f"Order {order.id} is {order.status}; it cannot become {target}.")
    now = at or utcnow()
    order.status = target
    order.updated_at = now
    if target in _STAMPS:
        setattr(order, _STAMPS[target], now)
    if events is not None:
        events.append({"order_id": order.id, "status": target, "note": note, "created_at": now})
        if target in ORDER_STATUS_EVENTS:
            events.append(order_event_row(order, ORDER_STATUS_EVENTS[target], at=now))
        return
    session.add(OrderEvent(order_id=order.id, status=target, note=note, created_at=now))
    if target in ORDER_STATUS_EVENTS:
        order_event(session, order, ORDER_STATUS_EVENTS[target], at=now)


def write_events(session: AsyncSession, events: list[dict[str, Any]]) -> None:
    """Queue the events ``move(..., events=…)`` collected (``domain.persistence.core_rows``): the
    timeline rows and public events go out with the order's other new rows, in queue order."""
    timeline = [e for e in events if PUBLIC_EVENT not in e]
    if timeline:
        insert_rows(session, OrderEvent.__table__, timeline)
    write_event_rows(session, [e[PUBLIC_EVENT] for e in events if PUBLIC_EVENT in e])
