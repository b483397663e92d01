"""Where a live top-up's payer lands: the hosted return page and the signed cancel link."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from domain.payments.checkout import check_signature
from domain.use_cases import payments
from server.web.payments.checkout_pages import not_found, render
from server.web.payments.texts import money

_TEXTS = {
    "paid": ("Credits added", "Your payment was received and the credits are in your wallet."),
    "processing": ("Confirming your payment", "Thanks! The credits appear in your wallet once the payment is "
                                              "confirmed."),
    "cancelled": ("Top-up cancelled", "The top-up was cancelled. Nothing was charged."),
    "expired": ("Top-up expired", "The top-up was not paid in time. Nothing was charged."),
    "failed": ("Payment failed", "The payment did not go through. Nothing was charged."),
    "pending": ("Top-up open", "This top-up is still waiting for payment."),
}
NO_TOPUP = "There is no top-up at this address."


async def return_page(request: Request) -> Response:
    topup = await payments.hosted_topup(request.app.state.db, request.path_params["topup_id"])
    if topup is None:
        return not_found(request, NO_TOPUP)
    outcome = topup.status
    if outcome == "pending" and request.query_params.get("topup") == "success":
        outcome = "processing"
    title, sentence = _TEXTS.get(outcome, _TEXTS["pending"])
    return render(request, "topup_return.html", {"page_title": title, "sentence": sentence, "outcome": outcome,
                                               "amount": money(topup.amount_cents, topup.currency, "en")})


async def cancel_link(request: Request) -> Response:
    """Stripe's ``cancel_url`` for a top-up: close the session so it cannot be paid later."""
    settings = request.app.state.settings
    topup_id = request.path_params["topup_id"]
    if not check_signature(settings, "topup-cancel", topup_id, request.query_params.get("sig")):
        return not_found(request, NO_TOPUP)
    target = await payments.topup_payer_cancelled(request.app.state.db, settings, topup_id)
    if target is None:
        return not_found(request, NO_TOPUP)
    return RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})


routes = [
    Route("/topups/{topup_id}/return", return_page, methods=["GET"]),
    Route("/topups/{topup_id}/cancel", cancel_link, methods=["GET"]),
]
