"""The worker's housekeeping drops only what can no longer matter."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from domain.core.clock import utcnow
from domain.persistence.db import Database
from domain.persistence.models import IdempotencyRecord, UsageCounter
from server.worker import housekeeping


async def test_housekeeping_prunes_old_windows_and_records(db: Database, account: dict) -> None:
    now = utcnow()
    minute = int(now.timestamp() // 60)
    async with db.transaction() as session:
        session.add_all([
            UsageCounter(bucket=f"rate:acct:{account['id']}", window=minute - 10, count=5),
            UsageCounter(bucket=f"rate:acct:{account['id']}", window=minute, count=1),
            UsageCounter(bucket=f"orders:{account['id']}", window=int(now.timestamp() // 86400), count=3),
            IdempotencyRecord(account_id=account["id"], scope="s", key="old", request_hash="h", status_code=200,
                              response_body="{}", created_at=now - timedelta(hours=25)),
            IdempotencyRecord(account_id=account["id"], scope="s", key="new", request_hash="h", status_code=200,
                              response_body="{}", created_at=now),
        ])
    await housekeeping(db)
    async with db.read() as session:
        windows = {(c.bucket.split(":")[0], c.window) for c in (await session.execute(
            select(UsageCounter).where(UsageCounter.bucket.contains(account["id"])))).scalars()}
        keys = set((await session.execute(select(IdempotencyRecord.key).where(
            IdempotencyRecord.account_id == account["id"]))).scalars())
    assert ("rate", minute) in windows and ("rate", minute - 10) not in windows
    assert any(kind == "orders" for kind, _ in windows)  # the daily cap counter stays
    assert keys == {"new"}
