"""Wallet: balances of the current mode, top-up (test paid at once, live via Stripe), history.

Top-ups go through ``domain.use_cases.commands.create_topup`` exactly as REST and MCP do; the form's
one-time key is the idempotency key, so a double-click creates one top-up.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from starlette.responses import Response
from starlette.routing import Route

from domain.money.currency import DEFAULT_CURRENCY
from domain.use_cases import commands
from domain.core.errors import DomainError, InvalidRequest
from server.web.dashboard.common import Visit, dashboard, redirect

PATH = "/api/dashboard/wallet"


def cents_from_form(value: str) -> int:
    """ "25" or "25.00" (currency units, as people type them) -> 2500 cents."""
    try:
        amount = Decimal(value.replace(",", "."))
    except InvalidOperation:
        raise InvalidRequest("Enter the amount as a number, e.g. 25.00.", field="amount") from None
    if not amount.is_finite():
        raise InvalidRequest("Enter the amount as a number, e.g. 25.00.", field="amount")
    return int((amount * 100).to_integral_value())


async def _render(visit: Visit, status: int = 200, **context: object) -> Response:
    after = visit.request.query_params.get("after") or None
    history = await commands.list_topups(visit.db, visit.caller, mode=visit.mode, limit=20, starting_after=after)
    wallets = [w for w in visit.account["wallets"] if w["mode"] == visit.mode] or [
        {"balanceCents": 0, "currency": DEFAULT_CURRENCY, "mode": visit.mode}]
    return visit.render("dashboard/wallet.html", status, section="wallet", wallets=wallets, topups=history["data"],
                        has_more=history["hasMore"], **context)


@dashboard
async def wallet_page(visit: Visit) -> Response:
    return await _render(visit, paid=visit.request.query_params.get("topup"))


@dashboard
async def create_topup(visit: Visit) -> Response:
    amount, currency = visit.field("amount"), visit.field("currency") or DEFAULT_CURRENCY
    try:
        # no returnUrl: after Stripe the payer lands on the service's own top-up return page
        body = {"amountCents": cents_from_form(amount), "currency": currency, "metadata": {"source": "dashboard"}}
        result = await commands.create_topup(visit.db, visit.settings, visit.caller, body,
                                             idempotency_key=visit.field("idempotency_key") or None)
    except DomainError as exc:
        return await _render(visit, exc.status, error=exc.message, error_code=exc.code.value, amount=amount,
                             currency=currency)
    topup = result.body
    if topup.get("checkoutUrl"):  # live: pay on Stripe's page; the webhook credits the wallet
        return redirect(topup["checkoutUrl"])
    return redirect(f"{PATH}?topup={topup['topupId']}")


routes = [
    Route(PATH, wallet_page, methods=["GET"]),
    Route(PATH + "/topups", create_topup, methods=["POST"]),
]
