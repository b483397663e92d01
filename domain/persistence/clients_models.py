"""Remembered consent (migration ``0013_clients_consents``).

One row per person and OAuth client: the scopes that person has approved for that client.
An authorization request for the same or fewer scopes skips the consent page; the
dashboard's "Disconnect" deletes the row (and revokes the client's tokens).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from domain.core.clock import utcnow
from domain.persistence.models import Base


class ClientConsent(Base):
    __tablename__ = "oauth_consents"
    account_id: Mapped[str] = mapped_column(String(40), ForeignKey("accounts.id"), primary_key=True)
    client_id: Mapped[str] = mapped_column(Text, primary_key=True)  # registered id or CIMD URL
    scope: Mapped[str] = mapped_column(Text)  # space-separated, every scope ever approved
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
