"""The grant rules Authlib leaves to us (``oauth/grants.py``), at their edges: one resource
and only ours, a code that belongs to its client, a refresh token that is a refresh token,
the refresh token's scope kept when an access token is narrowed, and the exact last instant
of a code's life and of the refresh grace window."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import update

from oauth import bearer
from oauth.grants import InvalidTargetError, canonical_resource, within_grace
from oauth.hashing import token_hash
from oauth.models import OAuthCode, OAuthGrant, OAuthToken
from oauth.server import CODE_TTL
from tests.oauth import flow

# one sorts before the served resource, one after: a resource check must refuse both
OTHER_RESOURCES = ("http://127.0.0.1:8000/api/", "https://elsewhere.example/mcp/")


async def _tokens(http, client) -> dict:
    v = flow.verifier()
    code = await flow.get_code(http, client, v)
    answer = await flow.exchange(http, client, code, v)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def _scopes(app, access_token: str) -> frozenset[str]:
    return (await bearer.verify(app.state.db, f"Bearer {access_token}", app.state.settings)).scopes


async def _rebind_grant(app, grant_id: str, resource: str) -> None:
    """A grant row bound to some other resource (another deployment's row, a changed BASE_URL)."""
    async with app.state.db.transaction() as s:
        await s.execute(update(OAuthGrant).where(OAuthGrant.id == grant_id).values(resource=resource))


async def _grant_of_code(app, code: str) -> str:
    async with app.state.db.read() as s:
        return (await s.get(OAuthCode, token_hash(code))).grant_id


async def _grant_of_token(app, token: str) -> str:
    async with app.state.db.read() as s:
        return (await s.get(OAuthToken, token_hash(token))).grant_id


async def test_only_our_resource_named_once_or_not_at_all_is_accepted(oauth_app) -> None:
    server = oauth_app.state.oauth.server
    ours = server.resource
    assert canonical_resource(server, []) == ours
    assert canonical_resource(server, [ours]) == ours
    assert canonical_resource(server, [ours.rstrip("/")]) == ours
    for values in ([ours, ours], *([other] for other in OTHER_RESOURCES), [ours, OTHER_RESOURCES[0]]):
        with pytest.raises(InvalidTargetError):
            canonical_resource(server, values)


async def test_a_repeated_resource_at_authorize_is_invalid_target(http) -> None:
    client = await flow.register(http)
    params = list(flow.authorize_params(client, flow.verifier()).items()) + [("resource", flow.RESOURCE)]
    answer = await http.get("/mcp/oauth/authorize", params=params)
    assert answer.status_code == 302
    query = flow.redirect_query(answer)
    assert query["error"] == "invalid_target" and "code" not in query


def test_the_grace_window_includes_its_last_instant() -> None:
    used = datetime(2026, 1, 1, 12, 0, 0)
    grace = timedelta(seconds=60)
    assert within_grace(used, used, grace)
    assert within_grace(used, used + grace, grace)
    assert not within_grace(used, used + grace + timedelta(microseconds=1), grace)


async def test_each_clients_code_is_unknown_to_the_other(http) -> None:
    """Both directions, so the check cannot pass by the order of two random client ids."""
    first, second = await flow.register(http), await flow.register(http)
    for owner, other in ((first, second), (second, first)):
        v = flow.verifier()
        code = await flow.get_code(http, owner, v)
        answer = await flow.exchange(http, flow.Registered(other.client_id, None, owner.redirect_uri), code, v)
        assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"
        assert (await flow.exchange(http, owner, code, v)).status_code == 200


@pytest.mark.parametrize("other", OTHER_RESOURCES)
async def test_a_code_whose_grant_names_another_resource_is_invalid_target(http, oauth_app, other: str) -> None:
    client = await flow.register(http)
    v = flow.verifier()
    code = await flow.get_code(http, client, v)
    await _rebind_grant(oauth_app, await _grant_of_code(oauth_app, code), other)
    answer = await flow.exchange(http, client, code, v)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_target"


@pytest.mark.parametrize("other", OTHER_RESOURCES)
async def test_a_refresh_whose_grant_names_another_resource_is_invalid_target(http, oauth_app, other: str) -> None:
    client = await flow.register(http)
    tokens = await _tokens(http, client)
    await _rebind_grant(oauth_app, await _grant_of_token(oauth_app, tokens["refresh_token"]), other)
    answer = await flow.refresh(http, client, tokens["refresh_token"])
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_target"


async def test_an_access_token_is_no_refresh_token(http, oauth_app) -> None:
    client = await flow.register(http)
    tokens = await _tokens(http, client)
    answer = await flow.refresh(http, client, tokens["access_token"])
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"
    assert await _scopes(oauth_app, tokens["access_token"])  # and nothing was revoked by the attempt


async def test_a_narrowed_refresh_keeps_the_refresh_tokens_full_scope(http, oauth_app) -> None:
    """RFC 6749 §6: the new refresh token's scope is that of the one presented, so asking for
    less once does not lose the rest for good."""
    client = await flow.register(http)
    tokens = await _tokens(http, client)  # api:read mailbook:read
    narrowed = await http.post("/mcp/oauth/token", data={"grant_type": "refresh_token", "client_id": client.client_id,
                                                        "refresh_token": tokens["refresh_token"], "scope": "api:read"})
    assert narrowed.status_code == 200, narrowed.text
    assert await _scopes(oauth_app, narrowed.json()["access_token"]) == {"api:read"}
    full = await flow.refresh(http, client, narrowed.json()["refresh_token"])
    assert full.status_code == 200, full.text
    assert await _scopes(oauth_app, full.json()["access_token"]) == {"api:read", "mailbook:read"}


async def test_a_code_is_refused_at_the_exact_instant_it_expires(http, oauth_clock) -> None:
    client = await flow.register(http)
    v = flow.verifier()
    oauth_clock.frozen = start = oauth_clock()
    try:
        code = await flow.get_code(http, client, v)
        oauth_clock.frozen = start + CODE_TTL
        answer = await flow.exchange(http, client, code, v)
    finally:
        oauth_clock.frozen = None
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"


async def test_a_refresh_token_replayed_at_the_last_instant_of_grace_keeps_the_family(http, oauth_app,
                                                                                      oauth_clock) -> None:
    client = await flow.register(http)
    tokens = await _tokens(http, client)
    grace = timedelta(seconds=oauth_app.state.settings.oauth_refresh_grace_seconds)
    oauth_clock.frozen = start = oauth_clock()
    try:
        first = await flow.refresh(http, client, tokens["refresh_token"])
        oauth_clock.frozen = start + grace
        retry = await flow.refresh(http, client, tokens["refresh_token"])
    finally:
        oauth_clock.frozen = None
    assert first.status_code == 200 and retry.status_code == 200, retry.text
    assert await _scopes(oauth_app, first.json()["access_token"])  # the family lives on
