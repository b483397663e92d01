"""SQLite connections for SQLAlchemy's async engine, without aiosqlite's thread hop per call.

aiosqlite runs every call on its connection's thread and hands the result back to the event
loop: creating the cursor, executing, fetching and closing are four hops per statement, about
a quarter of a millisecond each. SQLAlchemy's aiosqlite dialect accepts any connection with
aiosqlite's coroutine surface (``async_creator``), so this module supplies one over a plain
``sqlite3`` connection that runs each call on the event loop itself: a statement takes
microseconds, far less than a hop to a thread and back.

What must never happen on the loop is a wait for another process's lock. Readers never wait in
WAL mode (``busy_timeout`` bounds the rare exception, WAL recovery). Writers wait only to take
the write lock, which ``BEGIN IMMEDIATE`` takes up front; so write connections run with
``busy_timeout=0`` and ``BEGIN``/``COMMIT`` that find the database busy are retried with
``asyncio.sleep`` between tries, for up to ``BUSY_SECONDS``, instead of sleeping inside SQLite.

The connection is opened in autocommit mode (``isolation_level=None``): transactions are begun
explicitly by ``domain/persistence/db.py`` (``BEGIN IMMEDIATE`` for writes).
"""
from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

#: How long a write waits for another process's write lock before it fails (as busy_timeout did).
BUSY_SECONDS = 30.0
_RETRIED = ("BEGIN", "COMMIT")
#: How long a read waits for a lock (WAL recovery only), as ``PRAGMA busy_timeout`` in ms below.
READ_BUSY_SECONDS = 1.0


def _is_busy(error: sqlite3.OperationalError) -> bool:
    return getattr(error, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or \
        "database is locked" in str(error)


async def _when_free(call: Callable[[], Any], *, retry: bool) -> Any:
    """``call()``; if it is a lock-taking statement that found the database busy, try again later."""
    if not retry:
        return call()
    deadline = time.monotonic() + BUSY_SECONDS
    pause = 0.001
    while True:
        try:
            return call()
        except sqlite3.OperationalError as error:
            if not _is_busy(error) or time.monotonic() + pause > deadline:
                raise
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.05)


def _execute(cursor: sqlite3.Cursor, sql: str, params: Any) -> list[Any] | None:
    """Run a statement and, if it returns rows, fetch them all in the same call."""
    cursor.execute(sql, params)
    return cursor.fetchall() if cursor.description else None


class Cursor:
    """The part of aiosqlite's cursor that SQLAlchemy's adapter calls."""

    __slots__ = ("_cursor", "_writer", "_rows")

    def __init__(self, cursor: sqlite3.Cursor, writer: bool) -> None:
        self._cursor = cursor
        self._writer = writer
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
        retry = self._writer and sql.lstrip().upper().startswith(_RETRIED)
        self._rows = await _when_free(partial(_execute, self._cursor, sql, parameters), retry=retry)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> Cursor:
        self._cursor.executemany(sql, parameters)
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

    def __init__(self, connection: sqlite3.Connection, writer: bool) -> None:
        self._conn: sqlite3.Connection | None = connection
        self._writer = writer

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
        return Cursor(self._open().cursor(), self._writer)

    async def commit(self) -> None:
        await _when_free(self._open().commit, retry=self._writer)

    async def rollback(self) -> None:
        conn = self._open()
        if conn.in_transaction:
            conn.rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._open().create_function(*args, **kwargs)

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        """Close now; also SQLAlchemy's forced close (terminate). A second call does nothing."""
        if self._conn is not None:
            conn, self._conn = self._conn, None
            conn.close()


def sync_reader(path: str, *, pragmas: Sequence[str]) -> Callable[[], sqlite3.Connection]:
    """A ``creator`` for a synchronous engine of read connections (``Database.read_first``).

    Called on the loop when the pool opens a connection (rarely): the pragmas may wait for a
    lock up to the read connections' ``busy_timeout``, as their first statement would.
    """

    def connect() -> sqlite3.Connection:
        raw = sqlite3.connect(path, isolation_level=None, timeout=READ_BUSY_SECONDS, check_same_thread=False,
                              uri=path.startswith("file:"))
        for pragma in pragmas:
            raw.execute(pragma)
        return raw

    return connect


def connector(path: str, *, writer: bool, pragmas: Sequence[str]) -> Callable[[], Any]:
    """An ``async_creator`` for ``create_async_engine``: a new configured connection per call."""

    async def connect() -> Connection:
        # timeout=0: never sleep in SQLite's busy handler on the loop (see the module docstring);
        # check_same_thread=False: SQLAlchemy may close a pooled connection from its own thread
        raw = sqlite3.connect(path, isolation_level=None, timeout=0, check_same_thread=False,
                              uri=path.startswith("file:"))
        for pragma in pragmas:
            await _when_free(partial(raw.execute, pragma), retry=True)  # WAL switch-over needs a lock
        return Connection(raw, writer)

    return connect
