"""Cost of counting a live direct send against its daily limits, beside the daily order-cap
upsert every order already pays, in the same run and on the same database.

    python bench/live_limits.py [--ops 400] [--postgres postgresql://postgres@127.0.0.1:5432/test]

Each operation is one committed transaction: the baseline does one ``usage_counters`` upsert
(``rate_limits.increment``); the measured one runs ``charge_live_spend`` (one read of the
account's limit rows and two conditional upserts: account, then key). The ratio is the figure
to watch. Concurrency 8 shows the row lock every send of one account shares.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import median, table  # noqa: E402

LEVELS = (1, 8)


async def _time(work, ops: int, concurrency: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """(operations per second, p50 ms)."""
    latencies: list[float] = []
    queue = list(range(ops))

    async def worker() -> None:
        while queue:
            queue.pop()
            start = time.perf_counter()
            await work()
            latencies.append((time.perf_counter() - start) * 1000)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return ops / (time.perf_counter() - start), median(latencies)


async def _run(url: str, ops: int) -> None:
    from domain.accounts.accounts import create_account
    from domain.accounts.apikeys import create_key
    from domain.core.context import Caller
    from domain.core.settings import Settings
    from domain.limits.manage import set_key_limit
    from domain.limits.spend import charge_live_spend
    from domain.persistence import migrate
    from domain.persistence.db import Database
    from domain.requests.rate_limits import increment

    migrate.upgrade(url)
    db = Database(url)
    settings = Settings(database_url=url, live_daily_spend_limit_cents=10**12)
    async with db.transaction() as session:
        account = await create_account(session, f"bench-{uuid.uuid4().hex[:8]}@example.com", approve=True)
        key = (await create_key(session, account.id, "live", "bench")).key
        await set_key_limit(session, account.id, key.id, 10**12)  # both rows carry a limit: the full path
    caller = Caller(account_id=account.id, mode="live", api_key_id=key.id)

    async def baseline() -> None:
        async with db.transaction() as session:
            await increment(session, f"bench:{account.id}", 1)

    async def counted() -> None:
        async with db.transaction() as session:
            await charge_live_spend(session, caller, 200, "eur", settings)

    rows = []
    for level in LEVELS:
        await _time(baseline, 20, level)  # warm-up
        await _time(counted, 20, level)
        base_rate, base_p50 = await _time(baseline, ops, level)
        rate, p50 = await _time(counted, ops, level)
        rows.append([str(level), f"{base_rate:.0f}", f"{base_p50:.2f}", f"{rate:.0f}", f"{p50:.2f}",
                     f"{rate / base_rate:.2f}"])
    print(table(rows, ["clients", "cap upsert/s", "p50 ms", "limits/s", "p50 ms", "ratio"]))
    await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ops", type=int, default=400)
    parser.add_argument("--postgres")
    args = parser.parse_args()
    targets = [("SQLite", f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.db")]
    name = f"pp_bench_{uuid.uuid4().hex[:8]}"
    if args.postgres:
        import psycopg

        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        targets.append(("PostgreSQL", args.postgres.rsplit("/", 1)[0] + f"/{name}"))
    try:
        for label, url in targets:
            print(label)
            asyncio.run(_run(url, args.ops))
    finally:
        if args.postgres:
            with psycopg.connect(args.postgres, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
