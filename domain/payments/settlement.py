"""Payment outcomes of hosted checkouts and top-ups, as state changes inside one transaction.

``apply_checkout_outcome`` and ``apply_topup_outcome`` are the one decision: the sandbox
page's Pay/Cancel buttons (test mode), the payer's cancel link and the Stripe webhook (live
mode) all end there, so a test-mode run walks exactly the path a live payment takes
(docs/product.md § Payments). Each returns whether it changed anything: a repeated or late
outcome is a no-op, never an error.
"""
from __future__ import annotations

import logging
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from domain.core.clock import utcnow
from domain.fulfillment.handoff import enqueue, refund_later
from domain.persistence.models import Order, OrderEvent, Topup
from domain.orders.status import move
from domain.money.topups import mark_paid
from domain.events import topup_event
from domain.events.catalogue import TOPUP_STATUS_EVENTS

log = logging.getLogger("pieterpost.payments")

CheckoutOutcome = Literal["paid", "cancelled", "expired", "failed"]
TopupOutcome = Literal["paid", "cancelled", "expired", "failed"]


def is_past_expiry(order: Order) -> bool:
    return order.expires_at is not None and order.expires_at <= utcnow()


async def settle_order(session: AsyncSession, order: Order, *, reference: str, note: str) -> bool:
    """checkout_open → paid, then into fulfillment (docs/product.md § Payments)."""
    if order.status != "checkout_open":
        if order.status in ("cancelled", "expired", "failed") and order.mode == "live" \
                and not order.payment_reference:
            # Money arrived for an order that is already closed: give it back through Stripe.
            log.warning("payment %s arrived for %s order %s; refunding", reference, order.status, order.id)
            order.payment_reference = reference
            session.add(OrderEvent(order_id=order.id, status=order.status, created_at=utcnow(),
                                   note=f"late payment {reference} is refunded"))
            await refund_later(session, order)
        return False
    order.payment_reference = reference
    move(session, order, "paid", note=note)
    await enqueue(session, order)
    return True


async def cancel_checkout(session: AsyncSession, order: Order, *, note: str) -> bool:
    """The payer walked away: checkout_open → cancelled, nothing charged."""
    if order.status != "checkout_open":
        return False
    move(session, order, "cancelled", note=note)
    return True


async def expire_checkout(session: AsyncSession, order: Order, *, note: str) -> bool:
    if order.status != "checkout_open":
        return False
    move(session, order, "expired", note=note)
    return True


async def fail_checkout(session: AsyncSession, order: Order, *, error: str) -> bool:
    """An asynchronous payment (e.g. a bank debit) did not complete: the order fails."""
    if order.status != "checkout_open":
        return False
    order.error = error
    move(session, order, "failed", note=error)
    return True


async def settle_topup(session: AsyncSession, topup: Topup) -> bool:
    """Credit the wallet once. A top-up closed locally (expired/cancelled) still gets its money."""
    if topup.status == "paid":
        return False
    await mark_paid(session, topup)
    return True


async def close_topup(session: AsyncSession, topup: Topup, status: str) -> bool:
    """pending → failed | expired | cancelled; a paid top-up is never reopened."""
    if topup.status != "pending":
        return False
    topup.status = status
    topup.updated_at = utcnow()
    topup_event(session, topup, TOPUP_STATUS_EVENTS[status])
    return True


async def apply_checkout_outcome(session: AsyncSession, order: Order, outcome: CheckoutOutcome, *,
                                 note: str, reference: str | None = None) -> bool:
    """What a payment provider reported for an order's checkout, applied to the locked order.

    ``paid`` needs the payment ``reference``; ``failed`` keeps ``note`` as the order's error."""
    if outcome == "paid":
        assert reference is not None
        return await settle_order(session, order, reference=reference, note=note)
    if outcome == "failed":
        return await fail_checkout(session, order, error=note)
    if outcome == "expired":
        return await expire_checkout(session, order, note=note)
    return await cancel_checkout(session, order, note=note)


async def apply_topup_outcome(session: AsyncSession, topup: Topup, outcome: TopupOutcome) -> bool:
    """``paid`` credits the wallet once; anything else closes a pending top-up."""
    if outcome == "paid":
        return await settle_topup(session, topup)
    return await close_topup(session, topup, outcome)
