"""domain/persistence: the read engine refuses writes, and SQLite writers wait for another
process's lock on the event loop's terms (docs/speed.md § One transaction per request)."""
from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest
from typing import Any

from sqlalchemy import bindparam, event, select, text
from sqlalchemy.exc import DBAPIError, OperationalError

from domain.persistence import sqlite_driver
from domain.persistence.db import Database
from domain.persistence.models import Account


async def test_the_read_engine_refuses_writes(db: Database) -> None:
    """db.read() is for reads only: a stray write fails loudly instead of being rolled back unseen."""
    with pytest.raises(DBAPIError):
        async with db.read() as session:
            await session.execute(text("UPDATE accounts SET status = status WHERE id = 'acc_none'"))


async def test_a_read_sees_what_a_write_just_committed(db: Database, account: dict[str, str]) -> None:
    async with db.transaction() as session:
        await session.execute(text("UPDATE accounts SET live_enabled = :on WHERE id = :id"),
                              {"on": True, "id": account["id"]})
    async with db.read() as session:
        row = (await session.execute(text("SELECT live_enabled FROM accounts WHERE id = :id"),
                                     {"id": account["id"]})).one()
    assert bool(row[0]) is True


async def test_read_first_sees_the_latest_commit_and_refuses_writes(db: Database, account: dict[str, str]) -> None:
    """The hot-read path (a sync engine on SQLite, the read engine on PostgreSQL) reads what was
    just committed and cannot write."""
    statement = text("SELECT live_enabled FROM accounts WHERE id = :id")
    for flag in (False, True):
        async with db.transaction() as session:
            await session.execute(text("UPDATE accounts SET live_enabled = :on WHERE id = :id"),
                                  {"on": flag, "id": account["id"]})
        row = await db.read_first(statement, {"id": account["id"]})
        assert row is not None and bool(row[0]) is flag
    assert await db.read_first(statement, {"id": "acc_none"}) is None
    typed = await db.read_first(select(Account.id, Account.created_at).where(Account.id == bindparam("id")),
                                {"id": account["id"]})
    assert typed is not None and typed.id == account["id"] and typed.created_at.tzinfo is not None  # UTCDateTime
    with pytest.raises(DBAPIError):
        await db.read_first(text("UPDATE accounts SET status = status WHERE id = :id"), {"id": account["id"]})


async def test_read_first_on_sqlite_skips_the_async_engine(sqlite_db: Database) -> None:
    """On SQLite the statement runs on the synchronous first-row engine, which the statement
    counters see through ``sync_engines()``; the async read engine is not touched."""
    seen: dict[str, int] = {}
    engines = sqlite_db.sync_engines()
    assert len(engines) == 3

    def counter(name: str) -> Any:
        def count(*_args: Any) -> None:
            seen[name] = seen.get(name, 0) + 1
        return count

    listeners = [(engine, counter(name)) for engine, name in zip(engines, ("write", "read", "first"), strict=True)]
    for engine, listener in listeners:
        event.listen(engine, "before_cursor_execute", listener)
    try:
        assert (await sqlite_db.read_first(text("SELECT count(*) FROM notes"), {}))[0] == 0
    finally:
        for engine, listener in listeners:
            event.remove(engine, "before_cursor_execute", listener)
    assert seen == {"first": 1}


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> Database:
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/driver.db")
    async with database.transaction() as session:
        await session.execute(text("CREATE TABLE notes (body TEXT)"))
    yield database
    await database.dispose()


def _hold_write_lock(path: Path) -> sqlite3.Connection:
    """Another process's writer: it takes the write lock and keeps it."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


async def test_a_writer_waits_for_another_process_without_blocking_the_loop(sqlite_db: Database,
                                                                            tmp_path: Path) -> None:
    other = _hold_write_lock(tmp_path / "driver.db")
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    async def write() -> None:
        async with sqlite_db.transaction() as session:
            await session.execute(text("INSERT INTO notes VALUES ('after the lock')"))

    ticking = asyncio.create_task(ticker())
    writing = asyncio.create_task(write())
    await asyncio.sleep(0.3)
    assert not writing.done()  # still waiting for the lock
    other.execute("COMMIT")
    other.close()
    await asyncio.wait_for(writing, timeout=5)
    ticking.cancel()
    assert ticks >= 20, f"the loop ran only {ticks} times while the writer waited"
    async with sqlite_db.read() as session:
        assert (await session.execute(text("SELECT body FROM notes"))).scalars().all() == ["after the lock"]


async def test_a_writer_gives_up_after_busy_seconds(sqlite_db: Database, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_driver, "BUSY_SECONDS", 0.2)
    other = _hold_write_lock(tmp_path / "driver.db")
    started = time.monotonic()
    try:
        with pytest.raises(OperationalError, match="locked"):
            async with sqlite_db.transaction() as session:
                await session.execute(text("INSERT INTO notes VALUES ('never')"))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert 0.15 <= time.monotonic() - started < 2
    async with sqlite_db.read() as session:
        assert (await session.execute(text("SELECT count(*) FROM notes"))).scalar_one() == 0


def test_stamps_are_stored_as_naive_utc_whatever_zone_they_carry() -> None:
    from datetime import UTC, datetime, timedelta, timezone

    from domain.persistence.base import UTCDateTime

    column = UTCDateTime()
    moment = datetime(2026, 12, 3, 12, 0, 0, 123456, tzinfo=UTC)
    amsterdam = moment.astimezone(timezone(timedelta(hours=1)))
    assert column.process_bind_param(moment, None) == datetime(2026, 12, 3, 12, 0, 0, 123456)
    assert column.process_bind_param(amsterdam, None) == datetime(2026, 12, 3, 12, 0, 0, 123456)
    assert column.process_bind_param(datetime(2026, 12, 3, 12), None) == datetime(2026, 12, 3, 12)  # naive: as UTC
    assert column.process_bind_param(None, None) is None
