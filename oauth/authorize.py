"""The authorization endpoint and the sign-in/consent hand-off.

``GET /mcp/oauth/authorize`` has Authlib validate the request (client, exact redirect URI,
``response_type=code``, scopes, PKCE S256, ``resource``). A request that fails before its
redirect URI is trusted is answered here, never redirected (RFC 6749 §4.1.2.1). A valid
request is parked in the database under a random handle and the browser goes on to sign-in
or consent; the decision re-validates the parked parameters and lets Authlib build the
redirect (``code``, ``state``, and RFC 9207 ``iss`` via the server's extension). An approval
is remembered (``domain.accounts.consents``): the same person authorizing the same client for
the same or fewer scopes again is not shown the consent page.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc6749 import OAuth2Error
from sqlalchemy import update
from starlette.datastructures import Headers
from starlette.requests import Request as HttpRequest

from domain.accounts import consents
from oauth.clients import Client
from oauth.hashing import new_token, token_hash
from oauth.models import OAuthRequest
from oauth.scopes import parse_scope
from oauth.server import Request, Result, Server, build_request, run

PENDING_TTL = timedelta(minutes=15)  # time a person has to sign in and decide
PATH = "/mcp/oauth/authorize"


@dataclass(frozen=True)
class Refusal:
    """An authorization request we will not redirect for: show ``error`` on our own page."""

    error: str
    description: str


@dataclass(frozen=True)
class Bounce:
    """An error the client may hear about: send the browser to this URL on the client."""

    url: str


@dataclass(frozen=True)
class Pending:
    handle: str
    client: Client
    scopes: list[str]
    redirect_uri: str
    params: dict[str, str]

    @property
    def redirect_host(self) -> str:
        return urlsplit(self.redirect_uri).netloc


def error_redirect(error: OAuth2Error, server: Server) -> str:
    """Where to send the browser for an error the client may hear about (with ``state``, ``iss``)."""
    params = error.get_body() + [("iss", server.issuer)]
    return add_params_to_uri(error.redirect_uri, params)


async def start(request: HttpRequest, server: Server) -> Refusal | Bounce | str:
    """Validate a fresh authorization request; on success park it and return its handle."""
    req = await build_request(request, server, PATH)
    try:
        grant = await run(server.get_consent_grant, req, None)
    except OAuth2Error as error:
        if error.redirect_uri:
            return Bounce(error_redirect(error, server))
        return Refusal(error.error or "invalid_request", error.get_error_description() or "")
    handle = new_token()
    now = server.now()
    params = dict(req.payload.data)
    async with server.store.db.transaction() as s:
        s.add(OAuthRequest(id_hash=token_hash(handle), client_id=grant.client.client_id, params=params,
                           expires_at=now + PENDING_TTL, created_at=now))
    return handle


async def load(server: Server, handle: str | None) -> Pending | None:
    """The parked request behind a handle, re-validated, or None (unknown, used or expired)."""
    if not handle:
        return None
    async with server.store.db.read() as s:
        row = await s.get(OAuthRequest, token_hash(handle))
    if row is None or row.completed_at is not None or row.expires_at <= server.now():
        return None
    req = _rebuild(server, row.params)
    try:
        grant = await run(server.get_consent_grant, req, None)
    except OAuth2Error:
        return None
    return Pending(handle, grant.client, parse_scope(req.scope), grant.redirect_uri, dict(row.params))


async def remembered(server: Server, pending: Pending, account_id: str) -> bool:
    """True when this person already approved this client for every scope it asks for now,
    so the consent page is skipped (OIDC ``prompt=consent`` still forces it)."""
    if "consent" in pending.params.get("prompt", "").split():
        return False
    async with server.store.db.read() as s:
        approved = await consents.approved_scopes(s, account_id, pending.client.client_id)
    return consents.covers(approved, pending.scopes)


async def decide(server: Server, pending: Pending, account_id: str, approve: bool) -> str:
    """Spend the parked request once and return the redirect back to the client."""
    now = server.now()
    async with server.store.db.transaction() as s:
        won = await s.execute(update(OAuthRequest).where(
            OAuthRequest.id_hash == token_hash(pending.handle), OAuthRequest.completed_at.is_(None),
            OAuthRequest.expires_at > now).values(completed_at=now))
        if won.rowcount == 1 and approve:
            await consents.remember(s, account_id, pending.client.client_id, pending.scopes, now)
    if won.rowcount != 1:
        raise LookupError("This authorization request was already answered or has expired.")
    req = _rebuild(server, pending.params)

    def _respond() -> Result:
        grant = server.get_consent_grant(req, account_id)
        return server.create_authorization_response(req, account_id if approve else None, grant)

    try:
        result: Result = await run(_respond)
    except OAuth2Error as error:  # the client changed since the request was parked
        if error.redirect_uri:
            return error_redirect(error, server)
        raise LookupError(error.get_error_description() or "The client can no longer be authorized.") from error
    if result.location is None:
        raise LookupError("The authorization could not be completed.")
    return result.location


def _rebuild(server: Server, params: dict[str, Any]) -> Request:
    query = [(k, str(v)) for k, v in params.items()]
    return Request("GET", f"{server.settings.base_url}{PATH}", Headers(), query, [])
