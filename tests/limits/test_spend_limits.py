"""Daily live spend limits over REST (docs/limits.md), on SQLite and PostgreSQL.

Counted inside the order's transaction with one conditional upsert: concurrent sends never pass
a limit together, a key's own limit stops only that key, the day ends at 00:00 UTC.
"""
from __future__ import annotations

import asyncio
from datetime import datetime

import httpx

from domain.core import clock
from domain.core.settings import Settings
from domain.limits.spend import utc_day
from domain.persistence.db import Database
from tests.api.payloads import CHECKOUT_LETTER, DIRECT_LETTER, fresh
from tests.conftest import auth
from tests.support.payments import (  # noqa: F401 - fixtures
    live_app, live_client, live_settings, partner_server, stripe_server,
)
from tests.limits.helpers import (
    PRICE, assert_wallet, counters, live_account, live_key_with_limit, live_orders, set_operator_limit,
)


async def test_thirty_concurrent_live_sends_against_a_limit_for_ten(client: httpx.AsyncClient, db: Database) -> None:
    acct = await live_account(db, funds=100_000)  # money enough for all 30: only the limit may stop them
    await set_operator_limit(db, acct["id"], 10 * PRICE)
    responses = await asyncio.gather(*(client.post("/v1/orders", json=fresh(DIRECT_LETTER),
                                                   headers=auth(acct["live_key"])) for _ in range(30)))
    codes = sorted((r.status_code, r.json().get("code")) for r in responses)
    assert codes.count((200, None)) == 10, codes
    assert codes.count((402, "spend_limit_reached")) == 20, codes
    assert all(r.json()["status"] == "paid" for r in responses if r.status_code == 200)
    await assert_wallet(db, acct["id"], 100_000 - 10 * PRICE)  # nothing else moved
    assert await live_orders(db, acct["id"]) == (10, 10)
    today = utc_day(clock.utcnow())
    assert await counters(db, acct["id"]) == {today: 10 * PRICE}
    assert await counters(db, acct["live_key_id"]) == {today: 10 * PRICE}


async def test_refusal_names_the_limit_the_spend_and_the_reset(client: httpx.AsyncClient, db: Database) -> None:
    acct = await live_account(db)
    await set_operator_limit(db, acct["id"], PRICE + 50)
    assert (await client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(acct["live_key"]))).status_code == 200
    refused = await client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(acct["live_key"]))
    body = refused.json()
    assert refused.status_code == 402 and body["code"] == "spend_limit_reached"
    midnight = datetime.fromtimestamp((utc_day(clock.utcnow()) + 1) * 86400, clock.UTC)
    assert body["resetsAt"] == clock.iso(midnight)
    assert (body["limitScope"], body["limitCents"], body["spentTodayCents"], body["amountCents"], body["currency"]) == \
        ("account", PRICE + 50, PRICE, PRICE, "eur")
    for figure in (f"{PRICE + 50} EUR cents", f"{PRICE} cents are spent today", body["resetsAt"]):
        assert figure in body["error"]
    assert "Retry-After" not in refused.headers  # 402: not a rate limit to wait out and retry automatically
    await assert_wallet(db, acct["id"], acct["funds"] - PRICE)


async def test_a_key_with_a_lower_limit_stops_while_another_key_goes_on(client: httpx.AsyncClient,
                                                                       db: Database) -> None:
    acct = await live_account(db)
    key_id, limited = await live_key_with_limit(db, acct["id"], 2 * PRICE)
    sent = [(await client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(limited))) for _ in range(3)]
    assert [r.status_code for r in sent] == [200, 200, 402]
    assert (sent[2].json()["code"], sent[2].json()["limitScope"], sent[2].json()["limitCents"]) == \
        ("spend_limit_reached", "apiKey", 2 * PRICE)
    other = [(await client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(acct["live_key"])))
             for _ in range(3)]
    assert [r.status_code for r in other] == [200, 200, 200]  # the account's limit (the default) is far off
    today = utc_day(clock.utcnow())
    assert await counters(db, key_id) == {today: 2 * PRICE}
    assert await counters(db, acct["id"]) == {today: 5 * PRICE}
    await assert_wallet(db, acct["id"], acct["funds"] - 5 * PRICE)


async def test_the_limit_resets_at_the_utc_day_boundary(client: httpx.AsyncClient, db: Database) -> None:
    acct = await live_account(db)
    await set_operator_limit(db, acct["id"], 2 * PRICE)
    try:
        # start a minute before midnight UTC, so the test crosses exactly one boundary
        now = clock.utcnow()
        day = utc_day(now)
        clock.advance(datetime.fromtimestamp((day + 1) * 86400 - 60, clock.UTC) - now)
        for expected in (200, 200, 402):
            answer = await client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(acct["live_key"]))
            assert answer.status_code == expected, answer.text
        reset = answer.json()["resetsAt"]
        assert reset == clock.iso(datetime.fromtimestamp((day + 1) * 86400, clock.UTC))
        clock.advance(datetime.fromtimestamp((day + 1) * 86400, clock.UTC) - clock.utcnow())  # 00:00:00 UTC
        after = await client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(acct["live_key"]))
        assert after.status_code == 200, after.text
        assert await counters(db, acct["id"]) == {day: 2 * PRICE, day + 1: PRICE}
    finally:
        clock.reset()
    await assert_wallet(db, acct["id"], acct["funds"] - 3 * PRICE)


async def test_hosted_checkout_and_test_mode_are_not_counted(live_client: httpx.AsyncClient, db: Database) -> None:
    """A payer approves each checkout at Stripe; test mode moves no real money (docs/limits.md)."""
    acct = await live_account(db)
    await set_operator_limit(db, acct["id"], 0)  # no live direct send at all
    await live_client.post("/v1/credits/topups", json={"amountCents": 1000}, headers=auth(acct["test_key"]))
    test_send = await live_client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(acct["test_key"]))
    assert test_send.status_code == 200 and test_send.json()["status"] == "fulfilled"
    checkout = await live_client.post("/v1/checkout-links", json=fresh(CHECKOUT_LETTER), headers=auth(acct["live_key"]))
    assert checkout.status_code == 200 and checkout.json()["status"] == "checkout_open", checkout.text
    refused = await live_client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(acct["live_key"]))
    assert refused.status_code == 402 and refused.json()["limitCents"] == 0
    assert await counters(db, acct["id"]) == {}
    await assert_wallet(db, acct["id"], acct["funds"])


async def test_holder_may_lower_but_not_raise_above_the_operator(db: Database, settings: Settings) -> None:
    from domain.core.errors import InvalidRequest
    from domain.use_cases import limits

    acct = await live_account(db, funds=0)
    await set_operator_limit(db, acct["id"], 5000)
    await limits.set_holder_limit(db, settings, acct["id"], 1200)
    overview = await limits.spend_overview(db, settings, acct["id"])
    assert (overview["account"]["limitCents"], overview["account"]["operatorLimitCents"]) == (1200, 5000)
    try:
        await limits.set_holder_limit(db, settings, acct["id"], 5001)
    except InvalidRequest as exc:
        assert exc.field == "liveDailyCents" and "5000" in exc.message
    else:
        raise AssertionError("the holder must not raise the limit above the operator's value")
    await set_operator_limit(db, acct["id"], 800)  # the operator lowers below the holder's value: the lower wins
    assert (await limits.spend_overview(db, settings, acct["id"]))["account"]["limitCents"] == 800
    await set_operator_limit(db, acct["id"], None)  # back to the service default, holder's 1200 still applies
    assert (await limits.spend_overview(db, settings, acct["id"]))["account"]["limitCents"] == 1200


async def test_the_counter_alone_never_lets_two_sends_pass_together(db: Database, settings: Settings) -> None:
    """The conditional upsert by itself, without the order path's other row locks around it."""
    from domain.core.context import Caller
    from domain.core.errors import SpendLimitReached
    from domain.limits.spend import charge_live_spend

    acct = await live_account(db, funds=0)
    await set_operator_limit(db, acct["id"], 10 * PRICE)
    caller = Caller(account_id=acct["id"], mode="live", api_key_id=acct["live_key_id"])

    async def one() -> str:
        try:
            async with db.transaction() as session:
                await charge_live_spend(session, caller, PRICE, "eur", settings)
                await asyncio.sleep(0.02)  # held open, as an order's transaction is
            return "ok"
        except SpendLimitReached:
            return "refused"

    outcomes = await asyncio.gather(*(one() for _ in range(30)))
    assert outcomes.count("ok") == 10 and outcomes.count("refused") == 20
    assert await counters(db, acct["id"]) == {utc_day(clock.utcnow()): 10 * PRICE}


async def test_the_first_refusal_of_the_day_per_limit_records_one_event(client: httpx.AsyncClient,
                                                                         db: Database) -> None:
    acct = await live_account(db)
    await set_operator_limit(db, acct["id"], 2 * PRICE)
    key_id, limited = await live_key_with_limit(db, acct["id"], PRICE)
    statuses = [(await client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(limited))).status_code
                for _ in range(3)]  # the key's own limit: 1 sent, 2 refused
    statuses += [(await client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(acct["live_key"])))
                 .status_code for _ in range(3)]  # the account's: 1 more sent, 2 refused
    assert statuses == [200, 402, 402, 200, 402, 402]
    feed = await client.get("/v1/events", params={"type": "account.spend_limit_reached"},
                            headers=auth(acct["live_key"]))
    assert feed.status_code == 200, feed.text
    events = feed.json()["data"]
    assert sorted(e["data"]["limitScope"] for e in events) == ["account", "apiKey"]  # one each, not four
    by_scope = {e["data"]["limitScope"]: e for e in events}
    key_event = by_scope["apiKey"]
    assert (key_event["objectType"], key_event["objectId"], key_event["mode"]) == ("account", acct["id"], "live")
    assert (key_event["data"]["apiKeyId"], key_event["data"]["limitCents"], key_event["data"]["spentTodayCents"]) == \
        (key_id, PRICE, PRICE)
    assert by_scope["account"]["data"]["resetsAt"] == key_event["data"]["resetsAt"]
