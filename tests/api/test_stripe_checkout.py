"""Live hosted checkout and top-ups against a fake Stripe that checks what the real library sends.

Must show (issue 5, item 2): the session request (method, path, payment method types per
``paymentMethod``, amount, currency, metadata, expiry, idempotency header); a signed
``checkout.session.completed`` pays the order and it reaches ``fulfilled``; a forged
signature is a 400 that changes nothing; the same event twice applies once; a live top-up
is credited once.
"""
from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import func, select

from domain.persistence.db import Database
from domain.persistence.models import OrderEvent, StripeEvent
from server.worker import run_once
from tests.api.payloads import CHECKOUT_LETTER, NL_RECIPIENT, TOPUP, fresh
from tests.conftest import auth
from tests.support.fake_partner import FakePartner
from tests.support.fake_stripe import FakeStripe, signed_event
from tests.support.payments import (  # noqa: F401 - fixtures
    BASE, live_app, live_client, live_settings, load_order, partner, partner_server, piece_ids, stripe_server,
    wallet_state,
)

POSTCARD = {"requestType": "postcard", "locale": "nl", "returnUrl": "https://shop.example/back?ref=7",
            "postcard": {"message": "Groeten\nuit Amsterdam", "recipients": [NL_RECIPIENT, NL_RECIPIENT]}}


async def _checkout(client: httpx.AsyncClient, key: str, body: dict, idem: str | None = None) -> dict:
    headers = auth(key, **({"Idempotency-Key": idem} if idem else {}))
    response = await client.post("/v1/checkout-links", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_live_checkout_session_request_is_what_stripe_expects(
        live_client: httpx.AsyncClient, account: dict, stripe_server: FakeStripe, db: Database) -> None:
    order = await _checkout(live_client, account["live_key"], POSTCARD, idem="pc-1")
    call = stripe_server.creates()[-1]
    params = call.params
    assert (call.method, call.path) == ("POST", "/v1/checkout/sessions")
    assert params["mode"] == "payment"
    assert params["payment_method_types"] == ["card", "ideal"]  # auto + EUR
    assert params["line_items"] == [{"quantity": "2", "price_data": {
        "currency": "eur", "unit_amount": "250", "product_data": {"name": "Postcard"}}}]
    assert params["metadata"]["orderId"] == order["orderId"]
    assert params["payment_intent_data"]["metadata"]["orderId"] == order["orderId"]
    assert params["client_reference_id"] == order["orderId"]
    stored = await load_order(db, order["orderId"])
    assert int(params["expires_at"]) == int(stored.expires_at.timestamp())
    assert (stored.expires_at - stored.created_at).total_seconds() == 24 * 3600
    assert call.headers["idempotency-key"] == f"pieterpost-order-{order['orderId']}"
    assert params["success_url"] == "https://shop.example/back?ref=7&checkout=success"
    assert params["cancel_url"].startswith(f"{BASE}/pay/{order['orderId']}/cancel?sig=")
    assert params["locale"] == "nl"
    assert not stripe_server.problems
    session = stripe_server.sessions[stored.stripe_session_id]
    assert order["status"] == "checkout_open" and order["amountCents"] == 500 == session["amount_total"]
    assert order["checkoutUrl"] == session["url"]
    assert order["publicCheckoutUrl"] == f"{BASE}/pay/{order['orderId']}"
    redirect = await live_client.get(f"/pay/{order['orderId']}")
    assert redirect.status_code == 303 and redirect.headers["location"] == session["url"]
    again = await live_client.post("/v1/checkout-links", json=POSTCARD,
                                   headers=auth(account["live_key"], **{"Idempotency-Key": "pc-1"}))
    assert again.json() == order and len(stripe_server.creates()) == stripe_server.creates().index(call) + 1


async def test_payment_method_choices(live_client: httpx.AsyncClient, account: dict,
                                      stripe_server: FakeStripe) -> None:
    key = account["live_key"]
    for method, expected in (("card", ["card"]), ("ideal", ["ideal"]), ("auto", ["card", "ideal"])):
        await _checkout(live_client, key, {**fresh(CHECKOUT_LETTER), "paymentMethod": method})
        assert stripe_server.creates()[-1].params["payment_method_types"] == expected
    topup = await live_client.post("/v1/credits/topups", json={"amountCents": 1000, "currency": "usd"},
                                   headers=auth(key))
    assert topup.status_code == 200, topup.text
    assert stripe_server.creates()[-1].params["payment_method_types"] == ["card"]  # auto + USD
    refused = await live_client.post("/v1/credits/topups", json={"amountCents": 1000, "currency": "usd",
                                                                 "paymentMethod": "ideal"}, headers=auth(key))
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_request"
    assert not stripe_server.problems


async def test_signed_completed_event_pays_and_order_is_fulfilled(
        live_client: httpx.AsyncClient, live_settings, account: dict, stripe_server: FakeStripe,
        partner: FakePartner, db: Database) -> None:
    order = await _checkout(live_client, account["live_key"], POSTCARD)
    stored = await load_order(db, order["orderId"])
    body, headers = signed_event("checkout.session.completed", stripe_server.complete(stored.stripe_session_id))
    response = await live_client.post("/v1/stripe/webhook", content=body, headers=headers)
    assert response.status_code == 200 and response.json()["outcome"] == "applied"
    paid = (await live_client.get(f"/v1/orders/{order['orderId']}", headers=auth(account["live_key"]))).json()
    assert paid["status"] == "paid" and paid["paidAt"] is not None
    assert paid["paymentReference"] == stripe_server.sessions[stored.stripe_session_id]["payment_intent"]
    await run_once(db, live_settings)
    done = (await live_client.get(f"/v1/orders/{order['orderId']}", headers=auth(account["live_key"]))).json()
    assert done["status"] == "fulfilled" and done["fulfilledAt"] is not None
    pieces = await piece_ids(db, order["orderId"])
    assert all(partner.print_count.get(p) == 1 for p in pieces)
    sent = [r for r in partner.received if r["key"] in pieces]
    assert [r["metadata"]["address"][0] for r in sent] == ["Pieter Example", "Pieter Example"]
    assert not partner.problems


async def test_forged_signature_is_refused_and_changes_nothing(
        live_client: httpx.AsyncClient, account: dict, stripe_server: FakeStripe, db: Database) -> None:
    order = await _checkout(live_client, account["live_key"], POSTCARD)
    stored = await load_order(db, order["orderId"])
    session = stripe_server.complete(stored.stripe_session_id)
    forged_body, forged_headers = signed_event("checkout.session.completed", session, secret="whsec_attacker")
    good_body, good_headers = signed_event("checkout.session.completed", session)
    attempts = [
        (forged_body, forged_headers),
        (good_body.replace(b'"paid"', b'"paid" '), good_headers),  # body changed after signing
        (good_body, {"Content-Type": "application/json"}),  # unsigned
        (good_body, {**good_headers, "Stripe-Signature": good_headers["Stripe-Signature"].replace("v1=", "v0=")}),
    ]
    for body, headers in attempts:
        response = await live_client.post("/v1/stripe/webhook", content=body, headers=headers)
        assert response.status_code == 400 and response.json()["code"] == "invalid_request"
    stale_body, stale_headers = signed_event("checkout.session.completed", session, timestamp=1_600_000_000)
    assert (await live_client.post("/v1/stripe/webhook", content=stale_body, headers=stale_headers)).status_code == 400
    after = await load_order(db, order["orderId"])
    assert after.status == "checkout_open" and after.paid_at is None and after.payment_reference is None
    async with db.read() as s:
        assert await s.scalar(select(func.count()).select_from(StripeEvent).where(
            StripeEvent.id == __import__("json").loads(forged_body)["id"])) == 0


async def test_same_event_twice_applies_once(live_client: httpx.AsyncClient, account: dict,
                                             stripe_server: FakeStripe, db: Database) -> None:
    order = await _checkout(live_client, account["live_key"], fresh(CHECKOUT_LETTER))
    stored = await load_order(db, order["orderId"])
    body, headers = signed_event("checkout.session.completed", stripe_server.complete(stored.stripe_session_id))
    first, second = await asyncio.gather(*(live_client.post("/v1/stripe/webhook", content=body, headers=headers)
                                           for _ in range(2)))
    assert {first.json()["outcome"], second.json()["outcome"]} == {"applied", "duplicate"}
    third = await live_client.post("/v1/stripe/webhook", content=body, headers=headers)
    assert third.status_code == 200 and third.json()["outcome"] == "duplicate"
    async with db.read() as s:
        paid_events = await s.scalar(select(func.count()).select_from(OrderEvent).where(
            OrderEvent.order_id == order["orderId"], OrderEvent.status == "paid"))
    assert paid_events == 1


async def test_live_topup_is_pending_then_credited_once(
        live_client: httpx.AsyncClient, account: dict, stripe_server: FakeStripe, db: Database) -> None:
    key = account["live_key"]
    created = await live_client.post("/v1/credits/topups", json=TOPUP, headers=auth(key, **{"Idempotency-Key": "t1"}))
    topup = created.json()
    assert created.status_code == 200 and topup["status"] == "pending" and topup["testMode"] is False
    call = stripe_server.creates()[-1]
    assert call.params["metadata"]["topupId"] == topup["topupId"]
    assert call.params["line_items"][0]["price_data"]["unit_amount"] == "2500"
    assert call.headers["idempotency-key"] == f"pieterpost-topup-{topup['topupId']}"
    assert call.params["success_url"] == "https://example.com/topups/return?topup=success"
    assert topup["checkoutUrl"] == stripe_server.sessions[topup["checkoutUrl"].rsplit("/", 1)[-1]]["url"]
    session_id = topup["checkoutUrl"].rsplit("/", 1)[-1]
    # an iDEAL-style payment: completed but unpaid first, then the asynchronous success
    pending = stripe_server.complete(session_id, payment_status="unpaid")
    body, headers = signed_event("checkout.session.completed", pending)
    assert (await live_client.post("/v1/stripe/webhook", content=body, headers=headers)).json()["outcome"] \
        == "awaiting asynchronous payment"
    assert (await live_client.get(f"/v1/credits/topups/{topup['topupId']}", headers=auth(key))).json()["status"] \
        == "pending"
    body, headers = signed_event("checkout.session.async_payment_succeeded", stripe_server.complete(session_id))
    for _ in range(3):
        assert (await live_client.post("/v1/stripe/webhook", content=body, headers=headers)).status_code == 200
    paid = (await live_client.get(f"/v1/credits/topups/{topup['topupId']}", headers=auth(key))).json()
    assert paid["status"] == "paid" and paid["wallet"]["balanceCents"] == 2500 and paid["checkoutUrl"] is None
    balance, ledger, kinds = await wallet_state(db, account["id"], "live")
    assert balance == ledger == 2500 and kinds == ["topup"]
    listed = (await live_client.get("/v1/credits/topups", headers=auth(key))).json()["data"]
    assert [t["topupId"] for t in listed] == [topup["topupId"]]


async def test_failed_and_expired_sessions(live_client: httpx.AsyncClient, account: dict,
                                           stripe_server: FakeStripe, db: Database) -> None:
    key = account["live_key"]
    failed = await _checkout(live_client, key, fresh(CHECKOUT_LETTER))
    session = stripe_server.complete((await load_order(db, failed["orderId"])).stripe_session_id, payment_status="unpaid")
    body, headers = signed_event("checkout.session.async_payment_failed", session)
    await live_client.post("/v1/stripe/webhook", content=body, headers=headers)
    view = (await live_client.get(f"/v1/orders/{failed['orderId']}", headers=auth(key))).json()
    assert view["status"] == "failed" and "did not complete" in view["error"]
    expired = await _checkout(live_client, key, fresh(CHECKOUT_LETTER))
    session = dict(stripe_server.sessions[(await load_order(db, expired["orderId"])).stripe_session_id],
                   status="expired")
    body, headers = signed_event("checkout.session.expired", session)
    await live_client.post("/v1/stripe/webhook", content=body, headers=headers)
    assert (await live_client.get(f"/v1/orders/{expired['orderId']}", headers=auth(key))).json()["status"] == "expired"
    # a paid event for another session id than the order's is not trusted
    other = await _checkout(live_client, key, fresh(CHECKOUT_LETTER))
    body, headers = signed_event("checkout.session.completed", {**stripe_server.complete(
        (await load_order(db, other["orderId"])).stripe_session_id), "id": "cs_test_someone_else"})
    assert (await live_client.post("/v1/stripe/webhook", content=body, headers=headers)).json()["outcome"].startswith(
        "ignored")
    assert (await load_order(db, other["orderId"])).status == "checkout_open"


async def test_payer_cancel_link_closes_the_session(live_client: httpx.AsyncClient, account: dict,
                                                    stripe_server: FakeStripe, db: Database) -> None:
    order = await _checkout(live_client, account["live_key"], POSTCARD)
    cancel_url = stripe_server.creates()[-1].params["cancel_url"].removeprefix(BASE)
    assert (await live_client.get(cancel_url.replace("sig=", "sig=0"))).status_code == 404
    response = await live_client.get(cancel_url)
    assert response.status_code == 303
    assert response.headers["location"] == "https://shop.example/back?ref=7&checkout=cancelled"
    stored = await load_order(db, order["orderId"])
    assert stored.status == "cancelled"
    assert stripe_server.sessions[stored.stripe_session_id]["status"] == "expired"
    assert stripe_server.calls[-1].path == f"/v1/checkout/sessions/{stored.stripe_session_id}/expire"
    page = await live_client.get(f"/pay/{order['orderId']}", follow_redirects=True)
    assert "geannuleerd" in page.text and "ansichtkaarten" in page.text


async def test_api_cancel_of_open_live_checkout_expires_the_session(
        live_client: httpx.AsyncClient, account: dict, stripe_server: FakeStripe, db: Database) -> None:
    key = account["live_key"]
    order = await _checkout(live_client, key, fresh(CHECKOUT_LETTER))
    stored = await load_order(db, order["orderId"])
    response = await live_client.post(f"/v1/orders/{order['orderId']}/cancel", headers=auth(key))
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert stripe_server.sessions[stored.stripe_session_id]["status"] == "expired"
    # paid meanwhile: Stripe refuses to expire a complete session, so the cancel is refused
    paid = await _checkout(live_client, key, fresh(CHECKOUT_LETTER))
    stripe_server.complete((await load_order(db, paid["orderId"])).stripe_session_id)
    refused = await live_client.post(f"/v1/orders/{paid['orderId']}/cancel", headers=auth(key))
    assert refused.status_code == 409 and refused.json()["code"] == "not_cancellable"
    assert (await load_order(db, paid["orderId"])).status == "checkout_open"


async def test_topup_without_return_url_lands_on_hosted_pages(
        live_client: httpx.AsyncClient, account: dict, stripe_server: FakeStripe) -> None:
    key = account["live_key"]
    topup = (await live_client.post("/v1/credits/topups", json={"amountCents": 700}, headers=auth(key))).json()
    params = stripe_server.creates()[-1].params
    assert params["success_url"] == f"{BASE}/topups/{topup['topupId']}/return?topup=success"
    assert topup["amountCents"] == 700
    page = await live_client.get(params["success_url"].removeprefix(BASE))
    assert page.status_code == 200 and "Confirming your payment" in page.text  # webhook not here yet
    cancel = await live_client.get(params["cancel_url"].removeprefix(BASE))
    assert cancel.status_code == 303
    assert cancel.headers["location"] == f"{BASE}/topups/{topup['topupId']}/return?topup=cancelled"
    session_id = topup["checkoutUrl"].rsplit("/", 1)[-1]
    assert stripe_server.sessions[session_id]["status"] == "expired"
    got = (await live_client.get(f"/v1/credits/topups/{topup['topupId']}", headers=auth(key))).json()
    assert got["status"] == "cancelled" and got["checkoutUrl"] is None
    assert "Top-up cancelled" in (await live_client.get(cancel.headers["location"].removeprefix(BASE))).text


async def test_stripe_refusing_the_session_creates_nothing(
        live_client: httpx.AsyncClient, account: dict, stripe_server: FakeStripe) -> None:
    key = account["live_key"]
    before = (await live_client.get("/v1/orders", headers=auth(key))).json()["data"]
    stripe_server.refuse_creates = 1
    response = await live_client.post("/v1/checkout-links", json=fresh(CHECKOUT_LETTER),
                                      headers=auth(key, **{"Idempotency-Key": "refused-once"}))
    assert response.status_code == 502 and response.json()["code"] == "unknown_error"
    assert (await live_client.get("/v1/orders", headers=auth(key))).json()["data"] == before  # rolled back
    retry = await live_client.post("/v1/checkout-links", json=fresh(CHECKOUT_LETTER),
                                   headers=auth(key, **{"Idempotency-Key": "refused-once"}))
    assert retry.status_code == 200 and retry.json()["status"] == "checkout_open"


async def test_payment_for_a_closed_order_is_refunded(
        live_client: httpx.AsyncClient, live_settings, account: dict, stripe_server: FakeStripe,
        db: Database) -> None:
    order = await _checkout(live_client, account["live_key"], fresh(CHECKOUT_LETTER))
    stored = await load_order(db, order["orderId"])
    await live_client.post(f"/v1/orders/{order['orderId']}/cancel", headers=auth(account["live_key"]))
    late = {**stripe_server.sessions[stored.stripe_session_id], "status": "complete", "payment_status": "paid",
            "payment_intent": "pi_raced_the_cancel"}  # Stripe completed it just before our cancel landed
    body, headers = signed_event("checkout.session.completed", late)
    outcome = (await live_client.post("/v1/stripe/webhook", content=body, headers=headers)).json()["outcome"]
    assert outcome == "ignored: order is cancelled"
    await run_once(db, live_settings)
    refunds = [c for c in stripe_server.creates("/v1/refunds") if c.params["metadata"]["orderId"] == order["orderId"]]
    assert [c.params["payment_intent"] for c in refunds] == ["pi_raced_the_cancel"]
    after = await load_order(db, order["orderId"])
    assert after.status == "cancelled" and (after.refund_reference or "").startswith("re_")
