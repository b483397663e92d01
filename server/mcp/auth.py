"""Who is calling the MCP endpoint: bearer token -> principal, and the per-tool scope check.

The token rules themselves (hashing, expiry, revocation, RFC 8707 audience) live in
``oauth.bearer``; this module only adapts its answers to what the MCP edge needs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Protocol

from domain.core.settings import Settings
from domain.use_cases.system import Database
from oauth import bearer


@dataclass(frozen=True)
class Principal:
    """The signed-in user's grant, as the tools see it."""

    account_id: str
    client_id: str
    scopes: frozenset[str]
    grant_id: str | None = None
    token_info: Any = field(default=None, compare=False, repr=False)


@dataclass
class AuthFailure(Exception):
    """An HTTP-level refusal: 401 (no/bad token) or 403 (insufficient_scope)."""

    status: int
    www_authenticate: str
    error: str | None  # None: no credentials were sent (RFC 6750 §3.1 bare challenge)
    description: str = ""
    scope: str | None = None

    def body(self) -> dict[str, str]:
        out = {"error": self.error or "unauthorized"}
        out["error_description"] = self.description or "Connect with OAuth: see the WWW-Authenticate header."
        return out


class Authenticator(Protocol):
    """``path`` is the request path: challenges point at the metadata describing that URL."""

    async def authenticate(self, authorization: str | None, path: str = "/mcp") -> Principal: ...

    def missing_scope(self, principal: Principal, tool_name: str, path: str = "/mcp") -> AuthFailure | None: ...


class OAuthAuthenticator:
    """Production authenticator backed by ``oauth.bearer`` (database-only, so multi-process safe)."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings

    async def authenticate(self, authorization: str | None, path: str = "/mcp") -> Principal:
        try:
            info = await bearer.verify(self.db, authorization, self.settings)
        except bearer.BearerError as err:
            raise self._failure(err, path) from None
        return Principal(
            account_id=info.account_id,
            client_id=info.client_id,
            scopes=frozenset(info.scopes),
            grant_id=getattr(info, "grant_id", None),
            token_info=info,
        )

    def missing_scope(self, principal: Principal, tool_name: str, path: str = "/mcp") -> AuthFailure | None:
        # a principal rebuilt from stored data has its scopes but no token object; require_scope reads .scopes
        info = principal.token_info or SimpleNamespace(scopes=principal.scopes)
        try:
            bearer.require_scope(info, tool_name)
        except bearer.BearerError as err:
            return self._failure(err, path)
        return None

    def _failure(self, err: Any, path: str) -> AuthFailure:
        return AuthFailure(
            status=err.status,
            www_authenticate=err.www_authenticate(self.settings, path),
            error=err.error,
            description=getattr(err, "description", "") or "",
            scope=getattr(err, "scope", None),
        )
