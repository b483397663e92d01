"""Password rules of the sign-in / sign-up pages, on top of ``domain.accounts.passwords`` (Argon2id).

Hashing itself lives in ``domain.accounts.passwords`` (the CLI creates accounts too); this module adds
what only the pages need: the length policy and a sign-in check that costs the same time
whether or not the email exists (no account enumeration by timing).
"""
from __future__ import annotations

from domain.accounts.passwords import hash_password, verify_password

MIN_LENGTH = 8
MAX_LENGTH = 1024
_DUMMY_HASH = hash_password("pieterpost-no-such-account")

__all__ = ["MIN_LENGTH", "check_password", "hash_password", "password_problem"]


def check_password(password: str, stored_hash: str | None) -> bool:
    """True when ``password`` matches; always spends one Argon2 verification."""
    if not stored_hash:
        verify_password(_DUMMY_HASH, password)
        return False
    return verify_password(stored_hash, password)


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None. Length only (NIST SP 800-63B §5.1.1.2)."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    return None
