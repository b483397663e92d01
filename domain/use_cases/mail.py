"""Use cases of live mail: orders with their pieces' tracking, provider webhooks, operator credit.

Edges (REST, MCP, CLI, webhook routes) call these; each opens its own transaction.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.accounts.accounts import get_account_by_email
from domain.core.context import Caller
from domain.core.errors import InvalidRequest, NotFound
from domain.core.ids import new_id
from domain.core.settings import Settings
from domain.fulfillment.inbound import receive_webhook
from domain.fulfillment.piece_views import pieces_view, where_text
from domain.money.wallets import ensure_wallet, post_entry, wallet_view
from domain.orders import orders
from domain.orders.views import order_view
from domain.persistence.db import Database
from domain.persistence.mail_models import OperatorCredit

CREDIT_REASONS_MAX = 200


async def get_order_detail(db: Database, settings: Settings, caller: Caller, order_id: str) -> dict[str, Any]:
    """``GET /v1/orders/{id}``: the order view plus ``pieces[]`` with status and tracking events."""
    async with db.read() as session:
        order = await orders.get_order(session, caller, order_id)
        view = order_view(order, settings.base_url, await orders.current_wallet(session, order))
        return {**view, "pieces": await pieces_view(session, order)}


async def get_order_with_whereabouts(db: Database, settings: Settings, caller: Caller,
                                     order_id: str) -> tuple[dict[str, Any], str]:
    """MCP ``get_order``: the order view (its closed schema) and a sentence per piece."""
    detail = await get_order_detail(db, settings, caller, order_id)
    pieces = detail.pop("pieces")
    return detail, where_text(pieces)


async def provider_webhook(db: Database, settings: Settings, provider: str, body: bytes,
                           headers: Mapping[str, str]) -> str:
    if provider not in ("lob", "pingen"):
        raise NotFound("No such provider webhook.")
    return await receive_webhook(db, settings, provider, body, headers)


async def operator_credit(db: Database, settings: Settings, *, email: str, amount_cents: int, mode: str,
                          reason: str, note: str | None = None, currency: str = "eur") -> dict[str, Any]:
    """Credit a wallet by hand (bank transfer, invoice, goodwill): one ledger entry plus its reason."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidRequest("A credit needs --reason (for example 'bank transfer 2026-12-01').", field="reason")
    if len(reason) > CREDIT_REASONS_MAX:
        raise InvalidRequest(f"--reason is limited to {CREDIT_REASONS_MAX} characters.", field="reason")
    if mode not in ("test", "live"):
        raise InvalidRequest('--mode must be "test" or "live".', field="mode")
    if amount_cents <= 0:
        raise InvalidRequest("--amount-cents must be a positive number of cents.", field="amountCents")
    if amount_cents > settings.operator_credit_max_cents:
        raise InvalidRequest(f"--amount-cents is over the limit of {settings.operator_credit_max_cents} cents "
                             "(PIETERPOST_OPERATOR_CREDIT_MAX_CENTS).", field="amountCents")
    async with db.transaction() as session:
        account = await get_account_by_email(session, email)
        if account is None:
            raise NotFound(f"No account for {email}; run 'pieterpost accounts create' first.")
        wallet = await ensure_wallet(session, account.id, mode, currency)
        entry = await post_entry(session, wallet, amount_cents, "credit")
        credit = OperatorCredit(id=new_id("cred"), account_id=account.id, ledger_entry_id=entry.id, mode=mode,
                                amount_cents=amount_cents, reason=reason, note=note or None)
        session.add(credit)
        await session.flush()
        return {"creditId": credit.id, "accountId": account.id, "ledgerEntryId": entry.id,
                "amountCents": amount_cents, "reason": reason, "note": credit.note, "wallet": wallet_view(wallet)}
