"""The few Stripe calls the service makes, through the official ``stripe`` library.

Checkout Sessions for orders and top-ups, expiring a session when the payer cancels, and
refunding a payment whose mail could not be produced. ``PIETERPOST_STRIPE_API_BASE`` points
the library at another origin (tests run a local fake Stripe that checks each request).
Every create carries an idempotency key derived from our own object id, so the library's
network retries can never open two sessions or two refunds for one object.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import stripe

from domain.core.errors import DomainError, ErrorCode, Misconfigured
from domain.core.settings import Settings

log = logging.getLogger("pieterpost.stripe")

STRIPE_TIMEOUT_SECONDS = 20

IDEAL_CURRENCY = "eur"  # iDEAL settles in euros only


@dataclass(frozen=True)
class LineItem:
    name: str
    unit_amount_cents: int
    quantity: int


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str


class StripeUnavailable(DomainError):
    """Stripe could not be reached or refused the call; nothing was changed on our side."""

    code = ErrorCode.UNKNOWN_ERROR

    @property
    def status(self) -> int:
        return 502


def payment_method_types(method: str, currency: str) -> list[str]:
    """``auto`` offers card and iDEAL for EUR; ``ideal`` is EUR only (checked at parse)."""
    if method == "card":
        return ["card"]
    if method == "ideal":
        return ["ideal"]
    return ["card", "ideal"] if currency == IDEAL_CURRENCY else ["card"]


def _client(settings: Settings) -> tuple[stripe.StripeClient, stripe.HTTPXClient]:
    if not settings.stripe_secret_key:
        raise Misconfigured("Live payments need PIETERPOST_STRIPE_SECRET_KEY.")
    http = stripe.HTTPXClient(timeout=STRIPE_TIMEOUT_SECONDS)
    bases: dict[str, str] = {}
    if settings.stripe_api_base:
        bases["api"] = settings.stripe_api_base.rstrip("/")
    client = stripe.StripeClient(settings.stripe_secret_key, base_addresses=bases,  # type: ignore[arg-type]
                                 http_client=http, max_network_retries=2)
    return client, http


async def _call(settings: Settings, what: str, action: Any) -> Any:  # noqa: ANN401 - stripe objects
    client, http = _client(settings)
    try:
        return await action(client)
    except stripe.StripeError as exc:
        log.warning("stripe %s failed: %s (%s)", what, type(exc).__name__, exc.code or exc.http_status)
        raise StripeUnavailable(f"The payment provider refused or did not answer ({what}); try again.") from exc
    finally:
        await http.close_async()


async def create_checkout_session(
    settings: Settings, *, idempotency_key: str, items: Sequence[LineItem], currency: str, method: str,
    metadata: dict[str, str], expires_at: datetime, success_url: str, cancel_url: str,
    client_reference_id: str, customer_email: str | None = None, locale: str | None = None,
) -> CheckoutSession:
    params: dict[str, Any] = {
        "mode": "payment",
        "line_items": [{"quantity": item.quantity, "price_data": {
            "currency": currency, "unit_amount": item.unit_amount_cents, "product_data": {"name": item.name}}}
            for item in items],
        "payment_method_types": payment_method_types(method, currency),
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata},
        "client_reference_id": client_reference_id,
        "expires_at": int(expires_at.timestamp()),
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    if customer_email:
        params["customer_email"] = customer_email
    if locale:
        params["locale"] = locale

    async def action(client: stripe.StripeClient) -> Any:  # noqa: ANN401
        return await client.v1.checkout.sessions.create_async(
            params, {"idempotency_key": idempotency_key})  # type: ignore[arg-type]

    session = await _call(settings, "create checkout session", action)
    return CheckoutSession(id=session.id, url=session.url)


async def expire_session(settings: Settings, session_id: str) -> str:
    """Close an open session; returns its status afterwards (``expired`` or ``complete``)."""
    async def action(client: stripe.StripeClient) -> Any:  # noqa: ANN401
        try:
            return await client.v1.checkout.sessions.expire_async(session_id)
        except stripe.InvalidRequestError:
            # Only open sessions can be expired: read it to learn whether it was paid meanwhile.
            return await client.v1.checkout.sessions.retrieve_async(session_id)

    session = await _call(settings, "expire checkout session", action)
    return str(session.status)


async def refund_payment(settings: Settings, *, payment_intent: str, idempotency_key: str,
                         metadata: dict[str, str]) -> str:
    async def action(client: stripe.StripeClient) -> Any:  # noqa: ANN401
        return await client.v1.refunds.create_async(
            {"payment_intent": payment_intent, "metadata": metadata},
            {"idempotency_key": idempotency_key})

    refund = await _call(settings, "refund", action)
    return str(refund.id)
