"""Expiry and cancel (issue 5, "Must show" 4), with the injectable clock instead of waiting.

An unpaid checkout past 24 h becomes ``expired``; cancelling before ``queued`` refunds the
wallet; cancelling a queued (or later) order is 409 ``not_cancellable``.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from domain.core import clock
from domain.persistence.db import Database
from domain.orders.expiry import expire_due
from domain.core.settings import Settings
from server.worker import run_once
from tests.api.payloads import CHECKOUT_LETTER, DIRECT_LETTER, NL_RECIPIENT, fresh
from tests.conftest import auth
from tests.support.fake_partner import FakePartner
from tests.support.payments import (  # noqa: F401 - fixtures
    fund, live_app, live_client, live_settings, load_order, partner, partner_server, piece_ids, stripe_server,
    wallet_state,
)

LIVE_LETTER = {"requestType": "letter", "letters": [{"recipient": NL_RECIPIENT, "message": "Tot snel!"}]}


@pytest.fixture
def moved_clock() -> Iterator[None]:
    yield
    clock.reset()


async def test_unpaid_test_checkout_expires_after_24_hours(
        client: httpx.AsyncClient, settings: Settings, account: dict, db: Database, moved_clock: None) -> None:
    key = account["test_key"]
    order = (await client.post("/v1/checkout-links", json=fresh(CHECKOUT_LETTER), headers=auth(key))).json()
    clock.advance(timedelta(hours=23, minutes=59))
    await expire_due(db, settings)
    assert (await load_order(db, order["orderId"])).status == "checkout_open"
    clock.advance(timedelta(minutes=1, seconds=1))
    page = await client.get(f"/v1/sandbox/checkout/{order['orderId']}")
    assert "expired" in page.text and 'id="pay"' not in page.text  # past expiry: nothing left to pay
    await expire_due(db, settings)
    view = (await client.get(f"/v1/orders/{order['orderId']}", headers=auth(key))).json()
    assert view["status"] == "expired" and view["checkoutUrl"] is None and view["paidAt"] is None
    assert view["updatedAt"] > order["updatedAt"]
    landing = await client.get(f"/pay/{order['orderId']}", follow_redirects=True)
    assert "Checkout expired" in landing.text and "your letter" in landing.text


async def test_live_checkout_and_topup_expire_after_stripe_grace(
        live_client: httpx.AsyncClient, live_settings: Settings, account: dict, db: Database,
        moved_clock: None) -> None:
    key = account["live_key"]
    order = (await live_client.post("/v1/checkout-links", json=fresh(CHECKOUT_LETTER), headers=auth(key))).json()
    topup = (await live_client.post("/v1/credits/topups", json={"amountCents": 500}, headers=auth(key))).json()
    clock.advance(timedelta(hours=24, seconds=1))
    await expire_due(db, live_settings)
    assert (await load_order(db, order["orderId"])).status == "checkout_open"  # a late webhook may still pay it
    clock.advance(timedelta(seconds=live_settings.checkout_expiry_grace_seconds))
    await expire_due(db, live_settings)
    assert (await load_order(db, order["orderId"])).status == "expired"
    got = (await live_client.get(f"/v1/credits/topups/{topup['topupId']}", headers=auth(key))).json()
    assert got["status"] == "expired" and got["checkoutUrl"] is None


async def test_cancel_open_test_checkout(client: httpx.AsyncClient, account: dict) -> None:
    key = account["test_key"]
    order = (await client.post("/v1/checkout-links", json=fresh(CHECKOUT_LETTER), headers=auth(key))).json()
    cancelled = await client.post(f"/v1/orders/{order['orderId']}/cancel", headers=auth(key))
    assert cancelled.status_code == 200
    body = cancelled.json()
    assert body["status"] == "cancelled" and body["paidAt"] is None and body["paymentReference"] is None
    again = await client.post(f"/v1/orders/{order['orderId']}/cancel", headers=auth(key))
    assert again.status_code == 409 and again.json()["code"] == "not_cancellable"


async def test_cancel_before_queued_refunds_the_wallet(
        live_client: httpx.AsyncClient, live_settings: Settings, account: dict, partner: FakePartner,
        db: Database) -> None:
    key = account["live_key"]
    await fund(db, account["id"], "live", 1_000)
    order = (await live_client.post("/v1/orders", json=LIVE_LETTER, headers=auth(key))).json()
    assert order["status"] == "paid" and order["wallet"]["balanceCents"] == 800
    cancelled = await live_client.post(f"/v1/orders/{order['orderId']}/cancel", headers=auth(key))
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["wallet"]["balanceCents"] == 1_000
    balance, ledger, kinds = await wallet_state(db, account["id"], "live")
    assert balance == ledger == 1_000 and kinds == ["topup", "debit", "refund"]
    await run_once(db, live_settings)  # the worker must not print a cancelled order
    pieces = await piece_ids(db, order["orderId"])
    assert not any(r["key"] in pieces for r in partner.received)
    assert (await load_order(db, order["orderId"])).status == "cancelled"


async def test_cancel_after_queued_is_refused(
        live_client: httpx.AsyncClient, client: httpx.AsyncClient, live_settings: Settings, account: dict,
        partner: FakePartner, db: Database) -> None:
    key = account["live_key"]
    await fund(db, account["id"], "live", 1_000)
    queued = (await live_client.post("/v1/orders", json=LIVE_LETTER, headers=auth(key))).json()
    partner.down_for[queued["orderId"]] = 1_000  # the worker takes it (queued), the hand-off keeps failing
    await run_once(db, live_settings)
    assert (await load_order(db, queued["orderId"])).status == "queued"
    fulfilled = (await live_client.post("/v1/orders", json=LIVE_LETTER, headers=auth(key))).json()
    await run_once(db, live_settings)
    assert (await load_order(db, fulfilled["orderId"])).status == "fulfilled"
    for order_id in (queued["orderId"], fulfilled["orderId"]):
        refused = await live_client.post(f"/v1/orders/{order_id}/cancel", headers=auth(key))
        assert refused.status_code == 409 and refused.json()["code"] == "not_cancellable"
    balance, ledger, _ = await wallet_state(db, account["id"], "live")
    assert balance == ledger == 600  # nothing refunded
    # test mode simulates fulfillment at once, so a direct test order is already past queued
    await client.post("/v1/credits/topups", json={"amountCents": 500}, headers=auth(account["test_key"]))
    direct = (await client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(account["test_key"]))).json()
    assert direct["status"] == "fulfilled"
    refused = await client.post(f"/v1/orders/{direct['orderId']}/cancel", headers=auth(account["test_key"]))
    assert refused.status_code == 409


async def test_cancel_of_another_accounts_order_is_not_found(
        client: httpx.AsyncClient, account: dict, db: Database) -> None:
    from domain.accounts.accounts import create_account
    from domain.accounts.apikeys import create_key

    order = (await client.post("/v1/checkout-links", json=fresh(CHECKOUT_LETTER),
                               headers=auth(account["test_key"]))).json()
    async with db.transaction() as session:
        other = await create_account(session, f"other-{order['orderId']}@example.com")
        other_key = (await create_key(session, other.id, "test", "other")).secret
    response = await client.post(f"/v1/orders/{order['orderId']}/cancel", headers=auth(other_key))
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert (await load_order(db, order["orderId"])).status == "checkout_open"


async def test_cancel_of_a_paid_live_checkout_refunds_through_stripe(
        live_client: httpx.AsyncClient, live_settings: Settings, account: dict, partner: FakePartner,
        stripe_server, db: Database) -> None:  # noqa: ANN001
    from tests.support.fake_stripe import signed_event

    key = account["live_key"]
    order = (await live_client.post("/v1/checkout-links", json=fresh(CHECKOUT_LETTER), headers=auth(key))).json()
    session = stripe_server.complete((await load_order(db, order["orderId"])).stripe_session_id)
    body, headers = signed_event("checkout.session.completed", session)
    await live_client.post("/v1/stripe/webhook", content=body, headers=headers)
    assert (await load_order(db, order["orderId"])).status == "paid"  # the worker has not taken it yet
    cancelled = await live_client.post(f"/v1/orders/{order['orderId']}/cancel", headers=auth(key))
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    await run_once(db, live_settings)
    refunds = [c for c in stripe_server.creates("/v1/refunds") if c.params["metadata"]["orderId"] == order["orderId"]]
    assert len(refunds) == 1 and refunds[0].params["payment_intent"] == session["payment_intent"]
    stored = await load_order(db, order["orderId"])
    assert stored.status == "cancelled" and (stored.refund_reference or "").startswith("re_")
    pieces = await piece_ids(db, order["orderId"])
    assert not any(r["key"] in pieces for r in partner.received)
