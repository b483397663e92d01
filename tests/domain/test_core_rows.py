"""``domain.persistence.core_rows``: queued Core inserts, on the real SQLite and PostgreSQL.

Each rule the lean order write relies on: Python defaults filled in (on the row and the instance),
JSON values kept as they are (lists and None included), serial ids in queue order, the whole queue
as one statement on PostgreSQL, queued rows written before the ORM or any later statement needs
them, nothing written when the transaction fails, and rows it cannot complete refused up front.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from domain.core.clock import utcnow
from domain.persistence import core_rows
from domain.persistence.db import Database
from domain.persistence.models import FulfillmentJob, IdempotencyRecord, Order, OrderEvent, OrderPiece, UsageCounter


def _order(account_id: str, **fields: Any) -> Order:
    now = utcnow()
    values: dict[str, Any] = {"id": f"ord_{uuid.uuid4().hex[:20]}", "account_id": account_id,
                              "order_ref": uuid.uuid4().hex[:10], "mode": "test", "request_type": "letter",
                              "billing_mode": "credits", "status": "paid", "amount_cents": 150, "recipient_count": 1,
                              "created_at": now, "updated_at": now}
    values.update(fields)
    return Order(**values)


def _piece(order: Order, position: int, **fields: Any) -> OrderPiece:
    return OrderPiece(id=f"pc_{uuid.uuid4().hex[:20]}", order_id=order.id, position=position, kind="letter",
                      recipient={"name": "A", "lines": ["1 Main St", "Utrecht"]}, amount_cents=150, **fields)


@contextmanager
def counted(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().split(None, 1)[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA"):
            statements.append(statement.strip())

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)


async def test_queued_instances_get_their_python_defaults_on_the_row_and_the_instance(db: Database,
                                                                                       account: dict) -> None:
    order = _order(account["id"])
    assert order.currency is None and order.locale is None and order.metadata_ is None
    async with db.transaction() as session:
        core_rows.insert_new(session, [order])
    assert (order.currency, order.locale, order.metadata_, order.payload, order.source) == ("eur", "en", {}, {}, "api")
    async with db.read() as session:
        stored = await session.get(Order, order.id)
    assert stored is not None
    assert (stored.currency, stored.locale, stored.metadata_, stored.payload, stored.source) == ("eur", "en", {}, {}, "api")
    assert stored.created_at == order.created_at  # aware UTC in, aware UTC out


async def test_json_values_are_stored_as_given_lists_nested_and_null_included(db: Database, account: dict) -> None:
    order = _order(account["id"], metadata_={"tags": ["a", "b"], "n": 1, "nested": {"x": [1, [2, 3]]}})
    pieces = [_piece(order, 0, attachments=[{"assetId": "as_1"}, {"assetId": "as_2"}]),
              _piece(order, 1, attachments=[])]
    async with db.transaction() as session:
        core_rows.insert_new(session, [order, *pieces])
    async with db.read() as session:
        stored = await session.get(Order, order.id)
        rows = (await session.execute(select(OrderPiece).where(OrderPiece.order_id == order.id)
                                      .order_by(OrderPiece.position))).scalars().all()
    assert stored is not None and stored.metadata_ == {"tags": ["a", "b"], "n": 1, "nested": {"x": [1, [2, 3]]}}
    assert [p.attachments for p in rows] == [[{"assetId": "as_1"}, {"assetId": "as_2"}], []]
    assert [p.recipient for p in rows] == [{"name": "A", "lines": ["1 Main St", "Utrecht"]}] * 2


async def test_serial_ids_follow_the_queue_order(db: Database, account: dict) -> None:
    order = _order(account["id"])
    statuses = ["paid", "queued", "fulfilled", "failed", "cancelled", "expired", "draft"]
    now = utcnow()
    async with db.transaction() as session:
        core_rows.insert_new(session, [order])
        core_rows.insert_rows(session, OrderEvent.__table__,
                              [{"order_id": order.id, "status": s, "note": None, "created_at": now} for s in statuses])
    async with db.read() as session:
        stored = (await session.execute(select(OrderEvent.status).where(OrderEvent.order_id == order.id)
                                        .order_by(OrderEvent.id))).scalars().all()
    assert list(stored) == statuses


async def test_the_whole_queue_is_one_statement_on_postgresql_and_one_per_table_on_sqlite(db: Database,
                                                                                           account: dict) -> None:
    order = _order(account["id"], mode="live")
    pieces = [_piece(order, 0), _piece(order, 1)]
    job = FulfillmentJob(id=f"job_{uuid.uuid4().hex[:20]}", order_id=order.id)
    with counted(db) as statements:
        async with db.transaction() as session:
            core_rows.insert_new(session, [job, *pieces, order])  # children first: sorted by foreign keys
            core_rows.insert_rows(session, OrderEvent.__table__,
                                  [{"order_id": order.id, "status": "paid", "note": None, "created_at": utcnow()}])
    inserts = [s for s in statements if "INSERT" in s.upper()]
    if db.engine.dialect.name == "postgresql":
        assert len(statements) == 1, statements
        assert statements[0].startswith("WITH") and "unnest" in statements[0]
    else:
        assert len(inserts) == 4, inserts  # orders, order_pieces (one executemany), fulfillment_jobs, order_events
        assert inserts[0].startswith("INSERT INTO orders")
    async with db.read() as session:
        assert (await session.get(FulfillmentJob, job.id)) is not None
        assert await session.scalar(select(func.count()).select_from(OrderPiece)
                                    .where(OrderPiece.order_id == order.id)) == 2


async def test_queued_rows_are_written_before_an_orm_flush_or_a_later_read_needs_them(db: Database,
                                                                                      account: dict) -> None:
    order = _order(account["id"], mode="live")
    async with db.transaction() as session:
        core_rows.insert_new(session, [order])
        session.add(FulfillmentJob(id=f"job_{uuid.uuid4().hex[:20]}", order_id=order.id))
        await session.flush()  # the job's foreign key needs the queued order first
        assert core_rows.pending(session) == 0
        core_rows.insert_new(session, [_piece(order, 0)])
        count = await session.scalar(select(func.count()).select_from(OrderPiece).where(OrderPiece.order_id == order.id))
        assert count == 1  # a read through the session sees the queued piece
        core_rows.insert_rows(session, UsageCounter.__table__, [{"bucket": f"t:{order.id}", "window": 1, "count": 4}])
        counted_now = (await core_rows.execute(session, select(UsageCounter.count).where(
            UsageCounter.bucket == f"t:{order.id}"))).scalar_one()
        assert counted_now == 4  # and so does a Core statement run through core_rows.execute


async def test_a_failed_transaction_writes_none_of_the_queue(db: Database, account: dict) -> None:
    order = _order(account["id"])
    duplicate = IdempotencyRecord(account_id=account["id"], scope="t", key=uuid.uuid4().hex, request_hash="h",
                                  status_code=200, response_body="{}", created_at=utcnow())
    async with db.transaction() as session:
        session.add(IdempotencyRecord(account_id=duplicate.account_id, scope="t", key=duplicate.key,
                                      request_hash="h", status_code=200, response_body="{}", created_at=utcnow()))
    with pytest.raises(Exception) as failure:
        async with db.transaction() as session:
            core_rows.insert_new(session, [order, _piece(order, 0), duplicate])  # the record breaks a unique index
    assert "unique" in str(failure.value).lower() or "duplicate" in str(failure.value).lower()
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            core_rows.insert_new(session, [_order(account["id"], id=order.id)])
            raise RuntimeError("the use case failed after queueing")
    async with db.read() as session:
        assert await session.get(Order, order.id) is None
        assert await session.scalar(select(func.count()).select_from(OrderPiece)
                                    .where(OrderPiece.order_id == order.id)) == 0


async def test_rows_it_cannot_complete_are_refused_when_queued(db: Database, account: dict) -> None:
    async with db.transaction() as session:
        with pytest.raises(core_rows.UnqueueableRow, match="no column 'colour'"):
            core_rows.insert_rows(session, OrderEvent.__table__, [{"order_id": "x", "status": "paid", "colour": 1}])
        with pytest.raises(core_rows.UnqueueableRow, match="no column 'colour'"):  # the first in sort order
            core_rows.insert_rows(session, OrderEvent.__table__, [{"order_id": "x", "size": 2, "colour": 1, "weight": 3}])
        with pytest.raises(core_rows.UnqueueableRow, match="order_events.order_id is NOT NULL"):
            core_rows.insert_rows(session, OrderEvent.__table__, [{"status": "paid"}])
        assert core_rows.pending(session) == 0


async def test_on_postgresql_the_one_statement_also_goes_through_asyncpg(pg_database_url: str) -> None:
    """The suite's PostgreSQL runs use psycopg; ``pieterpost serve`` picks asyncpg for postgresql://,
    which binds arrays its own way: the same queue through it."""
    from sqlalchemy.engine import make_url

    from domain.accounts.accounts import create_account

    other = Database(make_url(pg_database_url).set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        assert other.engine.dialect.driver == "asyncpg"
        async with other.transaction() as session:
            owner = await create_account(session, f"asyncpg-{uuid.uuid4().hex[:8]}@example.com", approve=True)
        order = _order(owner.id, metadata_={"tags": ["a"], "n": None})
        now = utcnow()
        with counted(other) as statements:
            async with other.transaction() as session:
                core_rows.insert_new(session, [order, _piece(order, 0, attachments=[{"assetId": "as_1"}])])
                core_rows.insert_rows(session, OrderEvent.__table__, [
                    {"order_id": order.id, "status": s, "note": None, "created_at": now} for s in ("paid", "queued")])
        assert len(statements) == 1, statements
        async with other.read() as session:
            stored = await session.get(Order, order.id)
            piece = (await session.execute(select(OrderPiece).where(OrderPiece.order_id == order.id))).scalar_one()
            timeline = (await session.execute(select(OrderEvent.status).where(OrderEvent.order_id == order.id)
                                              .order_by(OrderEvent.id))).scalars().all()
        assert stored is not None and stored.metadata_ == {"tags": ["a"], "n": None}
        assert stored.created_at == order.created_at
        assert piece.attachments == [{"assetId": "as_1"}] and list(timeline) == ["paid", "queued"]
    finally:
        await other.dispose()


async def test_serial_ids_follow_the_queue_order_when_some_rows_leave_a_nullable_column_null(
        db: Database, account: dict) -> None:
    """A nullable column left unset is queued as NULL, not left out: the rows keep one column set,
    so they go in as one batch and their serial ids follow the queue."""
    order = _order(account["id"])
    now = utcnow()
    notes = [None, "retry", None, "manual", None]
    events = [OrderEvent(order_id=order.id, status=f"s{n}", note=note, created_at=now) for n, note in enumerate(notes)]
    async with db.transaction() as session:
        core_rows.insert_new(session, [order, *events])
        assert [e.note for e in events] == notes
    async with db.read() as session:
        stored = (await session.execute(select(OrderEvent.status, OrderEvent.note)
                                        .where(OrderEvent.order_id == order.id).order_by(OrderEvent.id))).all()
    assert [tuple(r) for r in stored] == [(f"s{n}", note) for n, note in enumerate(notes)]


async def test_rows_queued_through_the_sync_session_are_counted_and_written(db: Database, account: dict) -> None:
    """``run_sync`` hands the functions a plain ``Session``; queueing and counting work on it too."""
    order = _order(account["id"])
    now = utcnow()

    def queue(sync: Session) -> int:
        core_rows.insert_new(sync, [order])
        core_rows.insert_rows(sync, OrderEvent.__table__, [{"order_id": order.id, "status": "paid", "created_at": now}])
        return core_rows.pending(sync)

    async with db.transaction() as session:
        assert await session.run_sync(queue) == 2
        assert core_rows.pending(session) == 2
    async with db.read() as session:
        assert await session.get(Order, order.id) is not None
        assert await session.scalar(select(func.count()).select_from(OrderEvent)
                                    .where(OrderEvent.order_id == order.id)) == 1
