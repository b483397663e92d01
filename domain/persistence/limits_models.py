"""Tables of the live spending limits (migration ``0014_limits_spend``).

``spend_limits`` holds the limits people set (operator override, account holder's lower value,
per API key, per OAuth grant); ``live_spend_days`` counts what live direct sends drew from the
wallet per subject, currency and UTC day. The counter row is raised with one conditional
upsert inside the order's transaction, so two sends can never pass a limit together.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from domain.core.clock import utcnow
from domain.persistence.models import Base


class SpendLimit(Base):
    """A daily live limit in cents (applies to each currency). ``kind``: operator|holder|key|grant."""

    __tablename__ = "spend_limits"
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(40), primary_key=True)  # account, key or grant id
    account_id: Mapped[str] = mapped_column(String(40), index=True)
    daily_cents: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class LiveSpendDay(Base):
    """Cents of live direct sends per subject (``account``|``key``|``grant``), currency and UTC day."""

    __tablename__ = "live_spend_days"
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)  # days since 1970-01-01 UTC
    spent_cents: Mapped[int] = mapped_column(BigInteger, default=0)
