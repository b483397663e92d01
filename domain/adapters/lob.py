"""Lob (US print and mail): letters and postcards over Lob's REST API v1, with httpx.

Why not Lob's own ``lob-python`` package: its generated models type ``file``/``front``/
``back`` as strings (a URL, HTML or template id), so the print-ready PDF we render cannot be
uploaded with it, and it is synchronous (urllib3). The REST shapes used here are Lob's
documented ones (docs/providers/lob.md): HTTP Basic auth with the API key as user name,
``multipart/form-data`` with the PDF as a file part, our piece id in ``Idempotency-Key``,
errors as ``{"error": {"message", "status_code", "code"}}``, rate limits as 429.
Webhook signatures are checked in ``domain.adapters.webhook_signatures``.
"""
from __future__ import annotations

import io
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.generic import RectangleObject

from domain.adapters.mail_provider import Handoff, HandoffError, ProviderEvent, Submitted
from domain.core.settings import Settings

LOB_VERSION = "2024-01-01"  # the first version that takes ``size`` on letters
POSTCARD_INCHES = {"4x6": (6.25, 4.25), "6x9": (9.25, 6.25), "6x11": (11.25, 6.25)}  # with bleed
RETRYABLE = frozenset({401, 403, 408, 409, 425, 429})  # 401/403: a key problem the operator can fix

# Lob event type suffix / tracking event name → our piece status
_EVENTS = {
    "created": "submitted", "rendered_pdf": "in_production", "rendered_thumbnails": "in_production",
    "mailed": "mailed", "in_transit": "in_transit", "in_local_area": "in_transit",
    "processed_for_delivery": "in_transit", "re-routed": "in_transit", "international_exit": "in_transit",
    "delivered": "delivered", "returned_to_sender": "returned_to_sender", "deleted": "provider_cancelled",
    "failed": "issue", "rejected": "issue",
}
_TRACKING_NAMES = {
    "Mailed": "mailed", "In Transit": "in_transit", "In Local Area": "in_transit",
    "Processed for Delivery": "in_transit", "Re-Routed": "in_transit", "International Exit": "in_transit",
    "Delivered": "delivered", "Returned to Sender": "returned_to_sender",
}


def refusal(request_type: str, countries: set[str]) -> str | None:
    """Why Lob cannot take this order as we print it, or None. Lob prints on US paper sizes."""
    if request_type == "letter" and countries - {"US"}:
        return ("Live letters go to Lob, which prints US Letter; letters outside the United States are "
                "printed on A4 here. Send letters to US addresses only.")
    return None


def _address(recipient: Mapping[str, Any]) -> dict[str, str]:
    """Our recipient payload as Lob's inline address fields."""
    lines = [str(line) for line in recipient.get("addressLines") or []]
    if recipient.get("streetAddress"):
        line1 = str(recipient["streetAddress"])
    elif recipient.get("street"):
        line1 = " ".join(str(recipient[k]) for k in ("number", "street") if recipient.get(k)) \
            if recipient.get("country") == "US" else \
            " ".join(str(recipient[k]) for k in ("street", "number") if recipient.get(k))
    else:
        line1 = lines[0] if lines else ""
    out = {"name": str(recipient.get("name", ""))[:40], "address_line1": line1[:64],
           "address_country": str(recipient.get("country", ""))}
    if recipient.get("extra"):
        out["address_line2"] = str(recipient["extra"])[:64]
    for ours, theirs in (("city", "address_city"), ("state", "address_state"), ("postalCode", "address_zip")):
        if recipient.get(ours):
            out[theirs] = str(recipient[ours])
    return out


def _form(prefix: str, address: Mapping[str, str]) -> dict[str, str]:
    return {f"{prefix}[{key}]": value for key, value in address.items()}


def _from_fields(settings: Settings) -> dict[str, str]:
    raw = settings.lob_from_address.strip()
    if not raw:
        return {}
    if raw.startswith("{"):
        try:
            value = json.loads(raw)
        except ValueError as exc:
            raise HandoffError("PIETERPOST_LOB_FROM_ADDRESS is not valid JSON.", permanent=False) from exc
        return _form("from", {str(k): str(v) for k, v in value.items()})
    return {"from": raw}


def postcard_sides(pdf: bytes, size: str) -> tuple[bytes, bytes]:
    """Front and back of our two-page A6 postcard, each scaled to cover Lob's card with bleed."""
    width, height = (inches * 72 for inches in POSTCARD_INCHES.get(size, POSTCARD_INCHES["4x6"]))
    reader = PdfReader(io.BytesIO(pdf))
    if len(reader.pages) < 2:
        raise HandoffError("The postcard print file needs a front and a back page.", permanent=True)
    sides = []
    for source in reader.pages[:2]:
        writer = PdfWriter()
        page = writer.add_page(source)  # transform the writer's copy (pypdf 7 edits only attached pages)
        box = page.mediabox
        factor = max(width / float(box.width), height / float(box.height))
        dx = (width - float(box.width) * factor) / 2 - float(box.left) * factor
        dy = (height - float(box.height) * factor) / 2 - float(box.bottom) * factor
        page.add_transformation(Transformation().scale(factor, factor).translate(dx, dy))
        page.mediabox = RectangleObject((0, 0, width, height))
        page.cropbox = RectangleObject((0, 0, width, height))
        out = io.BytesIO()
        writer.write(out)
        sides.append(out.getvalue())
    return sides[0], sides[1]


class LobProvider:
    name = "lob"

    def __init__(self, settings: Settings, client: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self._client = client
        self._owned = client is None

    def _http(self) -> httpx.AsyncClient:
        if not self.settings.lob_api_key:
            raise HandoffError("No Lob API key is configured (PIETERPOST_LOB_API_KEY).", permanent=False)
        if self._client is None:
            self._client = httpx.AsyncClient(base_url=self.settings.lob_api_base.rstrip("/"),
                                             auth=(self.settings.lob_api_key, ""),
                                             timeout=self.settings.fulfillment_timeout_seconds,
                                             headers={"Lob-Version": LOB_VERSION})
        return self._client

    async def aclose(self) -> None:
        if self._owned and self._client is not None:
            await self._client.aclose()
            self._client = None

    def _common(self, handoff: Handoff) -> dict[str, str]:
        s = self.settings
        return {**_form("to", _address(handoff.recipient)), **_from_fields(s),
                "use_type": s.lob_use_type, "mail_type": s.lob_mail_type,
                "description": f"PieterPost {handoff.order_ref} #{handoff.position + 1}"[:255],
                "metadata[piece_id]": handoff.piece_id, "metadata[order_id]": handoff.order_id}

    async def hand_off(self, handoff: Handoff) -> Submitted:
        s = self.settings
        data = self._common(handoff)
        if handoff.kind == "postcard":
            front, back = postcard_sides(handoff.pdf, s.lob_postcard_size)
            path = "/v1/postcards"
            data["size"] = s.lob_postcard_size
            files = {"front": ("front.pdf", front, "application/pdf"), "back": ("back.pdf", back, "application/pdf")}
        else:
            path = "/v1/letters"
            data.update({"color": _flag(s.lob_color), "double_sided": _flag(s.lob_double_sided),
                         "address_placement": s.lob_address_placement, "size": s.lob_letter_size})
            files = {"file": (f"{handoff.piece_id}.pdf", handoff.pdf, "application/pdf")}
        try:
            response = await self._http().post(path, data=data, files=files,
                                               headers={"Idempotency-Key": handoff.piece_id})
        except httpx.HTTPError as exc:
            raise HandoffError(f"Lob unreachable: {type(exc).__name__}", permanent=False) from exc
        body = _json(response)
        if response.status_code == 200 and isinstance(body.get("id"), str):
            return Submitted(body["id"], _date(body.get("expected_delivery_date")))
        raise _error(response, body)

    async def cancel(self, reference: str) -> bool:
        try:
            response = await self._http().delete(f"/v1/{_collection(reference)}/{reference}")
        except httpx.HTTPError:
            return False
        return response.status_code == 200 and bool(_json(response).get("deleted"))

    async def fetch_status(self, reference: str) -> list[ProviderEvent]:
        try:
            response = await self._http().get(f"/v1/{_collection(reference)}/{reference}")
        except httpx.HTTPError as exc:
            raise HandoffError(f"Lob unreachable: {type(exc).__name__}", permanent=False) from exc
        body = _json(response)
        if response.status_code != 200:
            raise _error(response, body)
        return piece_events(body)


def _collection(reference: str) -> str:
    return "postcards" if reference.startswith("psc_") else "letters"


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _error(response: httpx.Response, body: dict[str, Any]) -> HandoffError:
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    detail = str(error.get("message") or response.reason_phrase or "no detail")[:300]
    code = error.get("code")
    status = response.status_code
    label = f"{status}{f' {code}' if code else ''}"
    if status >= 500 or status in RETRYABLE or status == 200:
        return HandoffError(f"Lob answered {label}: {detail}", permanent=False)
    return HandoffError(f"Lob refused the piece ({label}): {detail}", permanent=True)


def _date(value: object) -> str | None:
    return value[:10] if isinstance(value, str) and len(value) >= 10 else None


def _when(value: object) -> datetime:
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        except ValueError:
            pass
    return datetime.now(UTC)


def piece_events(body: Mapping[str, Any]) -> list[ProviderEvent]:
    """A letter/postcard object as events: its USPS tracking events, and deletion."""
    expected = _date(body.get("expected_delivery_date"))
    events = []
    for item in body.get("tracking_events") or []:
        if not isinstance(item, dict):
            continue
        status = _TRACKING_NAMES.get(str(item.get("name")))
        if status and isinstance(item.get("id"), str):
            events.append(ProviderEvent(item["id"], status, _when(item.get("time") or item.get("date_created")),
                                        str(item.get("name")), item.get("location") or None, expected))
    if body.get("deleted") is True and isinstance(body.get("id"), str):
        events.append(ProviderEvent(f"{body['id']}:deleted", "provider_cancelled",
                                    _when(body.get("date_modified")), "Cancelled", None, expected))
    return events


def webhook_event(event: Mapping[str, Any]) -> tuple[str | None, ProviderEvent | None]:
    """(the piece's Lob id, the mapped event) of a verified webhook; None where it means nothing to us."""
    kind = event.get("event_type")
    type_id = str(kind.get("id") if isinstance(kind, dict) else kind or "")
    resource, _, step = type_id.partition(".")
    body = event["body"]
    reference = body.get("id") if isinstance(body.get("id"), str) else event.get("reference_id")
    status = _EVENTS.get(step) if resource in ("letter", "postcard") else None
    if not isinstance(reference, str) or status is None:
        return (reference if isinstance(reference, str) else None), None
    location = None
    for item in reversed(body.get("tracking_events") or []):
        if isinstance(item, dict) and _TRACKING_NAMES.get(str(item.get("name"))) == status:
            location = item.get("location") or None
            break
    description = step.replace("_", " ").replace("-", " ").capitalize()
    return reference, ProviderEvent(event["id"], status, _when(event.get("date_created")), description,
                                    location, _date(body.get("expected_delivery_date")))
