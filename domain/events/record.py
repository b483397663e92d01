"""``record``: add one immutable event row to the caller's transaction.

Synchronous on purpose: ``domain.orders.status.move`` is synchronous and every state change
already holds a session; the row commits or rolls back with the change itself. Deliveries
are made later by the worker (``domain.webhooks.fanout``), so recording never does I/O.
"""
from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncSession

from domain.core.clock import utcnow
from domain.core.ids import new_id
from domain.events.catalogue import CATALOGUE
from domain.events.snapshots import order_data, piece_data, topup_data
from domain.persistence.core_rows import insert_rows
from domain.persistence.models import Order, OrderPiece, Topup
from domain.persistence.webhook_models import Event


#: key under which a batched event row travels in a caller's list (``order_event_row``)
PUBLIC_EVENT = "__public_event__"


def _values(*, type: str, account_id: str, mode: str, object_id: str, data: dict[str, Any],
            at: datetime | None) -> dict[str, Any]:
    if type not in CATALOGUE:
        raise ValueError(f"unknown event type {type!r}; add it to domain.events.catalogue")
    return {"id": new_id("evt"), "account_id": account_id, "mode": mode, "type": type,
            "object_type": CATALOGUE[type][0], "object_id": object_id, "data": copy.deepcopy(data),
            "fanned_out": False, "created_at": at or utcnow()}


def record(session: AsyncSession, *, type: str, account_id: str, mode: str, object_id: str,
           data: dict[str, Any], at: datetime | None = None) -> Event:
    """Append the event ``type`` about ``object_id``; ``data`` is the object as it is now."""
    row = Event(**_values(type=type, account_id=account_id, mode=mode, object_id=object_id, data=data, at=at))
    session.add(row)
    return row


def order_event_row(order: Order, type: str, *, at: datetime | None = None) -> dict[str, Any]:
    """The event as a row for a batch (the lean order path writes its events in one INSERT
    with ``write_event_rows``); the snapshot is taken now, as with ``order_event``."""
    return {PUBLIC_EVENT: _values(type=type, account_id=order.account_id, mode=order.mode, object_id=order.id,
                                  data=order_data(order), at=at)}


def write_event_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Queue batched event rows in the order they were made (``domain.persistence.core_rows``)."""
    if rows:
        insert_rows(session, Event.__table__, rows)


def order_event(session: AsyncSession, order: Order, type: str, *, at: datetime | None = None) -> Event:
    return record(session, type=type, account_id=order.account_id, mode=order.mode, object_id=order.id,
                  data=order_data(order), at=at)


def topup_event(session: AsyncSession, topup: Topup, type: str) -> Event:
    return record(session, type=type, account_id=topup.account_id, mode=topup.mode, object_id=topup.id,
                  data=topup_data(topup))


def piece_event(session: AsyncSession, order: Order, piece: OrderPiece, type: str, *,
                tracking: dict[str, Any] | None = None, at: datetime | None = None) -> Event:
    """The entry point for piece tracking: ``piece.mailed`` / ``in_transit`` / ``delivered`` /
    ``returned_to_sender``, with whatever the carrier reported in ``tracking``."""
    if not type.startswith("piece."):
        raise ValueError(f"{type!r} is not a piece event")
    return record(session, type=type, account_id=order.account_id, mode=order.mode, object_id=piece.id,
                  data=piece_data(order, piece, tracking), at=at)


@sa_event.listens_for(Event, "before_update")
def _immutable(_mapper: Any, _connection: Any, target: Event) -> None:
    raise RuntimeError(f"event {target.id} is immutable")
