"""Payer-facing checkout pages: the sandbox checkout, ``/pay/{id}``, return and cancel links.

``/pay/{orderId}`` is the stable ``publicCheckoutUrl``: it redirects to the order's current
checkout (Stripe in live mode, the sandbox page in test mode) or, once that is closed, to the
hosted return page. The order id (96 random bits) is what the payer holds; these pages show
the order's pieces and status to its holder and nothing of the account.
"""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from domain.payments import checkout
from domain.adapters import stripe_gateway
from domain.payments.checkout import check_signature, link_signature, return_target
from domain.persistence.db import Database
from domain.core.errors import NotCancellable
from domain.fulfillment.handoff import order_pieces
from domain.core.ids import new_id
from domain.persistence.models import Order
from domain.payments.settlement import cancel_checkout, expire_checkout, is_past_expiry, settle_order
from domain.core.settings import Settings
from server.web.render import page
from server.web.payments.texts import KIND_LABELS, locale_or_default, money, return_texts

MAX_THUMBS = 12  # piece thumbnails on the return page; larger orders show the first twelve
_OUTCOME_BY_STATUS = {"paid": "paid", "queued": "paid", "fulfilled": "paid", "cancelled": "cancelled",
                      "expired": "expired", "failed": "failed"}


def _state(request: Request) -> tuple[Database, Settings]:
    return request.app.state.db, request.app.state.settings


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    """A payments page on the shared layout (``server.web.render``: CSP, no-store, no referrer)."""
    return page(request, f"payments/{name}", status, **context)


def not_found(request: Request, message: str = "There is no checkout at this address.") -> Response:
    return render(request, "notice.html", {"page_title": "Not found", "message": message}, status=404)


async def _load(request: Request) -> Order | None:
    db, _ = _state(request)
    async with db.read() as session:
        return await session.get(Order, request.path_params["order_id"])


def _see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})


async def sandbox_page(request: Request) -> Response:
    db, settings = _state(request)
    async with db.read() as session:
        order = await session.get(Order, request.path_params["order_id"])
        if order is None or order.mode != "test" or order.billing_mode != "hosted_checkout":
            return not_found(request)
        pieces = await order_pieces(session, order.id)
    status = "expired" if order.status == "checkout_open" and is_past_expiry(order) else order.status
    label = KIND_LABELS["en"][order.request_type]
    context: dict[str, Any] = {
        "page_title": "Sandbox checkout", "order": order, "checkout_status": status, "kind_label": label,
        "total": money(order.amount_cents, order.currency, "en"),
        "token": link_signature(settings, "sandbox", order.id),
        "pieces": [{"position": p.position, "lines": [p.recipient.get("name", ""), *p.recipient.get("addressLines", [])],
                    "message": p.message, "attachments": len(p.attachments or []), "pages": p.page_count,
                    "price": money(p.amount_cents, order.currency, "en")} for p in pieces],
    }
    return render(request, "sandbox.html", context)


async def sandbox_submit(request: Request) -> Response:
    """Pay or Cancel in the sandbox: the same state changes the Stripe webhook makes."""
    db, settings = _state(request)
    order_id = request.path_params["order_id"]
    form = await request.form()
    action, token = form.get("action"), form.get("token")
    if action not in ("pay", "cancel") or not check_signature(settings, "sandbox", order_id, str(token or "")):
        return not_found(request)
    async with db.transaction() as session:
        order = await session.get(Order, order_id, with_for_update=True)
        if order is None or order.mode != "test" or order.billing_mode != "hosted_checkout":
            return not_found(request)
        if order.status == "checkout_open" and is_past_expiry(order):
            await expire_checkout(session, order, note="checkout not paid within 24 hours")
        elif action == "pay":
            await settle_order(session, order, reference=f"sandbox:{new_id('pay')}", note="paid in the sandbox")
        else:
            await cancel_checkout(session, order, note="cancelled in the sandbox")
        outcome = "success" if order.status in ("paid", "queued", "fulfilled") else "cancelled"
    return _see_other(return_target(settings, order, outcome))


async def pay_redirect(request: Request) -> Response:
    order = await _load(request)
    if order is None or order.billing_mode != "hosted_checkout":
        return not_found(request)
    if order.status == "checkout_open" and order.checkout_url and not is_past_expiry(order):
        return _see_other(order.checkout_url)
    return _see_other(f"/pay/{order.id}/return")


async def return_page(request: Request) -> Response:
    order = await _load(request)
    if order is None or order.billing_mode != "hosted_checkout":
        return not_found(request)
    asked = request.query_params.get("checkout")
    outcome = _OUTCOME_BY_STATUS.get(order.status)
    if outcome is None:  # still open: the payer came back before the payment was confirmed
        outcome = "processing" if asked == "success" else ("expired" if is_past_expiry(order) else "open")
    locale = locale_or_default(order.locale)
    title, sentence = return_texts(locale, outcome, order.request_type, order.recipient_count)
    context = {"page_title": title, "title": title, "sentence": sentence, "outcome": outcome, "page_lang": locale,
               "kind_label": KIND_LABELS[locale][order.request_type],
               "amount": money(order.amount_cents, order.currency, locale),
               "pay_url": f"/pay/{order.id}" if outcome == "open" else None,
               "thumbs": [f"/pay/{order.id}/preview/{n}.png" for n in range(min(order.recipient_count, MAX_THUMBS))]}
    return render(request, "return.html", context)


async def cancel_link(request: Request) -> Response:
    """Stripe's ``cancel_url``: close the session, cancel the order, send the payer on."""
    db, settings = _state(request)
    order = await _load(request)
    if order is None or not check_signature(settings, "order-cancel", order.id, request.query_params.get("sig")):
        return not_found(request)
    try:
        await checkout.close_live_session(settings, order)
    except NotCancellable:
        return _see_other(return_target(settings, order, "success"))
    except stripe_gateway.StripeUnavailable:
        return _see_other(f"/pay/{order.id}/return?checkout=cancelled")
    async with db.transaction() as session:
        locked = await session.get(Order, order.id, with_for_update=True)
        if locked is not None:
            await cancel_checkout(session, locked, note="the payer cancelled the checkout")
    return _see_other(return_target(settings, order, "cancelled"))


routes = [
    Route("/v1/sandbox/checkout/{order_id}", sandbox_page, methods=["GET"]),
    Route("/v1/sandbox/checkout/{order_id}", sandbox_submit, methods=["POST"]),
    Route("/pay/{order_id}", pay_redirect, methods=["GET"]),
    Route("/pay/{order_id}/return", return_page, methods=["GET"]),
    Route("/pay/{order_id}/cancel", cancel_link, methods=["GET"]),
]
