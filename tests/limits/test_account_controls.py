"""Accounts awaiting approval and the operator's approve / pause / reactivate (docs/limits.md).

A live key of an unapproved account reads its wallet and gets ``live_order_cap_reached`` on a send;
after ``pieterpost accounts approve`` the same key sends; after ``accounts pause`` every key and
OAuth token of the account is refused with ``account_inactive`` and its queued live piece is not
handed to the print partner until ``accounts reactivate``.
"""
from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from sqlalchemy import select

from domain.core.settings import Settings
from domain.fulfillment import jobs
from domain.persistence.db import Database
from domain.persistence.models import FulfillmentJob
from oauth.passwords import hash_password
from server.worker import run_once
from tests.api.payloads import DIRECT_LETTER, fresh
from tests.conftest import auth
from tests.limits.helpers import PRICE, assert_wallet, live_account
from tests.oauth import flow
from tests.support import servers
from tests.support.fake_partner import FakePartner
from tests.support.payments import (  # noqa: F401 - fixtures
    live_app, live_client, live_settings, load_order, partner, partner_server, piece_ids, stripe_server,
)
from tests.web.helpers import PASSWORD, csrf_token


def _cli(settings: Settings, *args: str) -> dict[str, Any]:
    done = servers.run_cli([*args, "--json"], servers.cli_env(settings.database_url, settings.asset_dir))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


async def _mcp_token(http: httpx.AsyncClient, email: str) -> str:
    """Sign in through the form and connect an MCP client through the real OAuth flow."""
    form = await http.get("/signin")
    signed = await http.post("/signin", data={"email": email, "password": PASSWORD, "next": "/api/dashboard",
                                              "csrf_token": csrf_token(form.text)})
    assert signed.status_code == 303
    client = await flow.register(http)
    verifier = flow.verifier()
    code = await flow.get_code(http, client, verifier, scope="api:read api:send")
    return (await flow.exchange(http, client, code, verifier)).json()["access_token"]


async def _mcp_tool(http: httpx.AsyncClient, token: str, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    answer = await http.post("/mcp/", headers={"Authorization": f"Bearer {token}",
                                               "Accept": "application/json, text/event-stream",
                                               "MCP-Protocol-Version": "2025-06-18"},
                             json={"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                                   "params": {"name": name, "arguments": arguments}})
    assert answer.status_code == 200, answer.text
    text = answer.text
    if answer.headers["content-type"].startswith("text/event-stream"):
        text = next(line[5:] for line in text.splitlines() if line.startswith("data:"))
    return json.loads(text)["result"]


async def _job(db: Database, order_id: str) -> FulfillmentJob:
    async with db.read() as session:
        return (await session.execute(select(FulfillmentJob).where(FulfillmentJob.order_id == order_id))).scalar_one()


async def test_pending_account_is_approved_paused_and_reactivated(
        live_client: httpx.AsyncClient, live_settings: Settings, db: Database, partner: FakePartner) -> None:
    acct = await live_account(db, funds=1_000, approve=False, password_hash=hash_password(PASSWORD))
    live_key = auth(acct["live_key"])
    wallet = await live_client.get("/v1/wallet", headers=live_key)
    assert wallet.status_code == 200, wallet.text
    assert (wallet.json()["approvalStatus"], wallet.json()["wallet"]["balanceCents"]) == ("pending", 1_000)
    capped = await live_client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=live_key)
    assert capped.status_code == 429 and capped.json()["code"] == "live_order_cap_reached"

    assert _cli(live_settings, "accounts", "approve", "--email", acct["email"])["approvalStatus"] == "approved"
    sent = await live_client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=live_key)
    assert sent.status_code == 200 and sent.json()["status"] == "paid", sent.text
    order_id = sent.json()["orderId"]
    token = await _mcp_token(live_client, acct["email"])
    assert (await _mcp_tool(live_client, token, "get_wallet", {"mode": "live"}))["isError"] is False

    assert _cli(live_settings, "accounts", "pause", "--email", acct["email"])["status"] == "paused"
    for secret in (acct["test_key"], acct["live_key"]):
        refused = await live_client.get("/v1/wallet", headers=auth(secret))
        assert refused.status_code == 401 and refused.json()["code"] == "account_inactive"
    for tool, args in (("get_wallet", {"mode": "live"}), ("get_order", {"orderId": order_id})):
        result = await _mcp_tool(live_client, token, tool, args)
        assert result["isError"] is True and json.loads(result["content"][0]["text"])["code"] == "account_inactive"
    for _ in range(3):
        await run_once(db, live_settings)
    pieces = await piece_ids(db, order_id)
    assert not [r for r in partner.received if r["key"] in pieces]  # held: nothing handed off
    assert (await load_order(db, order_id)).status == "paid"
    assert (await _job(db, order_id)).status == "pending"  # kept, not lost

    assert _cli(live_settings, "accounts", "reactivate", "--email", acct["email"])["status"] == "active"
    assert (await live_client.get("/v1/wallet", headers=live_key)).status_code == 200
    for _ in range(20):
        await run_once(db, live_settings)
        if (await load_order(db, order_id)).status == "fulfilled":
            break
        await asyncio.sleep(0.05)
    assert (await load_order(db, order_id)).status == "fulfilled"
    assert [partner.print_count.get(p) for p in pieces] == [1]
    await assert_wallet(db, acct["id"], 1_000 - PRICE)


async def test_a_job_claimed_just_before_the_pause_is_given_back(
        live_client: httpx.AsyncClient, live_settings: Settings, db: Database, partner: FakePartner) -> None:
    from domain.fulfillment.providers import provider_for
    from domain.use_cases.limits import control_account

    acct = await live_account(db, funds=1_000)
    await run_once(db, live_settings)  # other tests' due jobs first: the next claim is this order's
    sent = await live_client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(acct["live_key"]))
    order_id = sent.json()["orderId"]
    claim = await jobs.claim_next(db, live_settings, "worker-test")
    assert claim is not None and claim.order_id == order_id
    await control_account(db, acct["email"], "pause")
    provider = provider_for("live", live_settings)
    try:
        assert await jobs.process(db, live_settings, provider, claim) == "held (account paused)"
        job = await _job(db, order_id)
        assert (job.status, job.leased_by, job.leased_until, job.attempts) == ("pending", None, None, 0)
        assert (await load_order(db, order_id)).status == "paid"
        assert await jobs.claim_next(db, live_settings, "worker-test") is None  # not taken again while paused
        await control_account(db, acct["email"], "reactivate")
        again = await jobs.claim_next(db, live_settings, "worker-test")
        assert again is not None and again.order_id == order_id
        assert await jobs.process(db, live_settings, provider, again) == "fulfilled"
    finally:
        await provider.aclose()


async def test_accounts_list_shows_approval_and_todays_spend(live_client: httpx.AsyncClient,
                                                             live_settings: Settings, db: Database) -> None:
    acct = await live_account(db, funds=1_000)
    await live_client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(acct["live_key"]))
    limits = _cli(live_settings, "accounts", "limits", "--email", acct["email"], "--live-daily-cents", "700")
    assert (limits["limitCents"], limits["operatorLimitCents"]) == (700, 700)
    rows = {row["email"]: row for row in _cli(live_settings, "accounts", "list")["data"]}
    row = rows[acct["email"]]
    assert (row["status"], row["approvalStatus"], row["liveDailyLimitCents"]) == ("active", "approved", 700)
    assert row["liveSpentTodayCents"] == {"eur": PRICE, "usd": 0}
    key = _cli(live_settings, "keys", "create", "--email", acct["email"], "--mode", "live",
               "--live-daily-cents", "150")
    assert key["liveDailyLimitCents"] == 150 and key["secret"].startswith("pp_live_")
    refused = await live_client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(key["secret"]))
    assert refused.status_code == 402 and refused.json()["limitScope"] == "apiKey"
