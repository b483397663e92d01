"""Signatures of inbound print-provider webhooks (Lob, Pingen): verified before anything is read.

Lob (docs/providers/lob.md § Tracking): ``Lob-Signature`` is the hex HMAC-SHA256 of
``"{Lob-Signature-Timestamp}.{raw body}"`` under the webhook secret, and the timestamp (seconds or
milliseconds) must lie within the tolerance of now. Pingen (docs/providers/pingen.md § Tracking): ``Signature``
is the hex HMAC-SHA256 of the raw body; Pingen signs no time, so the signed ``created_at`` must be
at most ``max_age`` old and not in the future beyond the tolerance. A bad signature raises
``WebhookRejected`` (401); a stale or malformed event raises it with ``stale=True`` (400).
Digests are compared in constant time.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from domain.adapters.mail_provider import WebhookRejected


def verify_lob(body: bytes, headers: Mapping[str, str], secret: str, tolerance: float,
               now: datetime) -> dict[str, Any]:
    """The event, if Lob signed exactly these bytes at a time within ``tolerance`` of ``now``."""
    signature = headers.get("lob-signature") or ""
    stamp = headers.get("lob-signature-timestamp") or ""
    if not secret:
        raise WebhookRejected("Lob webhooks need PIETERPOST_LOB_WEBHOOK_SECRET.")
    expected = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    if not signature or not stamp or not hmac.compare_digest(expected, signature.strip().lower()):
        raise WebhookRejected("The Lob-Signature header does not match this body.")
    try:
        seconds = float(stamp)
    except ValueError as exc:
        raise WebhookRejected("Lob-Signature-Timestamp is not a number.", stale=True) from exc
    if seconds > 1e11:  # Lob sends milliseconds
        seconds /= 1000
    if abs(now.timestamp() - seconds) > tolerance:
        raise WebhookRejected("The Lob webhook timestamp is outside the allowed window.", stale=True)
    try:
        event = json.loads(body)
    except ValueError as exc:
        raise WebhookRejected("The Lob webhook body is not JSON.", stale=True) from exc
    if not (isinstance(event, dict) and isinstance(event.get("id"), str) and isinstance(event.get("body"), dict)):
        raise WebhookRejected("The Lob webhook body is not an event.", stale=True)
    return event


def verify_pingen(body: bytes, headers: Mapping[str, str], secret: str, max_age: float, tolerance: float,
                  now: datetime) -> dict[str, Any]:
    """The event, if Pingen signed exactly these bytes and it is not older than ``max_age``.

    Pingen signs no timestamp header; the signed body's ``created_at`` is the time checked.
    """
    if not secret:
        raise WebhookRejected("Pingen webhooks need PIETERPOST_PINGEN_WEBHOOK_SECRET.")
    signature = (headers.get("signature") or "").strip().lower()
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not signature or not hmac.compare_digest(expected, signature):
        raise WebhookRejected("The Signature header does not match this body.")
    try:
        event = json.loads(body)
        data = event["data"]
        created = datetime.strptime(data["attributes"]["created_at"], "%Y-%m-%dT%H:%M:%S%z")
    except (ValueError, KeyError, TypeError) as exc:
        raise WebhookRejected("The Pingen webhook body is not an event.", stale=True) from exc
    age = now.timestamp() - created.timestamp()
    if age > max_age or age < -tolerance:
        raise WebhookRejected("The Pingen webhook is outside the allowed time window.", stale=True)
    if not isinstance(data.get("id"), str):
        raise WebhookRejected("The Pingen webhook has no id.", stale=True)
    return event
