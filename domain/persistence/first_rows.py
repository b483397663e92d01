"""The hottest one-row reads (``Database.read_first``: ``get_wallet``, quotes, ``GET /v1/wallet``)
without SQLAlchemy's async adaptation.

Measured per read of the account flags and wallet at 8 concurrent callers (docs/speed.md), the
async engine's checkout, execute, fetch and close cost more CPU than the statement:

- **SQLite** (``SqliteFirstRows``): a synchronous engine over ``sqlite3``, called straight on the
  loop (SQLite runs there anyway, ``sqlite_driver``): 290 → 96 µs. The call never yields, so one
  pooled connection serves every concurrent request.
- **PostgreSQL** (``AsyncpgFirstRows``): asyncpg's own small pool, the statement compiled once by
  SQLAlchemy for the asyncpg dialect and its columns' result processors applied (``UTCDateTime``
  stays timezone-aware): 290–345 → 190–215 µs. Its connections are read-only and autocommit like
  the read engine's, and asyncpg caches the prepared statement per connection.

Both return a named tuple with the statement's column keys: callers read attributes, as on a Row.
"""
from __future__ import annotations

import asyncio
from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy import Executable, Select, create_engine
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import QueuePool

from domain.persistence import sqlite_driver

StatementListener = Callable[[str], None]
POOL_TIMEOUT_S = 30.0  # as SQLAlchemy's pool_timeout: a checkout that waits longer is a database error


@dataclass
class _Plan:
    sql: str
    names: tuple[str, ...]  # bind parameter names in positional order
    processors: tuple[Callable[[Any], Any] | None, ...] | None  # None: a text() statement, values as fetched
    row: Callable[..., Any] | None  # None until the first record names the columns (text())


def _row_type(keys: list[str]) -> Callable[..., Any]:
    return namedtuple("FirstRow", keys, rename=True)  # type: ignore[misc]


def _plan(statement: Executable, dialect: Dialect) -> _Plan:
    compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
    names = tuple(compiled.positiontup or ())
    if not isinstance(statement, Select):
        return _Plan(compiled.string, names, None, None)
    columns = list(statement.selected_columns)
    processors = tuple(column.type._cached_result_processor(dialect, None) for column in columns)
    return _Plan(compiled.string, names, processors, _row_type([column.key for column in columns]))


class SqliteFirstRows:
    def __init__(self, url: str, pragmas: tuple[str, ...], **engine_options: Any) -> None:
        path = make_url(url).database or ":memory:"
        self.engine: Engine = create_engine(
            "sqlite+pysqlite://", creator=sqlite_driver.sync_reader(path, pragmas=pragmas), poolclass=QueuePool,
            pool_size=2, max_overflow=2, pool_reset_on_return=None, **engine_options)

    async def first(self, statement: Executable, params: dict[str, Any]) -> Any | None:
        with self.engine.connect() as conn:
            return conn.execute(statement, params).first()

    async def close(self) -> None:
        self.engine.dispose()


class AsyncpgFirstRows:
    """asyncpg's pool, opened on first use (in the loop that serves), at most ``size`` connections."""

    def __init__(self, url: str, size: int, recycle_seconds: float) -> None:
        self._dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._dialect: Dialect = asyncpg_dialect()  # whichever driver the URL names for the engines
        self._size = size
        self._recycle_seconds = recycle_seconds
        self._pool: Any = None
        self._opening = asyncio.Lock()
        self._plans: dict[int, tuple[Executable, _Plan]] = {}
        #: called with each statement's SQL before it runs (statement counting in tests and benches)
        self.listeners: list[StatementListener] = []

    def _plan_for(self, statement: Executable) -> _Plan:
        known = self._plans.get(id(statement))
        if known is None or known[0] is not statement:
            known = (statement, _plan(statement, self._dialect))
            self._plans[id(statement)] = known
        return known[1]

    async def _open(self) -> Any:
        async with self._opening:
            if self._pool is None:
                self._pool = await asyncpg.create_pool(
                    self._dsn, min_size=1, max_size=self._size, max_inactive_connection_lifetime=self._recycle_seconds,
                    server_settings={"default_transaction_read_only": "on"})
        return self._pool

    async def first(self, statement: Executable, params: dict[str, Any]) -> Any | None:
        plan = self._plan_for(statement)
        pool = self._pool or await self._open()
        for listener in self.listeners:
            listener(plan.sql)
        try:
            async with pool.acquire(timeout=POOL_TIMEOUT_S) as conn:
                record = await conn.fetchrow(plan.sql, *(params[name] for name in plan.names))
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as exc:
            # what the rest of the service knows as a database error (db_error, 503 at the REST edge)
            raise OperationalError(plan.sql, None, exc) from exc
        if record is None:
            return None
        if plan.row is None:
            plan.row = _row_type(list(record.keys()))
        if plan.processors is None:
            return plan.row(*record)
        return plan.row(*(process(value) if process else value
                          for process, value in zip(plan.processors, record, strict=True)))

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()
