"""Live mail through Lob and Pingen (fake servers), in-process app, both databases.

Refusal → the order fails with the provider's reason and exactly one refund; 429 and 5xx
are retried and print once; forged, stale and unknown-piece webhooks change nothing; a
Pingen postcard is refused at quote and create time with nothing charged; the worker polls
pieces whose webhooks went quiet; pieces never move backwards.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import func, select

from domain.core.settings import Settings
from domain.persistence.db import Database
from domain.persistence.mail_models import PieceTracking, TrackingEvent
from domain.persistence.models import Order
from server.worker import run_once
from tests.api.payloads import NL_RECIPIENT, US_RECIPIENT
from tests.conftest import auth
from tests.support import fake_lob, fake_pingen
from tests.support.mail import (  # noqa: F401 - fixtures
    drain, fake_lob as lob, fake_pingen as pingen, lob_app, lob_client, lob_server, lob_settings, pingen_app,
    pingen_client, pingen_server, pingen_settings,
)
from tests.support.payments import fund, load_order, piece_ids, wallet_state

US_LETTERS = {"requestType": "letter", "letters": [
    {"recipient": {**US_RECIPIENT, "name": f"Reader {n}"}, "message": f"Letter {n}"} for n in range(2)]}
NL_LETTER = {"requestType": "letter", "letters": [{"recipient": NL_RECIPIENT, "message": "Dag Pieter"}]}
NL_POSTCARD = {"requestType": "postcard", "postcard": {"recipient": NL_RECIPIENT, "message": "Groeten"}}


async def _order(client: httpx.AsyncClient, account: dict, db: Database, body: dict) -> str:
    await fund(db, account["id"], "live", 10_000)
    response = await client.post("/v1/orders", json=body, headers=auth(account["live_key"]))
    assert response.status_code == 200, response.text
    return response.json()["orderId"]


async def _tracking(db: Database, order_id: str) -> list[tuple[str, int]]:
    async with db.read() as session:
        rows = (await session.execute(select(PieceTracking).where(PieceTracking.order_id == order_id))).scalars().all()
        out = []
        for row in rows:
            count = await session.scalar(select(func.count()).select_from(TrackingEvent)
                                         .where(TrackingEvent.piece_id == row.piece_id))
            out.append((row.status, int(count or 0)))
        return out


async def test_lob_refusal_fails_the_order_with_the_reason_and_refunds_once(
        lob_client: httpx.AsyncClient, lob_settings: Settings, account: dict, lob: fake_lob.FakeLob,
        db: Database) -> None:
    order_id = await _order(lob_client, account, db, US_LETTERS)
    pieces = await piece_ids(db, order_id)
    lob.refuse[pieces[0]] = "The to address does not meet your account's US Mail strictness setting."
    await drain(db, lob_settings, order_id)
    await run_once(db, lob_settings)  # another round must not refund again
    view = (await lob_client.get(f"/v1/orders/{order_id}", headers=auth(account["live_key"]))).json()
    assert view["status"] == "failed"
    assert "Lob refused the piece (422 failed_deliverability_strictness)" in view["error"]
    assert "strictness setting" in view["error"]
    assert [p["status"] for p in view["pieces"]] == ["failed", "failed"]
    balance, ledger, kinds = await wallet_state(db, account["id"], "live")
    assert balance == ledger == 10_000 and kinds == ["topup", "debit", "refund"]
    assert lob.print_count.get(pieces[0]) is None and lob.print_count.get(pieces[1]) is None
    assert not lob.problems


async def test_lob_rate_limit_and_outage_are_retried_and_print_once(
        lob_client: httpx.AsyncClient, lob_settings: Settings, account: dict, lob: fake_lob.FakeLob,
        db: Database) -> None:
    order_id = await _order(lob_client, account, db, US_LETTERS)
    pieces = await piece_ids(db, order_id)
    lob.rate_limited_for[pieces[0]] = 1
    lob.down_for[pieces[1]] = 1
    await drain(db, lob_settings, order_id)
    view = (await lob_client.get(f"/v1/orders/{order_id}", headers=auth(account["live_key"]))).json()
    assert view["status"] == "fulfilled"
    assert [lob.print_count[p] for p in pieces] == [1, 1]
    for piece, sent in zip(pieces, ([r["key"] for r in lob.requests_for(p)] for p in pieces), strict=True):
        assert sent == [piece, piece]  # the same Idempotency-Key on the retry
    request = lob.requests_for(pieces[0])[-1]
    assert request["fields"]["to[address_zip]"] == "62704" and request["fields"]["use_type"] == "operational"
    assert request["fields"]["address_placement"] == "insert_blank_page" and request["lob_version"] == "2024-01-01"
    assert request["files"]["file"][1] == "application/pdf"
    assert [(p["status"], p["provider"]) for p in view["pieces"]] == [("submitted", "lob")] * 2
    assert view["pieces"][0]["providerId"] == lob.object_for(pieces[0])["id"]
    assert view["pieces"][0]["expectedDeliveryDate"] == lob.object_for(pieces[0])["expected_delivery_date"]
    assert not lob.problems


async def test_forged_stale_and_unknown_lob_webhooks_change_nothing(
        lob_client: httpx.AsyncClient, lob_settings: Settings, account: dict, lob: fake_lob.FakeLob,
        db: Database) -> None:
    order_id = await _order(lob_client, account, db, {**US_LETTERS, "letters": US_LETTERS["letters"][:1]})
    await drain(db, lob_settings, order_id)
    letter = lob.object_for((await piece_ids(db, order_id))[0])
    forged, headers = fake_lob.signed_webhook("letter.delivered", letter, secret="not-the-secret")
    response = await lob_client.post("/v1/providers/lob/webhook", content=forged, headers=headers)
    assert response.status_code == 401 and response.json()["code"] == "invalid_signature"
    body, headers = fake_lob.signed_webhook("letter.delivered", letter)
    tampered = body.replace(b"letter.delivered", b"letter.returned_to_sender")
    assert (await lob_client.post("/v1/providers/lob/webhook", content=tampered, headers=headers)).status_code == 401
    old = int((datetime.now(UTC) - timedelta(minutes=10)).timestamp() * 1000)
    stale, headers = fake_lob.signed_webhook("letter.delivered", letter, timestamp_ms=old)
    response = await lob_client.post("/v1/providers/lob/webhook", content=stale, headers=headers)
    assert response.status_code == 400 and response.json()["code"] == "invalid_request"
    assert await _tracking(db, order_id) == [("submitted", 0)]
    unknown, headers = fake_lob.signed_webhook("letter.mailed", {**letter, "id": "ltr_unknown0000000"})
    response = await lob_client.post("/v1/providers/lob/webhook", content=unknown, headers=headers)
    assert response.status_code == 200 and response.json()["outcome"] == "ignored: unknown piece"
    assert await _tracking(db, order_id) == [("submitted", 0)]


async def test_pieces_move_forward_only_and_each_event_counts_once(
        lob_client: httpx.AsyncClient, lob_settings: Settings, account: dict, lob: fake_lob.FakeLob,
        db: Database) -> None:
    order_id = await _order(lob_client, account, db, {**US_LETTERS, "letters": US_LETTERS["letters"][:1]})
    await drain(db, lob_settings, order_id)
    letter = lob.object_for((await piece_ids(db, order_id))[0])
    start = datetime.now(UTC) - timedelta(days=3)
    delivered = fake_lob.signed_webhook("letter.delivered", letter, occurred_at=start + timedelta(days=2))
    transit = fake_lob.signed_webhook("letter.in_transit", letter, occurred_at=start + timedelta(days=1),
                                      event_id="evt_transit_once")
    outcomes = []
    for body, headers in (delivered, transit, transit):
        outcomes.append((await lob_client.post("/v1/providers/lob/webhook", content=body, headers=headers)).json())
    assert [o["outcome"] for o in outcomes] == ["moved", "recorded", "duplicate"]
    view = (await lob_client.get(f"/v1/orders/{order_id}", headers=auth(account["live_key"]))).json()
    piece = view["pieces"][0]
    assert piece["status"] == "delivered"  # the late in_transit did not move it back
    assert [e["type"] for e in piece["trackingEvents"]] == ["in_transit", "delivered"]


async def test_quiet_pieces_are_polled_from_the_provider(
        lob_client: httpx.AsyncClient, lob_settings: Settings, account: dict, lob: fake_lob.FakeLob,
        db: Database) -> None:
    order_id = await _order(lob_client, account, db, {**US_LETTERS, "letters": US_LETTERS["letters"][:1]})
    await drain(db, lob_settings, order_id)
    letter = lob.object_for((await piece_ids(db, order_id))[0])
    lob.add_tracking(letter["id"], "In Local Area", "62704", datetime.now(UTC) - timedelta(hours=3))
    await run_once(db, lob_settings)  # not quiet long enough yet: nothing asked
    assert await _tracking(db, order_id) == [("submitted", 0)]
    quiet = lob_settings.model_copy(update={"tracking_poll_quiet_seconds": 0.0})
    await run_once(db, quiet)
    await run_once(db, quiet)  # asking again records nothing twice
    view = (await lob_client.get(f"/v1/orders/{order_id}", headers=auth(account["live_key"]))).json()
    piece = view["pieces"][0]
    assert piece["status"] == "in_transit"
    assert [(e["type"], e["location"]) for e in piece["trackingEvents"]] == [("in_transit", "62704")]


async def test_lob_is_not_offered_letters_it_cannot_print(
        lob_client: httpx.AsyncClient, account: dict, db: Database) -> None:
    await fund(db, account["id"], "live", 10_000)
    response = await lob_client.post("/v1/quotes", json=NL_LETTER, headers=auth(account["live_key"]))
    assert response.status_code == 400 and response.json()["code"] == "unsupported_by_provider"
    test_mode = await lob_client.post("/v1/quotes", json=NL_LETTER, headers=auth(account["test_key"]))
    assert test_mode.status_code == 200  # test orders never leave, so every destination is fine


async def test_pingen_postcard_is_refused_at_quote_and_create_and_nothing_is_charged(
        pingen_client: httpx.AsyncClient, account: dict, db: Database) -> None:
    await fund(db, account["id"], "live", 10_000)
    key = auth(account["live_key"])
    quote = await pingen_client.post("/v1/quotes", json=NL_POSTCARD, headers=key)
    assert quote.status_code == 400, quote.text
    assert quote.json()["code"] == "unsupported_by_provider" and "Pingen" in quote.json()["error"]
    for path in ("/v1/orders", "/v1/checkout-links"):
        response = await pingen_client.post(path, json=NL_POSTCARD, headers={**key, "Idempotency-Key": path})
        assert response.status_code == 400 and response.json()["code"] == "unsupported_by_provider"
    balance, ledger, kinds = await wallet_state(db, account["id"], "live")
    assert balance == ledger == 10_000 and kinds == ["topup"]
    async with db.read() as session:
        assert await session.scalar(select(func.count()).select_from(Order).where(
            Order.account_id == account["id"])) == 0


async def test_pingen_refusal_fails_the_order_and_refunds_once(
        pingen_client: httpx.AsyncClient, pingen_settings: Settings, account: dict,
        pingen: fake_pingen.FakePingen, db: Database) -> None:
    order_id = await _order(pingen_client, account, db, NL_LETTER)
    piece = (await piece_ids(db, order_id))[0]
    pingen.refuse[piece] = "The address could not be found in the address window."
    await drain(db, pingen_settings, order_id)
    await run_once(db, pingen_settings)
    order = await load_order(db, order_id)
    assert order.status == "failed" and "Pingen refused the letter (422)" in (order.error or "")
    assert "address window" in (order.error or "")
    balance, ledger, kinds = await wallet_state(db, account["id"], "live")
    assert balance == ledger == 10_000 and kinds == ["topup", "debit", "refund"]
    assert not pingen.problems


async def test_pingen_rate_limit_is_retried_and_forged_webhook_changes_nothing(
        pingen_client: httpx.AsyncClient, pingen_settings: Settings, account: dict,
        pingen: fake_pingen.FakePingen, db: Database) -> None:
    order_id = await _order(pingen_client, account, db, NL_LETTER)
    piece = (await piece_ids(db, order_id))[0]
    pingen.rate_limited_for[piece] = 1
    await drain(db, pingen_settings, order_id)
    assert (await load_order(db, order_id)).status == "fulfilled"
    assert pingen.print_count[piece] == 1 and [r["key"] for r in pingen.requests_for(piece)] == [piece, piece]
    attributes = pingen.requests_for(piece)[-1]["payload"]["data"]["attributes"]
    assert attributes["auto_send"] is True and attributes["address_position"] == "left"
    assert attributes["delivery_product"] == "cheap" and attributes["print_spectrum"] == "grayscale"
    view = (await pingen_client.get(f"/v1/orders/{order_id}", headers=auth(account["live_key"]))).json()
    letter_id = view["pieces"][0]["providerId"]
    assert letter_id in pingen.letters and view["pieces"][0]["provider"] == "pingen"
    forged, headers = fake_pingen.signed_webhook("delivered", letter_id, code="delivered", name="Delivered",
                                                 secret="wrong")
    assert (await pingen_client.post("/v1/providers/pingen/webhook", content=forged, headers=headers)).status_code == 401
    stale, headers = fake_pingen.signed_webhook("delivered", letter_id, code="delivered", name="Delivered",
                                                created_at=datetime.now(UTC) - timedelta(days=30))
    assert (await pingen_client.post("/v1/providers/pingen/webhook", content=stale, headers=headers)).status_code == 400
    assert await _tracking(db, order_id) == [("submitted", 0)]


async def test_lob_postcard_goes_as_front_and_back_pdfs_at_lobs_size(
        lob_client: httpx.AsyncClient, lob_settings: Settings, account: dict, lob: fake_lob.FakeLob,
        db: Database) -> None:
    import io

    from pypdf import PdfReader

    from domain.adapters.lob import postcard_sides

    card = {"requestType": "postcard", "postcard": {"recipient": US_RECIPIENT, "message": "Greetings"}}
    order_id = await _order(lob_client, account, db, card)
    await drain(db, lob_settings, order_id)
    assert (await load_order(db, order_id)).status == "fulfilled"
    request = lob.requests_for((await piece_ids(db, order_id))[0])[0]
    assert request["kind"] == "postcard" and request["fields"]["size"] == "4x6"
    assert {name: meta[1] for name, meta in request["files"].items()} == {"front": "application/pdf",
                                                                         "back": "application/pdf"}
    proof = (await lob_client.get(f"/v1/orders/{order_id}/proof", headers=auth(account["live_key"]))).content
    front, back = postcard_sides(proof, "4x6")
    for side in (front, back):
        page = PdfReader(io.BytesIO(side)).pages[0]
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (450, 306)  # 6.25 x 4.25 in
    assert not lob.problems


async def test_cancel_while_the_provider_allows_and_polling_sees_it(
        lob_client: httpx.AsyncClient, lob_settings: Settings, pingen_client: httpx.AsyncClient,
        pingen_settings: Settings, account: dict, lob: fake_lob.FakeLob, pingen: fake_pingen.FakePingen,
        db: Database) -> None:
    from domain.adapters.lob import LobProvider
    from domain.adapters.pingen import PingenProvider

    cases = ((lob_client, lob_settings, LobProvider, {**US_LETTERS, "letters": US_LETTERS["letters"][:1]}),
             (pingen_client, pingen_settings, PingenProvider, NL_LETTER))
    for client, settings, adapter_class, body in cases:
        order_id = await _order(client, account, db, body)
        await drain(db, settings, order_id)
        reference = (await client.get(f"/v1/orders/{order_id}", headers=auth(account["live_key"]))).json()[
            "pieces"][0]["providerId"]
        adapter = adapter_class(settings)
        try:
            assert await adapter.cancel(reference) is True
            if adapter_class is PingenProvider:
                pingen.set_status(reference, "sent")  # once posted, Pingen no longer cancels
                assert await adapter.cancel(reference) is False
                pingen.set_status(reference, "cancelled")
        finally:
            await adapter.aclose()
        await run_once(db, settings.model_copy(update={"tracking_poll_quiet_seconds": 0.0}))
        view = (await client.get(f"/v1/orders/{order_id}", headers=auth(account["live_key"]))).json()
        assert view["pieces"][0]["status"] == "provider_cancelled", view["pieces"]
    assert not lob.problems and not pingen.problems


async def test_a_provider_timeout_is_retried_with_the_same_key_and_prints_once(
        lob_client: httpx.AsyncClient, lob_settings: Settings, account: dict, lob: fake_lob.FakeLob,
        db: Database) -> None:
    order_id = await _order(lob_client, account, db, {**US_LETTERS, "letters": US_LETTERS["letters"][:1]})
    piece = (await piece_ids(db, order_id))[0]
    lob.hold_key = piece  # Lob creates the letter, then never answers the first request
    try:
        await drain(db, lob_settings.model_copy(update={"fulfillment_timeout_seconds": 0.5}), order_id)
    finally:
        lob.release.set()
    assert (await load_order(db, order_id)).status == "fulfilled"
    assert lob.print_count[piece] == 1
    assert [r["key"] for r in lob.requests_for(piece)] == [piece, piece]
    async with db.read() as session:
        reference = await session.scalar(select(PieceTracking.provider_ref).where(PieceTracking.piece_id == piece))
    assert reference == lob.object_for(piece)["id"]


def test_a_half_configured_provider_refuses_to_start(lob_settings: Settings) -> None:
    import pytest

    from domain.core.errors import Misconfigured
    from server.app import check_settings

    check_settings(lob_settings)
    for change, named in (({"lob_api_key": ""}, "PIETERPOST_LOB_API_KEY"),
                          ({"lob_use_type": "junk-mail"}, "PIETERPOST_LOB_USE_TYPE"),
                          ({"fulfillment_provider": "carrier-pigeon"}, "PIETERPOST_FULFILLMENT_PROVIDER"),
                          ({"fulfillment_provider": "pingen"}, "PIETERPOST_PINGEN_CLIENT_ID")):
        with pytest.raises(Misconfigured, match=named):
            check_settings(lob_settings.model_copy(update=change))
