"""Paid orders into print: paid → queued → fulfilled, or failed with the money returned.

Test mode hands every piece to the simulated provider at once, inside the paying
transaction (the create response may already say ``fulfilled``). Live mode adds a
``fulfillment_jobs`` row that a worker leases (``domain.fulfillment.jobs``); until the worker
takes it the order stays ``paid`` and can still be cancelled with a refund.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.core.clock import utcnow
from domain.adapters.print_partner import SimulatedProvider, handoff_for
from domain.core.ids import new_id
from domain.persistence.core_rows import insert_new
from domain.persistence.models import FulfillmentJob, Order, OrderPiece
from domain.events import order_event
from domain.orders.status import move
from domain.money.wallets import ensure_wallet, post_entry

JOB_PENDING, JOB_REFUNDING, JOB_DONE, JOB_FAILED, JOB_CANCELLED = "pending", "refunding", "done", "failed", "cancelled"


async def order_pieces(session: AsyncSession, order_id: str) -> list[OrderPiece]:
    stmt = select(OrderPiece).where(OrderPiece.order_id == order_id).order_by(OrderPiece.position)
    return list((await session.execute(stmt)).scalars())


async def enqueue(session: AsyncSession, order: Order, *, pieces: list[OrderPiece] | None = None,
                  events: list[dict[str, Any]] | None = None) -> None:
    """Called right after an order became ``paid``.

    A new order passes its unsaved ``pieces`` and ``events`` list: the simulated hand-off then
    happens in memory and the order, its pieces and events are written once, in final form."""
    if order.mode == "test":
        await _simulate(session, order, pieces, events)
        return
    job = FulfillmentJob(id=new_id("job"), order_id=order.id, status=JOB_PENDING, run_after=utcnow())
    if pieces is not None:  # a new order, queued after this (core_rows): the job goes out with it
        insert_new(session, [job])
        return
    await session.flush()  # the order's change first: the job refers to it
    session.add(job)
    await session.flush()


async def _simulate(session: AsyncSession, order: Order, pieces: list[OrderPiece] | None,
                    events: list[dict[str, Any]] | None) -> None:
    move(session, order, "queued", events=events)
    provider = SimulatedProvider()
    now = utcnow()
    for piece in pieces if pieces is not None else await order_pieces(session, order.id):
        piece.provider_ref = await provider.hand_off(handoff_for(order, piece))
        piece.status, piece.handed_off_at = "handed_off", now
    move(session, order, "fulfilled", note="simulated fulfillment (test mode)", events=events)


async def cancel_job(session: AsyncSession, order: Order) -> None:
    """A paid order cancelled before the worker took it: print nothing; refund a Stripe payment."""
    job = (await session.execute(select(FulfillmentJob).where(FulfillmentJob.order_id == order.id))).scalar_one_or_none()
    if job is None or job.status != JOB_PENDING:
        return
    stripe_paid = order.billing_mode == "hosted_checkout" and order.mode == "live" and order.payment_reference
    job.status = JOB_REFUNDING if stripe_paid else JOB_CANCELLED
    job.leased_until, job.leased_by, job.run_after, job.attempts = None, None, utcnow(), 0


async def refund_later(session: AsyncSession, order: Order) -> None:
    """A Stripe payment to return for an order that will not be printed: a ``refunding`` job."""
    job = (await session.execute(select(FulfillmentJob).where(FulfillmentJob.order_id == order.id))).scalar_one_or_none()
    if job is None:
        session.add(FulfillmentJob(id=new_id("job"), order_id=order.id, status=JOB_REFUNDING, run_after=utcnow()))
    elif job.status not in (JOB_REFUNDING,):
        job.status, job.leased_until, job.leased_by, job.run_after, job.attempts = \
            JOB_REFUNDING, None, None, utcnow(), 0
    await session.flush()


async def fail_order(session: AsyncSession, order: Order, job: FulfillmentJob | None, error: str) -> None:
    """Permanent failure after payment (docs/product.md § Order statuses): ``failed`` with ``error``, money back.

    Wallet-paid orders get a refund ledger row in this same transaction. Orders paid through
    Stripe Checkout are refunded through Stripe by the worker (the job turns ``refunding``).
    """
    order.error = error
    move(session, order, "failed", note=error)
    if order.billing_mode == "credits":
        wallet = await ensure_wallet(session, order.account_id, order.mode, order.currency)
        entry = await post_entry(session, wallet, order.amount_cents, "refund", order_id=order.id)
        order.refund_reference = f"wallet:{entry.id}"
        order_event(session, order, "order.refunded")
        next_status = JOB_FAILED
    else:
        next_status = JOB_REFUNDING if order.mode == "live" and order.payment_reference else JOB_FAILED
    if job is not None:
        job.status, job.last_error = next_status, error
        job.leased_until, job.leased_by, job.run_after = None, None, utcnow()
        if next_status == JOB_REFUNDING:
            job.attempts = 0
