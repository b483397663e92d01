"""A person's connected MCP clients, for the dashboard and the ``search``/``fetch`` tools.

A connection is a grant that has issued tokens and is not revoked. Revoking it ends every
access and refresh token of that grant at once (``bearer.verify`` joins the grant).
``GRANTS`` is this server's side of ``domain.use_cases.connected_clients`` (the dashboard's
Disconnect: every grant of the client, plus the remembered consent, in one transaction).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.core.clock import iso, utcnow
from domain.core.errors import NotFound
from domain.requests.credential_cache import revoked
from domain.persistence.db import Database
from oauth.models import OAuthGrant, OAuthToken
from oauth.scopes import parse_scope


def _live(account_id: str) -> Any:
    has_tokens = exists().where(OAuthToken.grant_id == OAuthGrant.id)
    return (select(OAuthGrant).where(OAuthGrant.account_id == account_id, OAuthGrant.revoked_at.is_(None), has_tokens)
            .order_by(OAuthGrant.created_at.desc()))


class SqlClientGrants:
    """``domain.use_cases.connected_clients.ClientGrants`` on the OAuth tables."""

    async def live_grants(self, session: AsyncSession, account_id: str) -> list[dict[str, Any]]:
        rows = (await session.execute(_live(account_id))).scalars().all()
        return [{"grantId": g.id, "clientId": g.client_id, "clientName": g.client_name or g.client_id,
                 "scopes": parse_scope(g.scope), "createdAt": g.created_at, "lastUsedAt": g.last_used_at}
                for g in rows]

    async def client_of_grant(self, session: AsyncSession, account_id: str, grant_id: str) -> str | None:
        return (await session.execute(select(OAuthGrant.client_id).where(
            OAuthGrant.id == grant_id, OAuthGrant.account_id == account_id, OAuthGrant.revoked_at.is_(None),
        ))).scalar_one_or_none()

    async def revoke_client(self, session: AsyncSession, account_id: str, client_id: str, now: datetime) -> int:
        grant_ids = (await session.execute(update(OAuthGrant).where(
            OAuthGrant.account_id == account_id, OAuthGrant.client_id == client_id, OAuthGrant.revoked_at.is_(None),
        ).values(revoked_at=now, revoked_reason="revoked_by_user").returning(OAuthGrant.id))).scalars().all()
        if grant_ids:
            await revoked(session, *(f"grant:{grant_id}" for grant_id in grant_ids))
        return len(grant_ids)


GRANTS = SqlClientGrants()


async def list_connections(db: Database, account_id: str) -> list[dict[str, Any]]:
    """Live connections (one per grant), newest first, in the seed's camelCase style."""
    async with db.read() as s:
        rows = await GRANTS.live_grants(s, account_id)
    return [{**row, "createdAt": iso(row["createdAt"]), "lastUsedAt": iso(row["lastUsedAt"])} for row in rows]


async def revoke_connection(db: Database, account_id: str, grant_id: str) -> None:
    """Disconnect one grant. Another account's grant is ``not_found`` (no existence leak)."""
    async with db.transaction() as s:
        done = await s.execute(update(OAuthGrant).where(
            OAuthGrant.id == grant_id, OAuthGrant.account_id == account_id, OAuthGrant.revoked_at.is_(None),
        ).values(revoked_at=utcnow(), revoked_reason="revoked_by_user"))
        if done.rowcount == 1:
            await revoked(s, f"grant:{grant_id}")
    if done.rowcount != 1:
        raise NotFound("No such connection.")
