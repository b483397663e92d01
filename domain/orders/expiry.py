"""Unpaid checkouts and top-ups close after 24 h (docs/product.md § Order statuses).

Test-mode orders expire exactly at ``expiresAt``. Live ones wait a grace period past it:
Stripe closes the session at the same moment, and a payment completed in its last second
must still find the order open when the webhook arrives (Stripe's own ``expired`` event
usually closes it first anyway).
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, or_, select

from domain.core.clock import utcnow
from domain.persistence.db import Database
from domain.persistence.models import Order, Topup
from domain.payments.settlement import close_topup, expire_checkout
from domain.core.settings import Settings

TOPUP_TTL = timedelta(hours=24)
BATCH = 100


async def expire_due(db: Database, settings: Settings) -> int:
    """Close one batch of overdue checkouts and top-ups; returns how many changed."""
    now = utcnow()
    live_cutoff = now - timedelta(seconds=settings.checkout_expiry_grace_seconds)
    due_orders = select(Order).where(Order.status == "checkout_open", or_(
        and_(Order.mode == "test", Order.expires_at <= now),
        and_(Order.mode == "live", Order.expires_at <= live_cutoff),
    )).limit(BATCH)
    due_topups = select(Topup).where(Topup.status == "pending", Topup.created_at <= live_cutoff - TOPUP_TTL)\
        .limit(BATCH)
    async with db.read() as session:  # an idle sweep takes no write lock
        if not (await session.execute(due_orders)).first() and not (await session.execute(due_topups)).first():
            return 0
    changed = 0
    async with db.transaction() as session:
        orders = (await session.execute(due_orders.with_for_update(skip_locked=True))).scalars().all()
        for order in orders:
            changed += await expire_checkout(session, order, note="checkout not paid within 24 hours")
        topups = (await session.execute(due_topups.with_for_update(skip_locked=True))).scalars().all()
        for topup in topups:
            changed += await close_topup(session, topup, "expired")
    return changed
