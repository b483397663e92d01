"""A person's connected MCP clients, for the dashboard and the ``search``/``fetch`` tools.

A connection is a grant that has issued tokens and is not revoked. Revoking it ends every
access and refresh token of that grant at once (``bearer.verify`` joins the grant).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select, update

from domain.core.clock import iso, utcnow
from domain.persistence.db import Database
from domain.core.errors import NotFound
from domain.requests.credential_cache import revoked
from oauth.models import OAuthGrant, OAuthToken
from oauth.scopes import parse_scope


async def list_connections(db: Database, account_id: str) -> list[dict[str, Any]]:
    """Live connections, newest first, in the seed's camelCase style."""
    has_tokens = exists().where(OAuthToken.grant_id == OAuthGrant.id)
    async with db.read() as s:
        rows = (await s.execute(
            select(OAuthGrant).where(OAuthGrant.account_id == account_id, OAuthGrant.revoked_at.is_(None), has_tokens)
            .order_by(OAuthGrant.created_at.desc())
        )).scalars().all()
    return [{
        "grantId": g.id, "clientId": g.client_id, "clientName": g.client_name or g.client_id,
        "scopes": parse_scope(g.scope), "createdAt": iso(g.created_at), "lastUsedAt": iso(g.last_used_at),
    } for g in rows]


async def revoke_connection(db: Database, account_id: str, grant_id: str) -> None:
    """Disconnect one client. Another account's grant is ``not_found`` (no existence leak)."""
    async with db.transaction() as s:
        done = await s.execute(update(OAuthGrant).where(
            OAuthGrant.id == grant_id, OAuthGrant.account_id == account_id, OAuthGrant.revoked_at.is_(None),
        ).values(revoked_at=utcnow(), revoked_reason="revoked_by_user"))
        if done.rowcount == 1:
            await revoked(s, f"grant:{grant_id}")
    if done.rowcount != 1:
        raise NotFound("No such connection.")
