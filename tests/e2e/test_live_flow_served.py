"""The whole live path through a real ``pieterpost serve`` process, its in-process worker on.

Live checkout link → Stripe session (fake Stripe) → signed webhook over HTTP → paid → the
worker inside ``serve`` (default ``run_worker``) hands the pieces to the print partner (fake)
→ fulfilled. A live direct send from the wallet goes the same way.
"""
from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.conftest import auth
from tests.support import servers
from tests.support.fake_partner import TOKEN, FakePartner
from tests.support.fake_stripe import SECRET_KEY, WEBHOOK_SECRET, FakeStripe, signed_event
from tests.support.payments import fund, partner, partner_server, stripe_server  # noqa: F401 - fixtures

LETTER = {"requestType": "letter", "letters": [{"message": "Dag Pieter,\ntot morgen.", "recipient": {
    "name": "Pieter Post", "streetAddress": "Damrak 1", "postalCode": "1012 LG", "city": "Amsterdam",
    "country": "NL"}}]}


def _wait_for(base: str, key: str, order_id: str, status: str) -> dict:
    view: dict = {}
    for _ in range(300):
        view = httpx.get(f"{base}/v1/orders/{order_id}", headers=auth(key)).json()
        if view["status"] == status:
            break
        time.sleep(0.1)
    return view


async def test_live_checkout_and_direct_send_are_fulfilled_by_the_served_worker(
        database_url: str, asset_dir: Path, account: dict, db, stripe_server: FakeStripe,  # noqa: ANN001
        partner: FakePartner) -> None:
    await fund(db, account["id"], "live", 1_000)
    env = servers.cli_env(database_url, asset_dir, PIETERPOST_STRIPE_SECRET_KEY=SECRET_KEY,
                          PIETERPOST_STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, PIETERPOST_STRIPE_API_BASE=stripe_server.url,
                          PIETERPOST_FULFILLMENT_URL=partner.url, PIETERPOST_FULFILLMENT_TOKEN=TOKEN,
                          PIETERPOST_WORKER_POLL_SECONDS="0.1")
    key = account["live_key"]
    with servers.running_server(env) as base:
        link = httpx.post(f"{base}/v1/checkout-links", json={**LETTER, "paymentMethod": "card"},
                          headers=auth(key), timeout=30).json()
        assert link["status"] == "checkout_open" and link["checkoutUrl"].startswith(stripe_server.url)
        session_id = link["checkoutUrl"].rsplit("/", 1)[-1]
        body, headers = signed_event("checkout.session.completed", stripe_server.complete(session_id))
        hook = httpx.post(f"{base}/v1/stripe/webhook", content=body, headers=headers, timeout=30)
        assert hook.status_code == 200 and hook.json()["outcome"] == "applied"
        direct = httpx.post(f"{base}/v1/orders", json=LETTER, headers=auth(key), timeout=30).json()
        assert direct["status"] == "paid" and direct["wallet"]["balanceCents"] == 800
        for order_id in (link["orderId"], direct["orderId"]):
            assert _wait_for(base, key, order_id, "fulfilled")["status"] == "fulfilled", order_id
    printed = {r["metadata"]["orderId"] for r in partner.received}
    assert {link["orderId"], direct["orderId"]} <= printed
    assert not partner.problems and not stripe_server.problems
