"""Storage of the authorization server: a small Protocol and its SQL implementation.

Every state change that must happen once (redeeming a code, rotating a refresh token) is a
conditional UPDATE inside one transaction, so two processes racing on the same secret see
exactly one winner; a code's loser revokes the family (OAuth 2.1 §4.1.3), a refresh token's
loser gets tokens of its own while inside the grace window and revokes the family after it
(RFC 9700 §4.14.2).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select, update

from domain.persistence.db import Database
from domain.core.ids import get_by_id
from domain.requests.credential_cache import revoked
from oauth.models import OAuthClient, OAuthCode, OAuthGrant, OAuthToken


@dataclass(frozen=True)
class GrantView:
    id: str
    account_id: str
    client_id: str
    client_name: str | None
    scope: str
    resource: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class CodeView:
    """An authorization code row plus its grant (Authlib's AuthorizationCodeMixin)."""

    code_hash: str
    client_id: str
    redirect_uri: str | None
    code_challenge: str
    code_challenge_method: str
    expires_at: datetime
    used_at: datetime | None
    grant: GrantView

    def get_redirect_uri(self) -> str | None:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.grant.scope


@dataclass(frozen=True)
class TokenView:
    """An access or refresh token row plus its grant (Authlib's TokenMixin)."""

    token_hash: str
    kind: str
    scope: str
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None
    grant: GrantView

    def check_client(self, client: Any) -> bool:
        return client.get_client_id() == self.grant.client_id

    def get_scope(self) -> str:
        return self.scope

    def is_live(self, now: datetime) -> bool:
        return self.revoked_at is None and self.grant.revoked_at is None and now < self.expires_at


@dataclass(frozen=True)
class NewToken:
    token_hash: str
    kind: str
    scope: str
    expires_at: datetime


class OAuthStore(Protocol):
    async def save_client(self, row: OAuthClient) -> None: ...
    async def get_client(self, client_id: str) -> OAuthClient | None: ...
    async def create_code(self, grant: OAuthGrant, code: OAuthCode) -> None: ...
    async def get_code(self, code_hash: str) -> CodeView | None: ...
    async def redeem_code(self, code_hash: str, grant_id: str, now: datetime, tokens: list[NewToken]) -> bool: ...
    async def burn_code(self, code_hash: str, now: datetime) -> None: ...
    async def get_token(self, token_hash: str) -> TokenView | None: ...
    async def rotate_refresh(self, token_hash: str, grant_id: str, now: datetime, tokens: list[NewToken],
                             grace: timedelta = ...) -> bool: ...
    async def revoke_grant(self, grant_id: str, now: datetime, reason: str) -> None: ...
    async def revoke_token(self, token_hash: str, now: datetime) -> None: ...
    async def touch_grant(self, grant_id: str, now: datetime, min_interval_s: int) -> None: ...
    async def list_grants(self, account_id: str) -> list[GrantView]: ...


def _grant_view(g: OAuthGrant) -> GrantView:
    return GrantView(g.id, g.account_id, g.client_id, g.client_name, g.scope, g.resource,
                     g.created_at, g.last_used_at, g.revoked_at)


class SqlStore:
    """``OAuthStore`` on the service database (SQLite or PostgreSQL through ``domain.persistence.db``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def save_client(self, row: OAuthClient) -> None:
        async with self.db.transaction() as s:
            s.add(row)

    async def get_client(self, client_id: str) -> OAuthClient | None:
        async with self.db.read() as s:
            return await get_by_id(s, OAuthClient, client_id)

    async def create_code(self, grant: OAuthGrant, code: OAuthCode) -> None:
        async with self.db.transaction() as s:
            s.add(grant)
            await s.flush()
            s.add(code)

    async def get_code(self, code_hash: str) -> CodeView | None:
        async with self.db.read() as s:
            row = (await s.execute(
                select(OAuthCode, OAuthGrant).join(OAuthGrant, OAuthGrant.id == OAuthCode.grant_id)
                .where(OAuthCode.code_hash == code_hash)
            )).one_or_none()
        if row is None:
            return None
        c, g = row
        return CodeView(c.code_hash, c.client_id, c.redirect_uri, c.code_challenge, c.code_challenge_method,
                        c.expires_at, c.used_at, _grant_view(g))

    async def redeem_code(self, code_hash: str, grant_id: str, now: datetime, tokens: list[NewToken]) -> bool:
        """Mark the code used and store its tokens, or (code already used) revoke the grant."""
        async with self.db.transaction() as s:
            won = await s.execute(
                update(OAuthCode).where(OAuthCode.code_hash == code_hash, OAuthCode.used_at.is_(None))
                .values(used_at=now)
            )
            if won.rowcount != 1:
                await self._revoke_grant(s, grant_id, now, "code_reuse")
                return False
            self._add_tokens(s, grant_id, now, tokens)
            return True

    async def burn_code(self, code_hash: str, now: datetime) -> None:
        """Spend a code without issuing anything: a failed exchange uses up the code."""
        async with self.db.transaction() as s:
            await s.execute(update(OAuthCode).where(OAuthCode.code_hash == code_hash, OAuthCode.used_at.is_(None))
                            .values(used_at=now))

    async def get_token(self, token_hash: str) -> TokenView | None:
        async with self.db.read() as s:
            row = (await s.execute(
                select(OAuthToken, OAuthGrant).join(OAuthGrant, OAuthGrant.id == OAuthToken.grant_id)
                .where(OAuthToken.token_hash == token_hash)
            )).one_or_none()  # one token per hash, one grant per token: more would be a wrong join
        if row is None:
            return None
        t, g = row
        return TokenView(t.token_hash, t.kind, t.scope, t.expires_at, t.used_at, t.revoked_at, _grant_view(g))

    async def rotate_refresh(self, token_hash: str, grant_id: str, now: datetime, tokens: list[NewToken],
                             grace: timedelta = timedelta(0)) -> bool:
        """Spend a refresh token and store its successors.

        A token already spent within ``grace`` (a retry, or a sibling that won the race a
        moment ago) also gets its successors; one spent earlier revokes the family. The
        conditional UPDATE decides the winner; the loser reads the winner's committed
        ``used_at`` (PostgreSQL re-checks the row after the winner commits; SQLite writes
        one at a time), so two racing refreshes both end with working tokens.
        """
        async with self.db.transaction() as s:
            won = await s.execute(
                update(OAuthToken).where(
                    OAuthToken.token_hash == token_hash, OAuthToken.kind == "refresh",
                    OAuthToken.used_at.is_(None), OAuthToken.revoked_at.is_(None),
                ).values(used_at=now)
            )
            if won.rowcount != 1 and not await self._spent_within(s, token_hash, grant_id, now, grace):
                await self._revoke_grant(s, grant_id, now, "refresh_reuse")
                return False
            self._add_tokens(s, grant_id, now, tokens)
            return True

    @staticmethod
    async def _spent_within(s: Any, token_hash: str, grant_id: str, now: datetime, grace: timedelta) -> bool:
        row = (await s.execute(
            select(OAuthToken.used_at, OAuthToken.revoked_at, OAuthGrant.revoked_at)
            .join(OAuthGrant, OAuthGrant.id == OAuthToken.grant_id)
            .where(OAuthToken.token_hash == token_hash, OAuthToken.kind == "refresh")
        )).one_or_none()
        if row is None:
            return False
        used_at, token_revoked, grant_revoked = row
        return (used_at is not None and token_revoked is None and grant_revoked is None
                and now - used_at <= grace)

    async def revoke_grant(self, grant_id: str, now: datetime, reason: str) -> None:
        async with self.db.transaction() as s:
            await self._revoke_grant(s, grant_id, now, reason)

    async def revoke_token(self, token_hash: str, now: datetime) -> None:
        async with self.db.transaction() as s:
            await s.execute(update(OAuthToken).where(OAuthToken.token_hash == token_hash,
                                                     OAuthToken.revoked_at.is_(None)).values(revoked_at=now))
            await revoked(s, f"token:{token_hash}")

    async def touch_grant(self, grant_id: str, now: datetime, min_interval_s: int) -> None:
        """Stamp last use for the dashboard, at most once per ``min_interval_s`` per grant."""
        async with self.db.transaction() as s:
            await s.execute(update(OAuthGrant).where(
                OAuthGrant.id == grant_id,
                (OAuthGrant.last_used_at.is_(None)) | (OAuthGrant.last_used_at < now - timedelta(seconds=min_interval_s)),
            ).values(last_used_at=now))

    async def list_grants(self, account_id: str) -> list[GrantView]:
        async with self.db.read() as s:
            rows = (await s.execute(
                select(OAuthGrant).where(OAuthGrant.account_id == account_id, OAuthGrant.revoked_at.is_(None))
                .order_by(OAuthGrant.created_at.desc())
            )).scalars().all()
        return [_grant_view(g) for g in rows]

    @staticmethod
    def _add_tokens(s: Any, grant_id: str, now: datetime, tokens: list[NewToken]) -> None:
        for t in tokens:
            s.add(OAuthToken(token_hash=t.token_hash, kind=t.kind, grant_id=grant_id, scope=t.scope,
                             expires_at=t.expires_at, created_at=now))

    @staticmethod
    async def _revoke_grant(s: Any, grant_id: str, now: datetime, reason: str) -> None:
        await s.execute(update(OAuthGrant).where(OAuthGrant.id == grant_id, OAuthGrant.revoked_at.is_(None))
                        .values(revoked_at=now, revoked_reason=reason))
        await revoked(s, f"grant:{grant_id}")
