"""CSRF protection for the server-rendered forms: a signed double-submit cookie.

The browser gets a random nonce in an HttpOnly, SameSite=Lax cookie; each form carries
HMAC(key, nonce | sign-in session cookie) as its hidden ``csrf_token``. A cross-site page can neither read the cookie
nor compute the token, and the check needs no server-side state, so it holds across
processes (OWASP CSRF cheat sheet, "signed double-submit cookie").
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

from domain.core.settings import Settings
from oauth.sessions import COOKIE as SESSION_COOKIE

COOKIE = "pp_csrf"
FIELD = "csrf_token"


def _key(settings: Settings) -> bytes:
    return hashlib.sha256(b"pieterpost-csrf\0" + settings.secret_key.encode("utf-8")).digest()


def _sign(settings: Settings, nonce: str, request: Request) -> str:
    """HMAC over the nonce and the sign-in session cookie: a nonce planted from a sibling
    subdomain does not yield a token that works for the signed-in person's session."""
    session = request.cookies.get(SESSION_COOKIE, "")
    message = f"{nonce}|{session}".encode("utf-8", "replace")
    return hmac.new(_key(settings), message, hashlib.sha256).hexdigest()


def token_for(request: Request, settings: Settings) -> tuple[str, str | None]:
    """(form token, new nonce to set as cookie or None when the browser already has one)."""
    nonce = request.cookies.get(COOKIE)
    fresh = None
    if not nonce or len(nonce) > 100:
        nonce = fresh = secrets.token_urlsafe(32)
    return _sign(settings, nonce, request), fresh


def set_cookie(response: Response, nonce: str | None, *, secure: bool) -> None:
    if nonce:
        response.set_cookie(COOKIE, nonce, httponly=True, samesite="lax", secure=secure, path="/")


def is_valid(request: Request, settings: Settings, submitted: object) -> bool:
    nonce = request.cookies.get(COOKIE)
    if not nonce or not isinstance(submitted, str) or not submitted:
        return False
    # bytes: compare_digest raises TypeError for str with non-ASCII characters (a 500 per form post)
    return hmac.compare_digest(_sign(settings, nonce, request).encode("ascii"), submitted.encode("utf-8", "replace"))
