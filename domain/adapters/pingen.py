"""Pingen (European letters) over its v2 JSON:API, with httpx.

The flow is Pingen's documented one (docs/providers/pingen.md): an OAuth access token by
client credentials from the identity service, ``GET /file-upload`` for a signed upload URL,
``PUT`` the PDF there, then ``POST /organisations/{id}/deliveries/letters`` with the file
URL and its signature, ``auto_send`` and the print options, our piece id in
``Idempotency-Key``. Pingen reads the address from the PDF's address window (left in our
A4 layout). Errors are JSON:API ``{"errors": [{"code", "title", "detail"}]}``.
Webhooks carry ``Signature`` = hex HMAC-SHA256 of the raw body under the signing key.

The official ``pingen2sdk`` is synchronous (``requests``), sends the token request to the
API host instead of the identity host and has no idempotency key, so it is not used.
"""
from __future__ import annotations

import json
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from domain.adapters.mail_provider import Handoff, HandoffError, ProviderEvent, Submitted
from domain.core.settings import Settings

JSON_API = "application/vnd.api+json"
RETRYABLE = frozenset({401, 403, 408, 409, 425, 429})

# letter status (GET letter, polling) → our piece status
_STATUSES = {
    "validating": "submitted", "valid": "submitted", "submitted": "submitted", "accepted": "submitted",
    "awaiting_credits": "submitted", "printing": "in_production", "processing": "in_production",
    "transferring": "in_production", "sent": "mailed", "delivered": "delivered",
    "undeliverable": "undeliverable", "cancelled": "provider_cancelled", "expired": "provider_cancelled",
}
# event code inside a webhook → our piece status (a code we do not know falls back on the category)
_CODES = {
    "transferred_to_printcenter": "in_production", "printing": "in_production", "processing": "in_production",
    "transferred_to_distributor": "mailed", "receival_confirmed_by_distributor": "in_transit",
    "track_and_trace": "in_transit", "rerouted": "in_transit", "delivered": "delivered",
    "undeliverable": "undeliverable", "cancellation_completed": "provider_cancelled",
}
_CATEGORIES = {"webhook_sent": "mailed", "webhook_delivered": "delivered",
               "webhook_undeliverable": "undeliverable", "webhook_issues": "issue"}


def refusal(request_type: str, countries: set[str]) -> str | None:
    """Why Pingen cannot take this order as we print it, or None."""
    if request_type == "postcard":
        return "Postcards cannot be sent live: the configured print provider (Pingen) mails letters only."
    if "US" in countries:
        return ("Live letters go to Pingen, which prints A4; letters to the United States are printed on "
                "US Letter here. Send letters to addresses outside the United States only.")
    return None


class PingenProvider:
    name = "pingen"

    def __init__(self, settings: Settings, client: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self._client = client
        self._owned = client is None
        self._token: str | None = None
        self._token_until = 0.0

    def _http(self) -> httpx.AsyncClient:
        s = self.settings
        if not (s.pingen_client_id and s.pingen_client_secret and s.pingen_organisation_id):
            raise HandoffError("Pingen is not configured (PIETERPOST_PINGEN_CLIENT_ID, _CLIENT_SECRET, "
                               "_ORGANISATION_ID).", permanent=False)
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=s.fulfillment_timeout_seconds)
        return self._client

    async def aclose(self) -> None:
        if self._owned and self._client is not None:
            await self._client.aclose()
            self._client = None

    def _letters(self) -> str:
        return (f"{self.settings.pingen_api_base.rstrip('/')}/organisations/"
                f"{self.settings.pingen_organisation_id}/deliveries/letters")

    async def _headers(self) -> dict[str, str]:
        if self._token is None or time.monotonic() > self._token_until:
            s = self.settings
            response = await self._http().post(
                f"{s.pingen_identity_base.rstrip('/')}/auth/access-tokens",
                data={"grant_type": "client_credentials", "client_id": s.pingen_client_id,
                      "client_secret": s.pingen_client_secret, "scope": "letter"})
            body = _json(response)
            if response.status_code != 200 or not isinstance(body.get("access_token"), str):
                raise HandoffError(f"Pingen sign-in failed ({response.status_code}): "
                                   f"{str(body.get('error_description') or body.get('message') or '')[:200]}",
                                   permanent=False)
            self._token = body["access_token"]
            self._token_until = time.monotonic() + max(60.0, float(body.get("expires_in") or 3600) - 60)
        return {"Authorization": f"Bearer {self._token}", "Accept": JSON_API}

    async def _call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._http().request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise HandoffError(f"Pingen unreachable: {type(exc).__name__}", permanent=False) from exc
        if response.status_code == 401:
            self._token = None  # expired or revoked: sign in again on the next try
        return response

    async def hand_off(self, handoff: Handoff) -> Submitted:
        if handoff.kind != "letter":
            raise HandoffError("Pingen mails letters only.", permanent=True)
        s = self.settings
        headers = await self._headers()
        upload = await self._call("GET", f"{s.pingen_api_base.rstrip('/')}/file-upload", headers=headers)
        if upload.status_code != 200:
            raise _error(upload)
        attributes = (_json(upload).get("data") or {}).get("attributes") or {}
        url, signature = attributes.get("url"), attributes.get("url_signature")
        if not (isinstance(url, str) and isinstance(signature, str)):
            raise HandoffError("Pingen answered the upload request without a URL.", permanent=False)
        put = await self._call("PUT", url, content=handoff.pdf, headers={"Content-Type": "application/pdf"})
        if put.status_code >= 300:
            raise HandoffError(f"The PDF upload to Pingen failed ({put.status_code}).", permanent=False)
        payload = {"data": {"type": "letters", "attributes": {
            "file_original_name": f"{handoff.order_ref}-{handoff.position + 1}.pdf",
            "file_url": url, "file_url_signature": signature,
            "address_position": s.pingen_address_position, "auto_send": True,
            "delivery_product": s.pingen_delivery_product, "print_mode": s.pingen_print_mode,
            "print_spectrum": s.pingen_print_spectrum,
        }}}
        response = await self._call("POST", self._letters(), content=json.dumps(payload), headers={
            **headers, "Content-Type": JSON_API, "Idempotency-Key": handoff.piece_id})
        data = _json(response).get("data") or {}
        if response.status_code in (200, 201) and isinstance(data.get("id"), str):
            return Submitted(data["id"])
        raise _error(response)

    async def cancel(self, reference: str) -> bool:
        response = await self._call("PATCH", f"{self._letters()}/{reference}/cancel", headers=await self._headers())
        return response.status_code in (200, 202, 204)

    async def fetch_status(self, reference: str) -> list[ProviderEvent]:
        response = await self._call("GET", f"{self._letters()}/{reference}", headers=await self._headers())
        if response.status_code != 200:
            raise _error(response)
        attributes = (_json(response).get("data") or {}).get("attributes") or {}
        status = _STATUSES.get(str(attributes.get("status")))
        if status is None:
            return []
        return [ProviderEvent(f"{reference}:status:{attributes['status']}", status,
                              _when(attributes.get("updated_at")), str(attributes["status"]).replace("_", " "))]


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _error(response: httpx.Response) -> HandoffError:
    errors = _json(response).get("errors")
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    detail = str(first.get("detail") or first.get("title") or response.reason_phrase or "no detail")[:300]
    status = response.status_code
    if status >= 500 or status in RETRYABLE or status < 400:
        return HandoffError(f"Pingen answered {status}: {detail}", permanent=False)
    return HandoffError(f"Pingen refused the letter ({status}): {detail}", permanent=True)


def _when(value: object) -> datetime:
    if isinstance(value, str):
        for fmt in ("%Y-%m-%dT%H:%M:%S%z",):
            try:
                return datetime.strptime(value, fmt).astimezone(UTC)
            except ValueError:
                pass
        try:
            parsed = datetime.fromisoformat(value)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        except ValueError:
            pass
    return datetime.now(UTC)


def webhook_event(event: Mapping[str, Any]) -> tuple[str | None, ProviderEvent | None]:
    """(Pingen letter id, mapped event) of a verified webhook."""
    data = event["data"]
    relations = data.get("relationships") or {}
    target = (relations.get("deliverable") or relations.get("letter") or {}).get("data") or {}
    reference = target.get("id") if isinstance(target.get("id"), str) else None
    event_ref = ((relations.get("event") or {}).get("data") or {}).get("id")
    details: dict[str, Any] = {}
    for item in event.get("included") or []:
        if isinstance(item, dict) and item.get("id") == event_ref:
            details = item.get("attributes") or {}
    status = _CODES.get(str(details.get("code"))) or _CATEGORIES.get(str(data.get("type")))
    if reference is None or status is None:
        return reference, None
    attributes = data.get("attributes") or {}
    description = details.get("name") or attributes.get("reason") or str(data.get("type", "")).removeprefix("webhook_")
    return reference, ProviderEvent(data["id"], status, _when(details.get("emitted_at") or attributes.get("created_at")),
                                    str(description)[:255], details.get("location") or None)
