""""Last used" stamps of API keys and OAuth connections, written in batches.

The dashboard shows when a key or a connection was last used, to the minute. Writing that on
the request path made every authenticated request a write; instead the request notes the time
here (memory only) and the app's flusher writes all pending stamps every
``last_used_flush_seconds`` in one transaction, one executemany per table, and once more when
the app stops. A stamp only ever moves forward (the UPDATE keeps a newer value another process
wrote). A credential used for the first time is stamped at once by its verifier, so a new
connection never shows "never used".
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy import Table, bindparam, or_, update

from domain.persistence.db import Database

log = logging.getLogger("pieterpost.last_used")

# database url -> table -> row id -> newest use
_PENDING: dict[str, dict[Table, dict[str, datetime]]] = {}


def note(db: Database, table: Table, row_id: str, when: datetime) -> None:
    rows = _PENDING.setdefault(db.url, {}).setdefault(table, {})
    if row_id not in rows or rows[row_id] < when:
        rows[row_id] = when


async def flush(db: Database) -> int:
    """Write this database's pending stamps; returns how many rows were stamped."""
    pending = _PENDING.pop(db.url, None)
    if not pending:
        return 0
    written = 0
    async with db.transaction() as session:
        for table, rows in pending.items():
            stmt = (update(table)
                    .where(table.c.id == bindparam("row_id"),
                           or_(table.c.last_used_at.is_(None), table.c.last_used_at < bindparam("when")))
                    .values(last_used_at=bindparam("when")))
            await session.execute(stmt, [{"row_id": k, "when": v} for k, v in rows.items()])
            written += len(rows)
    return written


@asynccontextmanager
async def flushing(db: Database, every_s: float) -> AsyncIterator[None]:
    async def loop() -> None:
        while True:
            await asyncio.sleep(every_s)
            try:
                await flush(db)
            except Exception:  # noqa: BLE001 - a stamp is not worth a crash; try again next round
                log.warning("could not write last-used stamps", exc_info=True)

    task = asyncio.create_task(loop(), name="last-used-flush")
    try:
        yield
    finally:
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        try:
            await flush(db)
        except Exception:  # noqa: BLE001
            log.warning("could not write last-used stamps at shutdown", exc_info=True)
