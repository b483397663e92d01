"""Who prints and posts a piece: the ``FulfillmentProvider`` protocol and its two adapters.

Test mode uses ``SimulatedProvider`` (nothing leaves the machine). Live mode uses
``PrintPartner``, an httpx client for the print partner configured by
``PIETERPOST_FULFILLMENT_URL``/``_TOKEN``. Each hand-off carries the piece id as its
``Idempotency-Key``, so handing the same piece over again (after a crash or a timeout)
returns the partner's first answer instead of printing twice.

Partner contract (our own; a real partner gets a thin adapter of this shape):
``POST {url}/v1/pieces`` multipart with ``metadata`` (JSON) and ``file`` (the PDF),
``Authorization: Bearer {token}``; 2xx ``{"id": "..."}`` accepted; 408, 409, 425, 429 and
5xx are worth retrying; any other 4xx is a permanent refusal.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from domain.persistence.models import Order, OrderPiece
from domain.core.settings import Settings

RETRYABLE_STATUSES = frozenset({408, 409, 425, 429})


@dataclass(frozen=True)
class Handoff:
    """One letter or postcard ready to print."""

    piece_id: str
    order_id: str
    order_ref: str
    kind: str
    position: int
    recipient_lines: tuple[str, ...]
    country: str
    page_count: int
    pdf: bytes = field(repr=False, default=b"")
    recipient: dict[str, Any] = field(repr=False, default_factory=dict)  # the stored recipient payload


def handoff_for(order: Order, piece: OrderPiece, pdf: bytes = b"") -> Handoff:
    """The hand-off of a stored piece; ``pdf`` stays empty where none is needed (simulated)."""
    recipient = piece.recipient
    lines = (str(recipient.get("name", "")), *(str(line) for line in recipient.get("addressLines", [])))
    return Handoff(piece_id=piece.id, order_id=order.id, order_ref=order.order_ref, kind=piece.kind,
                   position=piece.position, recipient_lines=lines, country=str(recipient.get("country", "")),
                   page_count=piece.page_count, pdf=pdf, recipient=dict(recipient))


class HandoffError(Exception):
    """The partner did not take the piece. ``permanent`` means retrying cannot help."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class FulfillmentProvider(Protocol):
    async def hand_off(self, handoff: Handoff) -> str:
        """Give the piece to the printer; returns the provider's reference for it."""
        ...


class SimulatedProvider:
    """Test mode: every piece is accepted at once, nothing is printed."""

    name = "simulated"

    async def hand_off(self, handoff: Handoff) -> str:
        return f"simulated:{handoff.piece_id}"

    async def cancel(self, reference: str) -> bool:
        return True

    async def fetch_status(self, reference: str) -> list[Any]:
        return []


class PrintPartner:
    """Live mode: the HTTP print partner (``PIETERPOST_FULFILLMENT_PROVIDER=http``).

    Its contract has no cancel and no status endpoint: pieces it took stay ``submitted``.
    """

    name = "http"

    async def cancel(self, reference: str) -> bool:
        return False

    async def fetch_status(self, reference: str) -> list[Any]:
        return []

    def __init__(self, settings: Settings, client: httpx.AsyncClient | None = None) -> None:
        self.url = settings.fulfillment_url.rstrip("/")
        self.token = settings.fulfillment_token
        self.timeout = settings.fulfillment_timeout_seconds
        self._client = client
        self._owned = client is None

    async def aclose(self) -> None:
        """Close the connection pool this adapter opened (one per worker round, not per piece)."""
        if self._owned and self._client is not None:
            await self._client.aclose()
            self._client = None

    async def hand_off(self, handoff: Handoff) -> str:
        if not self.url:
            raise HandoffError("No print partner is configured (PIETERPOST_FULFILLMENT_URL).", permanent=False)
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout)
        metadata = {"pieceId": handoff.piece_id, "orderId": handoff.order_id, "orderRef": handoff.order_ref,
                    "kind": handoff.kind, "position": handoff.position, "pageCount": handoff.page_count,
                    "address": list(handoff.recipient_lines), "country": handoff.country}
        headers = {"Authorization": f"Bearer {self.token}", "Idempotency-Key": handoff.piece_id}
        files = {"file": (f"{handoff.piece_id}.pdf", handoff.pdf, "application/pdf")}
        try:
            response = await self._client.post(f"{self.url}/v1/pieces", headers=headers, files=files,
                                               data={"metadata": json.dumps(metadata)})
        except httpx.HTTPError as exc:
            raise HandoffError(f"print partner unreachable: {type(exc).__name__}", permanent=False) from exc
        return _reference(response)


def _reference(response: httpx.Response) -> str:
    status = response.status_code
    if 200 <= status < 300:
        try:
            ref = response.json().get("id")
        except ValueError:
            ref = None
        if not isinstance(ref, str) or not ref:
            raise HandoffError("print partner answered without a piece id", permanent=False)
        return ref[:255]
    detail = _detail(response)
    if status >= 500 or status in RETRYABLE_STATUSES:
        raise HandoffError(f"print partner answered {status}: {detail}", permanent=False)
    raise HandoffError(f"print partner refused the piece ({status}): {detail}", permanent=True)


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
        text = body.get("error") or body.get("message") if isinstance(body, dict) else None
    except ValueError:
        text = None
    return str(text or response.reason_phrase or "no detail")[:300]

