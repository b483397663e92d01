"""The lean order path: how many SQL statements one request costs (counted, not timed).

Counted with SQLAlchemy's ``before_cursor_execute`` hook on the app's own engine, on SQLite and
PostgreSQL. Transaction control (BEGIN, COMMIT, SAVEPOINT) is not counted; an executemany is one
statement. The key is verified once before counting starts, as any caller's first request does.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import event, select

from domain.persistence.models import Order, OrderEvent, OrderPiece
from tests.api.payloads import DIRECT_LETTER
from tests.conftest import auth

#: idempotency record with the account, daily cap, wallet debit, then the new rows (domain.persistence.core_rows):
#: on PostgreSQL one statement for ledger, order, pieces, timeline, public events and record; on SQLite one each
ORDER_BUDGET = {"postgresql": 4, "sqlite": 9}
READ_BUDGET = 1  # account flags and wallet, one joined statement


@contextmanager
def counted(app: Any) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, params: Any, context: Any, executemany: bool) -> None:
        first = statement.lstrip().split(None, 1)[0].upper()
        if first not in ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA"):
            statements.append(statement.strip().splitlines()[0][:80])

    engines = app.state.db.sync_engines()  # writes and reads
    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
    # the hottest reads on PostgreSQL go through asyncpg's own pool, which no engine event sees
    stop = app.state.db.listen_first_rows(lambda sql: count(None, None, sql, None, None, False))
    try:
        yield statements
    finally:
        stop()
        for engine in engines:
            event.remove(engine, "before_cursor_execute", count)


async def test_one_letter_test_order_with_a_key_is_within_budget(app: Any, client: httpx.AsyncClient,
                                                                 account: dict) -> None:
    key = account["test_key"]
    assert (await client.post("/v1/credits/topups", json={"amountCents": 1000}, headers=auth(key))).status_code == 200
    with counted(app) as statements:
        response = await client.post("/v1/orders", json=DIRECT_LETTER,
                                     headers=auth(key, **{"Idempotency-Key": uuid.uuid4().hex}))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "fulfilled"
    assert len(statements) <= ORDER_BUDGET[app.state.db.engine.dialect.name], "\n".join(statements)
    # written once, in final form: one row per piece, every status event, no UPDATE of the order
    assert not [s for s in statements if s.startswith("UPDATE orders")], statements
    async with app.state.db.read() as session:
        order = await session.get(Order, body["orderId"])
        assert order is not None and order.status == "fulfilled" and order.payment_reference.startswith("wallet:")
        events = (await session.execute(select(OrderEvent.status).where(OrderEvent.order_id == order.id)
                                        .order_by(OrderEvent.id))).scalars().all()
        assert list(events) == ["paid", "queued", "fulfilled"]
        pieces = (await session.execute(select(OrderPiece).where(OrderPiece.order_id == order.id))).scalars().all()
        assert [(p.status, p.provider_ref) for p in pieces] == [("handed_off", f"simulated:{pieces[0].id}")]


async def test_replay_and_reads_touch_no_credential_or_counter_rows(app: Any, client: httpx.AsyncClient,
                                                                    account: dict) -> None:
    key = account["test_key"]
    headers = auth(key, **{"Idempotency-Key": uuid.uuid4().hex})
    await client.post("/v1/credits/topups", json={"amountCents": 1000}, headers=auth(key))
    first = await client.post("/v1/orders", json=DIRECT_LETTER, headers=headers)
    with counted(app) as statements:
        wallet = await client.get("/v1/wallet", headers=auth(key))
    assert wallet.status_code == 200
    assert 1 <= len(statements) <= READ_BUDGET, statements
    assert not [s for s in statements if "api_keys" in s or "usage_counters" in s], statements
    with counted(app) as statements:
        again = await client.post("/v1/orders", json=DIRECT_LETTER, headers=headers)
    assert again.content == first.content
    assert len(statements) == 1, statements  # the record, read with the account


async def test_orders_of_one_mode_are_listed_through_the_account_mode_index(app: Any) -> None:
    from sqlalchemy import inspect, text

    async with app.state.db.engine.connect() as conn:
        indexes = await conn.run_sync(lambda sync: inspect(sync).get_indexes("orders"))
        assert ["account_id", "mode", "created_at", "id"] in [ix["column_names"] for ix in indexes]
        if conn.dialect.name == "sqlite":
            plan = (await conn.execute(text(
                "EXPLAIN QUERY PLAN SELECT id FROM orders WHERE account_id = 'a' AND mode = 'live' "
                "ORDER BY created_at DESC, id DESC LIMIT 26"))).all()
            assert any("ix_orders_account_mode_created" in str(row) for row in plan), plan
