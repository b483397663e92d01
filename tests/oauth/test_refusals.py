"""Issue 3 "Must show" 3: each bad request is refused with the right error and nothing is issued."""
from __future__ import annotations

from sqlalchemy import func, select

from oauth import bearer
from oauth.models import OAuthCode, OAuthToken
from tests.oauth import flow


async def _token_rows(db) -> int:
    async with db.read() as s:
        return int((await s.execute(select(func.count()).select_from(OAuthToken))).scalar_one())


async def _code_rows(db) -> int:
    async with db.read() as s:
        return int((await s.execute(select(func.count()).select_from(OAuthCode))).scalar_one())


async def _tokens(http, client):
    v = flow.verifier()
    code = await flow.get_code(http, client, v)
    answer = await flow.exchange(http, client, code, v)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def _verify(app, access_token):
    return await bearer.verify(app.state.db, f"Bearer {access_token}", app.state.settings)


async def _refused(app, access_token) -> bearer.BearerError:
    try:
        await _verify(app, access_token)
    except bearer.BearerError as err:
        return err
    raise AssertionError("token still accepted")


async def test_missing_pkce_is_refused_at_authorize(http, oauth_app) -> None:
    client = await flow.register(http)
    codes = await _code_rows(oauth_app.state.db)
    params = flow.authorize_params(client, flow.verifier(), code_challenge=None, code_challenge_method=None)
    answer = await http.get("/mcp/oauth/authorize", params=params)
    assert answer.status_code == 302
    query = flow.redirect_query(answer)
    assert query["error"] == "invalid_request" and "code" not in query
    assert query["state"] == params["state"] and query["iss"] == flow.ISSUER
    assert await _code_rows(oauth_app.state.db) == codes


async def test_plain_pkce_is_refused_at_authorize(http, oauth_app) -> None:
    client = await flow.register(http)
    v = flow.verifier()
    for method in ("plain", None):  # a missing method means plain (RFC 7636 §4.3)
        params = flow.authorize_params(client, v, code_challenge=v, code_challenge_method=method)
        answer = await http.get("/mcp/oauth/authorize", params=params)
        query = flow.redirect_query(answer)
        assert query["error"] == "invalid_request" and "code" not in query


async def test_wrong_verifier_gets_invalid_grant_and_no_token(http, oauth_app) -> None:
    client = await flow.register(http)
    code = await flow.get_code(http, client, flow.verifier())
    before = await _token_rows(oauth_app.state.db)
    answer = await flow.exchange(http, client, code, flow.verifier())
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"
    fresh = await flow.get_code(http, client, flow.verifier())  # the failed exchange burnt the first code
    missing = await flow.exchange(http, client, fresh, None)
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"
    assert await _token_rows(oauth_app.state.db) == before


async def test_unregistered_redirect_uri_is_never_redirected_to(http) -> None:
    client = await flow.register(http)
    evil = "https://attacker.example/callback"
    answer = await http.get("/mcp/oauth/authorize",
                            params=flow.authorize_params(client, flow.verifier(), redirect_uri=evil))
    assert answer.status_code == 400
    assert "location" not in answer.headers
    assert 'data-error="invalid_request"' in answer.text


async def test_reused_code_is_refused_and_revokes_what_it_issued(http, oauth_app) -> None:
    client = await flow.register(http)
    v = flow.verifier()
    code = await flow.get_code(http, client, v)
    first = await flow.exchange(http, client, code, v)
    assert first.status_code == 200
    second = await flow.exchange(http, client, code, v)
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"
    err = await _refused(oauth_app, first.json()["access_token"])
    assert err.status == 401 and err.error == "invalid_token"
    again = await flow.refresh(http, client, first.json()["refresh_token"])
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


async def test_expired_code_is_refused(http, oauth_app, oauth_clock) -> None:
    client = await flow.register(http)
    v = flow.verifier()
    code = await flow.get_code(http, client, v)
    before = await _token_rows(oauth_app.state.db)
    oauth_clock.advance(61)  # codes live at most 60 s
    try:
        answer = await flow.exchange(http, client, code, v)
    finally:
        oauth_clock.advance(-61)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"
    assert await _token_rows(oauth_app.state.db) == before


async def test_another_clients_code_is_unknown(http) -> None:
    owner, other = await flow.register(http), await flow.register(http)
    v = flow.verifier()
    code = await flow.get_code(http, owner, v)
    answer = await flow.exchange(http, flow.Registered(other.client_id, None, owner.redirect_uri), code, v)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"
    assert (await flow.exchange(http, owner, code, v)).status_code == 200  # the owner's code is untouched


async def test_refresh_replay_revokes_the_family(http, oauth_app, oauth_clock) -> None:
    client = await flow.register(http)
    tokens = await _tokens(http, client)
    rotated = (await flow.refresh(http, client, tokens["refresh_token"])).json()
    oauth_clock.advance(oauth_app.state.settings.oauth_refresh_grace_seconds + 1)  # past the grace window
    replay = await flow.refresh(http, client, tokens["refresh_token"])
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert (await _refused(oauth_app, rotated["access_token"])).error == "invalid_token"
    latest = await flow.refresh(http, client, rotated["refresh_token"])
    assert latest.status_code == 400 and latest.json()["error"] == "invalid_grant"


async def test_revoked_access_token_is_refused(http, oauth_app) -> None:
    client = await flow.register(http)
    tokens = await _tokens(http, client)
    await _verify(oauth_app, tokens["access_token"])
    answer = await http.post("/mcp/oauth/revoke", data={"token": tokens["access_token"], "client_id": client.client_id})
    assert answer.status_code == 200
    err = await _refused(oauth_app, tokens["access_token"])
    assert err.status == 401 and err.error == "invalid_token"
    assert 'realm="PieterPost MCP"' in err.www_authenticate(oauth_app.state.settings)


async def test_revoked_refresh_token_ends_the_grant(http, oauth_app) -> None:
    client = await flow.register(http)
    tokens = await _tokens(http, client)
    answer = await http.post("/mcp/oauth/revoke", data={"token": tokens["refresh_token"], "client_id": client.client_id,
                                                        "token_type_hint": "refresh_token"})
    assert answer.status_code == 200
    assert (await _refused(oauth_app, tokens["access_token"])).error == "invalid_token"
    assert (await flow.refresh(http, client, tokens["refresh_token"])).json()["error"] == "invalid_grant"


async def test_token_for_another_resource_is_refused(http, oauth_app) -> None:
    client = await flow.register(http)
    other = "https://elsewhere.example/mcp/"
    answer = await http.get("/mcp/oauth/authorize",
                            params=flow.authorize_params(client, flow.verifier(), resource=other))
    query = flow.redirect_query(answer)
    assert query["error"] == "invalid_target" and "code" not in query

    v = flow.verifier()
    code = await flow.get_code(http, client, v)
    swapped = await flow.exchange(http, client, code, v, resource=other)
    assert swapped.status_code == 400 and swapped.json()["error"] == "invalid_target"

    tokens = await _tokens(http, client)
    from oauth.hashing import token_hash
    from oauth.models import OAuthGrant
    from sqlalchemy import update
    async with oauth_app.state.db.read() as s:
        grant_id = (await s.get(OAuthToken, token_hash(tokens["access_token"]))).grant_id
    async with oauth_app.state.db.transaction() as s:  # a token some other resource's AS issued into our table
        await s.execute(update(OAuthGrant).where(OAuthGrant.id == grant_id).values(resource=other))
    err = await _refused(oauth_app, tokens["access_token"])
    assert err.status == 401 and err.error == "invalid_token" and "another resource" in err.description


async def test_slash_and_no_slash_resource_are_the_same(http, oauth_app) -> None:
    client = await flow.register(http)
    v = flow.verifier()
    code = await flow.get_code(http, client, v, resource=flow.RESOURCE.rstrip("/"))
    answer = await flow.exchange(http, client, code, v, resource=flow.RESOURCE)
    assert answer.status_code == 200
    assert (await _verify(oauth_app, answer.json()["access_token"])).resource == flow.RESOURCE


async def test_missing_scope_is_insufficient_scope_naming_it(http, oauth_app) -> None:
    client = await flow.register(http)
    info = await _verify(oauth_app, (await _tokens(http, client))["access_token"])  # api:read mailbook:read
    bearer.require_scope(info, "get_wallet")
    try:
        bearer.require_scope(info, "create_direct_order")
    except bearer.BearerError as err:
        assert err.status == 403 and err.error == "insufficient_scope" and err.scope == "api:send"
        header = err.www_authenticate(oauth_app.state.settings)
        assert 'error="insufficient_scope"' in header and 'scope="api:send"' in header
    else:
        raise AssertionError("missing scope accepted")


async def test_consent_without_csrf_token_is_refused(http, oauth_app) -> None:
    client = await flow.register(http)
    params = flow.authorize_params(client, flow.verifier())
    consent = await flow.sign_up_to_consent(http, params)
    action, hidden = flow.form_fields(consent, "consent-form")
    codes = await _code_rows(oauth_app.state.db)
    answer = await http.post(action, data={"request": hidden["request"], "decision": "approve"})
    assert answer.status_code == 403 and "location" not in answer.headers
    forged = await http.post(action, data={**hidden, "csrf_token": "0" * 64, "decision": "approve"})
    assert forged.status_code == 403 and "location" not in forged.headers
    assert await _code_rows(oauth_app.state.db) == codes


async def test_deny_redirects_access_denied_without_code(http, oauth_app) -> None:
    client = await flow.register(http)
    params = flow.authorize_params(client, flow.verifier())
    consent = await flow.sign_up_to_consent(http, params)
    codes = await _code_rows(oauth_app.state.db)
    answer = await flow.decide(http, consent, "deny")
    assert answer.status_code == 302
    query = flow.redirect_query(answer)
    assert answer.headers["location"].startswith(client.redirect_uri)
    assert query == {"error": "access_denied", "state": params["state"], "iss": flow.ISSUER} | (
        {"error_description": query["error_description"]} if "error_description" in query else {})
    assert await _code_rows(oauth_app.state.db) == codes
    again = await flow.decide(http, consent, "approve")  # the request was spent by the denial
    assert again.status_code == 400 and "location" not in again.headers
