"""Wallet top-ups: test mode pays at once; live mode waits for Stripe (SPEC "Top-ups")."""
from __future__ import annotations

import math
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.accounts.accounts import get_account
from domain.payments.checkout import open_topup_checkout
from domain.core.clock import iso, utcnow
from domain.core.context import Caller
from domain.core.errors import Forbidden, InvalidRequest
from domain.core.ids import get_owned, new_id
from domain.persistence.models import Topup, Wallet
from domain.core.paging import newest_first
from domain.orders.fields import parse_metadata, parse_return_url
from domain.core.settings import Settings
from domain.events import topup_event
from domain.money.currency import parse_currency
from domain.money.wallets import ensure_wallet, peek_wallet, post_entry, wallet_view

MIN_TOPUP_CENTS = 500
MAX_TOPUP_CENTS = 100_000
PAYMENT_METHODS = ("auto", "card", "ideal")


def parse_amount(value: object) -> int:
    """Between 500 and 100,000 cents as sent; then rounded up to whole units (1234 → 1300)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or (
            isinstance(value, float) and not math.isfinite(value)):  # a huge int is finite; isfinite() would overflow
        raise InvalidRequest("amountCents must be a number of cents.", field="amountCents")
    if value < MIN_TOPUP_CENTS or value > MAX_TOPUP_CENTS:
        raise InvalidRequest(
            f"amountCents must be between {MIN_TOPUP_CENTS} and {MAX_TOPUP_CENTS}; got {value}.", field="amountCents"
        )
    return int(math.ceil(value / 100.0)) * 100


async def create_topup(session: AsyncSession, caller: Caller, body: dict[str, Any], settings: Settings) -> Topup:
    allowed = {"amountCents", "currency", "metadata", "returnUrl", "paymentMethod"}
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise InvalidRequest(f"Unknown field {unknown[0]!r}.", field=unknown[0])
    amount = parse_amount(body.get("amountCents"))
    account = await get_account(session, caller.account_id)
    if not account.credits_enabled:
        raise Forbidden("Wallet credits are disabled for this account (creditsEnabled is false).")
    currency = parse_currency(body.get("currency"))
    metadata = parse_metadata(body.get("metadata"), "metadata")
    method = body.get("paymentMethod", "auto")
    if method not in PAYMENT_METHODS:
        raise InvalidRequest('paymentMethod must be "auto", "card" or "ideal".', field="paymentMethod")
    if method == "ideal" and currency != "eur":
        raise InvalidRequest("iDEAL is only available for EUR.", field="paymentMethod")
    return_url = parse_return_url(body, "returnUrl", caller.mode)
    now = utcnow()
    topup = Topup(id=new_id("topup"), account_id=caller.account_id, mode=caller.mode, currency=currency,
                  amount_cents=amount, status="pending", return_url=return_url, payment_method=method,
                  metadata_=metadata, created_at=now, updated_at=now)
    session.add(topup)
    await session.flush()
    if caller.mode == "test":
        await mark_paid(session, topup)
        return topup
    if not account.live_enabled:
        raise Forbidden("Live mode is not enabled for this account yet.")
    await open_topup_checkout(topup, settings)  # pending until the signed webhook says paid
    return topup


async def mark_paid(session: AsyncSession, topup: Topup) -> Wallet:
    """Credit the wallet once; a top-up already paid is left alone."""
    wallet = await ensure_wallet(session, topup.account_id, topup.mode, topup.currency)
    if topup.status == "paid":
        return wallet
    entry = await post_entry(session, wallet, topup.amount_cents, "topup", topup_id=topup.id)
    now = utcnow()
    topup.status, topup.paid_at, topup.updated_at, topup.ledger_entry_id = "paid", now, now, entry.id
    topup.checkout_url = None
    topup_event(session, topup, "topup.succeeded")
    return wallet


async def get_topup(session: AsyncSession, caller: Caller, topup_id: str) -> Topup:
    return await get_owned(session, Topup, topup_id, caller.account_id, "top-up")


async def list_topups(session: AsyncSession, caller: Caller, *, limit: int = 25, mode: str | None = None,
                      currency: str | None = None, starting_after: str | None = None) -> tuple[list[Topup], bool]:
    stmt = select(Topup).where(Topup.account_id == caller.account_id)
    if mode:
        stmt = stmt.where(Topup.mode == mode)
    if currency:
        stmt = stmt.where(Topup.currency == currency)
    after = await get_topup(session, caller, starting_after) if starting_after else None
    return await newest_first(session, stmt, Topup, limit=limit, after=after)


async def topup_view(session: AsyncSession, topup: Topup) -> dict[str, Any]:
    view: dict[str, Any] = {
        "amountCents": topup.amount_cents,
        "checkoutUrl": topup.checkout_url if topup.status == "pending" else None,
        "createdAt": iso(topup.created_at),
        "currency": topup.currency,
        "paidAt": iso(topup.paid_at),
        "status": topup.status,
        "testMode": topup.mode == "test",
        "topupId": topup.id,
        "updatedAt": iso(topup.updated_at),
    }
    if topup.status == "paid":
        wallet = await peek_wallet(session, topup.account_id, topup.mode, topup.currency)
        view["wallet"] = wallet_view(wallet)
    return view
