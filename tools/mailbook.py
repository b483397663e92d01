"""Mailbook tools: thin adapters onto ``domain.mailbook.contacts`` (scopes mailbook:read / mailbook:write)."""
from __future__ import annotations

from typing import Any

from domain.mailbook import contacts
from tools.context import ToolEnv


async def list_mailbook_contacts(env: ToolEnv, args: dict[str, Any]) -> dict[str, Any]:
    limit = contacts.parse_limit(args.get("limit"))
    query = (args.get("query") or "").strip() or None
    async with env.db.read() as session:
        found = await contacts.search_contacts(session, env.account_id, query, limit)
        items = [contacts.contact_view(c) for c in found]
    return {"contacts": items, "count": len(items), "query": query}


async def get_mailbook_contact(env: ToolEnv, args: dict[str, Any]) -> dict[str, Any]:
    async with env.db.read() as session:
        return contacts.contact_view(await contacts.get_contact(session, env.account_id, args["contactId"]))


async def create_mailbook_contact(env: ToolEnv, args: dict[str, Any]) -> dict[str, Any]:
    async with env.db.transaction() as session:
        return contacts.contact_view(await contacts.create_contact(session, env.account_id, args))


async def update_mailbook_contact(env: ToolEnv, args: dict[str, Any]) -> dict[str, Any]:
    changes = {k: v for k, v in args.items() if k != "contactId"}
    async with env.db.transaction() as session:
        contact = await contacts.update_contact(session, env.account_id, args["contactId"], changes)
        return contacts.contact_view(contact)


async def delete_mailbook_contact(env: ToolEnv, args: dict[str, Any]) -> dict[str, Any]:
    async with env.db.transaction() as session:
        await contacts.delete_contact(session, env.account_id, args["contactId"])
    return {"id": args["contactId"], "deleted": True}


TOOLS = {
    "list_mailbook_contacts": list_mailbook_contacts,
    "get_mailbook_contact": get_mailbook_contact,
    "create_mailbook_contact": create_mailbook_contact,
    "update_mailbook_contact": update_mailbook_contact,
    "delete_mailbook_contact": delete_mailbook_contact,
}
