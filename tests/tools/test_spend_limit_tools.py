"""MCP: a confirmed live send over a daily live limit is an isError result that names the reset
time and tells the agent to ask the person; nothing is charged (docs/limits.md)."""
from __future__ import annotations

import json

import httpx

from domain.core.settings import Settings
from tests.api.payloads import DIRECT_LETTER, fresh
from tests.conftest import auth
from domain.limits import manage
from domain.persistence.db import Database
from server.mcp.docs_routes import docs_sections
from tests.limits.helpers import assert_wallet, live_account, live_orders, set_operator_limit
from tests.tools.conftest import ToolRunner
from tools import registry
from tools.context import ToolEnv

RECIPIENT = {"name": "Pieter Example", "streetAddress": "Damrak 1", "postalCode": "1012 AB", "city": "Amsterdam",
             "country": "NL"}
LIVE_POSTCARD = {"requestType": "postcard", "mode": "live", "confirmLiveSend": True, "maxAmountCents": 250,
                 "postcard": {"message": "Hi Pieter,\nA card.", "recipient": RECIPIENT}}
PRICE = 250


def _runner(db: Database, settings: Settings, account_id: str, grant_id: str | None = None) -> ToolRunner:
    return ToolRunner(ToolEnv(db=db, settings=settings, account_id=account_id, client_id="test-client",
                              grant_id=grant_id, docs=docs_sections(settings)))


async def test_confirmed_live_send_over_the_limit_is_an_error_naming_the_reset(db: Database,
                                                                               settings: Settings) -> None:
    acct = await live_account(db, funds=1_000)
    await set_operator_limit(db, acct["id"], PRICE)
    tools = _runner(db, settings, acct["id"])
    first = await tools.ok("create_direct_order", {**LIVE_POSTCARD, "idempotencyKey": "lim-1"})
    assert first["status"] == "paid" and first["testMode"] is False
    result = await registry.call(tools.env, "create_direct_order", {**LIVE_POSTCARD, "idempotencyKey": "lim-2"})
    assert result["isError"] is True and "structuredContent" not in result
    error = json.loads(result["content"][0]["text"])
    assert error["code"] == "spend_limit_reached"
    assert error["resetsAt"].endswith("T00:00:00.000Z") and error["resetsAt"] in error["error"]
    assert "Do not retry" in error["error"] and "ask them" in error["error"]
    assert (error["limitCents"], error["spentTodayCents"], error["limitScope"]) == (PRICE, PRICE, "account")
    await assert_wallet(db, acct["id"], 1_000 - PRICE)  # the refused send charged nothing
    assert await live_orders(db, acct["id"]) == (1, 1)


async def test_a_connection_limit_stops_that_connection_only(db: Database, settings: Settings) -> None:
    acct = await live_account(db, funds=2_000)
    async with db.transaction() as session:
        await manage.set_grant_limit(session, acct["id"], "grant_limited", PRICE)
    limited = _runner(db, settings, acct["id"], grant_id="grant_limited")
    other = _runner(db, settings, acct["id"], grant_id="grant_other")
    await limited.ok("create_direct_order", {**LIVE_POSTCARD, "idempotencyKey": "c-1"})
    refused = await limited.error("create_direct_order", {**LIVE_POSTCARD, "idempotencyKey": "c-2"})
    assert (refused["code"], refused["limitScope"], refused["limitCents"]) == ("spend_limit_reached", "connection",
                                                                              PRICE)
    for n in range(2):
        await other.ok("create_direct_order", {**LIVE_POSTCARD, "idempotencyKey": f"o-{n}"})
    await assert_wallet(db, acct["id"], 2_000 - 3 * PRICE)


async def test_a_live_key_minted_through_a_limited_connection_keeps_its_limit(
        db: Database, settings: Settings, client: httpx.AsyncClient) -> None:
    """Otherwise an agent could step around its connection's limit with create_api_key plus REST."""
    acct = await live_account(db, funds=2_000)
    async with db.transaction() as session:
        await manage.set_grant_limit(session, acct["id"], "grant_minting", 200)
    made = await _runner(db, settings, acct["id"], grant_id="grant_minting").ok(
        "create_api_key", {"mode": "live", "name": "agent-made"})
    assert made["secret"].startswith("pp_live_")
    first = await client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(made["secret"]))
    assert first.status_code == 200
    second = await client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(made["secret"]))
    assert second.status_code == 402 and (second.json()["limitScope"], second.json()["limitCents"]) == ("apiKey", 200)
    unlimited = await _runner(db, settings, acct["id"], grant_id="grant_free").ok("create_api_key", {"mode": "live"})
    for _ in range(2):
        sent = await client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(unlimited["secret"]))
        assert sent.status_code == 200
