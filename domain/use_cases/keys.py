"""Public API keys as the dashboard, the MCP key tools and the CLI manage them.

A new key's secret is returned once, here, and never again. The internal keys MCP acts
through are neither listed nor revocable.
"""
from __future__ import annotations

from typing import Any

from domain.accounts import apikeys
from domain.core.errors import NotFound
from domain.persistence.db import Database


async def list_keys(db: Database, account_id: str) -> list[dict[str, Any]]:
    async with db.read() as session:
        return [apikeys.key_view(k) for k in await apikeys.list_keys(session, account_id)]


async def get_key(db: Database, account_id: str, key_id: str) -> dict[str, Any]:
    """One of the account's public keys; another account's id is ``not_found``."""
    for key in await list_keys(db, account_id):
        if key["id"] == key_id:
            return key
    raise NotFound(f"No API key {key_id}.")


async def create_key(db: Database, account_id: str, mode: str, name: str | None) -> dict[str, Any]:
    """``{"key": view, "secret": plaintext}``; the secret exists only in this answer."""
    async with db.transaction() as session:
        created = await apikeys.create_key(session, account_id, mode, name)
        return {"key": apikeys.key_view(created.key), "secret": created.secret}


async def revoke_key(db: Database, account_id: str, key_id: str) -> dict[str, Any]:
    async with db.transaction() as session:
        return apikeys.key_view(await apikeys.revoke_key(session, account_id, key_id))


async def internal_key_id(db: Database, account_id: str, mode: str) -> str:
    """The id of the account's internal MCP key for ``mode`` (made on first use)."""
    async with db.transaction() as session:
        return (await apikeys.internal_key(session, account_id, mode)).id
