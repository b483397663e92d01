"""Inbound print-provider webhook signatures (docs/providers/lob.md and docs/providers/pingen.md § Tracking).

Each case signs a body the way the provider does and checks what ``verify_lob`` / ``verify_pingen``
accept and refuse: wrong secret, tampered body, missing header, stale or future time, and a bad
signature (401, ``stale`` false) told apart from a stale or malformed event (400, ``stale`` true).
"""
from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from domain.adapters.mail_provider import WebhookRejected
from domain.adapters.webhook_signatures import verify_lob, verify_pingen

SECRET = "whsec-provider-test"
NOW = datetime(2026, 12, 2, 12, 0, 0, tzinfo=UTC)
TOLERANCE = 300.0
MAX_AGE = 3 * 86400.0
LOB_EVENT = {"id": "evt_1", "body": {"id": "ltr_1"}, "event_type": {"id": "letter.mailed"}}


def _lob(event: object = LOB_EVENT, *, stamp: str | None = None, secret: str = SECRET) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(event).encode() if not isinstance(event, bytes) else event
    stamp = str(int(NOW.timestamp() * 1000)) if stamp is None else stamp
    sig = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return body, {"lob-signature": sig, "lob-signature-timestamp": stamp}


def _refused(call, *, stale: bool) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(WebhookRejected) as exc:
        call()
    assert exc.value.stale is stale
    return str(exc.value)


def test_lob_accepts_its_own_signature_in_milliseconds_and_seconds() -> None:
    body, headers = _lob()
    assert verify_lob(body, headers, SECRET, TOLERANCE, NOW) == LOB_EVENT
    body, headers = _lob(stamp=str(int(NOW.timestamp())))
    assert verify_lob(body, headers, SECRET, TOLERANCE, NOW)["id"] == "evt_1"


def test_lob_signature_is_read_case_and_space_insensitively() -> None:
    body, headers = _lob()
    headers["lob-signature"] = f" {headers['lob-signature'].upper()} "
    assert verify_lob(body, headers, SECRET, TOLERANCE, NOW)["id"] == "evt_1"


def test_lob_refuses_wrong_secret_tampered_body_and_changed_timestamp() -> None:
    body, headers = _lob(secret="someone-else")
    assert "does not match" in _refused(lambda: verify_lob(body, headers, SECRET, TOLERANCE, NOW), stale=False)
    body, headers = _lob()
    tampered = body.replace(b"ltr_1", b"ltr_2")
    _refused(lambda: verify_lob(tampered, headers, SECRET, TOLERANCE, NOW), stale=False)
    moved = {**headers, "lob-signature-timestamp": str(int(NOW.timestamp() * 1000) + 1)}
    _refused(lambda: verify_lob(body, moved, SECRET, TOLERANCE, NOW), stale=False)


def test_lob_refuses_missing_headers_and_a_missing_secret() -> None:
    body, headers = _lob()
    _refused(lambda: verify_lob(body, {"lob-signature-timestamp": headers["lob-signature-timestamp"]},
                                SECRET, TOLERANCE, NOW), stale=False)
    # signed over an empty timestamp, sent without one: still refused
    empty_body, empty_headers = _lob(stamp="")
    _refused(lambda: verify_lob(empty_body, {"lob-signature": empty_headers["lob-signature"]},
                                SECRET, TOLERANCE, NOW), stale=False)
    _refused(lambda: verify_lob(body, {}, SECRET, TOLERANCE, NOW), stale=False)
    assert "PIETERPOST_LOB_WEBHOOK_SECRET" in _refused(lambda: verify_lob(body, headers, "", TOLERANCE, NOW),
                                                         stale=False)


def test_lob_refuses_two_signatures_in_one_header() -> None:
    body, headers = _lob()
    doubled = {**headers, "lob-signature": f"{headers['lob-signature']},{headers['lob-signature']}"}
    _refused(lambda: verify_lob(body, doubled, SECRET, TOLERANCE, NOW), stale=False)


@pytest.mark.parametrize("offset", [TOLERANCE, -TOLERANCE])
def test_lob_accepts_a_timestamp_exactly_at_the_tolerance(offset: float) -> None:
    body, headers = _lob(stamp=str(int((NOW.timestamp() + offset) * 1000)))
    assert verify_lob(body, headers, SECRET, TOLERANCE, NOW)["id"] == "evt_1"


@pytest.mark.parametrize("offset", [TOLERANCE + 1, -(TOLERANCE + 1), -86400.0])
def test_lob_refuses_a_timestamp_beyond_the_tolerance_as_stale(offset: float) -> None:
    body, headers = _lob(stamp=str(int((NOW.timestamp() + offset) * 1000)))
    assert "window" in _refused(lambda: verify_lob(body, headers, SECRET, TOLERANCE, NOW), stale=True)
    body, headers = _lob(stamp=str(int(NOW.timestamp() + offset)))
    _refused(lambda: verify_lob(body, headers, SECRET, TOLERANCE, NOW), stale=True)


def test_lob_signed_but_malformed_is_stale_not_forged() -> None:
    body, headers = _lob(stamp="yesterday")
    assert "not a number" in _refused(lambda: verify_lob(body, headers, SECRET, TOLERANCE, NOW), stale=True)
    body, headers = _lob(b"{not json")
    assert "not JSON" in _refused(lambda: verify_lob(body, headers, SECRET, TOLERANCE, NOW), stale=True)
    for event in ([LOB_EVENT], {"body": {}}, {"id": 7, "body": {}}, {"id": "evt_1", "body": []}):
        body, headers = _lob(event)
        assert "not an event" in _refused(lambda: verify_lob(body, headers, SECRET, TOLERANCE, NOW), stale=True)


def _pingen(created: datetime | None = NOW, *, secret: str = SECRET, data: object = None) -> tuple[bytes, dict[str, str]]:
    if data is None:
        data = {"id": "whk_1", "type": "webhook_sent",
                "attributes": {"created_at": created.strftime("%Y-%m-%dT%H:%M:%S%z") if created else None}}
    body = json.dumps({"data": data}).encode()
    return body, {"signature": hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}


def _verify_pingen(body: bytes, headers: dict[str, str], secret: str = SECRET) -> dict:  # type: ignore[type-arg]
    return verify_pingen(body, headers, secret, MAX_AGE, TOLERANCE, NOW)


def test_pingen_accepts_its_own_signature_case_and_space_insensitively() -> None:
    body, headers = _pingen()
    assert _verify_pingen(body, headers)["data"]["id"] == "whk_1"
    assert _verify_pingen(body, {"signature": f" {headers['signature'].upper()} "})["data"]["id"] == "whk_1"


def test_pingen_refuses_wrong_secret_tampered_body_missing_header_and_missing_secret() -> None:
    body, headers = _pingen(secret="someone-else")
    assert "does not match" in _refused(lambda: _verify_pingen(body, headers), stale=False)
    body, headers = _pingen()
    _refused(lambda: _verify_pingen(body.replace(b"whk_1", b"whk_2"), headers), stale=False)
    _refused(lambda: _verify_pingen(body, {}), stale=False)
    _refused(lambda: _verify_pingen(body, {"signature": ""}), stale=False)
    doubled = {"signature": f"{headers['signature']},{headers['signature']}"}
    _refused(lambda: _verify_pingen(body, doubled), stale=False)
    assert "PIETERPOST_PINGEN_WEBHOOK_SECRET" in _refused(lambda: _verify_pingen(body, headers, ""), stale=False)


@pytest.mark.parametrize("age", [MAX_AGE, 0.0, -TOLERANCE])
def test_pingen_accepts_ages_up_to_the_limits(age: float) -> None:
    body, headers = _pingen(NOW - timedelta(seconds=age))
    assert _verify_pingen(body, headers)["data"]["id"] == "whk_1"


@pytest.mark.parametrize("age", [MAX_AGE + 1, -(TOLERANCE + 1)])
def test_pingen_refuses_too_old_or_future_events_as_stale(age: float) -> None:
    body, headers = _pingen(NOW - timedelta(seconds=age))
    assert "time window" in _refused(lambda: _verify_pingen(body, headers), stale=True)


def test_pingen_signed_but_malformed_is_stale_not_forged() -> None:
    for data in ([], {"id": "whk_1"}, {"id": "whk_1", "attributes": {"created_at": "yesterday"}}):
        body, headers = _pingen(data=data)
        assert "not an event" in _refused(lambda: _verify_pingen(body, headers), stale=True)
    body, headers = _pingen(None)
    _refused(lambda: _verify_pingen(body, headers), stale=True)
    body = b"{not json"
    _refused(lambda: _verify_pingen(body, {"signature": hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()}),
             stale=True)
    body, headers = _pingen(data={"id": 7, "attributes": {"created_at": NOW.strftime("%Y-%m-%dT%H:%M:%S%z")}})
    assert "no id" in _refused(lambda: _verify_pingen(body, headers), stale=True)
