"""Bearer verification for the MCP endpoint (RFC 6750) with RFC 8707 audience binding.

The MCP SDK's bearer middleware leaves the audience check and the ``scope`` challenge
parameter to the verifier; both live here. A verified token is remembered for a few seconds
(``domain.requests.credential_cache``; revoking drops it at once, in every process); otherwise one
indexed read: the token row joined to its grant (revoking a grant revokes every token of that
family). Last use is stamped in batches (``domain.requests.last_used``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.core.clock import utcnow
from domain.persistence.db import Database
from domain.core.settings import Settings
from domain.requests import last_used
from domain.requests.credential_cache import CACHE
from oauth.hashing import token_hash
from oauth.models import OAuthGrant
from oauth.scopes import ALL_SCOPES, parse_scope, scope_for_tool
from oauth.server import resource_of
from oauth.store import SqlStore

REALM = "PieterPost MCP"
TOUCH_INTERVAL_S = 60  # how stale a connection's "last used" may get on the dashboard


@dataclass(frozen=True)
class TokenInfo:
    account_id: str
    client_id: str
    grant_id: str
    scopes: frozenset[str]
    resource: str
    expires_at: datetime


class BearerError(Exception):
    """401 (``invalid_token``/``invalid_request``, or no error for a bare challenge) or 403."""

    def __init__(self, status: int, error: str | None, description: str = "", scope: str | None = None) -> None:
        super().__init__(description or error or "authentication required")
        self.status = status
        self.error = error
        self.description = description
        self.scope = scope

    def www_authenticate(self, settings: Settings, path: str = "/mcp") -> str:
        return challenge(settings, error=self.error, description=self.description, scope=self.scope, path=path)


def resource_metadata_url(settings: Settings, path: str = "/mcp") -> str:
    """The metadata location describing the URL the client called (RFC 9728 §3.1, §5.1).

    A request to ``/mcp`` is pointed at ``…/oauth-protected-resource/mcp`` (resource
    ``{BASE}/mcp``); one to ``/mcp/`` or below at ``…/mcp/`` (resource ``{BASE}/mcp/``), so
    the document always names the URL the person pasted (``oauth.metadata.described_resource``).
    """
    tail = "/mcp" if path == "/mcp" else "/mcp/"
    return f"{settings.base_url}/.well-known/oauth-protected-resource{tail}"


def challenge(settings: Settings, *, error: str | None = None, description: str = "",
              scope: str | None = None, path: str = "/mcp") -> str:
    """The ``WWW-Authenticate`` challenge for the MCP endpoint (RFC 6750 §3, RFC 9728 §5.1)."""
    parts = [f'realm="{REALM}"', f'resource_metadata="{resource_metadata_url(settings, path)}"',
             f'scope="{scope or " ".join(ALL_SCOPES)}"']
    if error:
        parts.append(f'error="{error}"')
    if description:
        parts.append(f'error_description="{_quote_safe(description)}"')
    return "Bearer " + ", ".join(parts)


async def verify(db: Database, authorization: str | None, settings: Settings, *,
                 now: datetime | None = None) -> TokenInfo:
    """Who the bearer token speaks for, or ``BearerError``. Reads only shared state."""
    if not authorization:
        raise BearerError(401, None)  # RFC 6750 §3.1: no error code when no credentials were sent
    scheme, _, value = authorization.strip().partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value or " " in value:
        raise BearerError(401, "invalid_request", "Send the access token as: Authorization: Bearer <token>")
    digest = token_hash(value)
    now = now or utcnow()
    cache_key = ("oauth_token", digest)
    info: TokenInfo | None = CACHE.get(db.url, cache_key)
    if info is None:
        info = await _load(db, digest, now, settings)
        CACHE.put(db.url, cache_key, info, (f"token:{digest}", f"grant:{info.grant_id}", f"account:{info.account_id}"))
    elif now >= info.expires_at:
        raise BearerError(401, "invalid_token", "The access token is unknown, expired or revoked.")
    last_used.note(db, OAuthGrant.__table__, info.grant_id, now)
    return info


async def _load(db: Database, digest: str, now: datetime, settings: Settings) -> TokenInfo:
    """The token row joined to its grant, checked; a grant never used before is stamped at once."""
    store = SqlStore(db)
    view = await store.get_token(digest)
    if view is None or view.kind != "access" or not view.is_live(now):
        raise BearerError(401, "invalid_token", "The access token is unknown, expired or revoked.")
    if view.grant.resource.rstrip("/") != resource_of(settings).rstrip("/"):
        raise BearerError(401, "invalid_token", "The access token was issued for another resource.")
    if view.grant.last_used_at is None:
        await store.touch_grant(view.grant.id, now, TOUCH_INTERVAL_S)  # later uses are batched
    return TokenInfo(account_id=view.grant.account_id, client_id=view.grant.client_id, grant_id=view.grant.id,
                     scopes=frozenset(parse_scope(view.scope)), resource=view.grant.resource,
                     expires_at=view.expires_at)


def require_scope(info: TokenInfo, tool_name: str) -> None:
    """403 ``insufficient_scope`` naming the scope a tool needs (RFC 6750 §3.1)."""
    needed = scope_for_tool(tool_name)
    if needed is not None and needed not in info.scopes:
        raise BearerError(403, "insufficient_scope", f"The tool {tool_name} needs the scope {needed}.",
                          scope=needed)


def _quote_safe(text: str) -> str:
    return text.replace("\\", "").replace('"', "'")
