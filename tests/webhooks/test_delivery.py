"""Signed deliveries to a real receiver that verifies each one with the ``standardwebhooks``
library: order events in order, retries on the documented schedule, cut-offs, deletes, rotation."""
from __future__ import annotations

import time

from datetime import timedelta

import httpx
from sqlalchemy import select

from domain.core import clock
from domain.core.settings import Settings
from domain.persistence.db import Database
from domain.persistence.webhook_models import WebhookAttempt, WebhookDelivery
from domain.webhooks.rounds import run_round
from domain.webhooks.schedule import JITTER, RETRY_DELAYS
from tests.api.payloads import DIRECT_LETTER, fresh
from tests.conftest import auth
from tests.support.payments import fund
from tests.support.webhook_receiver import Receiver


async def _endpoint(client: httpx.AsyncClient, key: str, receiver: Receiver, **body: object) -> dict:
    answer = await client.post("/v1/webhook-endpoints", headers=auth(key),
                               json={"url": receiver.url, "enabledEvents": ["*"], **body})
    assert answer.status_code == 200, answer.text
    created = answer.json()
    receiver.secrets[:] = [created["secret"]]
    return created


async def _attempts(db: Database, delivery_id: str) -> list[WebhookAttempt]:
    async with db.read() as session:
        return list((await session.execute(select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery_id)
                                           .order_by(WebhookAttempt.id))).scalars())


async def test_direct_test_order_sends_created_paid_fulfilled_in_order_each_verified(
        hook_client: httpx.AsyncClient, hook_settings: Settings, account: dict, db: Database,
        receiver: Receiver) -> None:
    key = account["test_key"]
    await _endpoint(hook_client, key, receiver)
    await fund(db, account["id"], "test", 10_000)
    order = (await hook_client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(key))).json()
    assert order["status"] == "fulfilled"
    outcomes = await run_round(db, hook_settings, "worker-a")
    assert outcomes.count("succeeded") == 3, outcomes
    got = [r for r in receiver.received if r.body["objectId"] == order["orderId"]]
    assert [r.body["type"] for r in got] == ["order.created", "order.paid", "order.fulfilled"]
    assert all(r.verified_with == [0] for r in got)  # the library accepted every signature
    assert [r.body["data"]["status"] for r in got] == ["draft", "paid", "fulfilled"]  # the object as it was
    assert len({r.msg_id for r in got}) == 3 and all(r.msg_id == r.body["id"] for r in got)
    listed = (await hook_client.get("/v1/events", params={"objectId": order["orderId"]}, headers=auth(key))).json()
    assert [e["type"] for e in listed["data"]] == ["order.fulfilled", "order.paid", "order.created"]  # newest first
    assert listed["data"][0] == {k: v for k, v in got[2].body.items() if k != "timestamp"}


async def test_three_500s_then_200_one_success_three_failures_on_the_documented_backoff(
        hook_client: httpx.AsyncClient, hook_settings: Settings, account: dict, db: Database,
        receiver: Receiver, moved_clock: None) -> None:
    key = account["test_key"]
    endpoint = await _endpoint(hook_client, key, receiver)
    receiver.script[:] = [500, 500, 500]
    sent = (await hook_client.post(f"/v1/webhook-endpoints/{endpoint['id']}/test", headers=auth(key))).json()
    factors = iter([1 - JITTER, 1.0, 1 + JITTER])  # the jitter drawn for each retry, at its bounds

    def rand(low: float, high: float) -> float:
        assert (low, high) == (1 - JITTER, 1 + JITTER)
        return next(factors)

    real_started = time.monotonic()
    assert await run_round(db, hook_settings, "w", rand=rand) == ["retry"]
    for wait, factor in zip(RETRY_DELAYS[:3], (1 - JITTER, 1.0, 1 + JITTER), strict=True):
        clock.advance(wait * factor - timedelta(seconds=1))
        assert await run_round(db, hook_settings, "w", rand=rand) == []  # not due yet
        clock.advance(timedelta(seconds=1))
        assert (await run_round(db, hook_settings, "w", rand=rand)) in (["retry"], ["succeeded"])
    real = timedelta(seconds=time.monotonic() - real_started)  # the moved clock also runs in real time
    attempts = await _attempts(db, sent["id"])
    assert [(a.number, a.status_code, a.succeeded) for a in attempts] == [
        (1, 500, False), (2, 500, False), (3, 500, False), (4, 200, True)]
    gaps = [(b.started_at - a.started_at) for a, b in zip(attempts, attempts[1:])]
    expected = [RETRY_DELAYS[0] * (1 - JITTER), RETRY_DELAYS[1], RETRY_DELAYS[2] * (1 + JITTER)]
    # each retry waited its jittered delay (never less) plus only the real time the rounds took
    assert all(timedelta(0) <= gap - want <= real for gap, want in zip(gaps, expected, strict=True)), (gaps, real)
    assert [r.answered for r in receiver.received] == [500, 500, 500, 200]
    assert len(receiver.ok()) == 1 and len({r.msg_id for r in receiver.received}) == 1  # one message, retried
    listed = (await hook_client.get(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries", headers=auth(key))).json()
    row = listed["data"][0]
    assert row["status"] == "succeeded" and row["attemptCount"] == 4
    assert [a["statusCode"] for a in row["attempts"]] == [500, 500, 500, 200]
    assert row["attempts"][0]["responseExcerpt"] == "boom" and row["attempts"][0]["durationMs"] >= 0


async def test_schedule_runs_out_endpoint_disabled(
        hook_client: httpx.AsyncClient, hook_settings: Settings, account: dict, db: Database,
        receiver: Receiver, moved_clock: None) -> None:
    key = account["test_key"]
    endpoint = await _endpoint(hook_client, key, receiver)
    receiver.script[:] = [503] * 20
    await hook_client.post(f"/v1/webhook-endpoints/{endpoint['id']}/test", headers=auth(key))
    outcomes = await run_round(db, hook_settings, "w")
    for wait in RETRY_DELAYS:
        clock.advance(wait * (1 + JITTER))
        outcomes += await run_round(db, hook_settings, "w")
    assert outcomes == ["retry"] * len(RETRY_DELAYS) + ["failed"]
    view = (await hook_client.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=auth(key))).json()
    assert view["enabled"] is False and view["status"] == "disabled" and "every attempt failed" in view["disabledReason"]
    assert sum(RETRY_DELAYS, timedelta(0)) > timedelta(days=2, hours=23)  # about three days in all


async def test_hanging_and_huge_answers_are_cut_off_and_retried(
        hook_client: httpx.AsyncClient, hook_settings: Settings, account: dict, db: Database,
        receiver: Receiver, moved_clock: None) -> None:
    key = account["test_key"]
    endpoint = await _endpoint(hook_client, key, receiver)
    receiver.script[:] = [("hang", 5), ("big", 10 * 1024 * 1024)]
    sent = (await hook_client.post(f"/v1/webhook-endpoints/{endpoint['id']}/test", headers=auth(key))).json()
    assert await run_round(db, hook_settings, "w") == ["retry"]
    clock.advance(RETRY_DELAYS[0] * 2)
    assert await run_round(db, hook_settings, "w") == ["retry"]
    clock.advance(RETRY_DELAYS[1] * 2)
    assert await run_round(db, hook_settings, "w") == ["succeeded"]
    attempts = await _attempts(db, sent["id"])
    assert attempts[0].error.startswith("timed out") and attempts[0].duration_ms < 2500
    assert "cut off" in attempts[1].error and attempts[1].status_code == 200
    assert attempts[2].succeeded


async def test_deleting_an_endpoint_stops_its_pending_deliveries(
        hook_client: httpx.AsyncClient, hook_settings: Settings, account: dict, db: Database,
        receiver: Receiver, moved_clock: None) -> None:
    key = account["test_key"]
    endpoint = await _endpoint(hook_client, key, receiver)
    receiver.script[:] = [500]
    sent = (await hook_client.post(f"/v1/webhook-endpoints/{endpoint['id']}/test", headers=auth(key))).json()
    assert await run_round(db, hook_settings, "w") == ["retry"]
    deleted = await hook_client.delete(f"/v1/webhook-endpoints/{endpoint['id']}", headers=auth(key))
    assert deleted.json() == {"id": endpoint["id"], "deleted": True}
    clock.advance(timedelta(days=4))
    assert await run_round(db, hook_settings, "w") == []
    assert len(receiver.received) == 1
    async with db.read() as session:
        assert (await session.get(WebhookDelivery, sent["id"])).status == "cancelled"
    gone = await hook_client.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=auth(key))
    assert gone.status_code == 404


async def test_rotated_secret_old_and_new_both_sign_for_24_hours(
        hook_client: httpx.AsyncClient, hook_settings: Settings, account: dict, db: Database,
        receiver: Receiver, moved_clock: None) -> None:
    key = account["test_key"]
    endpoint = await _endpoint(hook_client, key, receiver)
    rotated = (await hook_client.post(f"/v1/webhook-endpoints/{endpoint['id']}/rotate-secret",
                                      headers=auth(key))).json()
    assert rotated["secret"] != endpoint["secret"] and rotated["previousSecretExpiresAt"]
    assert "secret" not in (await hook_client.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=auth(key))).json()
    receiver.secrets[:] = [endpoint["secret"], rotated["secret"]]
    await hook_client.post(f"/v1/webhook-endpoints/{endpoint['id']}/test", headers=auth(key))
    await run_round(db, hook_settings, "w")
    assert receiver.received[-1].verified_with == [0, 1]  # two signatures: an old-secret verifier still passes
    clock.advance(timedelta(hours=24, seconds=1))
    await hook_client.post(f"/v1/webhook-endpoints/{endpoint['id']}/test", headers=auth(key))
    await run_round(db, hook_settings, "w")
    assert receiver.received[-1].verified_with == [1]
    assert len(receiver.received[-1].signatures.split(" ")) == 1


async def test_resend_sends_the_same_message_again(
        hook_client: httpx.AsyncClient, hook_settings: Settings, account: dict, db: Database,
        receiver: Receiver) -> None:
    key = account["test_key"]
    endpoint = await _endpoint(hook_client, key, receiver)
    sent = (await hook_client.post(f"/v1/webhook-endpoints/{endpoint['id']}/test", headers=auth(key))).json()
    assert await run_round(db, hook_settings, "w") == ["succeeded"]
    again = await hook_client.post(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries/{sent['id']}/resend",
                                   headers=auth(key))
    assert again.status_code == 200 and again.json()["status"] == "pending"
    assert await run_round(db, hook_settings, "w") == ["succeeded"]
    assert [r.msg_id for r in receiver.ok()] == [sent["eventId"]] * 2


async def test_receiver_down_for_an_hour_gets_every_event_once_in_order_per_object(
        hook_client: httpx.AsyncClient, hook_settings: Settings, account: dict, db: Database,
        receiver: Receiver, moved_clock: None) -> None:
    key = account["test_key"]
    await _endpoint(hook_client, key, receiver)
    await fund(db, account["id"], "test", 10_000)
    receiver.down = True
    orders = []
    for _ in range(3):
        orders.append((await hook_client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(key))).json())
        await run_round(db, hook_settings, "w")
        clock.advance(timedelta(minutes=1))
    for _ in range(12):  # an hour of worker rounds against the outage
        clock.advance(timedelta(minutes=5))
        await run_round(db, hook_settings, "w")
    assert receiver.received and not receiver.ok()
    # only each object's first event was tried: the later ones wait behind it
    assert {r.body["type"] for r in receiver.received} == {"order.created"}
    receiver.down = False
    for _ in range(6):
        clock.advance(timedelta(hours=1))
        await run_round(db, hook_settings, "w")
    for order in orders:
        got = [r.body for r in receiver.ok() if r.body["objectId"] == order["orderId"]]
        assert [b["type"] for b in got] == ["order.created", "order.paid", "order.fulfilled"]
    ids = [r.msg_id for r in receiver.ok()]
    assert len(ids) == len(set(ids)) == 9


async def test_disabled_endpoint_gets_nothing_while_disabled(
        hook_client: httpx.AsyncClient, hook_settings: Settings, account: dict, db: Database,
        receiver: Receiver) -> None:
    key = account["test_key"]
    endpoint = await _endpoint(hook_client, key, receiver, enabledEvents=["topup.succeeded"])
    base = f"/v1/webhook-endpoints/{endpoint['id']}"
    await hook_client.post("/v1/credits/topups", json={"amountCents": 500}, headers=auth(key))
    off = (await hook_client.patch(base, json={"enabled": False}, headers=auth(key))).json()
    assert off["enabled"] is False and off["status"] == "disabled"
    assert await run_round(db, hook_settings, "w") == [] and receiver.received == []
    test = await hook_client.post(base + "/test", headers=auth(key))
    assert test.status_code == 400 and test.json()["code"] == "invalid_request"
    bad = await hook_client.patch(base, json={"enabled": "yes"}, headers=auth(key))
    assert bad.status_code == 400 and "enabled" in bad.json()["error"]
    await hook_client.patch(base, json={"enabled": True}, headers=auth(key))
    assert await run_round(db, hook_settings, "w") == []  # events of the disabled time are not queued
    later = (await hook_client.post("/v1/credits/topups", json={"amountCents": 500}, headers=auth(key))).json()
    assert await run_round(db, hook_settings, "w") == ["succeeded"]
    assert [r.body["objectId"] for r in receiver.ok()] == [later["topupId"]]
