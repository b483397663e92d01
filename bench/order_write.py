"""The direct order's new rows written two ways, in one process: CPU and statements per order.

Each order is the row set `create_direct_order` writes for one test letter — the ledger entry, the
order in its final status, one piece, three timeline rows, three public events and the idempotency
record — in one write transaction of its own:

- baseline: the ORM (``session.add_all`` and the unit of work's flush at commit), as before;
- ``core_rows``: the same rows queued with ``domain.persistence.core_rows`` (one statement on
  PostgreSQL, one per table on SQLite).

    python bench/order_write.py [--orders 300] [--rounds 3] [--postgres postgresql://postgres@127.0.0.1:5432/test]

CPU is this process's (``time.process_time``), rounds alternate the two ways, and the ratio is
baseline ÷ core_rows (above 1: core_rows is cheaper). On PostgreSQL a database of its own is
created and dropped; statements are counted with ``before_cursor_execute``.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event  # noqa: E402

from domain.accounts.accounts import create_account  # noqa: E402
from domain.core.clock import utcnow  # noqa: E402
from domain.core.ids import new_id  # noqa: E402
from domain.money.wallets import ensure_wallet  # noqa: E402
from domain.persistence import core_rows  # noqa: E402
from domain.persistence.db import Database  # noqa: E402
from domain.persistence.migrate import upgrade  # noqa: E402
from domain.persistence.models import IdempotencyRecord, LedgerEntry, Order, OrderEvent, OrderPiece  # noqa: E402
from domain.persistence.webhook_models import Event  # noqa: E402

STATUSES = ("paid", "queued", "fulfilled")


def _rows(account_id: str, wallet_id: str) -> list[Any]:
    now = utcnow()
    order = Order(id=new_id("ord"), account_id=account_id, order_ref=uuid.uuid4().hex[:12], mode="test",
                  request_type="letter", billing_mode="credits", status="fulfilled", amount_cents=150,
                  recipient_count=1, payload={"requestType": "letter"}, created_at=now, updated_at=now)
    piece = OrderPiece(id=new_id("pc"), order_id=order.id, position=0, kind="letter", amount_cents=150,
                       recipient={"name": "Pieter Example", "lines": ["Damrak 1", "1012 AB Amsterdam"]},
                       message="Hello from the benchmark.", status="handed_off")
    ledger = LedgerEntry(id=new_id("ledger"), wallet_id=wallet_id, account_id=account_id, amount_cents=-150,
                         kind="debit", order_id=order.id, balance_after_cents=0, created_at=now)
    timeline = [OrderEvent(order_id=order.id, status=s, note=None, created_at=now) for s in STATUSES]
    events = [Event(id=new_id("evt"), account_id=account_id, mode="test", type=f"order.{s}", object_type="order",
                    object_id=order.id, data={"id": order.id, "status": s}, fanned_out=False, created_at=now)
              for s in STATUSES]
    record = IdempotencyRecord(account_id=account_id, scope="bench", key=uuid.uuid4().hex, request_hash="h",
                               status_code=200, response_body='{"ok":true}', created_at=now)
    return [ledger, order, piece, *timeline, *events, record]


async def _orm(db: Database, account_id: str, wallet_id: str) -> None:
    async with db.transaction() as session:
        session.add_all(_rows(account_id, wallet_id))


async def _core(db: Database, account_id: str, wallet_id: str) -> None:
    async with db.transaction() as session:
        rows = _rows(account_id, wallet_id)
        core_rows.insert_new(session, rows[:3])
        core_rows.insert_rows(session, OrderEvent.__table__, [
            {"order_id": r.order_id, "status": r.status, "note": None, "created_at": r.created_at} for r in rows[3:6]])
        core_rows.insert_new(session, rows[6:])


async def measure(url: str, orders: int, rounds: int) -> dict[str, tuple[float, float]]:
    upgrade(url)
    db = Database(url)
    async with db.transaction() as session:
        account = await create_account(session, f"bench-{uuid.uuid4().hex[:8]}@example.com", approve=True)
        wallet = await ensure_wallet(session, account.id, "test", "eur")
    statements = {"baseline (ORM)": 0, "core_rows": 0}
    cpu = {"baseline (ORM)": 0.0, "core_rows": 0.0}
    current: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().split(None, 1)[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA"):
            statements[current[0]] += 1

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    ways = {"baseline (ORM)": _orm, "core_rows": _core}
    for name, way in ways.items():  # warm-up: statement caches, pool
        current[:] = [name]
        for _ in range(20):
            await way(db, account.id, wallet.id)
        statements[name] = 0
    for _ in range(rounds):
        for name, way in ways.items():
            current[:] = [name]
            started = time.process_time()
            for _ in range(orders):
                await way(db, account.id, wallet.id)
            cpu[name] += time.process_time() - started
    event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    await db.dispose()
    total = orders * rounds
    return {name: (cpu[name] / total * 1000, statements[name] / total) for name in ways}


def _pg_database(base: str) -> tuple[str, Any]:
    from tests.conftest import _create_pg_database, _drop_pg_database

    from sqlalchemy.engine import make_url

    url, name = _create_pg_database(base)
    # the driver `pieterpost serve` picks for postgresql:// (asyncpg), not the tests' psycopg
    url = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    return url, lambda: _drop_pg_database(base, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres")
    args = parser.parse_args()
    print("| database | way | CPU ms per order | statements per order | ratio (baseline ÷ this) |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        targets: list[tuple[str, str, Any]] = [("SQLite", f"sqlite:///{tmp}/bench.db", None)]
        if args.postgres:
            targets.append(("PostgreSQL", *_pg_database(args.postgres)))
        for label, url, drop in targets:
            try:
                figures = asyncio.run(measure(url, args.orders, args.rounds))
            finally:
                if drop:
                    drop()
            base = figures["baseline (ORM)"][0]
            for name, (ms, count) in figures.items():
                print(f"| {label} | {name} | {ms:.3f} | {count:.1f} | {base / ms:.2f} |")


if __name__ == "__main__":
    main()
