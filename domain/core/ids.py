"""Public identifiers: a readable prefix plus 128+ bits of randomness, never sequential."""
from __future__ import annotations

import secrets
import uuid
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from domain.core.errors import NotFound

T = TypeVar("T")
MAX_LOOKUP_ID = 2048  # room for OAuth client ids that are metadata-document URLs


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def new_ref() -> str:
    return str(uuid.uuid4())


def could_be_id(value: object) -> bool:
    """Every id we issue is short printable text; anything else names no row.

    Checked before the query because PostgreSQL refuses a NUL in a text parameter outright,
    which would turn a caller's typo into a database error instead of ``not_found``.
    """
    return isinstance(value, str) and 0 < len(value) <= MAX_LOOKUP_ID and value.isprintable()


async def get_by_id(session: AsyncSession, model: type[T], ident: object, **options: Any) -> T | None:
    """``session.get`` for an id that came from a caller: None when it cannot be one of ours."""
    if not could_be_id(ident):
        return None
    return await session.get(model, ident, **options)


async def get_owned(session: AsyncSession, model: type[T], ident: object, account_id: str, noun: str,
                    *, field: str | None = None, **options: Any) -> T:
    """A row of this account; another account's id is unknown too (404, never 403: no existence leak)."""
    row = await get_by_id(session, model, ident, **options)
    if row is None or getattr(row, "account_id") != account_id:
        raise NotFound(f"No {noun} {ident}.", field=field)
    return row
