"""One account never sees another's events or endpoints (404); test events never reach live
endpoints; bad endpoint input is ``invalid_request`` naming the field."""
from __future__ import annotations

import uuid

import httpx
import pytest

from domain.accounts.accounts import create_account
from domain.accounts.apikeys import create_key
from domain.core.errors import InvalidRequest
from domain.core.settings import Settings
from domain.persistence.db import Database
from domain.webhooks.urls import check_endpoint_url
from domain.webhooks.rounds import run_round
from tests.api.payloads import DIRECT_LETTER, fresh
from tests.conftest import auth
from tests.support.payments import fund
from tests.support.webhook_receiver import Receiver


async def _other_account(db: Database) -> dict[str, str]:
    async with db.transaction() as session:
        acct = await create_account(session, f"other-{uuid.uuid4().hex[:8]}@example.com", approve=True)
        test_key = await create_key(session, acct.id, "test", "other")
        live_key = await create_key(session, acct.id, "live", "other live")
    return {"id": acct.id, "test_key": test_key.secret, "live_key": live_key.secret}


async def test_another_accounts_events_and_endpoints_are_not_found(
        hook_client: httpx.AsyncClient, account: dict, db: Database, receiver: Receiver) -> None:
    mine = auth(account["test_key"])
    other = await _other_account(db)
    theirs = auth(other["test_key"])
    endpoint = (await hook_client.post("/v1/webhook-endpoints", headers=mine, json={"url": receiver.url})).json()
    await fund(db, account["id"], "test", 10_000)
    order = (await hook_client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=mine)).json()
    event = (await hook_client.get("/v1/events", params={"objectId": order["orderId"]}, headers=mine)).json()["data"][0]
    base = f"/v1/webhook-endpoints/{endpoint['id']}"
    for method, path in [("GET", f"/v1/events/{event['id']}"), ("GET", base), ("PATCH", base), ("DELETE", base),
                         ("POST", base + "/rotate-secret"), ("GET", base + "/deliveries"), ("POST", base + "/test")]:
        answer = await hook_client.request(method, path, headers=theirs, json={} if method == "PATCH" else None)
        assert answer.status_code == 404 and answer.json()["code"] == "not_found", (method, path, answer.text)
    assert (await hook_client.get("/v1/events", params={"objectId": order["orderId"]}, headers=theirs)).json() == {
        "data": [], "hasMore": False}
    assert (await hook_client.get("/v1/webhook-endpoints", headers=theirs)).json()["data"] == []
    # the live key of the same account does not see test objects either
    live = auth(account["live_key"])
    assert (await hook_client.get(f"/v1/events/{event['id']}", headers=live)).status_code == 404
    assert (await hook_client.get(base, headers=live)).status_code == 404
    assert (await hook_client.get(base, headers=mine)).status_code == 200


async def test_test_events_never_reach_live_endpoints(
        hook_client: httpx.AsyncClient, hook_settings: Settings, account: dict, db: Database) -> None:
    live_receiver, test_receiver = Receiver().start(), Receiver().start()
    try:
        live = (await hook_client.post("/v1/webhook-endpoints", headers=auth(account["live_key"]),
                                       json={"url": live_receiver.url, "enabledEvents": ["*"]}))
        assert live.status_code == 400 and live.json()["code"] == "invalid_request"  # live needs https
        live_endpoint = (await hook_client.post("/v1/webhook-endpoints", headers=auth(account["live_key"]), json={
            "url": live_receiver.url.replace("http://", "https://")})).json()
        assert live_endpoint["mode"] == "live"
        test_endpoint = (await hook_client.post("/v1/webhook-endpoints", headers=auth(account["test_key"]),
                                                json={"url": test_receiver.url})).json()
        test_receiver.secrets[:] = [test_endpoint["secret"]]
        await fund(db, account["id"], "test", 10_000)
        order = (await hook_client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(account["test_key"])))
        assert order.status_code == 200
        await run_round(db, hook_settings, "w")
        assert {r.body["type"] for r in test_receiver.ok()} >= {"order.created", "order.paid", "order.fulfilled"}
        assert all(r.body["mode"] == "test" for r in test_receiver.received)
        assert live_receiver.received == []
        deliveries = (await hook_client.get(f"/v1/webhook-endpoints/{live_endpoint['id']}/deliveries",
                                            headers=auth(account["live_key"]))).json()
        assert deliveries["data"] == []  # not even queued: no attempt was made
    finally:
        live_receiver.stop()
        test_receiver.stop()


@pytest.mark.parametrize(("body", "field"), [
    ({"url": "http://hooks.example.com/x"}, "url"),  # live: https only
    ({"url": "https://user:pw@hooks.example.com/x"}, "url"),
    ({"url": "https://10.0.0.5/x"}, "url"),
    ({"url": "https://localhost/x"}, "url"),
    ({"url": "https://[::1]/x"}, "url"),
    ({"url": "https://hooks.example.com/x", "enabledEvents": ["order.paid", "order.shipped"]}, "enabledEvents"),
    ({"url": "https://hooks.example.com/x", "enabledEvents": []}, "enabledEvents"),
    ({"url": "https://hooks.example.com/x", "colour": "red"}, "colour"),
])
def test_bad_live_endpoint_input_names_the_field(settings: Settings, body: dict, field: str) -> None:
    from domain.webhooks.endpoints import parse_events

    with pytest.raises(InvalidRequest) as caught:
        check_endpoint_url(body["url"], "live", settings)
        if "enabledEvents" in body:
            parse_events(body["enabledEvents"])
        unknown = set(body) - {"url", "enabledEvents", "description"}
        if unknown:
            raise InvalidRequest("unknown", field=unknown.pop())
    assert caught.value.field == field


async def test_bad_input_over_rest_is_invalid_request_and_nothing_is_created(
        client: httpx.AsyncClient, account: dict) -> None:
    """On the default settings (private targets refused) even a test endpoint cannot point inside."""
    key = auth(account["live_key"])
    cases = [({"url": "http://hooks.example.com/x"}, "https"), ({"url": "https://a:b@hooks.example.com/"}, "credentials"),
             ({"url": "https://192.168.1.10/x"}, "public"), ({"url": "https://hooks.example.com/x",
                                                               "enabledEvents": ["order.shipped"]}, "enabledEvents")]
    for body, words in cases:
        answer = await client.post("/v1/webhook-endpoints", headers=key, json=body)
        assert answer.status_code == 400 and answer.json()["code"] == "invalid_request", answer.text
        assert words in answer.json()["error"]
    loopback = await client.post("/v1/webhook-endpoints", headers=auth(account["test_key"]),
                                 json={"url": "http://127.0.0.1:9/x"})
    assert loopback.status_code == 400 and "url" in loopback.json()["error"]
    assert (await client.get("/v1/webhook-endpoints", headers=key)).json()["data"] == []


async def test_a_name_resolving_to_a_private_address_is_refused_at_delivery(settings: Settings) -> None:
    """Pinned connect: the host is resolved at each attempt and a private answer is never dialled."""
    from domain.webhooks.sender import Sender

    dialled: list[tuple[str, int]] = []

    async def resolver(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "127.0.0.1"]  # one public, one loopback: all must be public

    def dialer(address: str, port: int) -> tuple[str, int]:
        dialled.append((address, port))
        return address, port

    sender = Sender(settings, resolver=resolver, dialer=dialer)
    try:
        sent = await sender.post("https://hooks.example.com/x", b"{}", {})
    finally:
        await sender.aclose()
    assert not sent.ok and sent.retry and "public internet address" in (sent.error or "") and dialled == []
