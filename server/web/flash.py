"""One-time messages across a POST → 303 → GET (so a reload never repeats the POST).

Used for the new API key's secret: it must be shown exactly once and never stored in
plain text, so it travels in a short-lived cookie encrypted with a key derived from
``SECRET_KEY`` (Fernet: AES-CBC + HMAC, with a timestamp checked on read), scoped to the
page that shows it, and deleted by the response that shows it.
"""
from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from starlette.requests import Request
from starlette.responses import Response

from domain.core.settings import Settings

COOKIE = "pp_flash"
TTL_S = 120


def _fernet(settings: Settings) -> Fernet:
    key = hashlib.sha256(b"pieterpost-flash\0" + settings.secret_key.encode("utf-8")).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def put(response: Response, settings: Settings, path: str, data: dict[str, Any]) -> None:
    token = _fernet(settings).encrypt(json.dumps(data).encode()).decode("ascii")
    response.set_cookie(COOKIE, token, max_age=TTL_S, path=path, httponly=True, samesite="strict",
                        secure=settings.base_url.startswith("https://"))


def read(request: Request, settings: Settings) -> dict[str, Any] | None:
    """The message for this page, if any and not older than ``TTL_S``; pair with ``clear``."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        data = json.loads(_fernet(settings).decrypt(token.encode("ascii"), ttl=TTL_S))
    except (InvalidToken, ValueError):
        return None
    return data if isinstance(data, dict) else None


def clear(request: Request, response: Response, path: str) -> None:
    """Delete the message with the response that shows it (shown once)."""
    if COOKIE in request.cookies:
        response.delete_cookie(COOKIE, path=path)
