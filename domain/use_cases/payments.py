"""What the payer-facing pages read and decide: the sandbox checkout, ``/pay``, cancel links.

The sandbox plays Stripe in test mode: its Pay and Cancel buttons, the payer's cancel link
and the live webhook all reach ``payments.settlement.apply_checkout_outcome`` (top-ups:
``apply_topup_outcome``), each inside one transaction on the locked row. The pages see
plain snapshots, never rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from domain.adapters import stripe_gateway
from domain.core.errors import NotCancellable
from domain.core.ids import new_id
from domain.fulfillment.handoff import order_pieces
from domain.orders.status import PAID_STATES
from domain.payments import checkout
from domain.payments.checkout import return_target, topup_return_target
from domain.payments.settlement import CheckoutOutcome, apply_checkout_outcome, apply_topup_outcome, is_past_expiry
from domain.persistence.db import Database
from domain.persistence.models import Order, Topup
from domain.core.settings import Settings



@dataclass(frozen=True)
class HostedOrder:
    """A hosted-checkout order as its payer may see it (nothing of the account)."""

    id: str
    mode: str
    status: str
    past_expiry: bool
    checkout_url: str | None
    request_type: str
    recipient_count: int
    amount_cents: int
    currency: str
    locale: str


@dataclass(frozen=True)
class HostedTopup:
    id: str
    status: str
    amount_cents: int
    currency: str


def _hosted(order: Order) -> HostedOrder:
    return HostedOrder(order.id, order.mode, order.status, is_past_expiry(order), order.checkout_url,
                       order.request_type, order.recipient_count, order.amount_cents, order.currency, order.locale)


async def hosted_order(db: Database, order_id: str) -> HostedOrder | None:
    """The order behind ``/pay/{id}``; None unless it is paid through a hosted checkout."""
    async with db.read() as session:
        order = await session.get(Order, order_id)
        return _hosted(order) if order is not None and order.billing_mode == "hosted_checkout" else None


async def sandbox_checkout(db: Database, order_id: str) -> tuple[HostedOrder, list[dict[str, Any]]] | None:
    """A test-mode hosted order and its pieces for the sandbox page; None for anything else."""
    async with db.read() as session:
        order = await session.get(Order, order_id)
        if order is None or order.mode != "test" or order.billing_mode != "hosted_checkout":
            return None
        pieces = [{"position": p.position, "recipient": dict(p.recipient), "message": p.message,
                   "attachments": len(p.attachments or []), "pages": p.page_count, "amount_cents": p.amount_cents}
                  for p in await order_pieces(session, order.id)]
        return _hosted(order), pieces


async def sandbox_outcome(db: Database, settings: Settings, order_id: str,
                          action: Literal["pay", "cancel"]) -> str | None:
    """Pay or Cancel pressed in the sandbox: where to send the payer, or None (no such checkout).

    Like Stripe, the sandbox no longer takes a payment once the session passed its expiry."""
    async with db.transaction() as session:
        order = await session.get(Order, order_id, with_for_update=True)
        if order is None or order.mode != "test" or order.billing_mode != "hosted_checkout":
            return None
        outcome: CheckoutOutcome
        if order.status == "checkout_open" and is_past_expiry(order):
            outcome, note = "expired", "checkout not paid within 24 hours"
        elif action == "pay":
            outcome, note = "paid", "paid in the sandbox"
        else:
            outcome, note = "cancelled", "cancelled in the sandbox"
        await apply_checkout_outcome(session, order, outcome, note=note, reference=f"sandbox:{new_id('pay')}")
        return return_target(settings, order, "success" if order.status in PAID_STATES else "cancelled")


async def payer_cancelled(db: Database, settings: Settings, order_id: str) -> str | None:
    """Stripe's ``cancel_url``: close the live session, cancel the order; where the payer goes next."""
    async with db.read() as session:
        order = await session.get(Order, order_id)
    if order is None:
        return None
    try:
        await checkout.close_live_session(settings, order)
    except NotCancellable:  # paid a moment ago: the webhook settles it
        return return_target(settings, order, "success")
    except stripe_gateway.StripeUnavailable:
        return f"/pay/{order.id}/return?checkout=cancelled"
    async with db.transaction() as session:
        locked = await session.get(Order, order.id, with_for_update=True)
        if locked is not None:
            await apply_checkout_outcome(session, locked, "cancelled", note="the payer cancelled the checkout")
    return return_target(settings, order, "cancelled")


async def hosted_topup(db: Database, topup_id: str) -> HostedTopup | None:
    async with db.read() as session:
        topup = await session.get(Topup, topup_id)
        return None if topup is None else HostedTopup(topup.id, topup.status, topup.amount_cents, topup.currency)


async def topup_payer_cancelled(db: Database, settings: Settings, topup_id: str) -> str | None:
    """Stripe's ``cancel_url`` for a top-up: close the session so it cannot be paid later."""
    async with db.read() as session:
        topup = await session.get(Topup, topup_id)
    if topup is None:
        return None
    outcome = "cancelled"
    if topup.status == "pending" and topup.stripe_session_id:
        try:
            final = await stripe_gateway.expire_session(settings, topup.stripe_session_id)
        except stripe_gateway.StripeUnavailable:
            final = "open"
        if final == "expired":
            async with db.transaction() as session:
                locked = await session.get(Topup, topup.id, with_for_update=True)
                if locked is not None:
                    await apply_topup_outcome(session, locked, "cancelled")
        elif final == "complete":
            outcome = "success"
    return topup_return_target(settings, topup, outcome)
