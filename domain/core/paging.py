"""Cursor pagination, newest first: ``startingAfter`` is the last id of the previous page."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

PAGE_DEFAULT = 25  # list endpoints' ``limit`` when none is given
PAGE_MAX = 100


async def newest_first(session: AsyncSession, stmt: Select[Any], model: Any, *, limit: int,
                       after: Any | None) -> tuple[list[Any], bool]:
    """One page of ``stmt`` ordered by (created_at, id) descending; returns (rows, has_more)."""
    if after is not None:
        stmt = stmt.where((model.created_at < after.created_at)
                          | ((model.created_at == after.created_at) & (model.id < after.id)))
    stmt = stmt.order_by(model.created_at.desc(), model.id.desc()).limit(limit + 1)
    rows = list((await session.execute(stmt)).scalars())
    return rows[:limit], len(rows) > limit
