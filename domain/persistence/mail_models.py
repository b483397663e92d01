"""Tables of live mail tracking: where each handed-off piece is, and what the provider said.

``piece_tracking`` holds one row per piece given to a provider (its latest status, the
provider's id, the expected delivery date); ``tracking_events`` every event once, keyed by
the provider's own event id so a retried webhook is recorded a single time.
``operator_credits`` keeps the reason and note of each live credit an operator posted.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from domain.core.clock import utcnow
from domain.persistence.models import Base


class PieceTracking(Base):
    __tablename__ = "piece_tracking"
    __table_args__ = (UniqueConstraint("provider", "provider_ref"),
                      Index("ix_piece_tracking_status_checked", "status", "checked_at"))
    piece_id: Mapped[str] = mapped_column(ForeignKey("order_pieces.id"), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    provider: Mapped[str] = mapped_column(String(16))
    provider_ref: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(24))
    expected_delivery_date: Mapped[str | None] = mapped_column(String(10))
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)  # last webhook or poll with news


class TrackingEvent(Base):
    __tablename__ = "tracking_events"
    __table_args__ = (UniqueConstraint("provider", "provider_event_id"),
                      Index("ix_tracking_events_piece", "piece_id", "occurred_at"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    piece_id: Mapped[str] = mapped_column(ForeignKey("order_pieces.id"))
    provider: Mapped[str] = mapped_column(String(16))
    provider_event_id: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(24))  # the piece status this event signals
    description: Mapped[str | None] = mapped_column(String(255))  # the provider's own wording
    location: Mapped[str | None] = mapped_column(String(255))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class OperatorCredit(Base):
    __tablename__ = "operator_credits"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    ledger_entry_id: Mapped[str] = mapped_column(String(40))
    mode: Mapped[str] = mapped_column(String(8))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
