"""Use cases as REST and MCP both call them: parse, run in one transaction, return the view.

Creates go through ``run_idempotent`` so the same key replays the same JSON for either edge.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from collections.abc import Awaitable
from typing import Any

from domain.compose import links as compose_links
from domain.orders import orders
from domain.money import topups
from domain.payments.checkout import close_live_session
from domain.accounts.accounts import flags_and_wallet
from domain.core.context import Caller
from domain.persistence.db import Database
from domain.core.errors import InvalidRequest, SpendLimitReached
from domain.limits import events as limit_events
from domain.requests.idempotency import check_key, run_idempotent
from domain.orders.views import order_view
from domain.orders.fields import check_strings
from domain.orders.payloads import OrderDraft, parse_order
from domain.orders.quotes import Quote
from domain.use_cases import previews
from domain.core.settings import Settings
from domain.money.currency import DEFAULT_CURRENCY, parse_currency
from domain.money.wallets import wallet_view


@dataclass(frozen=True)
class Result:
    status: int
    text: str  # the exact JSON the caller receives (replays are byte-identical)
    replayed: bool = False

    @property
    def body(self) -> dict[str, Any]:
        return json.loads(self.text)


def _scope(caller: Caller, name: str) -> str:
    return f"{caller.channel}:{name}:{caller.mode}"


async def _create(db: Database, caller: Caller, name: str, body: Any, key: str | None, operation,  # type: ignore[no-untyped-def]
                  *, claim_first: bool = True) -> Result:
    check_strings(body)  # before the idempotency record: unstorable text must not reach the database
    stored = await run_idempotent(db, account_id=caller.account_id, scope=_scope(caller, name),
                                  key=check_key(key), payload=body, operation=operation, claim_first=claim_first)
    return Result(stored.status, stored.body, stored.replayed)


async def create_direct_order(db: Database, settings: Settings, caller: Caller, body: Any, *,
                              idempotency_key: str | None = None) -> Result:
    async def operation(session):  # type: ignore[no-untyped-def]
        draft = parse_order(body, mode=caller.mode)
        created = await orders.create_direct_order(session, caller, draft, settings, source=caller.channel)
        return 200, order_view(created.order, settings.base_url, created.wallet)

    try:  # only this database is written: the record can be inserted complete at the end
        return await _create(db, caller, "direct_order", body, idempotency_key, operation, claim_first=False)
    except SpendLimitReached as refused:  # the order rolled back; the event gets its own transaction
        await limit_events.spend_limit_reached(db, caller, refused)
        raise


async def create_checkout_order(db: Database, settings: Settings, caller: Caller, body: Any, *,
                                idempotency_key: str | None = None, name: str = "checkout_link") -> Result:
    async def operation(session):  # type: ignore[no-untyped-def]
        draft = parse_order(body, mode=caller.mode)
        order = await orders.create_checkout_order(session, caller, draft, settings, source=caller.channel)
        return 200, order_view(order, settings.base_url)

    return await _create(db, caller, name, body, idempotency_key, operation)


async def create_topup(db: Database, settings: Settings, caller: Caller, body: Any, *,
                       idempotency_key: str | None = None) -> Result:
    if not isinstance(body, dict):
        raise InvalidRequest("The request body must be a JSON object.")

    async def operation(session):  # type: ignore[no-untyped-def]
        topup = await topups.create_topup(session, caller, body, settings)
        return 200, await topups.topup_view(session, topup)

    return await _create(db, caller, "topup", body, idempotency_key, operation)


async def create_compose_link(db: Database, settings: Settings, caller: Caller, body: Any, *,
                              idempotency_key: str | None = None) -> Result:
    if not isinstance(body, dict):
        raise InvalidRequest("The request body must be a JSON object.")

    async def operation(session):  # type: ignore[no-untyped-def]
        return 200, await compose_links.create_compose_link(session, caller, body, settings)

    return await _create(db, caller, "compose_link", body, idempotency_key, operation)


async def quote(db: Database, settings: Settings, caller: Caller, body: Any) -> dict[str, Any]:
    """Price a payload without creating anything, plus what the wallet says about it."""
    draft = parse_order(body, mode=caller.mode)
    return await _quote_view(db, caller, draft, await _price(db, settings, caller, draft))


async def quote_with_first_page(db: Database, settings: Settings, caller: Caller, body: Any
                                ) -> tuple[dict[str, Any], Awaitable[bytes]]:
    """``quote`` and, to await separately, a small image of the same draft's first page (MCP
    ``quote_order``): the payload is parsed and priced once for both."""
    draft = parse_order(body, mode=caller.mode)
    priced = await _price(db, settings, caller, draft)
    view = await _quote_view(db, caller, draft, priced)
    return view, previews.first_page_for_draft(db, settings, caller, draft, priced)


async def _price(db: Database, settings: Settings, caller: Caller, draft: OrderDraft) -> Quote:
    if not draft.names_assets:  # nothing to look up: not even an empty session (~0.1 ms of CPU)
        return await orders.quote_order(None, caller, draft, settings)
    async with db.read() as session:
        return await orders.quote_order(session, caller, draft, settings)


async def _quote_view(db: Database, caller: Caller, draft: OrderDraft, priced: Quote) -> dict[str, Any]:
    flags, wallet = await flags_and_wallet(db, caller.account_id, caller.mode, DEFAULT_CURRENCY)
    return {
        **flags,
        "amountCents": priced.amount_cents,
        "mode": caller.mode,
        "recipientCount": priced.recipient_count,
        "requestType": draft.request_type,
        "pieces": [{"pageCount": piece.pages, "amountCents": piece.amount_cents} for piece in priced.pieces],
        "missingBalanceCents": max(0, priced.amount_cents - wallet.balance_cents),
        "requiresTopup": wallet.balance_cents < priced.amount_cents,
        "wallet": wallet_view(wallet),
    }


async def get_wallet(db: Database, caller: Caller, currency: object = None) -> dict[str, Any]:
    currency = parse_currency(currency)
    flags, wallet = await flags_and_wallet(db, caller.account_id, caller.mode, currency)
    return {**flags, "wallet": wallet_view(wallet)}


async def get_order(db: Database, settings: Settings, caller: Caller, order_id: str) -> dict[str, Any]:
    async with db.read() as session:
        order = await orders.get_order(session, caller, order_id)
        return order_view(order, settings.base_url, await orders.current_wallet(session, order))


async def cancel_order(db: Database, settings: Settings, caller: Caller, order_id: str) -> dict[str, Any]:
    async with db.read() as session:
        await close_live_session(settings, await orders.get_order(session, caller, order_id))
    async with db.transaction() as session:
        order = await orders.cancel_order(session, caller, order_id)
        return order_view(order, settings.base_url, await orders.current_wallet(session, order))


async def list_orders(db: Database, settings: Settings, caller: Caller, **filters: Any) -> dict[str, Any]:
    async with db.read() as session:
        rows, has_more = await orders.list_orders(session, caller, **filters)
        return {"data": [order_view(order, settings.base_url) for order in rows], "hasMore": has_more}


async def get_topup(db: Database, caller: Caller, topup_id: str) -> dict[str, Any]:
    async with db.read() as session:
        return await topups.topup_view(session, await topups.get_topup(session, caller, topup_id))


async def list_topups(db: Database, caller: Caller, **filters: Any) -> dict[str, Any]:
    async with db.read() as session:
        rows, has_more = await topups.list_topups(session, caller, **filters)
        return {"data": [await topups.topup_view(session, row) for row in rows], "hasMore": has_more}
