"""Public identifiers: a readable prefix plus 128+ bits of randomness, never sequential."""
from __future__ import annotations

import secrets
import uuid


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def new_ref() -> str:
    return str(uuid.uuid4())
