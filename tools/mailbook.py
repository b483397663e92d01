"""Mailbook tools: thin adapters onto ``domain.use_cases.contacts`` (scopes mailbook:read / mailbook:write)."""
from __future__ import annotations

from typing import Any

from domain.mailbook.contacts import parse_limit
from domain.use_cases import contacts
from tools.context import ToolEnv


async def list_mailbook_contacts(env: ToolEnv, args: dict[str, Any]) -> dict[str, Any]:
    limit = parse_limit(args.get("limit"))
    query = (args.get("query") or "").strip() or None
    items = await contacts.search(env.db, env.account_id, query, limit)
    return {"contacts": items, "count": len(items), "query": query}


async def get_mailbook_contact(env: ToolEnv, args: dict[str, Any]) -> dict[str, Any]:
    return await contacts.get(env.db, env.account_id, args["contactId"])


async def create_mailbook_contact(env: ToolEnv, args: dict[str, Any]) -> dict[str, Any]:
    return await contacts.create(env.db, env.account_id, args)


async def update_mailbook_contact(env: ToolEnv, args: dict[str, Any]) -> dict[str, Any]:
    changes = {k: v for k, v in args.items() if k != "contactId"}
    return await contacts.update(env.db, env.account_id, args["contactId"], changes)


async def delete_mailbook_contact(env: ToolEnv, args: dict[str, Any]) -> dict[str, Any]:
    await contacts.delete(env.db, env.account_id, args["contactId"])
    return {"id": args["contactId"], "deleted": True}


TOOLS = {
    "list_mailbook_contacts": list_mailbook_contacts,
    "get_mailbook_contact": get_mailbook_contact,
    "create_mailbook_contact": create_mailbook_contact,
    "update_mailbook_contact": update_mailbook_contact,
    "delete_mailbook_contact": delete_mailbook_contact,
}
