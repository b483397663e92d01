"""Order tools: quote, payment/checkout links, direct send, get_order — onto ``domain.use_cases.commands``.

MCP-only rules live here: the quote's ``guidance`` object (docs/product.md § MCP server) and the
live direct-send confirmation (``confirmLiveSend: true`` and
``maxAmountCents`` ≥ total, else ``confirmation_required``).
"""
from __future__ import annotations

import logging
import math
from collections.abc import Awaitable
from typing import Any

from domain.printing.previews import small_image
from domain.use_cases import commands, mail, previews
from domain.core.errors import DomainError, ErrorCode
from domain.money.topups import MAX_TOPUP_CENTS, MIN_TOPUP_CENTS
from tools._common import body_of, unwrap
from tools.context import ToolEnv, mode_of
from tools.results import WithContent, image

logger = logging.getLogger(__name__)

QUOTE_FIELDS = (
    "accountId", "amountCents", "approvalStatus", "approvedForDirectSend", "creditsEnabled", "liveEnabled",
    "missingBalanceCents", "mode", "recipientCount", "requestType", "requiresTopup", "wallet",
)


def recommended_topup(missing_cents: int) -> int | None:
    """Smallest allowed top-up covering the gap (whole units, within the top-up limits)."""
    if missing_cents <= 0:
        return None
    whole = math.ceil(missing_cents / 100) * 100
    return min(MAX_TOPUP_CENTS, max(MIN_TOPUP_CENTS, whole))


def guidance(quote: dict[str, Any], *, hosted_checkout: bool) -> dict[str, Any]:
    """What to call next. One-off mail defaults to a hosted payment link;
    the wallet path is given as the alternative: top up first when the balance is short."""
    amount = int(quote["amountCents"])
    live = quote["mode"] == "live"
    topup = recommended_topup(int(quote["missingBalanceCents"]))
    wallet_step = {
        "nextAction": "create_credit_topup" if topup else "create_direct_order",
        "recommendedMaxAmountCents": amount,
        "recommendedTopupAmountCents": topup,
        "requiresConfirmLiveSend": live,
        "requiresIdempotencyKey": True,
    }
    if hosted_checkout:
        main = {**wallet_step, "nextAction": "create_payment_link", "recommendedTopupAmountCents": None,
                "requiresConfirmLiveSend": False}
    else:
        main = dict(wallet_step)
    return {**main, "walletDirectSendAlternative": wallet_step}


async def _quote(env: ToolEnv, args: dict[str, Any]) -> dict[str, Any]:
    caller = await env.caller(mode_of(args))
    return await commands.quote(env.db, env.settings, caller, body_of(args))


async def with_preview(structured: dict[str, Any], first_page: Awaitable[bytes]) -> WithContent:
    """``structured`` plus a small image of the first page. The result never depends on the
    picture: a preview that cannot be drawn now (rate limit, a stored asset gone) is left out."""
    try:
        data, mime_type = small_image(await first_page)
    except DomainError as err:
        logger.info("preview left out of the tool result: %s", err.message)
        return WithContent(structured)
    except Exception:
        logger.exception("preview failed; the tool result goes out without it")
        return WithContent(structured)
    return WithContent(structured, (image(data, mime_type),))


async def quote_order(env: ToolEnv, args: dict[str, Any]) -> WithContent:
    caller = await env.caller(mode_of(args))
    raw, first_page = await commands.quote_with_first_page(env.db, env.settings, caller, body_of(args))
    out = {key: raw[key] for key in QUOTE_FIELDS}
    out["guidance"] = guidance(out, hosted_checkout=bool(raw.get("hostedApiEnabled", True)))
    return await with_preview(out, first_page)


async def _checkout(env: ToolEnv, args: dict[str, Any], name: str) -> dict[str, Any]:
    caller = await env.caller(mode_of(args))
    result = await commands.create_checkout_order(
        env.db, env.settings, caller, body_of(args), idempotency_key=args.get("idempotencyKey"), name=name
    )
    return unwrap(result)


async def create_payment_link(env: ToolEnv, args: dict[str, Any]) -> dict[str, Any]:
    order = await _checkout(env, args, "payment_link")
    # our own stable URL first: it redirects to whatever checkout is current (docs/product.md § Payments)
    return {**order, "paymentLinkUrl": order.get("publicCheckoutUrl") or order.get("checkoutUrl")}


async def create_checkout_link(env: ToolEnv, args: dict[str, Any]) -> dict[str, Any]:
    return await _checkout(env, args, "checkout_link")


def _confirmation_error(message: str, field: str) -> DomainError:
    return DomainError(message, code=ErrorCode.CONFIRMATION_REQUIRED, field=field)


async def create_direct_order(env: ToolEnv, args: dict[str, Any]) -> dict[str, Any]:
    mode = mode_of(args)
    if mode == "live":
        if args.get("confirmLiveSend") is not True:
            raise _confirmation_error(
                "A live direct send mails real letters and spends credits: ask the person to confirm, then "
                "call again with confirmLiveSend: true and maxAmountCents.", "confirmLiveSend")
        cap = args.get("maxAmountCents")
        if cap is None:
            raise _confirmation_error("A live direct send needs maxAmountCents, the most it may cost.",
                                      "maxAmountCents")
        total = int((await _quote(env, args))["amountCents"])
        if total > cap:
            raise _confirmation_error(
                f"This order costs {total} cents, more than maxAmountCents ({cap:g}). Nothing was sent.",
                "maxAmountCents")
    caller = await env.caller(mode)
    result = await commands.create_direct_order(
        env.db, env.settings, caller, body_of(args), idempotency_key=args.get("idempotencyKey")
    )
    return unwrap(result)


async def get_order(env: ToolEnv, args: dict[str, Any]) -> WithContent:
    """The order (closed schema), a text item saying where each piece is, and the first-page preview."""
    caller = await env.caller(mode_of(args))
    order, whereabouts = await mail.get_order_with_whereabouts(env.db, env.settings, caller, args["orderId"])
    shown = await with_preview(order, previews.first_page_for_order(env.db, env.settings, caller, args["orderId"]))
    return WithContent(shown.structured, ({"type": "text", "text": whereabouts}, *shown.extra))


TOOLS = {
    "quote_order": quote_order,
    "create_payment_link": create_payment_link,
    "create_checkout_link": create_checkout_link,
    "create_direct_order": create_direct_order,
    "get_order": get_order,
}
