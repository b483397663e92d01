"""Events are written with their state change or not at all, one per change, and never edited."""
from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from domain.persistence.db import Database
from domain.persistence.webhook_models import Event
from tests.api.payloads import CHECKOUT_LETTER, DIRECT_LETTER, fresh
from tests.conftest import auth
from tests.support.payments import fund


async def _types(client: httpx.AsyncClient, key: str, object_id: str) -> list[str]:
    page = (await client.get("/v1/events", params={"objectId": object_id}, headers=auth(key))).json()
    return [e["type"] for e in reversed(page["data"])]


async def _count(db: Database, account_id: str) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(Event).where(Event.account_id == account_id)))


async def test_a_refused_order_writes_no_event(client: httpx.AsyncClient, account: dict, db: Database) -> None:
    before = await _count(db, account["id"])
    refused = await client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(account["test_key"]))
    assert refused.status_code == 402  # empty wallet: the whole transaction rolls back, its events too
    assert await _count(db, account["id"]) == before


async def test_cancel_with_refund_and_checkout_flow_one_event_per_change(
        client: httpx.AsyncClient, account: dict, db: Database) -> None:
    key = account["test_key"]
    checkout = (await client.post("/v1/checkout-links", json=fresh(CHECKOUT_LETTER), headers=auth(key))).json()
    await client.post(f"/v1/orders/{checkout['orderId']}/cancel", headers=auth(key))
    assert await _types(client, key, checkout["orderId"]) == ["order.created", "order.checkout_opened",
                                                              "order.cancelled"]
    await fund(db, account["id"], "test", 10_000)
    topup = (await client.post("/v1/credits/topups", json={"amountCents": 500}, headers=auth(key))).json()
    assert await _types(client, key, topup["topupId"]) == ["topup.succeeded"]
    events = (await client.get("/v1/events", params={"objectId": topup["topupId"]}, headers=auth(key))).json()
    assert events["data"][0]["data"]["status"] == "paid" and events["data"][0]["data"]["amountCents"] == 500
    await fund(db, account["id"], "live", 10_000)
    live = (await client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(account["live_key"]))).json()
    assert live["status"] == "paid"  # live: waits for the worker, so it can still be cancelled
    await client.post(f"/v1/orders/{live['orderId']}/cancel", headers=auth(account["live_key"]))
    assert await _types(client, account["live_key"], live["orderId"]) == [
        "order.created", "order.paid", "order.cancelled", "order.refunded"]
    assert await _types(client, key, live["orderId"]) == []  # the test key sees no live events


async def test_events_cannot_be_changed(client: httpx.AsyncClient, account: dict, db: Database) -> None:
    await client.post("/v1/credits/topups", json={"amountCents": 500}, headers=auth(account["test_key"]))
    with pytest.raises(RuntimeError, match="immutable"):
        async with db.transaction() as session:
            event = (await session.execute(select(Event).where(Event.account_id == account["id"]))).scalars().first()
            event.data = {"forged": True}
            await session.flush()
