"""Where a live top-up's payer lands: the hosted return page and the signed cancel link."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from domain.adapters import stripe_gateway
from domain.payments.checkout import check_signature, topup_return_target
from domain.persistence.models import Topup
from domain.payments.settlement import close_topup
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


async def _load(request: Request) -> Topup | None:
    async with request.app.state.db.read() as session:
        return await session.get(Topup, request.path_params["topup_id"])


async def return_page(request: Request) -> Response:
    topup = await _load(request)
    if topup is None:
        return not_found(request, "There is no top-up at this address.")
    outcome = topup.status
    if outcome == "pending" and request.query_params.get("topup") == "success":
        outcome = "processing"
    title, sentence = _TEXTS.get(outcome, _TEXTS["pending"])
    return render(request, "topup_return.html", {"page_title": title, "sentence": sentence, "outcome": outcome,
                                               "amount": money(topup.amount_cents, topup.currency, "en")})


async def cancel_link(request: Request) -> Response:
    """Stripe's ``cancel_url`` for a top-up: close the session so it cannot be paid later."""
    db, settings = request.app.state.db, request.app.state.settings
    topup = await _load(request)
    if topup is None or not check_signature(settings, "topup-cancel", topup.id, request.query_params.get("sig")):
        return not_found(request, "There is no top-up at this address.")
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
                    await close_topup(session, locked, "cancelled")
        elif final == "complete":
            outcome = "success"
    return RedirectResponse(topup_return_target(settings, topup, outcome), status_code=303,
                            headers={"Cache-Control": "no-store"})


routes = [
    Route("/topups/{topup_id}/return", return_page, methods=["GET"]),
    Route("/topups/{topup_id}/cancel", cancel_link, methods=["GET"]),
]
