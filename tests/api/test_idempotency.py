"""Idempotency-Key: replay, conflict, and concurrent duplicates creating one object."""
from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import func, select

from domain.persistence.db import Database
from domain.persistence.models import LedgerEntry, Order
from tests.api.payloads import DIRECT_LETTER, fresh
from tests.conftest import auth


async def _count(db: Database, account_id: str) -> tuple[int, int]:
    async with db.read() as session:
        orders = await session.scalar(select(func.count()).select_from(Order).where(Order.account_id == account_id))
        debits = await session.scalar(select(func.count()).select_from(LedgerEntry).where(
            LedgerEntry.account_id == account_id, LedgerEntry.kind == "debit"))
    return int(orders or 0), int(debits or 0)


async def test_same_key_same_body_replays_identically(client: httpx.AsyncClient, account: dict, db: Database) -> None:
    key = account["test_key"]
    await client.post("/v1/credits/topups", json={"amountCents": 1000}, headers=auth(key))
    headers = auth(key, **{"Idempotency-Key": "replay-1"})
    first = await client.post("/v1/orders", json=DIRECT_LETTER, headers=headers)
    second = await client.post("/v1/orders", json=DIRECT_LETTER, headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert second.headers.get("idempotent-replayed") == "true"
    assert await _count(db, account["id"]) == (1, 1)


async def test_same_key_other_body_conflicts(client: httpx.AsyncClient, account: dict, db: Database) -> None:
    key = account["test_key"]
    await client.post("/v1/credits/topups", json={"amountCents": 1000}, headers=auth(key))
    headers = auth(key, **{"Idempotency-Key": "conflict-1"})
    assert (await client.post("/v1/orders", json=DIRECT_LETTER, headers=headers)).status_code == 200
    other = fresh(DIRECT_LETTER)
    other["letters"][0]["message"] = "A different letter."
    response = await client.post("/v1/orders", json=other, headers=headers)
    assert response.status_code == 409 and response.json()["code"] == "idempotency_conflict"
    assert await _count(db, account["id"]) == (1, 1)


async def test_failed_request_leaves_no_record(client: httpx.AsyncClient, account: dict, db: Database) -> None:
    key = account["test_key"]
    headers = auth(key, **{"Idempotency-Key": "retry-after-topup"})
    broke = await client.post("/v1/orders", json=DIRECT_LETTER, headers=headers)
    assert broke.status_code == 402 and broke.json()["code"] == "insufficient_credits"
    await client.post("/v1/credits/topups", json={"amountCents": 500}, headers=auth(key))
    retried = await client.post("/v1/orders", json=DIRECT_LETTER, headers=headers)
    assert retried.status_code == 200 and retried.json()["status"] == "fulfilled"


async def test_twenty_concurrent_requests_one_order(client: httpx.AsyncClient, account: dict, db: Database) -> None:
    key = account["test_key"]
    await client.post("/v1/credits/topups", json={"amountCents": 5000}, headers=auth(key))
    headers = auth(key, **{"Idempotency-Key": "burst-1"})
    responses = await asyncio.gather(*(client.post("/v1/orders", json=DIRECT_LETTER, headers=headers)
                                       for _ in range(20)))
    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    assert await _count(db, account["id"]) == (1, 1)
    wallet = (await client.get("/v1/wallet", headers=auth(key))).json()["wallet"]
    assert wallet["balanceCents"] == 4800
