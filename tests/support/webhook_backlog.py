"""Settle every pending webhook delivery and unfanned event of a test database.

Tests share one database per session; a test that counts the webhook queue (or whose worker
round must see only its own deliveries) starts from nothing pending. Earlier tests' receivers
are gone anyway, so their deliveries would only ever fail.
"""
from __future__ import annotations

from sqlalchemy import update

from domain.persistence.db import Database
from domain.persistence.webhook_models import Event, WebhookDelivery


async def settle_pending(database_url: str) -> None:
    db = Database(database_url)
    try:
        async with db.transaction() as session:
            await session.execute(update(WebhookDelivery).where(WebhookDelivery.status == "pending")
                                  .values(status="cancelled"))
            await session.execute(update(Event).where(Event.fanned_out.is_(False)).values(fanned_out=True))
    finally:
        await db.dispose()
