"""The official ``mcp`` SDK client signs in through this authorization server, over real HTTP.

A real ``pieterpost serve`` process; the SDK's ``OAuthClientProvider`` starts from a bare 401,
discovers the protected resource and authorization server metadata, registers (RFC 7591),
sends the person to the authorize URL, where a plain HTTP client fills in the real sign-up
and consent forms, then exchanges the code (PKCE, ``resource``, ``iss`` checked by the SDK)
and lists the tools. The refresh and revocation paths are then exercised against the same
process with the tokens the SDK stored.
"""
from __future__ import annotations

import httpx
import httpx2
from mcp.client.auth import OAuthClientProvider
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientInformationFull, OAuthClientMetadata, OAuthToken
from pydantic import AnyUrl

from tests.oauth import flow
from tests.support import servers
from tests.support.mcp_client import open_session
from tests.support.mcp_oauth import MemoryStorage


class Person:
    """A browser: follows the authorize URL and answers the forms."""

    def __init__(self) -> None:
        self.browser = httpx.AsyncClient(timeout=30)
        self.result: AuthorizationCodeResult | None = None
        self.consent_html = ""

    async def redirect(self, url: str) -> None:
        start = await self.browser.get(url)
        assert start.status_code == 302, start.text
        page = await self.browser.get(httpx.URL(url).join(start.headers["location"]))
        action, hidden = flow.form_fields(page.text, "signin-form")
        signup_href = page.text.split('id="signup-link" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
        signup = await self.browser.get(httpx.URL(url).join(signup_href))
        action, hidden = flow.form_fields(signup.text, "signup-form")
        done = await self.browser.post(httpx.URL(url).join(action),
                                       data={**hidden, "email": flow.new_email(), "password": "a long password"})
        assert done.status_code == 303, done.text
        consent = await self.browser.get(httpx.URL(url).join(done.headers["location"]))
        self.consent_html = consent.text
        action, hidden = flow.form_fields(consent.text, "consent-form")
        answer = await self.browser.post(httpx.URL(url).join(action), data={**hidden, "decision": "approve"})
        assert answer.status_code == 302, answer.text
        query = flow.redirect_query(answer)
        self.result = AuthorizationCodeResult(code=query["code"], state=query.get("state"), iss=query.get("iss"))

    async def callback(self) -> AuthorizationCodeResult:
        assert self.result is not None
        return self.result


async def test_sdk_client_connects_through_oauth(database_url, asset_dir) -> None:
    env = servers.cli_env(database_url, asset_dir, PIETERPOST_OAUTH_REFRESH_GRACE_SECONDS="0")  # replay = reuse at once
    with servers.running_server(env) as base:
        bare = httpx.post(f"{base}/mcp/", json={})
        assert bare.status_code == 401
        assert bare.headers["www-authenticate"].startswith('Bearer realm="PieterPost MCP"')

        person, storage = Person(), MemoryStorage()
        provider = OAuthClientProvider(
            server_url=f"{base}/mcp/",
            client_metadata=OAuthClientMetadata(
                client_name="SDK test client", redirect_uris=[AnyUrl("http://127.0.0.1:33418/callback")],
                grant_types=["authorization_code", "refresh_token"], response_types=["code"],
                token_endpoint_auth_method="none",
            ),
            storage=storage, redirect_handler=person.redirect, callback_handler=person.callback,
        )
        async with httpx2.AsyncClient(auth=provider, timeout=httpx2.Timeout(60)) as http:
            async with open_session(f"{base}/mcp/", http_client=http) as session:
                tools = await session.list_tools()
        assert len(tools.tools) == 21
        assert "SDK test client" in person.consent_html
        assert storage.tokens is not None and storage.tokens.refresh_token
        assert storage.client is not None and storage.client.client_secret is None

        async with httpx.AsyncClient(base_url=base) as api:
            client_id = storage.client.client_id
            rotated = await api.post("/mcp/oauth/token", data={
                "grant_type": "refresh_token", "refresh_token": storage.tokens.refresh_token, "client_id": client_id})
            assert rotated.status_code == 200, rotated.text
            replay = await api.post("/mcp/oauth/token", data={
                "grant_type": "refresh_token", "refresh_token": storage.tokens.refresh_token, "client_id": client_id})
            assert replay.json()["error"] == "invalid_grant"
            gone = await api.post("/mcp/", json={}, headers={"Authorization": f"Bearer {rotated.json()['access_token']}"})
            assert gone.status_code == 401 and 'error="invalid_token"' in gone.headers["www-authenticate"]
