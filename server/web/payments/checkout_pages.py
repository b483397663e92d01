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

from domain.payments.checkout import check_signature, link_signature
from domain.use_cases import payments
from server.web.payments.texts import KIND_LABELS, locale_or_default, money, return_texts
from server.web.render import page

MAX_THUMBS = 12  # piece thumbnails on the return page; larger orders show the first twelve
_OUTCOME_BY_STATUS = {"paid": "paid", "queued": "paid", "fulfilled": "paid", "cancelled": "cancelled",
                      "expired": "expired", "failed": "failed"}


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    """A payments page on the shared layout (``server.web.render``: CSP, no-store, no referrer)."""
    return page(request, f"payments/{name}", status, **context)


def not_found(request: Request, message: str = "There is no checkout at this address.") -> Response:
    return render(request, "notice.html", {"page_title": "Not found", "message": message}, status=404)


def _see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})


async def sandbox_page(request: Request) -> Response:
    found = await payments.sandbox_checkout(request.app.state.db, request.path_params["order_id"])
    if found is None:
        return not_found(request)
    order, pieces = found
    status = "expired" if order.status == "checkout_open" and order.past_expiry else order.status
    context: dict[str, Any] = {
        "page_title": "Sandbox checkout", "order": order, "checkout_status": status,
        "kind_label": KIND_LABELS["en"][order.request_type],
        "total": money(order.amount_cents, order.currency, "en"),
        "token": link_signature(request.app.state.settings, "sandbox", order.id),
        "pieces": [{"position": p["position"],
                    "lines": [p["recipient"].get("name", ""), *p["recipient"].get("addressLines", [])],
                    "message": p["message"], "attachments": p["attachments"], "pages": p["pages"],
                    "price": money(p["amount_cents"], order.currency, "en")} for p in pieces],
    }
    return render(request, "sandbox.html", context)


async def sandbox_submit(request: Request) -> Response:
    """Pay or Cancel in the sandbox: the same state changes the Stripe webhook makes."""
    settings = request.app.state.settings
    order_id = request.path_params["order_id"]
    form = await request.form()
    action, token = form.get("action"), form.get("token")
    if action not in ("pay", "cancel") or not check_signature(settings, "sandbox", order_id, str(token or "")):
        return not_found(request)
    target = await payments.sandbox_outcome(request.app.state.db, settings, order_id, action)
    return not_found(request) if target is None else _see_other(target)


async def pay_redirect(request: Request) -> Response:
    order = await payments.hosted_order(request.app.state.db, request.path_params["order_id"])
    if order is None:
        return not_found(request)
    if order.status == "checkout_open" and order.checkout_url and not order.past_expiry:
        return _see_other(order.checkout_url)
    return _see_other(f"/pay/{order.id}/return")


async def return_page(request: Request) -> Response:
    order = await payments.hosted_order(request.app.state.db, request.path_params["order_id"])
    if order is None:
        return not_found(request)
    asked = request.query_params.get("checkout")
    outcome = _OUTCOME_BY_STATUS.get(order.status)
    if outcome is None:  # still open: the payer came back before the payment was confirmed
        outcome = "processing" if asked == "success" else ("expired" if order.past_expiry else "open")
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
    settings = request.app.state.settings
    order_id = request.path_params["order_id"]
    if not check_signature(settings, "order-cancel", order_id, request.query_params.get("sig")):
        return not_found(request)
    target = await payments.payer_cancelled(request.app.state.db, settings, order_id)
    return not_found(request) if target is None else _see_other(target)


routes = [
    Route("/v1/sandbox/checkout/{order_id}", sandbox_page, methods=["GET"]),
    Route("/v1/sandbox/checkout/{order_id}", sandbox_submit, methods=["POST"]),
    Route("/pay/{order_id}", pay_redirect, methods=["GET"]),
    Route("/pay/{order_id}/return", return_page, methods=["GET"]),
    Route("/pay/{order_id}/cancel", cancel_link, methods=["GET"]),
]
