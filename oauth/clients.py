"""The client model Authlib asks questions of, and the redirect-URI policy for every client.

One ``Client`` type serves both kinds of client: those registered through RFC 7591 (row in
``oauth_clients``) and those identified by a Client ID Metadata Document URL (``cimd.py``).
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from oauth.hashing import matches
from oauth.models import OAuthClient
from oauth.scopes import ALL_SCOPES, join_scope, parse_scope

AUTH_METHODS = ("none", "client_secret_post", "client_secret_basic")
GRANT_TYPES = ("authorization_code", "refresh_token")


def redirect_uri_problem(uri: str) -> str | None:
    """Why a redirect URI cannot be registered, or None (https, or http on a loopback host).

    RFC 6749 §3.1.2: absolute, no fragment. OAuth 2.1 §2.3.1 / RFC 8252 §7.3: plain http only
    for loopback addresses, where the traffic never leaves the device.
    """
    try:
        parts = urlsplit(uri)
    except ValueError:
        return "is not a valid URL"
    if parts.fragment or "#" in uri:
        return "must not contain a fragment"
    if not parts.hostname:
        return "must be an absolute URL with a host"
    if parts.username or parts.password:
        return "must not contain credentials"
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and _is_loopback(parts.hostname):
        return None
    return "must use https (plain http is allowed only for localhost, 127.0.0.1 or [::1])"


CLIENT_NAME_MAX = 200  # shown on the consent page and stored with each grant (columns hold 255)


def client_name_problem(value: object) -> str | None:
    """Why a ``client_name`` (RFC 7591 §2: human-readable string) cannot be used, or None."""
    if value is None:
        return None
    if not isinstance(value, str):
        return "client_name must be a string"
    if len(value.strip()) > CLIENT_NAME_MAX:
        return f"client_name must be at most {CLIENT_NAME_MAX} characters"
    return None


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def narrow_scope(requested: str | None) -> str:
    """Scopes a client may ask for: the known ones it listed, or all when it listed none.

    RFC 7591 §3.2.1 lets the server replace requested metadata; unknown scope names are
    dropped rather than failing the registration of an otherwise good client.
    """
    known = [s for s in parse_scope(requested) if s in ALL_SCOPES]
    return join_scope(known or ALL_SCOPES)


@dataclass
class Client:
    """Implements Authlib's ``ClientMixin`` questions over a plain record."""

    client_id: str
    auth_method: str
    redirect_uris: list[str]
    scope: str
    client_name: str | None = None
    secret_hash: str | None = None
    grant_types: list[str] = field(default_factory=lambda: list(GRANT_TYPES))
    response_types: list[str] = field(default_factory=lambda: ["code"])
    metadata: dict[str, Any] = field(default_factory=dict)
    is_cimd: bool = False

    @classmethod
    def from_row(cls, row: OAuthClient) -> Client:
        return cls(client_id=row.client_id, auth_method=row.auth_method, redirect_uris=list(row.redirect_uris),
                   scope=row.scope, client_name=row.client_name, secret_hash=row.secret_hash,
                   grant_types=list(row.grant_types), response_types=list(row.response_types),
                   metadata=dict(row.client_metadata))

    @property
    def display_name(self) -> str:
        return self.client_name or self.client_id

    # --- authlib.oauth2.rfc6749.ClientMixin ---
    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        # Only an unambiguous single registration may stand in for a missing redirect_uri.
        return self.redirect_uris[0] if len(self.redirect_uris) == 1 else None

    def get_allowed_scope(self, scope: str | None) -> str | None:
        """Requested scopes narrowed to the registered ones; None (invalid_scope) if none remain.

        Names this server does not know are dropped first, as registration drops them (some
        hosts ask for scopes of their own, e.g. ``claudeai``); a request left with no known
        name gets the client's registered scopes, as if it had sent none (RFC 6749 §3.3).
        """
        allowed = set(parse_scope(self.scope))
        requested = [s for s in parse_scope(scope) if s in ALL_SCOPES]
        if not requested:
            return join_scope(allowed)
        granted = join_scope(s for s in requested if s in allowed)
        return granted or None

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        # Exact string match against the registered list (OAuth 2.1 §4.1.3).
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return matches(client_secret, self.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == self.auth_method

    def check_response_type(self, response_type: str) -> bool:
        return response_type in self.response_types

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types
