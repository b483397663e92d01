"""Scopes a client may ask for at /authorize, and remembered consent.

- Unknown scope names (``scope=claudeai``) are dropped; nothing known left means the client's
  registered scopes, shown on the consent page and granted.
- A person who approved a client is not asked again for the same or fewer scopes; more scopes,
  another person or ``prompt=consent`` show the page again.
- Disconnecting the client on the dashboard forgets the approval and ends its tokens.
"""
from __future__ import annotations

import re

import httpx

from oauth import bearer
from oauth.scopes import ALL_SCOPES
from tests.oauth import flow
from tests.web.helpers import csrf_token

MCP_HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
               "MCP-Protocol-Version": "2025-06-18"}
TOOLS_LIST = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}


def _scopes_on_page(html: str) -> list[str]:
    return re.findall(r'<li data-scope="([^"]+)"', html)


async def _start(http: httpx.AsyncClient, params: dict[str, str]) -> httpx.Response:
    """What the browser gets after /authorize: the consent page, or the redirect to the client."""
    start = await http.get("/mcp/oauth/authorize", params=params)
    assert start.status_code == 302, start.text
    return await http.get(start.headers["location"])


async def _redeem(http: httpx.AsyncClient, client: flow.Registered, redirect: httpx.Response, v: str) -> dict:
    assert redirect.status_code == 302 and redirect.headers["location"].startswith(client.redirect_uri)
    answer = await flow.exchange(http, client, flow.redirect_query(redirect)["code"], v)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def _mcp_status(http: httpx.AsyncClient, access_token: str) -> int:
    answer = await http.post("/mcp/", json=TOOLS_LIST, headers={**MCP_HEADERS, "Authorization": f"Bearer {access_token}"})
    return answer.status_code


async def test_unknown_scope_claudeai_gets_consent_for_the_default_scopes(http, oauth_app) -> None:
    client = await flow.register(http)  # registered without a scope: every scope is its default
    v = flow.verifier()
    consent = await flow.sign_up_to_consent(http, flow.authorize_params(client, v, scope="claudeai"))
    assert _scopes_on_page(consent) == list(ALL_SCOPES)
    tokens = await _redeem(http, client, await flow.decide(http, consent, "approve"), v)
    assert tokens["scope"].split() == list(ALL_SCOPES)
    info = await bearer.verify(oauth_app.state.db, f"Bearer {tokens['access_token']}", oauth_app.state.settings)
    assert info.scopes == frozenset(ALL_SCOPES)
    assert await _mcp_status(http, tokens["access_token"]) == 200


async def test_unknown_names_beside_known_ones_are_dropped(http) -> None:
    client = await flow.register(http)
    v = flow.verifier()
    consent = await flow.sign_up_to_consent(http, flow.authorize_params(client, v, scope="claudeai api:read openid"))
    assert _scopes_on_page(consent) == ["api:read"]
    tokens = await _redeem(http, client, await flow.decide(http, consent, "approve"), v)
    assert tokens["scope"] == "api:read"


async def test_unknown_scope_falls_back_to_the_registered_scopes(http) -> None:
    registered = await http.post("/mcp/oauth/register", json={
        "redirect_uris": [flow.REDIRECT], "token_endpoint_auth_method": "none", "scope": "mailbook:read"})
    client = flow.Registered(registered.json()["client_id"], None, flow.REDIRECT)
    consent = await flow.sign_up_to_consent(http, flow.authorize_params(client, flow.verifier(), scope="claudeai"))
    assert _scopes_on_page(consent) == ["mailbook:read"]


async def test_second_authorization_skips_consent_for_the_same_or_fewer_scopes(http) -> None:
    client = await flow.register(http)
    v = flow.verifier()
    consent = await flow.sign_up_to_consent(http, flow.authorize_params(client, v, scope="api:read mailbook:read"))
    first = await _redeem(http, client, await flow.decide(http, consent, "approve"), v)

    for scope in ("api:read mailbook:read", "api:read"):
        v = flow.verifier()
        again = await _start(http, flow.authorize_params(client, v, scope=scope))
        assert "consent-form" not in again.text  # straight back to the client
        assert (await _redeem(http, client, again, v))["scope"] == scope
    assert await _mcp_status(http, first["access_token"]) == 200  # the first connection still works

    wider = await _start(http, flow.authorize_params(client, flow.verifier(), scope="api:read api:send"))
    assert wider.status_code == 200 and "consent-form" in wider.text
    assert _scopes_on_page(wider.text) == ["api:read", "api:send"]


async def test_prompt_consent_and_another_person_see_the_page(http, oauth_app) -> None:
    client = await flow.register(http)
    v = flow.verifier()
    consent = await flow.sign_up_to_consent(http, flow.authorize_params(client, v))
    await _redeem(http, client, await flow.decide(http, consent, "approve"), v)
    forced = await _start(http, flow.authorize_params(client, flow.verifier(), prompt="consent"))
    assert forced.status_code == 200 and "consent-form" in forced.text

    transport = httpx.ASGITransport(app=oauth_app, client=("203.0.113.8", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as other_browser:
        page = await flow.sign_up_to_consent(other_browser, flow.authorize_params(client, flow.verifier()))
        assert "consent-form" in page


async def test_a_denial_is_not_remembered(http) -> None:
    client = await flow.register(http)
    consent = await flow.sign_up_to_consent(http, flow.authorize_params(client, flow.verifier()))
    denied = await flow.decide(http, consent, "deny")
    assert flow.redirect_query(denied)["error"] == "access_denied"
    again = await _start(http, flow.authorize_params(client, flow.verifier()))
    assert again.status_code == 200 and "consent-form" in again.text


async def test_dashboard_disconnect_forgets_consent_and_ends_every_token(http) -> None:
    client = await flow.register(http)
    v = flow.verifier()
    consent = await flow.sign_up_to_consent(http, flow.authorize_params(client, v))
    first = await _redeem(http, client, await flow.decide(http, consent, "approve"), v)
    v = flow.verifier()
    second = await _redeem(http, client, await _start(http, flow.authorize_params(client, v)), v)  # remembered

    page = await http.get("/api/dashboard/mcp")
    rows = re.findall(r'id="grant-([^"]+)"><td>Test Agent</td>', page.text)
    assert len(rows) == 1  # one row per client, however many times it connected
    confirm = await http.get(f"/api/dashboard/mcp/connections/{rows[0]}/revoke")
    assert "asked for your consent again" in confirm.text
    done = await http.post(f"/api/dashboard/mcp/connections/{rows[0]}/revoke",
                           data={"csrf_token": csrf_token(confirm.text)})
    assert done.status_code == 303

    for tokens in (first, second):
        assert await _mcp_status(http, tokens["access_token"]) == 401
        assert (await flow.refresh(http, client, tokens["refresh_token"])).json()["error"] == "invalid_grant"
    again = await _start(http, flow.authorize_params(client, flow.verifier()))
    assert again.status_code == 200 and "consent-form" in again.text
