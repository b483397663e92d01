"""OAuth scopes and the scope each MCP tool needs (docs/product.md § Scopes).

The one place that knows which tool needs which scope: the MCP endpoint asks
``scope_for_tool`` before every call, the consent page shows ``SCOPES`` in plain words,
and the metadata documents advertise ``ALL_SCOPES``.
"""
from __future__ import annotations

from collections.abc import Iterable

#: scope -> what it lets a client do, in plain words for the consent page.
SCOPES: dict[str, str] = {
    "api:read": "See your wallet balance, orders, top-ups and price quotes, and search your account.",
    "api:send": "Send letters and postcards, upload files, create payment, checkout and compose links, "
    "and add wallet credits.",
    "api:keys": "List, create and revoke your public API keys.",
    "mailbook:read": "Look up the contacts saved in your Mailbook.",
    "mailbook:write": "Add, change and delete contacts in your Mailbook.",
}

ALL_SCOPES: tuple[str, ...] = tuple(SCOPES)

#: tool -> the one scope it needs (every tool needs exactly one).
TOOL_SCOPES: dict[str, str] = {
    # api:read permits search, fetch, get_wallet, get_order, quote_order, get_topup, list_topups
    "search": "api:read",
    "fetch": "api:read",
    "get_wallet": "api:read",
    "get_order": "api:read",
    "quote_order": "api:read",
    "get_topup": "api:read",
    "list_topups": "api:read",
    # api:send permits uploads, compose/payment/checkout links, direct orders, credit top-ups
    "upload_asset": "api:send",
    "create_compose_link": "api:send",
    "create_payment_link": "api:send",
    "create_checkout_link": "api:send",
    "create_direct_order": "api:send",
    "create_credit_topup": "api:send",
    # api:keys permits listing, creating and revoking public API keys
    "list_api_keys": "api:keys",
    "create_api_key": "api:keys",
    "revoke_api_key": "api:keys",
    # mailbook:read permits listing, searching and fetching saved contacts
    "list_mailbook_contacts": "mailbook:read",
    "get_mailbook_contact": "mailbook:read",
    # mailbook:write permits creating, updating and deleting saved contacts
    "create_mailbook_contact": "mailbook:write",
    "update_mailbook_contact": "mailbook:write",
    "delete_mailbook_contact": "mailbook:write",
}


def scope_for_tool(tool_name: str) -> str | None:
    """The scope a tool needs, or None for a name that is not one of the 21 tools."""
    return TOOL_SCOPES.get(tool_name)


def parse_scope(value: str | None) -> list[str]:
    """Split an RFC 6749 §3.3 scope string (space-delimited, order kept, duplicates dropped)."""
    seen: list[str] = []
    for item in (value or "").split():
        if item not in seen:
            seen.append(item)
    return seen


def join_scope(scopes: Iterable[str]) -> str:
    """Render scopes in the canonical order of ``ALL_SCOPES`` (unknown ones last)."""
    items = set(scopes)
    ordered = [s for s in ALL_SCOPES if s in items]
    ordered += sorted(items - set(ALL_SCOPES))
    return " ".join(ordered)


def describe(scopes: Iterable[str]) -> list[tuple[str, str]]:
    """(scope, plain words) pairs for the consent page, canonical order."""
    return [(s, SCOPES.get(s, s)) for s in join_scope(scopes).split()]
