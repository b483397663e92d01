"""The account switches reported by /v1/wallet really turn their flows off."""
from __future__ import annotations

import httpx
from sqlalchemy import update

from domain.persistence.db import Database
from domain.persistence.models import Account
from tests.api.payloads import CHECKOUT_LETTER, DIRECT_LETTER
from tests.conftest import auth


async def _set(db: Database, account_id: str, **flags: bool) -> None:
    async with db.transaction() as session:
        await session.execute(update(Account).where(Account.id == account_id).values(**flags))


async def test_credits_disabled_blocks_direct_send_and_topups(client: httpx.AsyncClient, account: dict,
                                                              db: Database) -> None:
    key = account["test_key"]
    await client.post("/v1/credits/topups", json={"amountCents": 1000}, headers=auth(key))
    await _set(db, account["id"], credits_enabled=False)
    wallet = (await client.get("/v1/wallet", headers=auth(key))).json()
    assert wallet["creditsEnabled"] is False
    for path, body in (("/v1/orders", DIRECT_LETTER), ("/v1/credits/topups", {"amountCents": 500})):
        response = await client.post(path, json=body, headers=auth(key))
        assert response.status_code == 403 and response.json()["code"] == "forbidden", path
        assert "creditsEnabled" in response.json()["error"]
    assert (await client.post("/v1/checkout-links", json=CHECKOUT_LETTER, headers=auth(key))).status_code == 200
    assert (await client.get("/v1/wallet", headers=auth(key))).json()["wallet"]["balanceCents"] == 1000


async def test_hosted_api_disabled_blocks_checkout_links(client: httpx.AsyncClient, account: dict,
                                                         db: Database) -> None:
    key = account["test_key"]
    await _set(db, account["id"], hosted_api_enabled=False)
    response = await client.post("/v1/checkout-links", json=CHECKOUT_LETTER, headers=auth(key))
    assert response.status_code == 403 and "hostedApiEnabled" in response.json()["error"]
    listed = (await client.get("/v1/orders", headers=auth(key))).json()
    assert listed["data"] == []
