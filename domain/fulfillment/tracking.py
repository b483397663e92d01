"""Where each piece is: the piece status machine and the one function that moves it.

A piece handed to a provider goes ``submitted → in_production → mailed → in_transit →
delivered``, or ends ``returned_to_sender`` / ``undeliverable`` / ``provider_cancelled``.
Providers deliver events late, twice and out of order, so a piece only ever moves forward:
an event that signals an earlier step is recorded in the timeline but leaves the status as
it is, and a piece in an end state stays there. ``move_piece`` is the only writer of
``piece_tracking.status``; anything that wants to react to a piece moving (outbound
webhooks, mail to the sender) hooks in there.
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.adapters.mail_provider import ProviderEvent
from domain.core.clock import utcnow
from domain.persistence.mail_models import PieceTracking, TrackingEvent
from domain.persistence.models import OrderPiece

log = logging.getLogger("pieterpost.tracking")

FORWARD = ("submitted", "in_production", "mailed", "in_transit", "delivered")
ENDS = ("delivered", "returned_to_sender", "undeliverable", "provider_cancelled")
STATUSES = FORWARD + ENDS[1:]
_RANK = {status: rank for rank, status in enumerate(FORWARD)} | {end: len(FORWARD) for end in ENDS[1:]}


def can_move(current: str, target: str) -> bool:
    """Forward only; end states are final."""
    if current in ENDS:
        return False
    return _RANK[target] > _RANK[current]


def move_piece(session: AsyncSession, tracking: PieceTracking, target: str, *, at: datetime | None = None) -> bool:
    """The one place a piece status changes. Returns whether it moved (False: stale or backwards)."""
    if target not in _RANK:
        raise ValueError(f"unknown piece status {target!r}")
    if not can_move(tracking.status, target):
        return False
    _changed(tracking, tracking.status, target)
    tracking.status = target
    tracking.status_changed_at = at or utcnow()
    return True


def _changed(tracking: PieceTracking, before: str | None, after: str) -> None:
    """Every piece status change passes here (``start`` and ``move_piece``): the hook point."""
    log.info("piece %s: %s -> %s", tracking.piece_id, before or "untracked", after)


def start(session: AsyncSession, piece: OrderPiece, provider: str, reference: str,
          expected_delivery_date: str | None = None) -> PieceTracking:
    """A piece the provider accepted: tracking begins at ``submitted``."""
    now = utcnow()
    tracking = PieceTracking(piece_id=piece.id, order_id=piece.order_id, provider=provider,
                             provider_ref=reference[:255], status="submitted",
                             expected_delivery_date=expected_delivery_date, status_changed_at=now, checked_at=now)
    _changed(tracking, None, "submitted")
    session.add(tracking)
    return tracking


async def find(session: AsyncSession, provider: str, reference: str) -> PieceTracking | None:
    stmt = select(PieceTracking).where(PieceTracking.provider == provider, PieceTracking.provider_ref == reference)
    return (await session.execute(stmt.with_for_update())).scalar_one_or_none()


async def record(session: AsyncSession, tracking: PieceTracking, event: ProviderEvent) -> str:
    """Record ``event`` once and move the piece if it signals progress: ``moved``/``recorded``/``duplicate``."""
    seen = await session.scalar(select(TrackingEvent.id).where(
        TrackingEvent.provider == tracking.provider, TrackingEvent.provider_event_id == event.event_id))
    if seen is not None:
        return "duplicate"
    session.add(TrackingEvent(
        piece_id=tracking.piece_id, provider=tracking.provider, provider_event_id=event.event_id[:255],
        type=event.status, description=(event.description or None) and event.description[:255],
        location=(event.location or None) and event.location[:255], occurred_at=event.occurred_at,
        received_at=utcnow()))
    tracking.checked_at = utcnow()
    if event.expected_delivery_date:
        tracking.expected_delivery_date = event.expected_delivery_date[:10]
    moved = event.status in _RANK and move_piece(session, tracking, event.status, at=event.occurred_at)
    await session.flush()
    return "moved" if moved else "recorded"


async def has_event_of_type(session: AsyncSession, tracking: PieceTracking, status: str) -> bool:
    """Polling sees the same scans as the webhooks under other ids: one per kind is enough."""
    return await session.scalar(select(TrackingEvent.id).where(
        TrackingEvent.piece_id == tracking.piece_id, TrackingEvent.type == status).limit(1)) is not None
