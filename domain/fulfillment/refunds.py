"""Returning a Stripe Checkout payment for an order that cannot be printed or was cancelled.

The job of such an order turns ``refunding``; the worker leases it like any job and asks
Stripe for the refund with an idempotency key derived from the order, retrying with backoff
until Stripe confirms (money owed is never given up on).
"""
from __future__ import annotations

from datetime import timedelta

from domain.adapters import stripe_gateway
from domain.core.clock import utcnow
from domain.persistence.db import Database
from domain.fulfillment.handoff import JOB_FAILED
from domain.fulfillment.jobs import Claim, backoff_seconds, held
from domain.persistence.models import Order
from domain.core.settings import Settings
from domain.events import order_event


async def process_refund(db: Database, settings: Settings, claim: Claim) -> str:
    """Return a Stripe Checkout payment for an order that cannot be printed; retried until done."""
    async with db.read() as session:
        order = await session.get(Order, claim.order_id)
    if order is None or not order.payment_reference:
        async with db.transaction() as session:
            job = await held(session, claim, settings)
            if job is not None:
                job.status, job.leased_until, job.leased_by = JOB_FAILED, None, None
        return "nothing to refund"
    try:
        refund_id = await stripe_gateway.refund_payment(
            settings, payment_intent=order.payment_reference, idempotency_key=f"pieterpost-refund-{order.id}",
            metadata={"orderId": order.id})
    except Exception as exc:  # noqa: BLE001 - any failure: keep the money path alive and retry
        async with db.transaction() as session:
            job = await held(session, claim, settings)
            if job is not None:
                job.run_after = utcnow() + timedelta(seconds=backoff_seconds(claim.attempts, settings))
                job.leased_until, job.leased_by, job.last_error = None, None, f"refund: {exc}"[:2000]
        return "refund retry"
    async with db.transaction() as session:
        job = await held(session, claim, settings)
        order = await session.get(Order, claim.order_id, with_for_update=True, populate_existing=True)
        if job is None or order is None:
            return "lost lease"
        if order.refund_reference != refund_id:
            order.refund_reference = refund_id
            order_event(session, order, "order.refunded")
        job.status, job.leased_until, job.leased_by = JOB_FAILED, None, None
    return "refunded"
