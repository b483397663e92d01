"""Browser sign-in sessions, kept in the database so every process recognises them.

The cookie holds a random id; the table holds its SHA-256. Used by the sign-in and consent
pages here and by the dashboard (``current_account``).
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from starlette.requests import Request
from starlette.responses import Response

from domain.core.clock import utcnow
from domain.persistence.db import Database
from oauth.hashing import new_token, token_hash
from oauth.models import WebSession

COOKIE = "pp_session"
TTL = timedelta(days=7)


async def start(db: Database, account_id: str, response: Response, *, secure: bool) -> None:
    """Sign a browser in: new session row, cookie on ``response``."""
    value = new_token()
    now = utcnow()
    async with db.transaction() as s:
        s.add(WebSession(id_hash=token_hash(value), account_id=account_id, expires_at=now + TTL, created_at=now))
    response.set_cookie(COOKIE, value, max_age=int(TTL.total_seconds()), httponly=True, samesite="lax",
                        secure=secure, path="/")


async def current_account(db: Database, request: Request) -> str | None:
    """The signed-in account id for this browser, or None."""
    value = request.cookies.get(COOKIE)
    if not value:
        return None
    async with db.read() as s:
        row = await s.get(WebSession, token_hash(value))
    if row is None or row.revoked or row.expires_at <= utcnow():
        return None
    return row.account_id


async def end(db: Database, request: Request, response: Response) -> None:
    """Sign out: revoke the row and clear the cookie."""
    value = request.cookies.get(COOKIE)
    if value:
        async with db.transaction() as s:
            await s.execute(update(WebSession).where(WebSession.id_hash == token_hash(value)).values(revoked=True))
    response.delete_cookie(COOKIE, path="/")
