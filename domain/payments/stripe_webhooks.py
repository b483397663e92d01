"""``POST /v1/stripe/webhook``: verify the signature, then apply each event exactly once.

The signature check is the ``stripe`` library's (HMAC over timestamp and raw body, with a
5-minute tolerance against replays); an unsigned or forged body changes nothing. The event
id is recorded in ``stripe_events`` in the same transaction as the state change and any
ledger row, so a redelivered event finds its id and is acknowledged without effect, and a
failure rolls back both (Stripe then delivers it again).
"""
from __future__ import annotations

import json
import logging
from typing import Any

import stripe
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.persistence.db import Database
from domain.core.errors import InvalidRequest, Misconfigured
from domain.persistence.models import Order, StripeEvent, Topup
from domain.payments.settlement import apply_checkout_outcome, apply_topup_outcome
from domain.core.settings import Settings

log = logging.getLogger("pieterpost.webhooks")

TOLERANCE_SECONDS = 300
COMPLETED = "checkout.session.completed"
ASYNC_SUCCEEDED = "checkout.session.async_payment_succeeded"
ASYNC_FAILED = "checkout.session.async_payment_failed"
EXPIRED = "checkout.session.expired"
HANDLED = (COMPLETED, ASYNC_SUCCEEDED, ASYNC_FAILED, EXPIRED)
_PAID_STATES = ("paid", "no_payment_required")


def verify(payload: bytes, signature: str | None, settings: Settings) -> dict[str, Any]:
    """The event, if and only if Stripe signed exactly these bytes with our webhook secret."""
    if not settings.stripe_webhook_secret:
        raise Misconfigured("Stripe webhooks need PIETERPOST_STRIPE_WEBHOOK_SECRET.")
    try:
        text = payload.decode("utf-8")
        stripe.WebhookSignature.verify_header(text, signature or "", settings.stripe_webhook_secret,
                                              TOLERANCE_SECONDS)
        event = json.loads(text)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as exc:
        raise InvalidRequest("The Stripe-Signature header does not match this body.") from exc
    if not isinstance(event, dict):
        raise InvalidRequest("The webhook body is not a Stripe event.")
    data = event.get("data")
    if not (isinstance(event.get("id"), str) and isinstance(event.get("type"), str)
            and isinstance(data, dict) and isinstance(data.get("object"), dict)):
        raise InvalidRequest("The webhook body is not a Stripe event.")
    return event


async def apply_event(db: Database, settings: Settings, event: dict[str, Any]) -> str:
    """Apply once; returns ``applied``, ``duplicate`` or ``ignored: why``."""
    event_id, kind = event["id"], event["type"]
    try:
        async with db.transaction() as session:
            if await session.get(StripeEvent, event_id) is not None:
                return "duplicate"
            session.add(StripeEvent(id=event_id, type=kind[:80]))
            await session.flush()  # a concurrent delivery of the same id waits here, then fails
            outcome = await _dispatch(session, kind, event["data"]["object"])
    except IntegrityError:
        return "duplicate"
    log.info("stripe event %s %s: %s", event_id, kind, outcome)
    return outcome


async def _dispatch(session: AsyncSession, kind: str, obj: dict[str, Any]) -> str:
    if kind not in HANDLED or obj.get("object") != "checkout.session":
        return "ignored: not handled"
    metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    if isinstance(metadata.get("orderId"), str):
        order = await session.get(Order, metadata["orderId"], with_for_update=True)
        if order is None or order.mode != "live" or order.stripe_session_id != obj.get("id"):
            return "ignored: unknown order session"
        return await _order_event(session, kind, obj, order)
    if isinstance(metadata.get("topupId"), str):
        topup = await session.get(Topup, metadata["topupId"], with_for_update=True)
        if topup is None or topup.mode != "live" or topup.stripe_session_id != obj.get("id"):
            return "ignored: unknown top-up session"
        return await _topup_event(session, kind, obj, topup)
    return "ignored: no PieterPost metadata"


def _amount_matches(obj: dict[str, Any], cents: int, currency: str) -> bool:
    return obj.get("amount_total") == cents and str(obj.get("currency", "")).lower() == currency


async def _order_event(session: AsyncSession, kind: str, obj: dict[str, Any], order: Order) -> str:
    if kind in (COMPLETED, ASYNC_SUCCEEDED):
        if obj.get("payment_status") not in _PAID_STATES:
            return "awaiting asynchronous payment"
        if not _amount_matches(obj, order.amount_cents, order.currency):
            log.error("order %s: paid amount %s %s differs from %s", order.id, obj.get("amount_total"),
                      obj.get("currency"), order.amount_cents)
            return "ignored: amount mismatch"
        reference = str(obj.get("payment_intent") or obj["id"])
        changed = await apply_checkout_outcome(session, order, "paid", reference=reference,
                                               note=f"paid through Stripe ({kind})")
    elif kind == ASYNC_FAILED:
        changed = await apply_checkout_outcome(session, order, "failed",
                                               note="The payment did not complete; nothing will be sent.")
    else:
        changed = await apply_checkout_outcome(session, order, "expired", note="Stripe session expired unpaid")
    return "applied" if changed else f"ignored: order is {order.status}"


async def _topup_event(session: AsyncSession, kind: str, obj: dict[str, Any], topup: Topup) -> str:
    if kind in (COMPLETED, ASYNC_SUCCEEDED):
        if obj.get("payment_status") not in _PAID_STATES:
            return "awaiting asynchronous payment"
        if not _amount_matches(obj, topup.amount_cents, topup.currency):
            return "ignored: amount mismatch"
        changed = await apply_topup_outcome(session, topup, "paid")
    elif kind == ASYNC_FAILED:
        changed = await apply_topup_outcome(session, topup, "failed")
    else:
        changed = await apply_topup_outcome(session, topup, "expired")
    return "applied" if changed else f"ignored: top-up is {topup.status}"
