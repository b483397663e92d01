"""Tracking coming back: signed provider webhooks, and polling pieces that went quiet.

A webhook is verified first (signature, time window); a forged or stale one raises and
changes nothing. A verified event is recorded once per provider event id, in one
transaction with the piece's move; an event for a piece we do not know is acknowledged and
logged, so the provider stops retrying. The worker also asks the provider about pieces
without news for ``tracking_poll_quiet_seconds``, so a lost webhook does not leave a piece
stuck; polled events that repeat a kind already recorded are skipped.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from domain.adapters import lob, pingen
from domain.adapters.webhook_signatures import verify_lob, verify_pingen
from domain.adapters.mail_provider import HandoffError, ProviderEvent, WebhookRejected
from domain.core.clock import utcnow
from domain.core.errors import DomainError, ErrorCode, InvalidRequest
from domain.core.settings import Settings
from domain.fulfillment import tracking
from domain.persistence.db import Database
from domain.persistence.mail_models import PieceTracking

log = logging.getLogger("pieterpost.tracking")


def _verified(provider: str, settings: Settings, body: bytes,
              headers: Mapping[str, str]) -> tuple[str | None, ProviderEvent | None]:
    now = utcnow()
    try:
        if provider == "lob":
            event: dict[str, Any] = verify_lob(body, headers, settings.lob_webhook_secret,
                                                   settings.provider_webhook_tolerance_seconds, now)
            return lob.webhook_event(event)
        event = verify_pingen(body, headers, settings.pingen_webhook_secret,
                              settings.pingen_webhook_max_age_seconds,
                              settings.provider_webhook_tolerance_seconds, now)
        return pingen.webhook_event(event)
    except WebhookRejected as exc:
        if exc.stale:
            raise InvalidRequest(str(exc)) from exc
        raise DomainError(str(exc), code=ErrorCode.INVALID_SIGNATURE) from exc


async def receive_webhook(db: Database, settings: Settings, provider: str, body: bytes,
                          headers: Mapping[str, str]) -> str:
    """Apply one provider webhook; returns ``moved``, ``recorded``, ``duplicate`` or ``ignored: …``."""
    reference, event = _verified(provider, settings, body, headers)
    if reference is None or event is None:
        log.info("%s webhook ignored: not a piece event we track", provider)
        return "ignored: not a tracking event"
    try:
        async with db.transaction() as session:
            found = await tracking.find(session, provider, reference)
            if found is None:
                log.warning("%s webhook for unknown piece %s ignored", provider, reference[:80])
                return "ignored: unknown piece"
            return await tracking.record(session, found, event)
    except IntegrityError:  # the same event delivered twice at the same moment
        return "duplicate"


async def poll_quiet(db: Database, settings: Settings, adapter_named: Callable[[str, Settings], Any]) -> int:
    """Ask providers about live pieces without news for a while; returns how many were asked.

    Each piece is asked of the provider that took it (``adapter_named``), even after the
    operator switched providers.
    """
    cutoff = utcnow() - timedelta(seconds=settings.tracking_poll_quiet_seconds)
    async with db.read() as session:
        quiet = list((await session.execute(
            select(PieceTracking.piece_id, PieceTracking.provider, PieceTracking.provider_ref)
            .where(PieceTracking.status.not_in(tracking.ENDS), PieceTracking.checked_at < cutoff,
                   PieceTracking.provider.in_(("lob", "pingen")))
            .order_by(PieceTracking.checked_at).limit(settings.tracking_poll_batch))).all())
    opened: dict[str, Any] = {}
    try:
        for piece_id, provider, reference in quiet:
            adapter = opened.setdefault(provider, adapter_named(provider, settings))
            try:
                events = await adapter.fetch_status(reference)
            except HandoffError as exc:
                log.warning("status of %s piece %s unavailable: %s", provider, piece_id, exc)
                events = []
            await _apply_polled(db, piece_id, events)
    finally:
        for adapter in opened.values():
            await adapter.aclose()
    return len(quiet)


async def _apply_polled(db: Database, piece_id: str, events: list[ProviderEvent]) -> None:
    async with db.transaction() as session:
        row = await session.get(PieceTracking, piece_id, with_for_update=True, populate_existing=True)
        if row is None:
            return
        for event in sorted(events, key=lambda e: e.occurred_at):
            if not await tracking.has_event_of_type(session, row, event.status):
                await tracking.record(session, row, event)
        row.checked_at = utcnow()
