"""Tables of the authorization server (on the shared ``Base``; migration ``0002_oauth``).

Every secret column holds a SHA-256 hex digest (``oauth.hashing``), never the secret.
A *grant* is one approval by one person for one client: its codes and tokens hang off it,
so revoking the grant (reused code, replayed refresh token, dashboard "disconnect")
invalidates every token of that family with a single row update.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from domain.core.clock import utcnow
from domain.persistence.base import Base


class OAuthClient(Base):
    """A dynamically registered client (RFC 7591). CIMD clients live in ``oauth_cimd_documents``."""

    __tablename__ = "oauth_clients"
    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    secret_hash: Mapped[str | None] = mapped_column(String(64))
    auth_method: Mapped[str] = mapped_column(String(32))
    client_name: Mapped[str | None] = mapped_column(String(255))
    redirect_uris: Mapped[list[Any]] = mapped_column(JSON)
    grant_types: Mapped[list[Any]] = mapped_column(JSON)
    response_types: Mapped[list[Any]] = mapped_column(JSON)
    scope: Mapped[str] = mapped_column(Text)
    client_metadata: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OAuthCimdDocument(Base):
    """Cached Client ID Metadata Documents, shared by all processes, kept per HTTP cache headers."""

    __tablename__ = "oauth_cimd_documents"
    url_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class OAuthGrant(Base):
    __tablename__ = "oauth_grants"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    client_id: Mapped[str] = mapped_column(Text)
    client_name: Mapped[str | None] = mapped_column(String(255))
    scope: Mapped[str] = mapped_column(Text)
    resource: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(40))


class OAuthCode(Base):
    __tablename__ = "oauth_codes"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    grant_id: Mapped[str] = mapped_column(ForeignKey("oauth_grants.id"), index=True)
    client_id: Mapped[str] = mapped_column(Text)
    redirect_uri: Mapped[str | None] = mapped_column(Text)  # None when the request omitted it
    code_challenge: Mapped[str] = mapped_column(String(128))
    code_challenge_method: Mapped[str] = mapped_column(String(8))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OAuthToken(Base):
    __tablename__ = "oauth_tokens"
    __table_args__ = (Index("ix_oauth_tokens_grant_kind", "grant_id", "kind"),)
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # access|refresh
    grant_id: Mapped[str] = mapped_column(ForeignKey("oauth_grants.id"))
    scope: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]  # refresh tokens: set when rotated
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OAuthRequest(Base):
    """A validated authorization request waiting for sign-in and consent (single use)."""

    __tablename__ = "oauth_requests"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(Text)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    expires_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebSession(Base):
    """A signed-in browser (sign-in page, consent, dashboard)."""

    __tablename__ = "web_sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    expires_at: Mapped[datetime]
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
