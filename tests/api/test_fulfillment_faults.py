"""Fulfillment under faults, against a fake print partner (issue 5, "Must show" 3).

Partner down for a while → retried with backoff and printed once; partner refuses → order
``failed`` with ``error`` and the wallet refunded through the ledger; a worker process killed
with SIGKILL in the middle of a hand-off and a fresh worker started → every piece printed
exactly once and the order fulfilled.
"""
from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from typing import Any

import httpx
from sqlalchemy import select

from domain.persistence.db import Database
from domain.persistence.models import FulfillmentJob, OrderPiece
from domain.core.settings import Settings
from server.worker import run_once
from tests.api.payloads import NL_RECIPIENT
from tests.conftest import auth
from tests.support import servers
from tests.support.fake_partner import TOKEN, FakePartner
from tests.support.fake_stripe import FakeStripe, signed_event
from tests.support.payments import (  # noqa: F401 - fixtures
    fund, live_app, live_client, live_settings, load_order, partner, partner_server, piece_ids, stripe_server,
    wallet_state,
)

LETTERS = {"requestType": "letter", "letters": [
    {"recipient": {**NL_RECIPIENT, "name": f"Reader {n}"}, "message": f"Letter {n}\nsecond line"} for n in range(3)]}
PRICE = 3 * 200


async def _live_order(client: httpx.AsyncClient, account: dict, db: Database, body: dict[str, Any] = LETTERS) -> str:
    await fund(db, account["id"], "live", 10_000)
    response = await client.post("/v1/orders", json=body, headers=auth(account["live_key"]))
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "paid"  # live: the worker takes it from here
    return response.json()["orderId"]


async def _drain(db: Database, settings: Settings, order_id: str, rounds: int = 40) -> list[str]:
    """Run worker rounds until the order settles (backoff in these settings is ≤ 50 ms)."""
    outcomes: list[str] = []
    for _ in range(rounds):
        outcomes += await run_once(db, settings)
        if (await load_order(db, order_id)).status in ("fulfilled", "failed"):
            break
        await asyncio.sleep(0.06)
    return outcomes


async def _job(db: Database, order_id: str) -> FulfillmentJob:
    async with db.read() as session:
        return (await session.execute(select(FulfillmentJob).where(FulfillmentJob.order_id == order_id))).scalar_one()


async def test_partner_down_for_a_while_is_retried_and_prints_once(
        live_client: httpx.AsyncClient, live_settings: Settings, account: dict, partner: FakePartner,
        db: Database) -> None:
    order_id = await _live_order(live_client, account, db)
    partner.down_for[order_id] = 2
    await _drain(db, live_settings, order_id)
    view = (await live_client.get(f"/v1/orders/{order_id}", headers=auth(account["live_key"]))).json()
    assert view["status"] == "fulfilled" and view["error"] is None
    pieces = await piece_ids(db, order_id)
    assert [partner.print_count.get(p) for p in pieces] == [1, 1, 1]
    assert [r["key"] for r in partner.received if r["key"] in pieces] == [pieces[0]] * 3 + pieces[1:]
    job = await _job(db, order_id)
    assert (job.status, job.attempts, job.last_error) == ("done", 3, None)
    async with db.read() as session:
        refs = (await session.execute(select(OrderPiece.provider_ref).where(OrderPiece.order_id == order_id)
                                      .order_by(OrderPiece.position))).scalars().all()
    assert list(refs) == [partner.printed[p] for p in pieces]
    assert not partner.problems


async def test_partner_refusal_fails_the_order_and_refunds_the_wallet(
        live_client: httpx.AsyncClient, live_settings: Settings, account: dict, partner: FakePartner,
        db: Database) -> None:
    order_id = await _live_order(live_client, account, db)
    assert (await wallet_state(db, account["id"], "live"))[0] == 10_000 - PRICE
    partner.refuse[order_id] = 422
    await _drain(db, live_settings, order_id)
    view = (await live_client.get(f"/v1/orders/{order_id}", headers=auth(account["live_key"]))).json()
    assert view["status"] == "failed"
    assert "refused" in view["error"] and "address not deliverable" in view["error"]
    assert view["wallet"]["balanceCents"] == 10_000
    balance, ledger, kinds = await wallet_state(db, account["id"], "live")
    assert balance == ledger == 10_000 and kinds == ["topup", "debit", "refund"]
    assert (await load_order(db, order_id)).refund_reference.startswith("wallet:ledger_")
    assert not any(partner.print_count.get(p) for p in await piece_ids(db, order_id))
    assert (await _job(db, order_id)).status == "failed"


async def test_giving_up_after_the_attempt_limit_also_refunds(
        live_client: httpx.AsyncClient, live_settings: Settings, account: dict, partner: FakePartner,
        db: Database) -> None:
    settings = live_settings.model_copy(update={"fulfillment_max_attempts": 3})
    order_id = await _live_order(live_client, account, db)
    partner.down_for[order_id] = 100
    await _drain(db, settings, order_id)
    order = await load_order(db, order_id)
    assert order.status == "failed" and "after 3 attempts" in (order.error or "")
    balance, ledger, _ = await wallet_state(db, account["id"], "live")
    assert balance == ledger == 10_000


async def test_refusal_of_a_stripe_paid_order_refunds_through_stripe(
        live_client: httpx.AsyncClient, live_settings: Settings, account: dict, partner: FakePartner,
        stripe_server: FakeStripe, db: Database) -> None:
    body = {"requestType": "postcard", "postcard": {"message": "Hallo", "recipient": NL_RECIPIENT}}
    order = (await live_client.post("/v1/checkout-links", json=body, headers=auth(account["live_key"]))).json()
    session = stripe_server.complete((await load_order(db, order["orderId"])).stripe_session_id)
    event, headers = signed_event("checkout.session.completed", session)
    assert (await live_client.post("/v1/stripe/webhook", content=event, headers=headers)).status_code == 200
    partner.refuse[order["orderId"]] = 400
    await _drain(db, live_settings, order["orderId"])  # the refund is its own job step, retried until done
    refunds = [c for c in stripe_server.creates("/v1/refunds") if c.params["metadata"]["orderId"] == order["orderId"]]
    assert len(refunds) == 1
    refund_call = refunds[0]
    assert refund_call.params["payment_intent"] == session["payment_intent"]
    assert refund_call.headers["idempotency-key"] == f"pieterpost-refund-{order['orderId']}"
    stored = await load_order(db, order["orderId"])
    assert stored.status == "failed" and (stored.refund_reference or "").startswith("re_")
    assert (await _job(db, order["orderId"])).status == "failed"


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "server", "worker"], env=env, cwd=servers.ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def test_worker_killed_mid_handoff_then_restarted_prints_each_piece_once(
        live_client: httpx.AsyncClient, live_settings: Settings, account: dict, partner: FakePartner,
        db: Database) -> None:
    order_id = await _live_order(live_client, account, db)
    pieces = await piece_ids(db, order_id)
    partner.hold_key = pieces[1]  # the partner prints piece 2, then holds its answer
    env = servers.cli_env(
        live_settings.database_url, live_settings.asset_dir, PIETERPOST_FULFILLMENT_URL=partner.url,
        PIETERPOST_FULFILLMENT_TOKEN=TOKEN, PIETERPOST_FULFILLMENT_LEASE_SECONDS="2",
        PIETERPOST_WORKER_POLL_SECONDS="0.1", PIETERPOST_FULFILLMENT_RETRY_BASE_SECONDS="0.1")
    first = _worker(env)
    try:
        assert await asyncio.to_thread(partner.holding.wait, 60), "worker never reached piece 2"
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    partner.hold_key = None
    partner.release.set()
    async with db.read() as session:
        states = (await session.execute(select(OrderPiece.status).where(OrderPiece.order_id == order_id)
                                        .order_by(OrderPiece.position))).scalars().all()
    assert list(states) == ["handed_off", "pending", "pending"]  # killed before piece 2 was recorded
    assert (await load_order(db, order_id)).status == "queued"
    second = _worker(env)
    try:
        for _ in range(600):
            if (await load_order(db, order_id)).status == "fulfilled":
                break
            await asyncio.sleep(0.1)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=20)
    assert (await load_order(db, order_id)).status == "fulfilled"
    assert [partner.print_count.get(p) for p in pieces] == [1, 1, 1]  # each printed exactly once
    sent = [r["key"] for r in partner.received if r["key"] in pieces]
    assert sent.count(pieces[0]) == 1 and sent.count(pieces[1]) == 2 and sent.count(pieces[2]) == 1
    job = await _job(db, order_id)
    assert job.status == "done" and job.attempts == 2
    assert not partner.problems
