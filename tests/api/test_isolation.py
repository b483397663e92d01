"""One account never sees another's objects: 404, never 403."""
from __future__ import annotations

import httpx

from tests.api.payloads import CHECKOUT_LETTER
from tests.conftest import auth


async def test_other_accounts_order_and_topup_are_not_found(client: httpx.AsyncClient, account: dict,
                                                            db: object) -> None:
    from domain.accounts.accounts import create_account
    from domain.accounts.apikeys import create_key

    async with db.transaction() as session:  # type: ignore[attr-defined]
        other = await create_account(session, f"b-{account['id']}@example.com", approve=True)
        other_key = (await create_key(session, other.id, "test")).secret
    order = (await client.post("/v1/checkout-links", json=CHECKOUT_LETTER, headers=auth(account["test_key"]))).json()
    topup = (await client.post("/v1/credits/topups", json={"amountCents": 500},
                               headers=auth(account["test_key"]))).json()
    for path in (f"/v1/orders/{order['orderId']}", f"/v1/credits/topups/{topup['topupId']}"):
        response = await client.get(path, headers=auth(other_key))
        assert response.status_code == 404 and response.json()["code"] == "not_found", path
    cancel = await client.post(f"/v1/orders/{order['orderId']}/cancel", headers=auth(other_key))
    assert cancel.status_code == 404
    listed = (await client.get("/v1/orders", headers=auth(other_key))).json()
    assert listed["data"] == []
