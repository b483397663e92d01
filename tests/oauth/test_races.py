"""Concurrent use of one code or one refresh token.

A second presentation of a code, even a simultaneous one, is what a stolen copy looks like,
so it ends the family (OAuth 2.1 §4.1.3). A refresh token presented again within the grace
window (a retry after a lost response, two client processes sharing one token store) gets
working tokens and the family survives; after the window it ends the family (RFC 9700 §4.14.2).
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


async def _tokens(http, client) -> dict:
    v = flow.verifier()
    code = await flow.get_code(http, client, v)
    return (await flow.exchange(http, client, code, v)).json()


async def test_simultaneous_code_redemptions_issue_once(http, oauth_app) -> None:
    client = await flow.register(http)
    v = flow.verifier()
    code = await flow.get_code(http, client, v)
    answers = await asyncio.gather(*[flow.exchange(http, client, code, v) for _ in range(5)])
    winners = [a for a in answers if a.status_code == 200]
    assert len(winners) == 1
    assert all(a.json()["error"] == "invalid_grant" for a in answers if a.status_code != 200)
    assert not await _still_valid(oauth_app, winners[0].json()["access_token"])


async def test_racing_refreshes_all_end_with_working_tokens(http, oauth_app) -> None:
    """Four callers refresh with one token at the same moment (separate connections, so the
    database decides): each gets its own pair, and every pair keeps working."""
    client = await flow.register(http)
    tokens = await _tokens(http, client)
    answers = await asyncio.gather(*[flow.refresh(http, client, tokens["refresh_token"]) for _ in range(4)])
    assert [a.status_code for a in answers] == [200] * 4, [a.text for a in answers]
    pairs = [a.json() for a in answers]
    assert len({p["access_token"] for p in pairs}) == 4
    for pair in pairs:
        assert await _still_valid(oauth_app, pair["access_token"])
    follow_ups = await asyncio.gather(*[flow.refresh(http, client, p["refresh_token"]) for p in pairs])
    assert [a.status_code for a in follow_ups] == [200] * 4  # every caller's refresh token rotates on
    assert await _still_valid(oauth_app, tokens["access_token"])  # the family was never revoked


async def test_repeated_refresh_within_grace_keeps_the_family(http, oauth_app, oauth_clock) -> None:
    client = await flow.register(http)
    tokens = await _tokens(http, client)
    first = await flow.refresh(http, client, tokens["refresh_token"])
    oauth_clock.advance(oauth_app.state.settings.oauth_refresh_grace_seconds - 5)  # a late retry, still inside
    retry = await flow.refresh(http, client, tokens["refresh_token"])
    assert first.status_code == 200 and retry.status_code == 200, retry.text
    for answer in (first, retry):
        assert await _still_valid(oauth_app, answer.json()["access_token"])
        assert (await flow.refresh(http, client, answer.json()["refresh_token"])).status_code == 200


async def test_reuse_after_grace_revokes_the_family(http, oauth_app, oauth_clock) -> None:
    client = await flow.register(http)
    tokens = await _tokens(http, client)
    rotated = (await flow.refresh(http, client, tokens["refresh_token"])).json()
    oauth_clock.advance(oauth_app.state.settings.oauth_refresh_grace_seconds + 1)
    replay = await flow.refresh(http, client, tokens["refresh_token"])
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert not await _still_valid(oauth_app, rotated["access_token"])
    assert (await flow.refresh(http, client, rotated["refresh_token"])).json()["error"] == "invalid_grant"
