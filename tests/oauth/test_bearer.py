"""Bearer verification for the MCP endpoint (``oauth/bearer.py``) called directly, at its
edges: the exact ``WWW-Authenticate`` challenge, each malformed header, a refresh token
offered as an access token, the expiry instant (first read and remembered), the resource
binding in both directions, the first use stamped at once, and tools outside the table."""
from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import update

from domain.core.settings import Settings
from oauth import bearer
from oauth.hashing import token_hash
from oauth.models import OAuthGrant, OAuthToken
from tests.oauth import flow

ALL = "api:read api:send api:keys mailbook:read mailbook:write"
META = "http://127.0.0.1:8000/.well-known/oauth-protected-resource"


async def _tokens(http) -> dict:
    client = await flow.register(http)
    v = flow.verifier()
    code = await flow.get_code(http, client, v)
    answer = await flow.exchange(http, client, code, v)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def _refused(app, authorization: str | None, **kwargs) -> bearer.BearerError:
    with pytest.raises(bearer.BearerError) as caught:
        await bearer.verify(app.state.db, authorization, app.state.settings, **kwargs)
    return caught.value


async def _grant_row(app, token: str) -> OAuthGrant:
    async with app.state.db.read() as s:
        grant_id = (await s.get(OAuthToken, token_hash(token))).grant_id
        return await s.get(OAuthGrant, grant_id)


async def test_the_challenge_names_realm_metadata_and_scopes_exactly(oauth_app) -> None:
    settings = oauth_app.state.settings
    assert bearer.challenge(settings) == (
        f'Bearer realm="PieterPost MCP", resource_metadata="{META}/mcp", scope="{ALL}"')
    assert bearer.challenge(settings, path="/mcp/") == (
        f'Bearer realm="PieterPost MCP", resource_metadata="{META}/mcp/", scope="{ALL}"')
    assert bearer.resource_metadata_url(settings, "/mcp/x") == f"{META}/mcp/"
    assert bearer.challenge(settings, error="insufficient_scope", description='needs "api:send" \\ now',
                            scope="api:send") == (
        f'Bearer realm="PieterPost MCP", resource_metadata="{META}/mcp", scope="api:send", '
        "error=\"insufficient_scope\", error_description=\"needs 'api:send'  now\"")


def test_the_metadata_path_is_compared_by_value() -> None:
    """A request's path is a string built at run time, not the literal in the code."""
    settings = Settings(base_url="http://127.0.0.1:8000", secret_key="bearer-test",
                        database_url="sqlite+aiosqlite:///:memory:")
    runtime_path = "".join(["/", "mcp"])
    assert bearer.resource_metadata_url(settings, runtime_path) == f"{META}/mcp"


def test_an_errors_message_is_its_description_else_its_code_else_a_default() -> None:
    assert str(bearer.BearerError(401, None)) == "authentication required"
    assert str(bearer.BearerError(401, "invalid_token")) == "invalid_token"
    assert str(bearer.BearerError(401, "invalid_token", "expired")) == "expired"


@pytest.mark.parametrize(("authorization", "error"), [
    (None, None), ("", None), ("Basic dXNlcjpwdw==", "invalid_request"), ("Bearer", "invalid_request"),
    ("Bearer   ", "invalid_request"), ("Bearer two parts", "invalid_request"), ("Token abc", "invalid_request"),
    ("Bearer ppat_unknown", "invalid_token"),
])
async def test_malformed_or_unknown_credentials_are_401(oauth_app, authorization: str | None,
                                                        error: str | None) -> None:
    err = await _refused(oauth_app, authorization)
    assert (err.status, err.error) == (401, error)


async def test_the_scheme_is_case_insensitive_and_spaces_around_are_ignored(http, oauth_app) -> None:
    access = (await _tokens(http))["access_token"]
    for header in (f"bearer {access}", f"  BEARER   {access}  "):
        info = await bearer.verify(oauth_app.state.db, header, oauth_app.state.settings)
        assert info.scopes == {"api:read", "mailbook:read"}


async def test_a_refresh_token_is_no_access_token(http, oauth_app) -> None:
    refresh = (await _tokens(http))["refresh_token"]
    err = await _refused(oauth_app, f"Bearer {refresh}")
    assert (err.status, err.error) == (401, "invalid_token")


async def test_an_access_token_is_refused_from_the_instant_it_expires(http, oauth_app) -> None:
    """Both when read from the database and when remembered from an earlier use."""
    first, second = (await _tokens(http))["access_token"], (await _tokens(http))["access_token"]
    async with oauth_app.state.db.read() as s:
        expires = (await s.get(OAuthToken, token_hash(first))).expires_at
    err = await _refused(oauth_app, f"Bearer {first}", now=expires)  # never verified before: read from the row
    assert (err.status, err.error) == (401, "invalid_token")
    info = await bearer.verify(oauth_app.state.db, f"Bearer {second}", oauth_app.state.settings)  # now remembered
    just_before = info.expires_at - timedelta(microseconds=1)
    assert await bearer.verify(oauth_app.state.db, f"Bearer {second}", oauth_app.state.settings, now=just_before)
    err = await _refused(oauth_app, f"Bearer {second}", now=info.expires_at)
    assert (err.status, err.error) == (401, "invalid_token")
    err = await _refused(oauth_app, f"Bearer {second}", now=info.expires_at + timedelta(seconds=1))
    assert (err.status, err.error) == (401, "invalid_token")


@pytest.mark.parametrize("other", ["http://127.0.0.1:8000/api/", "https://elsewhere.example/mcp/"])
async def test_a_token_bound_to_any_other_resource_is_refused(http, oauth_app, other: str) -> None:
    access = (await _tokens(http))["access_token"]
    async with oauth_app.state.db.transaction() as s:
        await s.execute(update(OAuthGrant).where(OAuthGrant.id == (await _grant_row(oauth_app, access)).id)
                        .values(resource=other))
    err = await _refused(oauth_app, f"Bearer {access}")
    assert (err.status, err.error) == (401, "invalid_token") and "another resource" in err.description


async def test_a_grants_first_use_is_stamped_at_once(http, oauth_app) -> None:
    access = (await _tokens(http))["access_token"]
    assert (await _grant_row(oauth_app, access)).last_used_at is None
    await bearer.verify(oauth_app.state.db, f"Bearer {access}", oauth_app.state.settings)
    assert (await _grant_row(oauth_app, access)).last_used_at is not None  # not left to the batch


async def test_verified_token_info_cannot_be_altered(http, oauth_app) -> None:
    """The same object is handed to every request that presents the token while it is remembered."""
    info = await bearer.verify(oauth_app.state.db, f"Bearer {(await _tokens(http))['access_token']}",
                               oauth_app.state.settings)
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.scopes = frozenset({"api:send"})  # type: ignore[misc]


async def test_a_name_that_is_no_tool_needs_no_scope_and_a_held_scope_passes(http, oauth_app) -> None:
    info = await bearer.verify(oauth_app.state.db, f"Bearer {(await _tokens(http))['access_token']}",
                               oauth_app.state.settings)
    bearer.require_scope(info, "no_such_tool")  # the MCP layer answers "unknown tool" for these
    bearer.require_scope(info, "list_mailbook_contacts")
    with pytest.raises(bearer.BearerError) as caught:
        bearer.require_scope(info, "create_api_key")
    assert (caught.value.status, caught.value.error, caught.value.scope) == (403, "insufficient_scope", "api:keys")
