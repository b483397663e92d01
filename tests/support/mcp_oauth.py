"""The SDK's own OAuth client (``OAuthClientProvider``) plus a scripted person in a browser.

The provider does everything a real MCP host does — discovery from the 401, dynamic client
registration, PKCE, token exchange, refresh. Only the person is scripted: ``Browser`` follows
the authorization URL with a cookie-keeping HTTP client, signs up (or is already signed in)
through the real forms and presses Approve on the consent page, then hands the redirect's
``code``/``state``/``iss`` back to the provider, as a local callback server would.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import httpx2
from mcp.client.auth import AuthorizationCodeResult, OAuthClientProvider
from mcp.shared.auth import OAuthClientInformationFull, OAuthClientMetadata, OAuthToken

REDIRECT_URI = "http://127.0.0.1:33419/callback"
ALL_SCOPES = "api:read api:send api:keys mailbook:read mailbook:write"


class MemoryStorage:
    """TokenStorage kept in memory, as a host would keep it in its own store."""

    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client = client_info


def _form(html: str, form_id: str) -> tuple[str, dict[str, str]]:
    match = re.search(rf'<form id="{form_id}"[^>]*action="([^"]*)"[^>]*>(.*?)</form>', html, re.S)
    assert match, f"page has no form {form_id}"
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', match.group(2)))
    return unescape(match.group(1)), {k: unescape(v) for k, v in hidden.items()}


@dataclass
class Browser:
    """One person with one cookie jar: signs up the first time, is remembered afterwards."""

    email: str = field(default_factory=lambda: f"agent-user-{uuid.uuid4().hex[:10]}@example.com")
    password: str = "a long and careful passphrase"
    http: httpx.AsyncClient = field(default_factory=lambda: httpx.AsyncClient(timeout=30))
    pages_seen: list[str] = field(default_factory=list)
    _pending: dict[str, str] | None = None

    async def visit(self, authorization_url: str) -> None:
        """What happens between the host opening the URL and the redirect to the callback."""
        location = await self.authorize(authorization_url, REDIRECT_URI)
        self._pending = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}

    async def authorize(self, authorization_url: str, redirect_prefix: str) -> str:
        """Follow an authorization URL through sign-up (first time) and consent (unless this
        person approved the client before) up to the redirect to the client; return that
        redirect's URL without following it (a client's own callback takes it from there)."""
        answer = await self.http.get(authorization_url)
        while answer.status_code in (302, 303) and not answer.headers["location"].startswith(redirect_prefix):
            target = urljoin(str(answer.url), answer.headers["location"])
            page = await self.http.get(target)
            if "signin-form" in page.text:
                self.pages_seen.append("signin")
                link = re.search(r'id="signup-link" href="([^"]+)"', page.text)
                assert link, "sign-in page has no sign-up link"
                signup = await self.http.get(urljoin(str(page.url), unescape(link.group(1))))
                self.pages_seen.append("signup")
                action, hidden = _form(signup.text, "signup-form")
                answer = await self.http.post(urljoin(str(signup.url), action),
                                              data={**hidden, "email": self.email, "password": self.password})
            elif "consent-form" in page.text:
                self.pages_seen.append("consent")
                action, hidden = _form(page.text, "consent-form")
                answer = await self.http.post(urljoin(str(page.url), action), data={**hidden, "decision": "approve"})
            else:
                answer = page
        location = answer.headers.get("location", "")
        assert location.startswith(redirect_prefix), f"no redirect to the client: {answer.status_code} {answer.text[:300]}"
        return location

    async def callback(self) -> AuthorizationCodeResult:
        assert self._pending is not None and "code" in self._pending, self._pending
        params, self._pending = self._pending, None
        return AuthorizationCodeResult(code=params["code"], state=params.get("state"), iss=params.get("iss"))


def oauth_provider(server_url: str, browser: Browser, scope: str | None = ALL_SCOPES) -> OAuthClientProvider:
    metadata = OAuthClientMetadata(
        client_name="PieterPost e2e agent",
        redirect_uris=[REDIRECT_URI],
        grant_types=["authorization_code", "refresh_token"],
        response_types=["code"],
        token_endpoint_auth_method="none",
        scope=scope,
    )
    return OAuthClientProvider(server_url, metadata, MemoryStorage(), redirect_handler=browser.visit,
                               callback_handler=browser.callback)


def oauth_http_client(provider: OAuthClientProvider) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(auth=provider, timeout=httpx2.Timeout(60))
