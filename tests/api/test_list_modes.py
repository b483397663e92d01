"""A key lists only its own mode's objects, for orders as for top-ups (test keys live in less
guarded places than live keys; Stripe-class APIs keep the two data sets apart)."""
from __future__ import annotations

import httpx

from domain.persistence.db import Database
from tests.api.payloads import DIRECT_LETTER, TOPUP, fresh
from tests.conftest import auth
from tests.support.payments import fund


async def test_order_lists_are_scoped_to_the_keys_mode(client: httpx.AsyncClient, account: dict[str, str],
                                                       db: Database) -> None:
    await fund(db, account["id"], "live", 1_000)
    live = await client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(account["live_key"]))
    assert live.status_code == 200, live.text
    await client.post("/v1/credits/topups", json=TOPUP, headers=auth(account["test_key"]))
    test = await client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(account["test_key"]))
    assert test.status_code == 200, test.text

    listed_by_test = (await client.get("/v1/orders", headers=auth(account["test_key"]))).json()["data"]
    listed_by_live = (await client.get("/v1/orders", headers=auth(account["live_key"]))).json()["data"]
    assert [o["orderId"] for o in listed_by_test] == [test.json()["orderId"]]
    assert [o["orderId"] for o in listed_by_live] == [live.json()["orderId"]]
