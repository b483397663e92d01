"""Database access: one async engine, one transaction per state change.

``transaction()`` commits when the block ends normally and rolls back on any exception
(rollback is the default). On SQLite a write transaction starts with ``BEGIN IMMEDIATE`` so
concurrent writers queue on the database lock instead of failing half-way; on PostgreSQL the
money paths rely on conditional updates, unique indexes and upserts inside the transaction.
"""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Executable, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from domain.persistence import core_rows, sqlite_driver
from domain.persistence.first_rows import AsyncpgFirstRows, SqliteFirstRows, StatementListener

# What a database outage looks like to callers (the REST edge renders these as db_error, 503).
# A full pool (sqlalchemy.exc.TimeoutError) is an overload of the same kind: retry shortly.
DATABASE_ERRORS: tuple[type[Exception], ...] = (OperationalError, DBAPIError, PoolTimeout)

_ASYNC_DRIVERS = {"postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg", "sqlite": "sqlite+aiosqlite"}
_SYNC_DRIVERS = {"asyncpg": "psycopg", "aiosqlite": "pysqlite", "psycopg_async": "psycopg"}


def async_url(url: str) -> str:
    """Accept ``postgresql://`` or ``sqlite:///`` too and pick the async driver."""
    parsed = make_url(url)
    if parsed.drivername in _ASYNC_DRIVERS:
        parsed = parsed.set(drivername=_ASYNC_DRIVERS[parsed.drivername])
    return parsed.render_as_string(hide_password=False)


def sync_url(url: str) -> str:
    """The same database through a sync driver (Alembic runs synchronously)."""
    parsed = make_url(async_url(url))
    backend, _, driver = parsed.drivername.partition("+")
    if driver in _SYNC_DRIVERS:
        parsed = parsed.set(drivername=f"{backend}+{_SYNC_DRIVERS[driver]}")
    return parsed.render_as_string(hide_password=False)


_SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA synchronous=NORMAL")
# a read never waits long in WAL mode; query_only makes a stray write fail loudly
_SQLITE_READ_PRAGMAS = (*_SQLITE_PRAGMAS, f"PRAGMA busy_timeout={int(sqlite_driver.READ_BUSY_SECONDS * 1000)}",
                        "PRAGMA query_only=ON")


def _sqlite_engine(url: str, *, read: bool, **kwargs: Any) -> AsyncEngine:
    """SQLite through ``sqlite_driver``: statements run on the loop; writers never sleep in SQLite."""
    path = make_url(url).database or ":memory:"
    if read:
        pragmas = _SQLITE_READ_PRAGMAS
    else:
        pragmas = _SQLITE_PRAGMAS  # busy_timeout 0: BEGIN and COMMIT wait with asyncio.sleep instead
    engine = create_async_engine(url, async_creator=sqlite_driver.connector(path, writer=not read, pragmas=pragmas),
                                 **kwargs)
    if not read:
        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(conn: Any) -> None:
            # every write transaction takes the write lock up front, so writers queue instead
            # of failing half-way with SQLITE_BUSY on lock upgrade
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    return engine


def _postgres_read_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Autocommit, read-only sessions: a read is its statements alone, no BEGIN/ROLLBACK."""
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT", **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _read_only(dbapi_connection: Any, _record: Any) -> None:
        # runs before the pool switches the connection to autocommit, hence the commit
        cursor = dbapi_connection.cursor()
        cursor.execute("SET SESSION default_transaction_read_only = on")
        cursor.close()
        dbapi_connection.commit()

    return engine


class Database:
    """Owns the engine; hands out sessions, each inside exactly one transaction."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = async_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        # hide_parameters: database errors are logged, and their bound values are names and addresses.
        # No pre-ping (a round trip on every checkout): connections are recycled after half an
        # hour instead, and a connection that died anyway fails its one request as db_error.
        kwargs: dict[str, Any] = {"hide_parameters": True, "pool_recycle": 1800}
        if self.is_sqlite:
            self.engine = _sqlite_engine(self.url, read=False, **kwargs)
            # readers run side by side in WAL mode: a steady pool as large as the PostgreSQL one (the
            # default 5 opened and closed a connection per checkout past five concurrent reads)
            self.read_engine = _sqlite_engine(self.url, read=True, pool_reset_on_return=None, pool_size=pool_size,
                                              max_overflow=pool_size, **kwargs)
            self._first_rows: SqliteFirstRows | AsyncpgFirstRows = SqliteFirstRows(
                self.url, _SQLITE_READ_PRAGMAS, **kwargs)
        else:
            # steady pools: connections past them are opened and closed per checkout, which is
            # slow. Each request holds one connection for its transaction, so writes get as many.
            self.engine = create_async_engine(self.url, pool_size=pool_size, max_overflow=pool_size // 2, **kwargs)
            self.read_engine = _postgres_read_engine(self.url, pool_size=pool_size, max_overflow=pool_size // 2,
                                                     **kwargs)
            # short reads that hold a connection for one round trip: a small pool serves them
            self._first_rows = AsyncpgFirstRows(self.url, size=max(2, pool_size // 2),
                                                recycle_seconds=kwargs["pool_recycle"])
        self._write_sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=True)
        self._read_sessions = async_sessionmaker(self.read_engine, expire_on_commit=False, autoflush=False)
        # SQLite has one writer at a time. Queueing this process's writers in FIFO order here
        # keeps them out of SQLite's busy handler, whose growing sleeps made the tail latency;
        # other processes on the same file still wait through sqlite_driver's BEGIN retry.
        self._sqlite_writer = asyncio.Lock() if self.is_sqlite else None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A write transaction: commit on success, rollback on any error."""
        async with self._writer_turn(), self._write_sessions() as session:
            async with session.begin():
                yield session
                await core_rows.write_pending(session)  # rows queued with Core, before the commit

    @asynccontextmanager
    async def _writer_turn(self) -> AsyncIterator[None]:
        if self._sqlite_writer is None:
            yield
            return
        async with self._sqlite_writer:
            yield

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """Reads on the read engine: each statement sees the latest commit; writes are refused."""
        async with self._read_sessions() as session:
            yield session  # closing the session rolls back

    @asynccontextmanager
    async def read_connection(self) -> AsyncIterator[AsyncConnection]:
        """A bare read connection for Core statements on hot paths (no ORM session)."""
        async with self.read_engine.connect() as conn:
            yield conn

    async def read_first(self, statement: Executable, params: dict[str, Any]) -> Any | None:
        """The first row of one prebuilt read (a named tuple of its columns), for the hottest reads
        (``get_wallet``, quotes, ``GET /v1/wallet``): without SQLAlchemy's async adaptation, which
        cost more CPU than the statement (``domain/persistence/first_rows.py``). Read-only, and
        it sees the latest commit, as ``read()`` does."""
        return await self._first_rows.first(statement, params)

    def sync_engines(self) -> tuple[Engine, ...]:
        """Every SQLAlchemy engine's sync core, for event listeners (statement counting)."""
        extra = (self._first_rows.engine,) if isinstance(self._first_rows, SqliteFirstRows) else ()
        return (self.engine.sync_engine, self.read_engine.sync_engine, *extra)

    def listen_first_rows(self, listener: StatementListener) -> Callable[[], None]:
        """Call ``listener`` with the SQL of each ``read_first`` that no engine event sees
        (asyncpg's pool on PostgreSQL); returns the function that stops it."""
        if not isinstance(self._first_rows, AsyncpgFirstRows):
            return lambda: None
        listeners = self._first_rows.listeners
        listeners.append(listener)
        return lambda: listeners.remove(listener)

    async def ping(self) -> bool:
        async with self.read_connection() as conn:
            await conn.execute(text("SELECT 1"))
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()
        await self.read_engine.dispose()
        await self._first_rows.close()
