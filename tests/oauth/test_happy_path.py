"""The whole flow once, over HTTP: register, sign up through the forms, consent, token, refresh."""
from __future__ import annotations

from oauth import bearer
from tests.oauth import flow


async def test_code_flow_issues_bound_tokens_that_verify(http, oauth_app) -> None:
    client = await flow.register(http)
    v = flow.verifier()
    code = await flow.get_code(http, client, v)
    answer = await flow.exchange(http, client, code, v)
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert body["token_type"] == "Bearer" and 0 < body["expires_in"] <= 3600
    assert body["scope"] == "api:read mailbook:read"
    info = await bearer.verify(oauth_app.state.db, f"Bearer {body['access_token']}", oauth_app.state.settings)
    assert info.scopes == {"api:read", "mailbook:read"} and info.account_id.startswith("acct_")
    assert info.resource == flow.RESOURCE

    rotated = await flow.refresh(http, client, body["refresh_token"])
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()
    assert new["refresh_token"] != body["refresh_token"] and new["access_token"] != body["access_token"]
    again = await bearer.verify(oauth_app.state.db, f"Bearer {new['access_token']}", oauth_app.state.settings)
    assert again.grant_id == info.grant_id
