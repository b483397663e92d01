"""The compose-link editor's steps: open a draft, price an edit, start its hosted checkout.

Each step opens the draft by its token again (the token is the only credential), so a page
held open across an expiry or a payment sees the current state.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.compose.checkout import caller_of, order_body, read_edit
from domain.compose.links import open_draft
from domain.core.settings import Settings
from domain.orders import orders
from domain.orders.payloads import parse_order
from domain.orders.status import PAID_STATES
from domain.payments.checkout import close_live_session
from domain.payments.settlement import apply_checkout_outcome
from domain.persistence.db import Database
from domain.persistence.models import ComposeLink, Order


@dataclass(frozen=True)
class ComposeDraft:
    recipient: dict[str, Any]
    message: str
    paid_order_id: str | None  # set once the draft's order is paid: the page shows its status link
    request_type: str  # of the draft's current order, else "letter"


async def open_for_editing(db: Database, token: str) -> ComposeDraft:
    """The draft behind ``token`` (``not_found`` when unknown or expired)."""
    async with db.read() as session:
        link = await open_draft(session, token)
        prior = await session.get(Order, link.order_id) if link.order_id else None
        paid = prior.id if prior is not None and prior.status in PAID_STATES else None
        return ComposeDraft(dict(link.recipient), link.message, paid, prior.request_type if prior else "letter")


async def price(db: Database, settings: Settings, token: str, form: dict[str, Any]) -> int:
    """The live price of the edited draft (raises ``InvalidRequest`` naming the bad field)."""
    async with db.read() as session:
        link = await open_draft(session, token)
        edit = read_edit(link, form)
        quote = await orders.quote_order(session, caller_of(link), parse_order(order_body(link, edit), mode=link.mode),
                                         settings)
        return quote.amount_cents


async def start_checkout(db: Database, settings: Settings, token: str, form: dict[str, Any]) -> str:
    """Create the hosted-checkout order for the edited draft; returns its id.

    A draft already paid keeps its order. An open checkout of an earlier edit is cancelled
    (its Stripe session closed) and replaced, so the person always pays for what they see.
    """
    async with db.read() as session:
        link = await open_draft(session, token)
        prior = await session.get(Order, link.order_id) if link.order_id else None
    if prior is not None and prior.status in PAID_STATES:
        return prior.id
    if prior is not None:
        await close_live_session(settings, prior)
    async with db.transaction() as session:
        link = await open_draft(session, token)
        link = await session.get(ComposeLink, link.id, with_for_update=True, populate_existing=True)  # type: ignore[assignment]
        if link.order_id != (prior.id if prior else None):
            return link.order_id  # type: ignore[return-value]  # a concurrent submit won; follow it
        if prior is not None:
            current = await session.get(Order, prior.id, with_for_update=True, populate_existing=True)
            if current is not None:
                await apply_checkout_outcome(session, current, "cancelled", note="replaced by an edited compose draft")
        edit = read_edit(link, form)
        draft = parse_order(order_body(link, edit), mode=link.mode)
        order = await orders.create_checkout_order(session, caller_of(link), draft, settings, source="compose_link")
        link.order_id = order.id
        link.recipient = draft.pieces[0].recipient.to_payload()
        link.message = draft.pieces[0].message
        return order.id
