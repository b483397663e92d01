"""Stripe webhook signature and the event filter at the domain level (docs/payments.md § Webhook).

``verify`` accepts an event only if Stripe signed exactly these bytes with our secret within
the 5-minute tolerance; ``apply_event`` records each event id once and ignores events that are
not ours. The paid/expired/failed paths against real orders are in tests/api/test_stripe_checkout.py.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from domain.core.errors import InvalidRequest, Misconfigured
from domain.core.settings import Settings
from domain.payments.stripe_webhooks import TOLERANCE_SECONDS, apply_event, verify
from domain.persistence.db import Database
from domain.persistence.models import StripeEvent

SECRET = "whsec_domain_test"
SETTINGS = Settings(stripe_webhook_secret=SECRET)


def _event(kind: str = "checkout.session.completed", obj: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"id": f"evt_{uuid.uuid4().hex[:16]}", "type": kind,
            "data": {"object": obj if obj is not None else {"object": "checkout.session", "id": "cs_1"}}}


def _sign(body: bytes, *, secret: str = SECRET, at: int | None = None) -> str:
    ts = int(time.time()) if at is None else at
    return f"t={ts},v1=" + hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()


def _refused(body: bytes, header: str | None) -> str:
    with pytest.raises(InvalidRequest) as exc:
        verify(body, header, SETTINGS)
    return exc.value.message


def test_a_signed_event_is_returned() -> None:
    event = _event()
    body = json.dumps(event).encode()
    assert verify(body, _sign(body), SETTINGS) == event


def test_wrong_secret_tampered_body_and_missing_header_are_refused() -> None:
    body = json.dumps(_event()).encode()
    assert "does not match" in _refused(body, _sign(body, secret="whsec_other"))
    assert "does not match" in _refused(body.replace(b"cs_1", b"cs_2"), _sign(body))
    assert "does not match" in _refused(body, None)
    assert "does not match" in _refused(body, "")


def test_one_good_signature_among_several_is_enough() -> None:
    body = json.dumps(_event()).encode()
    good = _sign(body)
    ts, v1 = good.split(",")
    assert verify(body, f"{ts},v1={'0' * 64},{v1}", SETTINGS)["data"]["object"]["id"] == "cs_1"
    assert "does not match" in _refused(body, f"{ts},v1={'0' * 64},v0={v1[3:]}")


def test_timestamps_beyond_the_tolerance_are_refused() -> None:
    body = json.dumps(_event()).encode()
    assert TOLERANCE_SECONDS == 300
    assert verify(body, _sign(body, at=int(time.time()) - TOLERANCE_SECONDS + 5), SETTINGS)
    assert "does not match" in _refused(body, _sign(body, at=int(time.time()) - TOLERANCE_SECONDS - 5))


def test_without_a_secret_the_server_is_misconfigured() -> None:
    body = json.dumps(_event()).encode()
    with pytest.raises(Misconfigured):
        verify(body, _sign(body), Settings(stripe_webhook_secret=""))


@pytest.mark.parametrize("body", [b"\xff\xfe not utf-8", b"{not json"])
def test_signed_bytes_that_are_not_json_are_refused(body: bytes) -> None:
    assert "does not match" in _refused(body, _sign(body))


@pytest.mark.parametrize("event", [
    [1, 2], {"type": "x", "data": {"object": {}}}, {"id": 1, "type": "x", "data": {"object": {}}},
    {"id": "evt", "type": None, "data": {"object": {}}}, {"id": "evt", "type": "x", "data": []},
    {"id": "evt", "type": "x"}, {"id": "evt", "type": "x", "data": {"object": "cs"}},
])
def test_signed_json_that_is_not_a_stripe_event_is_refused(event: Any) -> None:
    body = json.dumps(event).encode()
    assert "not a Stripe event" in _refused(body, _sign(body))


@pytest.mark.parametrize(("event", "outcome"), [
    (_event("customer.created"), "ignored: not handled"),
    (_event(obj={"object": "payment_intent", "id": "pi_1"}), "ignored: not handled"),
    (_event(obj={"object": "checkout.session", "id": "cs_1"}), "ignored: no PieterPost metadata"),
    (_event(obj={"object": "checkout.session", "id": "cs_1", "metadata": "orderId"}), "ignored: no PieterPost metadata"),
    (_event(obj={"object": "checkout.session", "id": "cs_1", "metadata": {"orderId": 5}}),
     "ignored: no PieterPost metadata"),
    (_event(obj={"object": "checkout.session", "id": "cs_1", "metadata": {"orderId": "ord_nope"}}),
     "ignored: unknown order session"),
    (_event("checkout.session.expired", {"object": "checkout.session", "id": "cs_1", "metadata": {"topupId": "top_nope"}}),
     "ignored: unknown top-up session"),
])
async def test_events_that_are_not_ours_are_recorded_once_and_ignored(db: Database, event: dict[str, Any],
                                                                      outcome: str) -> None:
    event = {**event, "id": f"evt_{uuid.uuid4().hex[:16]}"}
    assert await apply_event(db, SETTINGS, event) == outcome
    assert await apply_event(db, SETTINGS, event) == "duplicate"
    async with db.read() as session:
        stored = (await session.execute(select(StripeEvent).where(StripeEvent.id == event["id"]))).scalar_one()
    assert stored.type == event["type"]


async def test_an_event_type_is_stored_cut_to_its_80_character_column(db: Database) -> None:
    """The ``type`` column holds 80 characters: a longer type is stored as its first 80, no fewer."""
    event = _event("x" * 85)
    assert await apply_event(db, SETTINGS, event) == "ignored: not handled"
    async with db.read() as session:
        stored = (await session.execute(select(StripeEvent).where(StripeEvent.id == event["id"]))).scalar_one()
    assert stored.type == "x" * 80


async def test_a_delivery_racing_an_open_one_for_the_same_event_is_a_duplicate(db: Database) -> None:
    """While another delivery of the event holds its id uncommitted, this one must end ``duplicate``.

    On PostgreSQL its insert of the id waits on the primary key and fails once the other
    commits (the ``except IntegrityError`` path); SQLite queues writers, so there it finds the id.
    """
    event = _event("customer.created")
    recorded = asyncio.Event()

    async def other_delivery() -> None:
        async with db.transaction() as session:
            session.add(StripeEvent(id=event["id"], type=event["type"]))
            await session.flush()
            recorded.set()
            await asyncio.sleep(1.0)  # uncommitted while this delivery arrives

    async def this_delivery() -> str:
        await recorded.wait()
        return await apply_event(db, SETTINGS, event)

    _, outcome = await asyncio.gather(other_delivery(), this_delivery())
    assert outcome == "duplicate"
