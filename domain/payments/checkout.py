"""Opening a hosted checkout and where the payer lands afterwards (docs/product.md § Payments).

Test mode: the order's checkout is this service's sandbox page. Live mode: a Stripe Checkout
Session with one line item per distinct piece price, the order id in metadata and a 24 h
expiry. Either way the payer ends on ``returnUrl`` with ``checkout=success|cancelled`` added,
or on the hosted return page when there is none.
"""
from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.adapters import stripe_gateway
from domain.core.errors import NotCancellable
from domain.persistence.models import Order, OrderPiece, Topup
from domain.core.settings import Settings
from domain.adapters.stripe_gateway import LineItem

CHECKOUT_TTL = timedelta(hours=24)  # docs/product.md § Payments
# Names of the Stripe line items; the payer sees them on the Checkout page.
_ITEM_NAMES = {"letter": ("Letter", "Letter, {pages} pages"), "postcard": ("Postcard", "Postcard")}


def sandbox_checkout_url(settings: Settings, order_id: str) -> str:
    return f"{settings.base_url}/v1/sandbox/checkout/{order_id}"


def with_query(url: str, **params: str) -> str:
    """``url`` with ``params`` added to its query (replacing the same names)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    return urlunsplit(parts._replace(query=urlencode([*query, *params.items()])))


def link_signature(settings: Settings, purpose: str, object_id: str) -> str:
    """Binds a state-changing link (a payer's cancel) to one object; only we can mint it."""
    key = hashlib.sha256(b"pieterpost-checkout-links\0" + settings.secret_key.encode()).digest()
    return hmac.new(key, f"{purpose}:{object_id}".encode(), hashlib.sha256).hexdigest()[:32]


def check_signature(settings: Settings, purpose: str, object_id: str, given: str | None) -> bool:
    """Constant-time, on bytes: ``compare_digest`` refuses non-ASCII str, which a caller controls."""
    if not given:
        return False
    expected = link_signature(settings, purpose, object_id).encode()
    return hmac.compare_digest(expected, given.encode("utf-8", "surrogatepass"))


def return_target(settings: Settings, order: Order, outcome: str) -> str:
    """The merchant's ``returnUrl`` with ``checkout=…``, else our hosted page."""
    if order.return_url:
        return with_query(order.return_url, checkout=outcome)
    return f"{settings.base_url}/pay/{order.id}/return?{urlencode({'checkout': outcome})}"


def cancel_link(settings: Settings, order: Order) -> str:
    """Stripe's ``cancel_url``: our own endpoint closes the session, then sends the payer on."""
    return f"{settings.base_url}/pay/{order.id}/cancel?sig={link_signature(settings, 'order-cancel', order.id)}"


def line_items(pieces: list[OrderPiece]) -> list[LineItem]:
    """The quote as Stripe line items: identical pieces share one line with a quantity."""
    counts: Counter[tuple[str, int, int]] = Counter()
    for piece in pieces:
        counts[(piece.kind, piece.page_count, piece.amount_cents)] += 1
    items = []
    for (kind, pages, amount), quantity in sorted(counts.items()):
        one, many = _ITEM_NAMES[kind]
        items.append(LineItem(one if pages <= 1 else many.format(pages=pages), amount, quantity))
    return items


async def open_checkout(session: AsyncSession, order: Order, settings: Settings) -> None:
    if order.mode == "test":
        order.checkout_url = sandbox_checkout_url(settings, order.id)
        return
    assert order.expires_at is not None
    pieces = list((await session.execute(
        select(OrderPiece).where(OrderPiece.order_id == order.id).order_by(OrderPiece.position))).scalars())
    created = await stripe_gateway.create_checkout_session(
        settings, idempotency_key=f"pieterpost-order-{order.id}", items=line_items(pieces),
        currency=order.currency, method=order.payment_method,
        metadata={"orderId": order.id, "orderRef": order.order_ref, "accountId": order.account_id},
        expires_at=order.expires_at, success_url=return_target(settings, order, "success"),
        cancel_url=cancel_link(settings, order), client_reference_id=order.id,
        customer_email=order.sender_email, locale=order.locale,
    )
    order.stripe_session_id = created.id
    order.checkout_url = created.url


def topup_return_target(settings: Settings, topup: Topup, outcome: str) -> str:
    """``returnUrl`` gets ``topup=success|cancelled``; without one, our hosted page."""
    if topup.return_url:
        return with_query(topup.return_url, topup=outcome)
    return f"{settings.base_url}/topups/{topup.id}/return?{urlencode({'topup': outcome})}"


async def open_topup_checkout(topup: Topup, settings: Settings) -> None:
    """A live top-up's Stripe Checkout Session; the wallet is credited by the webhook."""
    created = await stripe_gateway.create_checkout_session(
        settings, idempotency_key=f"pieterpost-topup-{topup.id}",
        items=[LineItem("PieterPost credits", topup.amount_cents, 1)], currency=topup.currency,
        method=topup.payment_method,
        metadata={"topupId": topup.id, "accountId": topup.account_id},
        expires_at=topup.created_at + CHECKOUT_TTL, success_url=topup_return_target(settings, topup, "success"),
        cancel_url=(f"{settings.base_url}/topups/{topup.id}/cancel"
                    f"?sig={link_signature(settings, 'topup-cancel', topup.id)}"),
        client_reference_id=topup.id,
    )
    topup.stripe_session_id = created.id
    topup.checkout_url = created.url


async def close_live_session(settings: Settings, order: Order) -> None:
    """Before cancelling a live open checkout, close its Stripe session so nobody pays later.

    Stripe answers with the session's final state; ``complete`` means the payer just paid, and
    the order is left to the webhook instead of being cancelled.
    """
    if order.mode != "live" or order.status != "checkout_open" or not order.stripe_session_id:
        return
    if await stripe_gateway.expire_session(settings, order.stripe_session_id) == "complete":
        raise NotCancellable(f"Order {order.id} has just been paid; it can no longer be cancelled.")
