"""Concurrent use of one code or one refresh token: exactly one request can win.

A second presentation, even a simultaneous one, is what a stolen copy looks like, so it
also ends the family (OAuth 2.1 §4.1.3, RFC 9700 §4.14.2).
"""
from __future__ import annotations

import asyncio

from oauth import bearer
from tests.oauth import flow


async def _still_valid(app, access_token: str) -> bool:
    try:
        await bearer.verify(app.state.db, f"Bearer {access_token}", app.state.settings)
    except bearer.BearerError:
        return False
    return True


async def test_simultaneous_code_redemptions_issue_once(http, oauth_app) -> None:
    client = await flow.register(http)
    v = flow.verifier()
    code = await flow.get_code(http, client, v)
    answers = await asyncio.gather(*[flow.exchange(http, client, code, v) for _ in range(5)])
    winners = [a for a in answers if a.status_code == 200]
    assert len(winners) == 1
    assert all(a.json()["error"] == "invalid_grant" for a in answers if a.status_code != 200)
    assert not await _still_valid(oauth_app, winners[0].json()["access_token"])


async def test_simultaneous_refreshes_rotate_once(http, oauth_app) -> None:
    client = await flow.register(http)
    v = flow.verifier()
    code = await flow.get_code(http, client, v)
    tokens = (await flow.exchange(http, client, code, v)).json()
    answers = await asyncio.gather(*[flow.refresh(http, client, tokens["refresh_token"]) for _ in range(4)])
    winners = [a for a in answers if a.status_code == 200]
    assert len(winners) == 1
    assert not await _still_valid(oauth_app, winners[0].json()["access_token"])
