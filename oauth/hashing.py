"""Random credentials and how they are kept: only a SHA-256 of each token reaches the database.

Codes, access tokens, refresh tokens, client secrets, session ids and sign-in request
handles are 256-bit random values, so a plain (unsalted) SHA-256 is enough to make a
leaked table useless, and it keeps lookups an indexed equality (docs/product.md § OAuth: everything is stored hashed).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token(prefix: str = "") -> str:
    """A fresh url-safe secret with 256 bits of randomness (RFC 6749 §10.10 asks for >= 128)."""
    return prefix + secrets.token_urlsafe(32)


def token_hash(value: str) -> str:
    """Hex SHA-256 of a secret, the only form we store."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def matches(value: str, stored_hash: str | None) -> bool:
    """Constant-time check of a presented secret against a stored hash."""
    if not stored_hash:
        return False
    return hmac.compare_digest(token_hash(value), stored_hash)
