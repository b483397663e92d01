"""The dashboard's Connected clients page: list each OAuth client a person connected, and
disconnect one (its tokens stop working and the consent page is shown again next time).

The grant and token tables belong to the authorization server; it hands its side in as a
``ClientGrants`` (``oauth.connections.GRANTS``), so this module keeps the one transaction and
the rules without importing the ``oauth`` package.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from domain.accounts import consents
from domain.core.clock import utcnow
from domain.core.context import Caller
from domain.core.errors import NotFound
from domain.persistence.db import Database


class ClientGrants(Protocol):
    async def live_grants(self, session: AsyncSession, account_id: str) -> list[dict[str, Any]]:
        """Live grants that issued tokens, newest first: grantId, clientId, clientName, scopes,
        createdAt, lastUsedAt (datetimes)."""
        ...

    async def client_of_grant(self, session: AsyncSession, account_id: str, grant_id: str) -> str | None: ...

    async def revoke_client(self, session: AsyncSession, account_id: str, client_id: str, now: datetime) -> int:
        """Revoke every live grant (so every token) of this client for this account."""
        ...


async def list_connected_clients(db: Database, caller: Caller, grants: ClientGrants) -> list[dict[str, Any]]:
    """One entry per client, newest connection first; ``grantId`` is the newest grant (the
    handle the page's Disconnect link carries), ``scopes`` what its tokens may do together."""
    async with db.read() as s:
        rows = await grants.live_grants(s, caller.account_id)
    by_client: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = by_client.get(row["clientId"])
        if entry is None:
            by_client[row["clientId"]] = {**row, "scopes": list(row["scopes"]), "grants": 1}
            continue
        entry["grants"] += 1
        entry["scopes"] += [s for s in row["scopes"] if s not in entry["scopes"]]
        entry["createdAt"] = min(entry["createdAt"], row["createdAt"])
        if row["lastUsedAt"] is not None and (entry["lastUsedAt"] is None or row["lastUsedAt"] > entry["lastUsedAt"]):
            entry["lastUsedAt"] = row["lastUsedAt"]
    return list(by_client.values())


async def disconnect_client(db: Database, caller: Caller, grant_id: str, grants: ClientGrants) -> str:
    """Disconnect the client behind ``grant_id``: revoke all its grants for this person and
    forget the consent, in one transaction. Another account's grant is ``not_found``."""
    now = utcnow()
    async with db.transaction() as s:
        client_id = await grants.client_of_grant(s, caller.account_id, grant_id)
        if client_id is None:
            raise NotFound("No such connection.")
        await grants.revoke_client(s, caller.account_id, client_id, now)
        await consents.forget(s, caller.account_id, client_id)
    return client_id
