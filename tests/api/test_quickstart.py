"""The README quick start through the ASGI app: top-up, direct letter, read back, shapes."""
from __future__ import annotations

import re

import httpx

from tests.api.payloads import CHECKOUT_LETTER, COMPOSE, DIRECT_LETTER, TEMPLATE_CHECKOUT, TOPUP
from tests.conftest import auth

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
ORDER_FIELDS = {
    "amountCents": int, "billingMode": str, "checkoutUrl": (str, type(None)), "createdAt": str, "currency": str,
    "error": (str, type(None)), "expiresAt": (str, type(None)), "externalId": (str, type(None)),
    "fulfilledAt": (str, type(None)), "metadata": dict, "orderId": str, "orderRef": str,
    "paidAt": (str, type(None)), "paymentReference": (str, type(None)), "recipientCount": int,
    "requestType": str, "senderEmail": (str, type(None)), "status": str, "testMode": bool, "updatedAt": str,
}


def assert_order_shape(order: dict) -> None:
    for field, kind in ORDER_FIELDS.items():
        assert field in order, field
        assert isinstance(order[field], kind), (field, order[field])
    assert ISO.match(order["createdAt"]) and ISO.match(order["updatedAt"])


async def test_quick_start_topup_send_read(client: httpx.AsyncClient, account: dict) -> None:
    key = account["test_key"]
    topup = await client.post("/v1/credits/topups", json=TOPUP, headers=auth(key, **{"Idempotency-Key": "t1"}))
    assert topup.status_code == 200, topup.text
    body = topup.json()
    assert body["status"] == "paid" and body["testMode"] is True and body["checkoutUrl"] is None
    assert body["amountCents"] == 2500 and body["topupId"].startswith("topup_") and ISO.match(body["paidAt"])
    assert body["wallet"]["balanceCents"] == 2500 and body["wallet"]["mode"] == "test"

    sent = await client.post("/v1/orders", json=DIRECT_LETTER, headers=auth(key, **{"Idempotency-Key": "o1"}))
    assert sent.status_code == 200, sent.text
    order = sent.json()
    assert_order_shape(order)
    assert order["amountCents"] == 200 and order["billingMode"] == "credits"
    assert order["status"] == "fulfilled" and order["recipientCount"] == 1
    assert order["paymentReference"].startswith("wallet:ledger_")
    assert order["wallet"]["balanceCents"] == 2300
    assert order["metadata"] == {"campaign": "spring"} and order["senderEmail"] == "sender@example.com"

    read = await client.get(f"/v1/orders/{order['orderId']}", headers=auth(key))
    assert read.status_code == 200
    assert read.json()["status"] == "fulfilled" and read.json()["orderRef"] == order["orderRef"]
    wallet = await client.get("/v1/wallet?currency=eur", headers=auth(key))
    assert wallet.json()["wallet"]["balanceCents"] == 2300
    assert set(wallet.json()) >= {"accountId", "approvalStatus", "approvedForDirectSend", "creditsEnabled",
                                  "hostedApiEnabled", "liveEnabled", "wallet"}


async def test_checkout_links_match_seed_prices(client: httpx.AsyncClient, account: dict) -> None:
    key = account["test_key"]
    single = await client.post("/v1/checkout-links", json=CHECKOUT_LETTER, headers=auth(key))
    assert single.status_code == 200, single.text
    order = single.json()
    assert_order_shape(order)
    assert order["status"] == "checkout_open" and order["amountCents"] == 200
    assert order["checkoutUrl"] == f"http://127.0.0.1:8000/v1/sandbox/checkout/{order['orderId']}"
    assert order["expiresAt"] is not None and order["paymentReference"] is None
    bulk = await client.post("/v1/checkout-links", json=TEMPLATE_CHECKOUT, headers=auth(key))
    assert bulk.status_code == 200, bulk.text
    assert bulk.json()["amountCents"] == 400 and bulk.json()["recipientCount"] == 2


async def test_compose_link_and_topup_reads(client: httpx.AsyncClient, account: dict) -> None:
    key = account["test_key"]
    link = await client.post("/v1/compose-links", json=COMPOSE, headers=auth(key))
    assert link.status_code == 200, link.text
    data = link.json()
    assert data["mode"] == "compose_link" and data["testMode"] is True and data["id"].startswith("cl_")
    token = data["url"].split("draft=")[1]
    assert len(token) >= 43  # 256 bits url-safe
    topup = (await client.post("/v1/credits/topups", json={"amountCents": 500}, headers=auth(key))).json()
    got = await client.get(f"/v1/credits/topups/{topup['topupId']}", headers=auth(key))
    assert got.json()["topupId"] == topup["topupId"]
    listed = await client.get("/v1/credits/topups?limit=1", headers=auth(key))
    assert listed.status_code == 200 and len(listed.json()["data"]) == 1


async def test_list_orders_cursor_and_filters(client: httpx.AsyncClient, account: dict) -> None:
    key = account["test_key"]
    await client.post("/v1/credits/topups", json={"amountCents": 5000}, headers=auth(key))
    ids = []
    for _ in range(3):
        ids.append((await client.post("/v1/orders", json=DIRECT_LETTER, headers=auth(key))).json()["orderId"])
    await client.post("/v1/checkout-links", json=CHECKOUT_LETTER, headers=auth(key))
    first = (await client.get("/v1/orders?limit=2&status=fulfilled", headers=auth(key))).json()
    assert [o["orderId"] for o in first["data"]] == ids[::-1][:2] and first["hasMore"] is True
    after = first["data"][-1]["orderId"]
    second = (await client.get(f"/v1/orders?limit=2&status=fulfilled&startingAfter={after}",
                               headers=auth(key))).json()
    assert [o["orderId"] for o in second["data"]] == [ids[0]] and second["hasMore"] is False
    bad = await client.get("/v1/orders?limit=101", headers=auth(key))
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_request"


async def test_openapi_lists_every_v1_route(client: httpx.AsyncClient, app: object) -> None:
    doc = (await client.get("/v1/openapi.json")).json()
    assert doc["openapi"].startswith("3.1")
    from starlette.routing import Route

    for route in app.routes:  # type: ignore[attr-defined]
        if isinstance(route, Route) and route.path.startswith("/v1/") and route.path != "/v1/openapi.json":
            path = re.sub(r"{(\w+)}", lambda m: "{" + _camel(m.group(1)) + "}", route.path)
            assert path in doc["paths"], path
            for method in route.methods - {"HEAD"}:
                assert method.lower() in doc["paths"][path], (path, method)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


async def test_rest_quote_reports_page_count_per_letter(client: httpx.AsyncClient, account: dict) -> None:
    body = {"requestType": "letter", "letters": [
        {"message": "short", "recipient": CHECKOUT_LETTER["letters"][0]["recipient"]},
        {"message": "\n".join(f"line {i}" for i in range(150)), "recipient": CHECKOUT_LETTER["letters"][0]["recipient"]},
    ]}
    response = await client.post("/v1/quotes", json=body, headers=auth(account["test_key"]))
    assert response.status_code == 200, response.text
    quote = response.json()
    pages = [piece["pageCount"] for piece in quote["pieces"]]
    assert pages[0] == 1 and pages[1] >= 3
    assert quote["amountCents"] == sum(200 + (p - 1) * 50 for p in pages)
    assert quote["recipientCount"] == 2 and quote["requiresTopup"] is True
    listed = (await client.get("/v1/orders", headers=auth(account["test_key"]))).json()
    assert listed["data"] == []  # a quote creates nothing
