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
from sqlalchemy import select, text

from domain.core.errors import InvalidRequest, Misconfigured
from domain.core.settings import Settings
from domain.payments.stripe_webhooks import TOLERANCE_SECONDS, apply_event, verify
from domain.persistence.db import Database
from domain.persistence.models import Order, StripeEvent, Topup

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
    (_event(obj={"object": "charge", "id": "ch_1"}), "ignored: not handled"),  # sorts before checkout.session
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


COMPLETED = "checkout.session.completed"
FAILED = "checkout.session.async_payment_failed"
EXPIRED = "checkout.session.expired"


async def _topup(db: Database, account_id: str, *, mode: str = "live", session_id: str = "cs_topup_m",
                 amount: int = 1000, currency: str = "eur") -> str:
    """A pending top-up waiting for its Stripe session, as create_topup leaves a live one."""
    topup_id = f"topup_{uuid.uuid4().hex[:16]}"
    async with db.transaction() as session:
        session.add(Topup(id=topup_id, account_id=account_id, mode=mode, currency=currency, amount_cents=amount,
                          status="pending", stripe_session_id=session_id))
    return topup_id


def _session_event(kind: str, topup_id: str, *, session_id: str = "cs_topup_m", amount: int = 1000,
                   currency: str = "eur", key: str = "topupId") -> dict[str, Any]:
    """As Stripe sends it, through JSON (so the type is not the module's own string object)."""
    obj = {"object": "checkout.session", "id": session_id, "payment_status": "paid", "amount_total": amount,
           "currency": currency, "metadata": {key: topup_id}}
    return json.loads(json.dumps(_event(kind, obj)))


async def _status(db: Database, model: type[Topup] | type[Order], object_id: str) -> str:
    async with db.read() as session:
        row = await session.get(model, object_id)
        assert row is not None
        return row.status


async def test_a_matching_paid_session_credits_the_top_up(db: Database, account: dict[str, str]) -> None:
    """The baseline for the refusals below: the exact amount and currency are applied."""
    topup_id = await _topup(db, account["id"])
    assert await apply_event(db, SETTINGS, _session_event(COMPLETED, topup_id)) == "applied"
    assert await _status(db, Topup, topup_id) == "paid"


async def _ignored_and_still_pending(db: Database, topup_id: str, event: dict, why: str) -> None:
    """The event is refused for ``why`` and the top-up still waits for its payment."""
    assert await apply_event(db, SETTINGS, event) == why
    assert await _status(db, Topup, topup_id) == "pending"


@pytest.mark.parametrize("paid", [999, 1001])
async def test_an_underpaid_or_overpaid_session_is_not_applied(db: Database, account: dict[str, str],
                                                               paid: int) -> None:
    """One cent less (or more) than the top-up's amount must not credit the wallet."""
    topup_id = await _topup(db, account["id"], amount=1000)
    event = _session_event(COMPLETED, topup_id, amount=paid)
    await _ignored_and_still_pending(db, topup_id, event, "ignored: amount mismatch")


@pytest.mark.parametrize("paid_in", ["chf", "usd"])  # sorting before and after eur
async def test_a_session_paid_in_another_currency_is_refused(db: Database, account: dict[str, str],
                                                             paid_in: str) -> None:
    """The same number of cents in another currency is not the top-up's money."""
    topup_id = await _topup(db, account["id"], currency="eur")
    event = _session_event(COMPLETED, topup_id, currency=paid_in)
    await _ignored_and_still_pending(db, topup_id, event, "ignored: amount mismatch")


@pytest.mark.parametrize(("kind", "status"), [(FAILED, "failed"), (EXPIRED, "expired")])
async def test_a_top_up_tells_a_failed_payment_from_an_expired_session(db: Database, account: dict[str, str],
                                                                       kind: str, status: str) -> None:
    """Each closing event closes the top-up with its own status, reported as applied once."""
    topup_id = await _topup(db, account["id"])
    assert await apply_event(db, SETTINGS, _session_event(kind, topup_id)) == "applied"
    assert await _status(db, Topup, topup_id) == status
    again = _session_event(kind, topup_id)
    assert await apply_event(db, SETTINGS, again) == f"ignored: top-up is {status}"


@pytest.mark.parametrize("other_session", ["cs_topup_a", "cs_topup_z"])  # sorting before and after cs_topup_m
async def test_a_top_up_is_not_applied_from_another_stripe_session(db: Database, account: dict[str, str],
                                                                   other_session: str) -> None:
    """The metadata names our top-up, but the session is not the one we opened for it."""
    topup_id = await _topup(db, account["id"], session_id="cs_topup_m")
    event = _session_event(COMPLETED, topup_id, session_id=other_session)
    await _ignored_and_still_pending(db, topup_id, event, "ignored: unknown top-up session")


async def test_a_test_mode_top_up_is_never_settled_through_stripe(db: Database, account: dict[str, str]) -> None:
    """Test mode pays through the sandbox; a Stripe event naming a test top-up changes nothing."""
    topup_id = await _topup(db, account["id"], mode="test")
    event = _session_event(COMPLETED, topup_id)
    await _ignored_and_still_pending(db, topup_id, event, "ignored: unknown top-up session")


async def _open_order(db: Database, account_id: str, *, mode: str) -> str:
    """An order waiting in its hosted checkout for Stripe session ``cs_order_m``."""
    order_id = f"ord_{uuid.uuid4().hex[:16]}"
    async with db.transaction() as session:
        session.add(Order(id=order_id, account_id=account_id, order_ref=str(uuid.uuid4()), mode=mode,
                          request_type="letter", billing_mode="hosted_checkout", status="checkout_open",
                          amount_cents=1000, currency="eur", recipient_count=1, stripe_session_id="cs_order_m"))
    return order_id


async def test_a_test_mode_order_is_never_settled_through_stripe(db: Database, account: dict[str, str]) -> None:
    """A test-mode order with an open checkout is closed by the sandbox only, never by a Stripe event."""
    order_id = await _open_order(db, account["id"], mode="test")
    event = _session_event(EXPIRED, order_id, session_id="cs_order_m", key="orderId")
    assert await apply_event(db, SETTINGS, event) == "ignored: unknown order session"
    assert await _status(db, Order, order_id) == "checkout_open"


@pytest.mark.parametrize("other_session", ["cs_order_a", "cs_order_z"])  # sorting before and after cs_order_m
async def test_an_order_is_not_closed_from_another_stripe_session(db: Database, account: dict[str, str],
                                                                  other_session: str) -> None:
    """The metadata names our live order, but the session is not the one we opened for it."""
    order_id = await _open_order(db, account["id"], mode="live")
    event = _session_event(EXPIRED, order_id, session_id=other_session, key="orderId")
    assert await apply_event(db, SETTINGS, event) == "ignored: unknown order session"
    assert await _status(db, Order, order_id) == "checkout_open"
    own = _session_event(EXPIRED, order_id, session_id="cs_order_m", key="orderId")
    assert await apply_event(db, SETTINGS, own) == "applied"
    assert await _status(db, Order, order_id) == "expired"


# Two different events for one order or top-up at once (PostgreSQL only: SQLite queues writers, so two
# deliveries never overlap there). The test holds the rows locked, starts each delivery, waits until
# PostgreSQL reports it blocked on a lock, and only then lets them all go: without the delivery's own
# row lock both would have read the row as it was before either acted on it.

_BLOCKED = text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND cardinality(pg_blocking_pids(pid)) > 0")


async def _blocked_backends(db: Database, count: int) -> None:
    """Wait until ``count`` connections wait on a lock; fail (not hang) if they never do."""
    for _ in range(600):
        async with db.read_connection() as conn:
            if await conn.scalar(_BLOCKED) == count:
                return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{count} deliveries never waited on the held rows")


async def _deliver_behind_held_rows(db: Database, held: list[Any], events: list[dict[str, Any]]) -> list[str]:
    """Apply ``events`` concurrently, each one queued behind the rows ``held`` (statements selecting
    them ``FOR UPDATE``) in the given order, then release the rows; the outcomes in that order."""
    deliveries: list[asyncio.Task[str]] = []
    try:
        async with db.transaction() as holder:
            for statement in held:
                assert (await holder.execute(statement)).scalar_one() is not None
            for event in events:
                deliveries.append(asyncio.create_task(apply_event(db, SETTINGS, event)))
                await _blocked_backends(db, len(deliveries))
    finally:  # the rows are released by now: let every started delivery finish, even after a failure
        done = await asyncio.gather(*deliveries, return_exceptions=True)
    for outcome in done:
        if isinstance(outcome, BaseException):
            raise outcome
    return [str(outcome) for outcome in done]


async def _pg_account(db: Database) -> str:
    from domain.accounts.accounts import create_account

    async with db.transaction() as session:
        return (await create_account(session, f"race-{uuid.uuid4().hex[:10]}@example.com", approve=True)).id


async def test_two_paid_events_for_one_top_up_at_once_credit_it_once(pg_database_url: str) -> None:
    """Two deliveries with different event ids (say a ``completed`` and a retried
    ``async_payment_succeeded``) paying one top-up: the wallet gets the money once."""
    from domain.money.wallets import ensure_wallet
    from domain.persistence.models import LedgerEntry, Wallet

    db = Database(pg_database_url)
    try:
        account_id = await _pg_account(db)
        topup_id = await _topup(db, account_id)
        async with db.transaction() as session:
            wallet_id = (await ensure_wallet(session, account_id, "live", "eur")).id
        held = [select(Topup.id).where(Topup.id == topup_id).with_for_update(),
                select(Wallet.id).where(Wallet.id == wallet_id).with_for_update()]
        events = [_session_event(COMPLETED, topup_id),
                  _session_event("checkout.session.async_payment_succeeded", topup_id)]
        outcomes = await _deliver_behind_held_rows(db, held, events)
        assert outcomes == ["applied", "ignored: top-up is paid"]
        async with db.read() as session:
            assert await session.scalar(select(Wallet.balance_cents).where(Wallet.id == wallet_id)) == 1000
            credits = (await session.execute(select(LedgerEntry.amount_cents).where(
                LedgerEntry.topup_id == topup_id))).scalars().all()
        assert credits == [1000]
        assert await _status(db, Topup, topup_id) == "paid"
    finally:
        await db.dispose()


async def test_an_expiry_arriving_while_the_payment_is_applied_leaves_the_order_paid(pg_database_url: str) -> None:
    """The payment has the order; the expiry of the same checkout comes in meanwhile. The expiry
    must see the paid order and leave it, not overwrite ``paid`` with ``expired``."""
    db = Database(pg_database_url)
    try:
        order_id = await _open_order(db, await _pg_account(db), mode="live")
        held = [select(Order.id).where(Order.id == order_id).with_for_update()]
        events = [_session_event(COMPLETED, order_id, session_id="cs_order_m", key="orderId"),
                  _session_event(EXPIRED, order_id, session_id="cs_order_m", key="orderId")]
        outcomes = await _deliver_behind_held_rows(db, held, events)
        assert outcomes == ["applied", "ignored: order is paid"]
        assert await _status(db, Order, order_id) == "paid"
    finally:
        await db.dispose()
