"""Drive the authorization flow the way a client and a person would: over HTTP, through the forms."""
from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from oauth.pkce import s256_challenge

ISSUER = "http://127.0.0.1:8000/mcp/oauth"
RESOURCE = "http://127.0.0.1:8000/mcp/"
REDIRECT = "http://127.0.0.1:33418/callback"


@dataclass
class Registered:
    client_id: str
    client_secret: str | None
    redirect_uri: str


async def register(http: httpx.AsyncClient, *, auth_method: str = "none", redirect_uri: str = REDIRECT,
                   **extra: Any) -> Registered:
    body = {"client_name": "Test Agent", "redirect_uris": [redirect_uri], "token_endpoint_auth_method": auth_method,
            "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"], **extra}
    response = await http.post("/mcp/oauth/register", json=body)
    assert response.status_code == 201, response.text
    data = response.json()
    return Registered(data["client_id"], data.get("client_secret"), redirect_uri)


def authorize_params(client: Registered, verifier: str, **overrides: str | None) -> dict[str, str]:
    params: dict[str, str | None] = {
        "response_type": "code", "client_id": client.client_id, "redirect_uri": client.redirect_uri,
        "code_challenge": s256_challenge(verifier), "code_challenge_method": "S256",
        "state": "st-" + secrets.token_hex(4), "scope": "api:read mailbook:read", "resource": RESOURCE,
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def form_fields(html: str, form_id: str) -> tuple[str, dict[str, str]]:
    """(action, hidden inputs) of one form in a page."""
    match = re.search(rf'<form id="{form_id}"[^>]*action="([^"]*)"[^>]*>(.*?)</form>', html, re.S)
    assert match, f"no form {form_id} in page"
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', match.group(2)))
    return unescape(match.group(1)), {k: unescape(v) for k, v in hidden.items()}


def new_email() -> str:
    return f"person-{uuid.uuid4().hex[:10]}@example.com"


async def sign_up_to_consent(http: httpx.AsyncClient, params: dict[str, str], email: str | None = None,
                             password: str = "correct horse battery") -> str:
    """GET authorize, sign up through the real form; returns the consent page HTML."""
    start = await http.get("/mcp/oauth/authorize", params=params)
    assert start.status_code == 302, start.text
    page = await http.get(start.headers["location"])
    if "consent-form" in page.text:
        return page.text
    signup = await http.get(re.search(r'id="signup-link" href="([^"]+)"', page.text).group(1).replace("&amp;", "&"))
    action, hidden = form_fields(signup.text, "signup-form")
    done = await http.post(action, data={**hidden, "email": email or new_email(), "password": password})
    assert done.status_code == 303, done.text
    consent = await http.get(done.headers["location"])
    assert consent.status_code == 200
    return consent.text


async def decide(http: httpx.AsyncClient, consent_html: str, decision: str) -> httpx.Response:
    action, hidden = form_fields(consent_html, "consent-form")
    return await http.post(action, data={**hidden, "decision": decision})


def redirect_query(response: httpx.Response) -> dict[str, str]:
    location = response.headers["location"]
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def approve(http: httpx.AsyncClient, params: dict[str, str]) -> httpx.Response:
    """The redirect back to the client: through sign-up and the consent page, or at once when
    this browser's person already approved this client for these scopes (remembered consent)."""
    start = await http.get("/mcp/oauth/authorize", params=params)
    assert start.status_code == 302, start.text
    page = await http.get(start.headers["location"])
    if page.status_code == 302 and page.headers["location"].startswith(params["redirect_uri"]):
        return page
    consent = await sign_up_to_consent(http, params)
    return await decide(http, consent, "approve")


async def get_code(http: httpx.AsyncClient, client: Registered, verifier: str, **overrides: str | None) -> str:
    params = authorize_params(client, verifier, **overrides)
    answer = await approve(http, params)
    assert answer.status_code == 302
    query = redirect_query(answer)
    assert query["state"] == params["state"] and query["iss"] == ISSUER
    return query["code"]


async def exchange(http: httpx.AsyncClient, client: Registered, code: str, verifier: str | None,
                   **extra: str) -> httpx.Response:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": client.redirect_uri,
            "client_id": client.client_id, **extra}
    if verifier is not None:
        data["code_verifier"] = verifier
    return await http.post("/mcp/oauth/token", content=urlencode(data),
                           headers={"content-type": "application/x-www-form-urlencoded"})


async def refresh(http: httpx.AsyncClient, client: Registered, refresh_token: str) -> httpx.Response:
    data = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client.client_id}
    return await http.post("/mcp/oauth/token", data=data)


def verifier() -> str:
    return secrets.token_urlsafe(48)
