"""New rows written with SQLAlchemy Core, queued on the session and sent in as few statements as possible.

Why: on the hottest write (a direct order: ledger row, order, pieces, timeline, public events,
idempotency record) the ORM's unit of work cost about twice the CPU of a Core insert per row, and
each table was a round trip. Rows queued here are written

- on PostgreSQL as ONE statement for the whole queue: per table an ``INSERT … SELECT … FROM
  unnest(<one array per column>) WITH ORDINALITY ORDER BY ordinality``, every table but the last a
  data-modifying CTE of the last. Foreign keys are checked at the end of the statement, so the
  tables' order inside it does not matter; ``ORDER BY ordinality`` keeps serial ids in queue order;
- on SQLite as one INSERT (or one executemany) per table, parents first (``metadata.sorted_tables``).

The queue is written before the transaction commits (``Database.transaction``), before any ORM
flush, and before any statement run through the session or through ``execute`` below, so every
later statement of the transaction sees the rows. Queued objects stay transient: they are not in
the session's identity map, so a use case queues only rows it has finished changing.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import JSON, Table, Text, bindparam, cast, event, func, insert, inspect, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection, Result
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql import Executable

from domain.persistence.base import Base

_QUEUE = "pieterpost.core_rows"  # key in Session.info: {table: list of complete rows}


class UnqueueableRow(ValueError):
    """A row this module cannot complete in Python (a column only the database can fill)."""


def _sync(session: AsyncSession | Session) -> Session:
    """The ORM session underneath (``run_sync`` and the event hooks hand over the sync one)."""
    return session.sync_session if isinstance(session, AsyncSession) else session


def _queue(session: Session) -> dict[Table, list[dict[str, Any]]]:
    queue: dict[Table, list[dict[str, Any]]] | None = session.info.get(_QUEUE)
    if queue is None:
        queue = session.info[_QUEUE] = {}
    return queue


def _python_default(table: Table, name: str) -> tuple[bool, Any]:
    """(has a value, value) for a column left out: its Python default, else NULL if it may be NULL."""
    column = table.c[name]
    default = column.default
    if default is not None:
        if default.is_scalar:
            return True, default.arg
        if default.is_callable:
            return True, default.arg(None)  # SQLAlchemy wraps zero-argument callables to take a context
        raise UnqueueableRow(f"{table.name}.{name} has a SQL default; insert it through the ORM")
    if column is table.autoincrement_column:
        return False, None  # a serial id: the database numbers it (in queue order)
    if column.server_default is not None:
        raise UnqueueableRow(f"{table.name}.{name} has a server default; give it a value")
    if not column.nullable:
        raise UnqueueableRow(f"{table.name}.{name} is NOT NULL and has no default; give it a value")
    return True, None


def _complete(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    unknown = set(row) - set(table.c.keys())
    if unknown:
        raise UnqueueableRow(f"{table.name} has no column {sorted(unknown)[0]!r}")
    full: dict[str, Any] = {}
    for name in table.c.keys():
        if name in row:
            full[name] = row[name]
            continue
        has_value, value = _python_default(table, name)
        if has_value:
            full[name] = value
    return full


def insert_rows(session: AsyncSession | Session, table: Table, rows: Iterable[dict[str, Any]]) -> None:
    """Queue plain rows (column key → value); a column left out gets its Python default."""
    complete = [_complete(table, row) for row in rows]  # all or none: a refused row queues nothing
    if complete:
        _queue(_sync(session)).setdefault(table, []).extend(complete)


def insert_new(session: AsyncSession | Session, instances: Iterable[Base]) -> None:
    """Queue new ORM instances as rows. Their unset columns get the Python defaults, set on the
    instance too, so the caller renders what was written."""
    made: list[tuple[Table, dict[str, Any]]] = []
    for instance in instances:
        mapper = inspect(type(instance))
        table = mapper.local_table
        row: dict[str, Any] = {}
        for prop in mapper.column_attrs:
            column = prop.columns[0]
            value = getattr(instance, prop.key)
            if value is None:
                has_value, value = _python_default(table, column.key)
                if not has_value:
                    continue  # a serial id, numbered by the database (the instance keeps None)
                setattr(instance, prop.key, value)
            row[column.key] = value
        made.append((table, row))
    queue = _queue(_sync(session))  # all or none, as with insert_rows
    for table, row in made:
        queue.setdefault(table, []).append(row)


def pending(session: AsyncSession | Session) -> int:
    """How many rows wait in the queue (for tests and assertions)."""
    return sum(len(rows) for rows in _sync(session).info.get(_QUEUE, {}).values())


def write_queued(session: Session) -> None:
    """Write the queue on the session's connection and empty it (sync: runs inside the session)."""
    queue: dict[Table, list[dict[str, Any]]] | None = session.info.get(_QUEUE)
    if not queue:
        return
    session.info[_QUEUE] = {}
    connection = session.connection()
    order = _table_order(len(Base.metadata.tables))
    groups = sorted(queue.items(), key=lambda item: order.get(item[0], len(order)))
    if connection.dialect.name == "postgresql":
        _one_statement(connection, groups)
        return
    for table, rows in groups:
        _by_columns(connection, table, rows)


@functools.lru_cache(maxsize=4)
def _table_order(_table_count: int) -> dict[Table, int]:
    """Parents before children; sorting the metadata costs more than an insert, so once per table count."""
    return {table: n for n, table in enumerate(Base.metadata.sorted_tables)}


async def write_pending(session: AsyncSession) -> None:
    if session.sync_session.info.get(_QUEUE):
        await session.run_sync(write_queued)


async def execute(session: AsyncSession, statement: Executable, params: dict[str, Any] | None = None) -> Result[Any]:
    """A Core statement on the session's connection, without the ORM's per-execute work (half the
    CPU of ``session.execute`` for an upsert). Queued rows are written first."""
    await write_pending(session)
    connection = await session.connection()
    return await connection.execute(statement, params)


def _by_columns(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """One INSERT per set of columns: a serial id given in some rows and not in others splits them."""
    for batch in _column_sets(rows).values():
        connection.execute(_insert(table), batch)


@functools.lru_cache(maxsize=64)
def _insert(table: Table) -> Any:
    return insert(table)  # built once: building and cache-keying a statement costs more than sending it


def _one_statement(connection: Connection, groups: list[tuple[Table, list[dict[str, Any]]]]) -> None:
    shape: list[tuple[Table, tuple[str, ...]]] = []
    params: dict[str, Any] = {}
    for table, rows in groups:
        for columns, batch in _column_sets(rows).items():
            n = len(shape)
            shape.append((table, columns))
            for i, name in enumerate(columns):
                values = [row[name] for row in batch]
                # JSON travels as text and is cast back: ARRAY(JSON) would read a list value as a dimension
                params[f"t{n}c{i}"] = [json.dumps(v) for v in values] if _is_json(table, name) else values
    connection.execute(_statement_for(tuple(shape)), params)


def _column_sets(rows: list[dict[str, Any]]) -> dict[tuple[str, ...], list[dict[str, Any]]]:
    sets: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        sets.setdefault(tuple(row), []).append(row)
    return sets


def _is_json(table: Table, name: str) -> bool:
    return isinstance(table.c[name].type, JSON)


@functools.lru_cache(maxsize=256)
def _statement_for(shape: tuple[tuple[Table, tuple[str, ...]], ...]) -> Any:
    """The one statement for a queue of this shape, built once (an order's queue is always the same
    shape); its arrays are bound at execution."""
    inserts = [_insert_from_arrays(table, columns, n) for n, (table, columns) in enumerate(shape)]
    main, ctes = inserts[-1], [ins.cte(f"w{i}") for i, ins in enumerate(inserts[:-1])]
    return main.add_cte(*ctes) if ctes else main


def _insert_from_arrays(table: Table, columns: tuple[str, ...], n: int) -> Any:
    """``INSERT INTO t (cols) SELECT … FROM unnest(:arrays) WITH ORDINALITY … ORDER BY ordinality``."""
    arrays = [bindparam(f"t{n}c{i}", type_=ARRAY(Text) if _is_json(table, name) else ARRAY(table.c[name].type))
              for i, name in enumerate(columns)]
    derived = func.unnest(*arrays).table_valued(*(f"c{i}" for i in range(len(columns))),
                                                with_ordinality="ord").render_derived(name=f"u{n}")
    picks = [cast(derived.c[f"c{i}"], table.c[name].type) if _is_json(table, name) else derived.c[f"c{i}"]
             for i, name in enumerate(columns)]
    return insert(table).from_select(list(columns), select(*picks).order_by(derived.c.ord))


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _flush_context: Any, _instances: Any) -> None:
    write_queued(session)  # parents queued before an ORM child is flushed are there for its foreign key


@event.listens_for(Session, "do_orm_execute")
def _before_execute(state: ORMExecuteState) -> None:
    write_queued(state.session)  # a later read in the transaction sees the queued rows
