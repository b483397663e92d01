"""The webhook and event routes answer exactly the shapes ``/v1/openapi.json`` documents."""
from __future__ import annotations

import httpx

from domain.persistence.db import Database
from domain.core.settings import Settings
from domain.webhooks.rounds import run_round
from tests.api.payloads import DIRECT_LETTER, fresh
from tests.api.test_openapi_shapes import _assert_matches, _response_schema
from tests.conftest import auth
from tests.support.payments import fund
from tests.support.webhook_receiver import Receiver


async def test_webhook_routes_match_their_documented_shapes(
        hook_client: httpx.AsyncClient, hook_settings: Settings, account: dict, db: Database,
        receiver: Receiver) -> None:
    doc = (await hook_client.get("/v1/openapi.json")).json()
    key = auth(account["test_key"])
    await fund(db, account["id"], "test", 10_000)
    await hook_client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=key)
    await hook_client.post("/v1/credits/topups", json={"amountCents": 500}, headers=key)
    created = (await hook_client.post("/v1/webhook-endpoints", json={"url": receiver.url, "description": "d"},
                                      headers=key)).json()
    receiver.secrets[:] = [created["secret"]]
    base = f"/v1/webhook-endpoints/{created['id']}"
    test = (await hook_client.post(base + "/test", headers=key)).json()
    await run_round(db, hook_settings, "w")
    events = (await hook_client.get("/v1/events", headers=key)).json()
    assert {"order.created", "order.paid", "order.fulfilled", "topup.succeeded", "webhook.test"} <= {
        e["type"] for e in events["data"]}
    seen = {
        ("/v1/webhook-endpoints", "post"): created,
        ("/v1/webhook-endpoints/{endpointId}/test", "post"): test,
        ("/v1/events", "get"): events,
        ("/v1/events/{eventId}", "get"): (await hook_client.get(f"/v1/events/{events['data'][0]['id']}",
                                                                 headers=key)).json(),
        ("/v1/webhook-endpoints", "get"): (await hook_client.get("/v1/webhook-endpoints", headers=key)).json(),
        ("/v1/webhook-endpoints/{endpointId}", "get"): (await hook_client.get(base, headers=key)).json(),
        ("/v1/webhook-endpoints/{endpointId}", "patch"): (await hook_client.patch(
            base, json={"enabledEvents": ["order.paid", "topup.succeeded"]}, headers=key)).json(),
        ("/v1/webhook-endpoints/{endpointId}/deliveries", "get"): (await hook_client.get(
            base + "/deliveries", headers=key)).json(),
        ("/v1/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/resend", "post"): (await hook_client.post(
            f"{base}/deliveries/{test['id']}/resend", headers=key)).json(),
        ("/v1/webhook-endpoints/{endpointId}/rotate-secret", "post"): (await hook_client.post(
            base + "/rotate-secret", headers=key)).json(),
        ("/v1/webhook-endpoints/{endpointId}", "delete"): (await hook_client.delete(base, headers=key)).json(),
    }
    assert seen[("/v1/webhook-endpoints/{endpointId}/deliveries", "get")]["data"][0]["attempts"]
    for (path, method), body in seen.items():
        _assert_matches(doc, _response_schema(doc, path, method), body, f"{method.upper()} {path}")
    paged = (await hook_client.get("/v1/events", params={"limit": 1}, headers=key)).json()
    after = (await hook_client.get("/v1/events", params={"limit": 1, "startingAfter": paged["data"][0]["id"]},
                                   headers=key)).json()
    assert paged["hasMore"] and after["data"][0]["id"] == events["data"][1]["id"]
    only = (await hook_client.get("/v1/events", params={"type": "topup.succeeded"}, headers=key)).json()
    assert [e["type"] for e in only["data"]] == ["topup.succeeded"]
    assert only["data"][0]["data"]["status"] == "paid"
    bad = await hook_client.get("/v1/events", params={"type": "order.shipped"}, headers=key)
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_request"
