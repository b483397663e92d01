"""Mailbook contacts for the MCP tools and the search index: each call one read or one transaction."""
from __future__ import annotations

from typing import Any

from domain.mailbook import contacts
from domain.persistence.db import Database


async def search(db: Database, account_id: str, query: str | None, limit: int) -> list[dict[str, Any]]:
    async with db.read() as session:
        return [contacts.contact_view(c) for c in await contacts.search_contacts(session, account_id, query, limit)]


async def get(db: Database, account_id: str, contact_id: str) -> dict[str, Any]:
    async with db.read() as session:
        return contacts.contact_view(await contacts.get_contact(session, account_id, contact_id))


async def create(db: Database, account_id: str, data: dict[str, Any]) -> dict[str, Any]:
    async with db.transaction() as session:
        return contacts.contact_view(await contacts.create_contact(session, account_id, data))


async def update(db: Database, account_id: str, contact_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    async with db.transaction() as session:
        return contacts.contact_view(await contacts.update_contact(session, account_id, contact_id, changes))


async def delete(db: Database, account_id: str, contact_id: str) -> None:
    async with db.transaction() as session:
        await contacts.delete_contact(session, account_id, contact_id)
