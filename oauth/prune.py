"""Housekeeping: drop authorization-server rows that can no longer matter.

Nothing here changes behaviour (expired rows are already refused on read); it only keeps
the tables small. Meant for the worker loop, any process, any time: each statement is an
idempotent DELETE. Revoked grants are kept for ``KEEP_REVOKED`` so reuse stays detectable.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, delete, exists, or_, select

from domain.core.clock import utcnow
from domain.persistence.db import Database
from oauth.models import OAuthCimdDocument, OAuthCode, OAuthGrant, OAuthRequest, OAuthToken, WebSession

KEEP_EXPIRED = timedelta(days=1)
KEEP_REVOKED = timedelta(days=30)


async def prune(db: Database, now: datetime | None = None) -> None:
    now = now or utcnow()
    stale = now - KEEP_EXPIRED
    async with db.transaction() as s:
        await s.execute(delete(OAuthRequest).where(OAuthRequest.expires_at < stale))
        await s.execute(delete(WebSession).where(or_(WebSession.expires_at < stale, WebSession.revoked.is_(True))))
        await s.execute(delete(OAuthCimdDocument).where(OAuthCimdDocument.expires_at < stale))
        await s.execute(delete(OAuthToken).where(OAuthToken.expires_at < now - KEEP_REVOKED))
        dead = select(OAuthGrant.id).where(OAuthGrant.revoked_at < now - KEEP_REVOKED)
        await s.execute(delete(OAuthToken).where(OAuthToken.grant_id.in_(dead)))
        await s.execute(delete(OAuthCode).where(or_(OAuthCode.grant_id.in_(dead),
                                                    and_(OAuthCode.used_at.is_(None), OAuthCode.expires_at < stale))))
        await s.execute(delete(OAuthGrant).where(OAuthGrant.revoked_at < now - KEEP_REVOKED))
        await s.execute(delete(OAuthGrant).where(  # approvals whose code was never redeemed
            OAuthGrant.created_at < stale, ~exists().where(OAuthCode.grant_id == OAuthGrant.id),
            ~exists().where(OAuthToken.grant_id == OAuthGrant.id)))
