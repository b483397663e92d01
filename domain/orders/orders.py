"""Orders: quote, direct send from the wallet, hosted checkout, read, list, cancel.

REST and MCP both call these; every rule about an order lives here or below.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.money.currency import DEFAULT_CURRENCY
from domain.accounts.accounts import get_account
from domain.events import order_event
from domain.events.record import order_event_row
from domain.accounts.controls import ensure_active
from domain.limits.spend import charge_live_spend
from domain.payments.checkout import CHECKOUT_TTL, open_checkout
from domain.core.clock import utcnow
from domain.core.context import Caller
from domain.core.errors import ErrorCode, Forbidden, LimitExceeded, NotCancellable
from domain.fulfillment.handoff import cancel_job, enqueue
from domain.fulfillment.providers import check_supported
from domain.core.ids import get_owned, new_id, new_ref
from domain.requests.rate_limits import count_daily_order
from domain.persistence.core_rows import insert_new
from domain.persistence.models import Account, Order, OrderPiece, Wallet
from domain.orders.status import move, write_events
from domain.core.paging import newest_first
from domain.orders.payloads import OrderDraft
from domain.orders.quotes import Quote, quote_draft
from domain.core.settings import Settings
from domain.money.wallets import ensure_wallet, peek_wallet, post_entry, post_entry_for

CANCELLABLE = ("draft", "checkout_open", "paid")  # not yet queued (docs/product.md § Order statuses)


@dataclass(frozen=True)
class CreatedOrder:
    order: Order
    wallet: Wallet | None


async def _check_live_gates(session: AsyncSession, caller: Caller, account: Account, settings: Settings,
                            *, direct: bool) -> None:
    """Live mode needs a live-enabled account; direct live sends need approval
    (docs/product.md § Accounts and approval).

    An account awaiting approval meets its live-order cap first (``live_order_cap_reached``, the
    documented answer to a live key of such an account), then the switches.
    """
    if caller.mode != "live":
        return
    if account.approval_status != "approved":
        live_orders = await session.scalar(
            select(func.count()).select_from(Order).where(Order.account_id == account.id, Order.mode == "live")
        )
        if (live_orders or 0) >= settings.live_order_cap_unapproved:
            raise LimitExceeded(
                f"Accounts awaiting approval may create {settings.live_order_cap_unapproved} live orders; "
                f"this account's approval status is {account.approval_status}. Test mode works meanwhile.",
                code=ErrorCode.LIVE_ORDER_CAP_REACHED,
            )
    if not account.live_enabled:
        raise Forbidden("Live mode is not enabled for this account yet.")
    if direct and not account.approved_for_direct_send:
        raise Forbidden("Live direct send needs an account approved for direct send.")


def _check_capabilities(account: Account, billing_mode: str) -> None:
    """The account switches ``get_wallet`` reports: each one really turns its flow off."""
    if billing_mode == "credits" and not account.credits_enabled:
        raise Forbidden("Wallet-funded direct send is disabled for this account (creditsEnabled is false).")
    if billing_mode == "hosted_checkout" and not account.hosted_api_enabled:
        raise Forbidden("Hosted checkout is disabled for this account (hostedApiEnabled is false).")


def _new_order(caller: Caller, quote: Quote, billing_mode: str, source: str) -> Order:
    draft = quote.draft
    now = utcnow()
    return Order(
        id=new_id("ord"),
        account_id=caller.account_id,
        order_ref=new_ref(),
        mode=caller.mode,
        request_type=draft.request_type,
        billing_mode=billing_mode,
        status="draft",
        amount_cents=quote.amount_cents,
        currency=DEFAULT_CURRENCY,
        recipient_count=quote.recipient_count,
        external_id=draft.external_id,
        sender_email=draft.sender_email,
        locale=draft.locale,
        metadata_=dict(draft.metadata),
        payload=draft_record(draft),
        return_url=draft.return_url,
        payment_method=draft.payment_method,
        source=source,
        created_at=now,
        updated_at=now,
    )


def draft_record(draft: OrderDraft) -> dict[str, Any]:
    """What is kept of the request beside the pieces (for proofs and support)."""
    return {
        "composeMode": draft.compose_mode,
        "templateMessage": draft.template_message,
        "variableKeys": list(draft.variable_keys or []),
        "stampImageAssetId": draft.stamp_image_asset_id,
        "frontImageAssetId": draft.front_image_asset_id,
    }


def _pieces(order: Order, quote: Quote) -> list[OrderPiece]:
    draft = quote.draft
    image = draft.stamp_image_asset_id if draft.request_type == "letter" else draft.front_image_asset_id
    for asset in quote.assets.values():
        asset.order_id = asset.order_id or order.id  # used assets are kept with the order
    return [OrderPiece(
        id=new_id("pc"), order_id=order.id, position=position, kind=draft.request_type,
        recipient=piece.recipient.to_payload(), message=piece.message,
        attachments=list(piece.attachment_ids), image_asset_id=image,
        page_count=priced.pages, amount_cents=priced.amount_cents, status="pending",
    ) for position, (piece, priced) in enumerate(zip(draft.pieces, quote.pieces, strict=True))]


async def _add_pieces(session: AsyncSession, order: Order, quote: Quote) -> None:
    session.add_all(_pieces(order, quote))
    await session.flush()


def _check_provider(caller: Caller, draft: OrderDraft, settings: Settings) -> None:
    """What the live print provider cannot mail is refused before any price or payment."""
    check_supported(settings, caller.mode, draft.request_type, (p.recipient.country for p in draft.pieces))


async def quote_order(session: AsyncSession | None, caller: Caller, draft: OrderDraft, settings: Settings) -> Quote:
    _check_provider(caller, draft, settings)
    return await quote_draft(session, caller.account_id, draft, settings)


async def _checked_quote(session: AsyncSession, caller: Caller, draft: OrderDraft, settings: Settings,
                         *, billing_mode: str) -> Quote:
    """Gates, price and the daily cap: everything an order must pass before it exists."""
    account = await get_account(session, caller.account_id)
    ensure_active(account)  # a paused account sends nothing, whichever way it asks
    _check_capabilities(account, billing_mode)
    await _check_live_gates(session, caller, account, settings, direct=billing_mode == "credits")
    _check_provider(caller, draft, settings)
    quote = await quote_draft(session, caller.account_id, draft, settings)
    await count_daily_order(session, caller.account_id, settings.daily_order_cap)
    return quote


async def _create_draft(session: AsyncSession, caller: Caller, draft: OrderDraft, settings: Settings,
                        *, billing_mode: str, source: str) -> Order:
    """The checked order in ``draft`` with its pieces, written now."""
    quote = await _checked_quote(session, caller, draft, settings, billing_mode=billing_mode)
    order = _new_order(caller, quote, billing_mode, source)
    session.add(order)
    await session.flush()
    await _add_pieces(session, order, quote)
    order_event(session, order, "order.created", at=order.created_at)
    return order


async def create_direct_order(session: AsyncSession, caller: Caller, draft: OrderDraft, settings: Settings,
                              *, source: str = "api") -> CreatedOrder:
    """Debit the wallet and send: draft → paid → queued (→ fulfilled at once in test mode).

    Lean on purpose (the hottest write): the wallet is debited by its owner columns first, then
    the order is built in memory up to its final status and written once — the order row, its
    pieces (one executemany), the ledger row, and every status event in one multi-row INSERT.
    """
    quote = await _checked_quote(session, caller, draft, settings, billing_mode="credits")
    order = _new_order(caller, quote, "credits", source)
    await charge_live_spend(session, caller, order.amount_cents, order.currency, settings)  # daily live limits
    wallet, entry = await post_entry_for(session, caller.account_id, caller.mode, order.currency,
                                         -order.amount_cents, "debit", order_id=order.id)
    order.payment_reference = f"wallet:{entry.id}"
    pieces = _pieces(order, quote)
    events: list[dict[str, Any]] = [order_event_row(order, "order.created", at=order.created_at)]  # as a draft
    move(session, order, "paid", events=events)
    await enqueue(session, order, pieces=pieces, events=events)
    insert_new(session, [order, *pieces])  # in final form, with the ledger row and events queued above
    write_events(session, events)
    return CreatedOrder(order, wallet)


async def create_checkout_order(session: AsyncSession, caller: Caller, draft: OrderDraft, settings: Settings,
                                *, source: str = "api") -> Order:
    """A hosted-checkout order: draft → checkout_open with a 24 h expiry."""
    order = await _create_draft(session, caller, draft, settings, billing_mode="hosted_checkout", source=source)
    order.expires_at = order.created_at + CHECKOUT_TTL
    await open_checkout(session, order, settings)
    move(session, order, "checkout_open")
    return order


async def get_order(session: AsyncSession, caller: Caller, order_id: str) -> Order:
    return await get_owned(session, Order, order_id, caller.account_id, "order")


async def list_orders(session: AsyncSession, caller: Caller, *, limit: int = 25, starting_after: str | None = None,
                      status: str | None = None, request_type: str | None = None,
                      mode: str | None = None, search: str | None = None) -> tuple[list[Order], bool]:
    """Newest first; ``starting_after`` is the last id of the previous page (cursor).

    ``search`` matches an order id, order reference, ``externalId`` or payment reference exactly.
    """
    stmt = select(Order).where(Order.account_id == caller.account_id)
    if search:
        stmt = stmt.where(or_(Order.id == search, Order.order_ref == search, Order.external_id == search,
                              Order.payment_reference == search))
    if mode:
        stmt = stmt.where(Order.mode == mode)
    if status:
        stmt = stmt.where(Order.status == status)
    if request_type:
        stmt = stmt.where(Order.request_type == request_type)
    after = await get_order(session, caller, starting_after) if starting_after else None
    return await newest_first(session, stmt, Order, limit=limit, after=after)


async def cancel_order(session: AsyncSession, caller: Caller, order_id: str) -> Order:
    """Cancel before the order is queued (docs/product.md § Order statuses).

    Wallet-paid orders get their credits back in this transaction; a paid hosted checkout is
    refunded through Stripe by the worker. The row is locked so a worker cannot queue it
    between the check and the change. A live open checkout's Stripe session is closed first,
    outside the transaction (``domain.payments.checkout.close_live_session``).
    """
    await get_order(session, caller, order_id)  # ownership: another account's order is not found
    order = await session.get(Order, order_id, with_for_update=True, populate_existing=True)
    assert order is not None
    if not can_cancel(order):
        raise NotCancellable(f"Order {order.id} is {order.status}; only orders not yet queued can be cancelled.")
    if order.status == "paid":
        if order.billing_mode == "credits":
            wallet = await ensure_wallet(session, order.account_id, order.mode, order.currency)
            entry = await post_entry(session, wallet, order.amount_cents, "refund", order_id=order.id)
            order.refund_reference = f"wallet:{entry.id}"
        await cancel_job(session, order)
    move(session, order, "cancelled")
    if order.refund_reference:
        order_event(session, order, "order.refunded")
    return order


def can_cancel(order: Order) -> bool:
    return order.status in CANCELLABLE


async def current_wallet(session: AsyncSession, order: Order) -> Wallet | None:
    if order.billing_mode != "credits":
        return None
    return await peek_wallet(session, order.account_id, order.mode, order.currency)
