"""The two grants we allow, as Authlib subclasses: authorization code (+ PKCE S256) and refresh.

Authlib checks the protocol (client authentication, redirect URI, PKCE, scope narrowing);
these subclasses add what it leaves to us: storage, RFC 8707 ``resource`` binding, the
60-second single-use code, and refresh-token rotation with family revocation on reuse (after a short grace window).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from authlib.oauth2.rfc6749 import InvalidGrantError, OAuth2Error, grants

from domain.core.ids import new_id
from oauth.hashing import token_hash
from oauth.models import OAuthCode, OAuthGrant
from oauth.server import ACCESS_TTL, CODE_TTL, REFRESH_TTL, call
from oauth.store import CodeView, NewToken, TokenView

CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]


class InvalidTargetError(OAuth2Error):
    """RFC 8707 §2: the requested resource is not one this server issues tokens for."""

    error = "invalid_target"


def canonical_resource(server: Any, values: list[str]) -> str:
    """The one resource we serve; ``/mcp`` and ``/mcp/`` name the same thing (SPEC).

    No ``resource`` parameter binds the token to the MCP endpoint too: it is the only
    protected resource this authorization server issues tokens for.
    """
    if not values:
        return server.resource
    if len(values) == 1 and values[0].rstrip("/") == server.resource.rstrip("/"):
        return server.resource
    raise InvalidTargetError(f"This server issues tokens only for the resource {server.resource}")


def within_grace(used_at: datetime, now: datetime, grace: timedelta) -> bool:
    """A rotated refresh token presented again this soon is a retry or a racing sibling
    process, not a leaked copy: it gets fresh tokens and the family lives on."""
    return now - used_at <= grace


def _new_tokens(token: dict[str, Any], now: Any, refresh_scope: str | None = None) -> list[NewToken]:
    scope = token.get("scope", "")
    out = [NewToken(token_hash(token["access_token"]), "access", scope, now + ACCESS_TTL)]
    if token.get("refresh_token"):
        out.append(NewToken(token_hash(token["refresh_token"]), "refresh", refresh_scope or scope,
                            now + REFRESH_TTL))
    return out


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = CLIENT_AUTH_METHODS

    # --- authorization endpoint ---
    def validate_requested_scope(self) -> None:
        return None  # unknown names are dropped, not refused (``Client.get_allowed_scope``)

    def validate_authorization_request(self) -> str:
        redirect_uri = super().validate_authorization_request()
        try:
            self.request.resource = canonical_resource(self.server, self.request.payload.datalist.get("resource", []))
        except OAuth2Error as error:
            error.redirect_uri = redirect_uri
            raise
        return redirect_uri

    def save_authorization_code(self, code: str, request: Any) -> None:
        now = self.server.now()
        client = request.client
        grant = OAuthGrant(id=new_id("ogr"), account_id=request.user, client_id=client.client_id,
                           client_name=client.client_name, scope=request.scope, resource=request.resource,
                           created_at=now)
        data = request.payload.data
        row = OAuthCode(code_hash=token_hash(code), grant_id=grant.id, client_id=client.client_id,
                        redirect_uri=data.get("redirect_uri"), code_challenge=data["code_challenge"],
                        code_challenge_method=data["code_challenge_method"], expires_at=now + CODE_TTL,
                        created_at=now)
        call(self.server.store.create_code, grant, row)

    # --- token endpoint ---
    def query_authorization_code(self, code: str, client: Any) -> CodeView | None:
        view: CodeView | None = call(self.server.store.get_code, token_hash(code))
        if view is None or view.client_id != client.client_id:
            return None  # another client's code is an unknown code
        self._looked_up = view
        now = self.server.now()
        if view.used_at is not None:
            # OAuth 2.1 §4.1.3: a second use revokes what the first use issued.
            call(self.server.store.revoke_grant, view.grant.id, now, "code_reuse")
            return None
        if view.grant.revoked_at is not None or now >= view.expires_at:
            return None
        return view

    def validate_token_request(self) -> None:
        """As Authlib's, but a code that was found and then failed (wrong ``code_verifier``,
        ``redirect_uri`` or ``resource``) is spent: an attacker holding a stolen code gets one
        guess, and the rightful client's later use of it counts as reuse."""
        self._looked_up: CodeView | None = None
        try:
            super().validate_token_request()
            code: CodeView = self.request.authorization_code
            bound = canonical_resource(self.server, self.request.payload.datalist.get("resource", []))
            if bound != code.grant.resource:
                raise InvalidTargetError("The resource differs from the one that was authorized.")
        except OAuth2Error:
            looked_up = self._looked_up
            if looked_up is not None and looked_up.used_at is None:
                call(self.server.store.burn_code, looked_up.code_hash, self.server.now())
            raise

    def authenticate_user(self, authorization_code: CodeView) -> str:
        return authorization_code.grant.account_id

    def save_token(self, token: dict[str, Any]) -> None:
        code: CodeView = self.request.authorization_code
        now = self.server.now()
        if not call(self.server.store.redeem_code, code.code_hash, code.grant.id, now, _new_tokens(token, now)):
            raise InvalidGrantError("The authorization code was already used.")

    def delete_authorization_code(self, authorization_code: CodeView) -> None:
        return None  # redeem_code marked it used in the same transaction as the token insert


class RefreshGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = CLIENT_AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True  # rotate on every use (OAuth 2.1 §4.3.1)

    def authenticate_refresh_token(self, refresh_token: str) -> TokenView | None:
        view: TokenView | None = call(self.server.store.get_token, token_hash(refresh_token))
        if view is None or view.kind != "refresh":
            return None
        now = self.server.now()
        if view.used_at is not None and not within_grace(view.used_at, now, self._grace()):
            # RFC 9700 §4.14.2: a rotated refresh token came back, so one copy leaked; end the family.
            call(self.server.store.revoke_grant, view.grant.id, now, "refresh_reuse")
            return None
        return view if view.is_live(now) else None

    def _grace(self) -> timedelta:
        return timedelta(seconds=self.server.settings.oauth_refresh_grace_seconds)

    def validate_token_request(self) -> None:
        super().validate_token_request()
        view: TokenView = self.request.refresh_token
        if canonical_resource(self.server, self.request.payload.datalist.get("resource", [])) != view.grant.resource:
            raise InvalidTargetError("The resource differs from the one that was authorized.")

    def authenticate_user(self, refresh_token: TokenView) -> str:
        return refresh_token.grant.account_id

    def save_token(self, token: dict[str, Any]) -> None:
        old: TokenView = self.request.refresh_token
        now = self.server.now()
        if not call(self.server.store.rotate_refresh, old.token_hash, old.grant.id, now,
                    _new_tokens(token, now, refresh_scope=old.scope), self._grace()):
            raise InvalidGrantError("The refresh token was already used.")

    def revoke_old_credential(self, refresh_token: TokenView) -> None:
        return None  # rotate_refresh spent it in the same transaction
