"""SQLite connections for SQLAlchemy's async engine, without aiosqlite's thread hop per call.

aiosqlite runs every call on its connection's thread and hands the result back to the event
loop: creating the cursor, executing, fetching and closing are four hops per statement, about
a quarter of a millisecond each. SQLAlchemy's aiosqlite dialect accepts any connection with
aiosqlite's coroutine surface (``async_creator``), so this module supplies one over a plain
``sqlite3`` connection with two ways of running a call:

- **inline** (the read engine): on the event loop itself. A read in WAL mode never waits for a
  writer, it takes microseconds, and ``busy_timeout`` bounds the rare wait (WAL recovery).
- **one hop** (the write engine): execute and fetch together on a worker thread, so a write
  waiting for another process's lock (``busy_timeout``) never blocks the loop.

The connection is opened in autocommit mode (``isolation_level=None``): transactions are begun
explicitly by ``domain/persistence/db.py`` (``BEGIN IMMEDIATE`` for writes).
"""
from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

Runner = Callable[[Callable[[], Any]], Any]

_WRITE_THREADS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="pieterpost-sqlite")


async def _inline(call: Callable[[], Any]) -> Any:
    return call()


async def _one_hop(call: Callable[[], Any]) -> Any:
    return await asyncio.get_running_loop().run_in_executor(_WRITE_THREADS, call)


def _execute(cursor: sqlite3.Cursor, sql: str, params: Any) -> list[Any] | None:
    """Run a statement and, if it returns rows, fetch them all in the same call."""
    cursor.execute(sql, params)
    return cursor.fetchall() if cursor.description else None


class Cursor:
    """The part of aiosqlite's cursor that SQLAlchemy's adapter calls."""

    __slots__ = ("_cursor", "_run", "_rows")

    def __init__(self, cursor: sqlite3.Cursor, run: Runner) -> None:
        self._cursor = cursor
        self._run = run
        self._rows: list[Any] | None = None

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Cursor:
        self._rows = await self._run(partial(_execute, self._cursor, sql, parameters))
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> Cursor:
        await self._run(partial(self._cursor.executemany, sql, parameters))
        self._rows = None
        return self

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows or [], None
        return rows

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        rows = self._rows or []
        count = size or self._cursor.arraysize
        taken, self._rows = rows[:count], rows[count:]
        return taken

    async def close(self) -> None:
        self._cursor.close()

    async def nextset(self) -> None:
        return None


class Connection:
    """The part of aiosqlite's connection that SQLAlchemy's adapter calls, over ``sqlite3``."""

    def __init__(self, connection: sqlite3.Connection, run: Runner) -> None:
        self._conn: sqlite3.Connection | None = connection
        self._run = run

    @property
    def _connection(self) -> sqlite3.Connection | None:
        """SQLAlchemy's adapter skips commit/rollback once this is gone."""
        return self._conn

    def _open(self) -> sqlite3.Connection:
        if self._conn is None:
            raise sqlite3.ProgrammingError("no active connection")
        return self._conn

    @property
    def isolation_level(self) -> str | None:
        return self._open().isolation_level

    def cursor(self) -> Cursor:
        return Cursor(self._open().cursor(), self._run)

    async def commit(self) -> None:
        await self._run(self._open().commit)

    async def rollback(self) -> None:
        conn = self._open()
        if conn.in_transaction:
            await self._run(conn.rollback)

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._open().create_function(*args, **kwargs)

    async def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            conn.close()

    def stop(self) -> None:
        """Forced close (SQLAlchemy's terminate)."""
        if self._conn is not None:
            conn, self._conn = self._conn, None
            conn.close()


def connector(path: str, *, inline: bool, pragmas: Sequence[str]) -> Callable[[], Any]:
    """An ``async_creator`` for ``create_async_engine``: a new configured connection per call."""
    run: Runner = _inline if inline else _one_hop

    async def connect() -> Connection:
        # check_same_thread=False: one-hop calls run on pool threads, one at a time per connection
        # (SQLAlchemy's adapter holds a lock around each statement).
        raw = sqlite3.connect(path, isolation_level=None, check_same_thread=False, uri=path.startswith("file:"))
        for pragma in pragmas:
            raw.execute(pragma)
        return Connection(raw, run)

    return connect
