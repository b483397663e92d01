"""Signing secrets: ``whsec_<base64 of 32 random bytes>``, kept encrypted at rest.

A hash would not do: every delivery needs the secret itself for the HMAC. So the database
holds a Fernet token (AES-128-CBC + HMAC-SHA256, from ``cryptography``) under a key derived
from ``PIETERPOST_SECRET_KEY``; a database dump alone reveals no secret. Changing
``PIETERPOST_SECRET_KEY`` makes stored secrets unreadable: rotate each endpoint's secret then.
Secrets are never logged and appear in an API response only once (create / rotate).
"""
from __future__ import annotations

import base64
import hashlib
import secrets

from cryptography.fernet import Fernet, InvalidToken

from domain.core.errors import Misconfigured
from domain.core.settings import Settings

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def _fernet(settings: Settings) -> Fernet:
    if not settings.secret_key:
        raise Misconfigured("PIETERPOST_SECRET_KEY is needed to keep webhook signing secrets.")
    key = hashlib.sha256(b"pieterpost-webhook-secrets\0" + settings.secret_key.encode("utf-8")).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str, settings: Settings) -> str:
    return _fernet(settings).encrypt(secret.encode("ascii")).decode("ascii")


def unseal(box: str, settings: Settings) -> str:
    try:
        return _fernet(settings).decrypt(box.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise Misconfigured("A webhook signing secret cannot be read with the current PIETERPOST_SECRET_KEY; "
                            "rotate the endpoint's secret.") from None
