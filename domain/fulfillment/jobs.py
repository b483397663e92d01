"""The worker's unit of work: lease a job, hand its pieces over, finish or retry.

Leases make several workers safe: a job is claimed with a compare-and-set UPDATE (only when
unleased or its lease ran out), renewed after every piece, and every write after the claim
checks the lease is still ours. A worker that dies simply stops renewing; another takes the
job over once the lease runs out and skips pieces already recorded as handed off. A piece
handed off but not yet recorded is sent again with the same idempotency key, which the
partner answers with its first result, so each piece is printed once.
"""
from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.core.clock import utcnow
from domain.persistence.db import Database
from domain.core.errors import DomainError
from domain.fulfillment.handoff import (
    JOB_DONE, JOB_FAILED, JOB_PENDING, JOB_REFUNDING, fail_order, order_pieces,
)
from domain.adapters.mail_provider import Submitted
from domain.adapters.print_partner import FulfillmentProvider, HandoffError, handoff_for
from domain.fulfillment import tracking
from domain.persistence.models import Account, FulfillmentJob, Order, OrderPiece
from domain.orders.status import move
from domain.printing.proofs import piece_pdf
from domain.core.settings import Settings

log = logging.getLogger("pieterpost.fulfillment")


@dataclass(frozen=True)
class Claim:
    job_id: str
    order_id: str
    status: str
    attempts: int
    worker_id: str


def backoff_seconds(attempts: int, settings: Settings) -> float:
    """Exponential backoff with ±20 % jitter so retrying workers do not move in lockstep."""
    base = min(settings.fulfillment_retry_max_seconds, settings.fulfillment_retry_base_seconds * 2 ** (attempts - 1))
    return base * random.uniform(0.8, 1.2)


def _account_active():  # type: ignore[no-untyped-def]
    """The job's order belongs to an active account (a paused account's hand-offs wait)."""
    return exists(select(Order.id).join(Account, Account.id == Order.account_id).where(
        Order.id == FulfillmentJob.order_id, Account.status == "active"))


def _claimable(now):  # type: ignore[no-untyped-def]
    # refunds return money to the payer and go on while an account is paused; hand-offs are held
    return (or_(FulfillmentJob.status == JOB_REFUNDING, and_(FulfillmentJob.status == JOB_PENDING, _account_active())),
            FulfillmentJob.run_after <= now,
            or_(FulfillmentJob.leased_until.is_(None), FulfillmentJob.leased_until < now))


async def claim_next(db: Database, settings: Settings, worker_id: str) -> Claim | None:
    """Lease the next due job. Candidates are read first, so an idle poll takes no write lock."""
    now = utcnow()
    lease_end = now + timedelta(seconds=settings.fulfillment_lease_seconds)
    async with db.read() as session:
        candidates = (await session.execute(
            select(FulfillmentJob.id).where(*_claimable(now)).order_by(FulfillmentJob.run_after).limit(5)
        )).scalars().all()
    if not candidates:
        return None
    async with db.transaction() as session:
        for job_id in candidates:
            row = (await session.execute(
                update(FulfillmentJob).where(FulfillmentJob.id == job_id, *_claimable(now))
                .values(leased_until=lease_end, leased_by=worker_id, attempts=FulfillmentJob.attempts + 1)
                .returning(FulfillmentJob.order_id, FulfillmentJob.status, FulfillmentJob.attempts)
            )).first()
            if row is not None:
                return Claim(job_id, row.order_id, row.status, row.attempts, worker_id)
    return None


async def mode_of_claim(db: Database, claim: Claim) -> str:
    """Which partner a job goes to: its order's mode (live when the order row is missing)."""
    async with db.read() as session:
        order = await session.get(Order, claim.order_id)
        return order.mode if order is not None else "live"


async def held(session: AsyncSession, claim: Claim, settings: Settings) -> FulfillmentJob | None:
    """The job, locked, if the lease is still ours (renewed); None when another worker took it."""
    job = await session.get(FulfillmentJob, claim.job_id, with_for_update=True, populate_existing=True)
    if job is None or job.leased_by != claim.worker_id or job.status not in (JOB_PENDING, JOB_REFUNDING):
        return None
    job.leased_until = utcnow() + timedelta(seconds=settings.fulfillment_lease_seconds)
    return job


async def process(db: Database, settings: Settings, provider: FulfillmentProvider, claim: Claim,
                  stop: asyncio.Event | None = None) -> str:
    """Hand a claimed job's pieces over; returns what happened (for logs and tests).

    ``stop`` set (the worker got SIGTERM) ends the job after the piece in hand: that piece
    is recorded, then the lease is released so another worker continues at once instead of
    waiting for the lease to run out, and no piece is sent twice."""
    async with db.transaction() as session:
        job = await held(session, claim, settings)
        order = await session.get(Order, claim.order_id, with_for_update=True, populate_existing=True)
        if job is None or order is None:
            return "lost lease"
        if job.status == JOB_PENDING and await _account_paused(session, order.account_id):
            # paused after the claim: give the lease back untouched (not an attempt), hand nothing off
            job.leased_until, job.leased_by, job.attempts = None, None, max(0, job.attempts - 1)
            return "held (account paused)"
        if order.status == "paid":
            move(session, order, "queued", note="taken by the fulfillment worker")
        elif order.status != "queued":
            job.status, job.leased_until, job.leased_by = JOB_DONE, None, None
            return f"skipped ({order.status})"
        pending = [piece.id for piece in await order_pieces(session, order.id) if piece.status != "handed_off"]
    for piece_id in pending:
        if stop is not None and stop.is_set():
            return await release(db, claim)
        try:
            async with db.read() as session:
                order = await session.get(Order, claim.order_id)
                piece = next(p for p in await order_pieces(session, claim.order_id) if p.id == piece_id)
                assert order is not None
                handoff = handoff_for(order, piece, await piece_pdf(session, settings, order, piece))
        except (OSError, ValueError, DomainError) as exc:  # a missing asset file or an unprintable piece
            return await _give_up(db, claim, f"The print file could not be made: {exc}.")
        try:
            answer = await provider.hand_off(handoff)
        except HandoffError as exc:
            if exc.permanent:
                return await _give_up(db, claim, f"The print partner refused this order: {exc}.")
            return await retry_later(db, settings, claim, str(exc))
        submitted = answer if isinstance(answer, Submitted) else Submitted(answer)
        if not await _record_piece(db, settings, claim, piece_id, submitted, getattr(provider, "name", "http")):
            return "lost lease"
    async with db.transaction() as session:
        job = await held(session, claim, settings)
        order = await session.get(Order, claim.order_id, with_for_update=True, populate_existing=True)
        if job is None or order is None:
            return "lost lease"
        if order.status == "queued":
            move(session, order, "fulfilled", note=f"{len(pending)} piece(s) handed to the print partner")
        job.status, job.leased_until, job.leased_by, job.last_error = JOB_DONE, None, None, None
    return "fulfilled"


async def _account_paused(session: AsyncSession, account_id: str) -> bool:
    account = await session.get(Account, account_id)
    return account is None or account.status != "active"


async def _record_piece(db: Database, settings: Settings, claim: Claim, piece_id: str, submitted: Submitted,
                        provider: str) -> bool:
    async with db.transaction() as session:
        if await held(session, claim, settings) is None:
            return False
        piece = await session.get(OrderPiece, piece_id, with_for_update=True, populate_existing=True)
        if piece is not None and piece.status != "handed_off":
            piece.status, piece.provider_ref, piece.handed_off_at = "handed_off", submitted.reference[:255], utcnow()
            tracking.start(session, piece, provider, submitted.reference, submitted.expected_delivery_date)
    return True


async def release(db: Database, claim: Claim) -> str:
    """Give the job back now, due at once, without counting this attempt (a clean stop is not a failure)."""
    async with db.transaction() as session:
        job = await session.get(FulfillmentJob, claim.job_id, with_for_update=True, populate_existing=True)
        if job is None or job.leased_by != claim.worker_id or job.status not in (JOB_PENDING, JOB_REFUNDING):
            return "lost lease"
        job.leased_until, job.leased_by = None, None
        job.attempts = max(0, job.attempts - 1)
    log.info("job %s released by %s (shutting down)", claim.job_id, claim.worker_id)
    return "released"


async def retry_later(db: Database, settings: Settings, claim: Claim, error: str) -> str:
    """Release the job to run again after a backoff; past the attempt limit the order fails."""
    if claim.attempts >= settings.fulfillment_max_attempts:
        return await _give_up(db, claim, f"The print partner could not be reached after {claim.attempts} "
                                         f"attempts ({error}).")
    delay = backoff_seconds(claim.attempts, settings)
    async with db.transaction() as session:
        job = await held(session, claim, settings)
        if job is None:
            return "lost lease"
        job.run_after = utcnow() + timedelta(seconds=delay)
        job.leased_until, job.leased_by, job.last_error = None, None, error[:2000]
    log.warning("job %s attempt %d failed (%s); retry in %.1f s", claim.job_id, claim.attempts, error, delay)
    return "retry"


async def _give_up(db: Database, claim: Claim, error: str) -> str:
    async with db.transaction() as session:
        job = await session.get(FulfillmentJob, claim.job_id, with_for_update=True, populate_existing=True)
        order = await session.get(Order, claim.order_id, with_for_update=True, populate_existing=True)
        if job is None or order is None or job.leased_by != claim.worker_id:
            return "lost lease"
        if order.status in ("paid", "queued"):
            await fail_order(session, order, job, error)
        else:
            job.status, job.leased_until, job.leased_by = JOB_FAILED, None, None
    log.error("order %s failed: %s", claim.order_id, error)
    return "failed"
