"""Housekeeping removes dead rows and leaves live connections alone."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from domain.core.clock import utcnow
from oauth import bearer
from oauth.models import OAuthCode, OAuthGrant
from oauth.prune import prune
from tests.oauth import flow


async def test_prune_keeps_live_grants_and_drops_unredeemed_ones(http, oauth_app) -> None:
    db = oauth_app.state.db
    client = await flow.register(http)
    v = flow.verifier()
    live_code = await flow.get_code(http, client, v)
    tokens = (await flow.exchange(http, client, live_code, v)).json()
    await flow.get_code(http, client, flow.verifier())  # approved, never redeemed
    await prune(db, utcnow() + timedelta(days=2))
    info = await bearer.verify(db, f"Bearer {tokens['access_token']}", oauth_app.state.settings)
    async with db.read() as s:
        grants = (await s.execute(select(func.count()).select_from(OAuthGrant)
                                  .where(OAuthGrant.id == info.grant_id))).scalar_one()
        unused = (await s.execute(select(func.count()).select_from(OAuthCode)
                                  .where(OAuthCode.used_at.is_(None), OAuthCode.client_id == client.client_id))).scalar_one()
    assert grants == 1 and unused == 0
