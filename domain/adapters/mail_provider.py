"""What every print-and-mail provider adapter offers, and the plain types they hand back.

``MailProvider`` is the one interface the worker and the webhook routes see: hand a piece
over (print-ready PDF plus address) under our idempotency key, cancel it while the provider
still allows, and fetch its status for polling. Adapters map the provider's own statuses
and event names onto ``domain.fulfillment.tracking``'s piece statuses via ``ProviderEvent``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.adapters.print_partner import Handoff, HandoffError

__all__ = ["Handoff", "HandoffError", "MailProvider", "ProviderEvent", "Submitted", "WebhookRejected"]


@dataclass(frozen=True)
class Submitted:
    """The provider took the piece."""

    reference: str
    expected_delivery_date: str | None = None  # YYYY-MM-DD where the provider gives one


@dataclass(frozen=True)
class ProviderEvent:
    """One thing a provider said about a piece, mapped onto our piece statuses.

    ``status`` is a piece status, or ``issue`` for a problem report that moves nothing.
    """

    event_id: str  # the provider's id for this event: it is recorded once
    status: str
    occurred_at: datetime
    description: str | None = None
    location: str | None = None
    expected_delivery_date: str | None = None


class WebhookRejected(Exception):
    """An inbound webhook that must change nothing. ``stale`` → 400, otherwise 401."""

    def __init__(self, message: str, *, stale: bool = False) -> None:
        super().__init__(message)
        self.stale = stale


class MailProvider(Protocol):
    name: str

    async def hand_off(self, handoff: Handoff) -> Submitted | str:
        """Give the piece to the provider under ``handoff.piece_id`` as idempotency key."""
        ...

    async def cancel(self, reference: str) -> bool:
        """Withdraw a piece; False when the provider no longer allows it."""
        ...

    async def fetch_status(self, reference: str) -> list[ProviderEvent]:
        """What the provider knows now (for pieces whose webhooks went quiet)."""
        ...
