"""What the compose-link page does with its draft: price an edit, then pay through checkout.

The draft token is the only credential: it opens its one draft (``open_draft``), and the
order it starts belongs to the account and mode that created the link. The edited
recipient and message go through the same parser and price as any API order, so the page
can never send something the API would refuse.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.orders import orders
from domain.payments.checkout import close_live_session
from domain.compose.links import open_draft
from domain.core.context import Caller
from domain.persistence.db import Database
from domain.core.errors import InvalidRequest
from domain.persistence.models import ComposeLink, Order
from domain.orders.payloads import parse_order
from domain.payments.settlement import cancel_checkout
from domain.core.settings import Settings

KINDS = ("letter", "postcard")
STRUCTURED = ("name", "streetAddress", "extra", "postalCode", "city", "state", "country")
PAID_STATES = ("paid", "queued", "fulfilled")


@dataclass(frozen=True)
class ComposeEdit:
    request_type: str
    recipient: dict[str, Any]
    message: str


def read_edit(link: ComposeLink, form: dict[str, Any]) -> ComposeEdit:
    """The person's edit from the page's fields; unknown fields are ignored."""
    kind = form.get("requestType") or "letter"
    if kind not in KINDS:
        raise InvalidRequest('requestType must be "letter" or "postcard".', field="requestType")
    recipient: dict[str, Any] = {k: v for k, v in link.recipient.items() if k in ("id", "customFields")}
    for key in STRUCTURED:
        value = form.get(key)
        if isinstance(value, str) and value.strip():
            recipient[key] = value.strip()
    lines = form.get("addressLines")
    if isinstance(lines, str) and lines.strip() and "streetAddress" not in recipient:
        recipient["addressLines"] = [line.strip() for line in lines.splitlines() if line.strip()]
    message = form.get("message")
    return ComposeEdit(kind, recipient, message.replace("\r\n", "\n") if isinstance(message, str) else "")


def order_body(link: ComposeLink, edit: ComposeEdit) -> dict[str, Any]:
    body: dict[str, Any] = {"requestType": edit.request_type, "locale": link.locale,
                            "metadata": dict(link.metadata_ or {})}
    if link.external_id:
        body["externalId"] = link.external_id
    if edit.request_type == "postcard":
        body["postcard"] = {"recipient": edit.recipient, "message": edit.message}
    else:
        body["letters"] = [{"recipient": edit.recipient, "message": edit.message}]
    return body


def _caller(link: ComposeLink) -> Caller:
    return Caller(account_id=link.account_id, mode=link.mode, channel="web")  # type: ignore[arg-type]


async def price(db: Database, settings: Settings, token: str, form: dict[str, Any]) -> int:
    """The live price of the edited draft (raises ``InvalidRequest`` naming the bad field)."""
    async with db.read() as session:
        link = await open_draft(session, token)
        edit = read_edit(link, form)
        quote = await orders.quote_order(session, _caller(link), parse_order(order_body(link, edit), mode=link.mode),
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
                await cancel_checkout(session, current, note="replaced by an edited compose draft")
        edit = read_edit(link, form)
        draft = parse_order(order_body(link, edit), mode=link.mode)
        order = await orders.create_checkout_order(session, _caller(link), draft, settings, source="compose_link")
        link.order_id = order.id
        link.recipient = draft.pieces[0].recipient.to_payload()
        link.message = draft.pieces[0].message
        return order.id
