"""Rules of the compose-link editor: how the page's fields become an order body.

The draft token is the only credential: it opens its one draft (``links.open_draft``), and
the order it starts belongs to the account and mode that created the link (``caller_of``).
The edited recipient and message go through the same parser and price as any API order, so
the page can never send something the API would refuse. ``domain.use_cases.compose`` runs
the price and checkout steps.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.core.context import Caller
from domain.core.errors import InvalidRequest
from domain.orders.payloads import REQUEST_TYPES
from domain.persistence.models import ComposeLink

KINDS = REQUEST_TYPES
STRUCTURED = ("name", "streetAddress", "extra", "postalCode", "city", "state", "country")


@dataclass(frozen=True)
class ComposeEdit:
    request_type: str
    recipient: dict[str, Any]
    message: str


def read_edit(link: ComposeLink, form: dict[str, Any]) -> ComposeEdit:
    """The person's edit from the page's fields; unknown fields are ignored."""
    kind = form.get("requestType") or "letter"
    if kind not in KINDS:
        raise InvalidRequest('requestType must be "letter" or "postcard".', field="requestType")
    recipient: dict[str, Any] = {k: v for k, v in link.recipient.items() if k in ("id", "customFields")}
    for key in STRUCTURED:
        value = form.get(key)
        if isinstance(value, str) and value.strip():
            recipient[key] = value.strip()
    lines = form.get("addressLines")
    if isinstance(lines, str) and lines.strip() and "streetAddress" not in recipient:
        recipient["addressLines"] = [line.strip() for line in lines.splitlines() if line.strip()]
    message = form.get("message")
    return ComposeEdit(kind, recipient, message.replace("\r\n", "\n") if isinstance(message, str) else "")


def order_body(link: ComposeLink, edit: ComposeEdit) -> dict[str, Any]:
    body: dict[str, Any] = {"requestType": edit.request_type, "locale": link.locale,
                            "metadata": dict(link.metadata_ or {})}
    if link.external_id:
        body["externalId"] = link.external_id
    if edit.request_type == "postcard":
        body["postcard"] = {"recipient": edit.recipient, "message": edit.message}
    else:
        body["letters"] = [{"recipient": edit.recipient, "message": edit.message}]
    return body


def caller_of(link: ComposeLink) -> Caller:
    return Caller(account_id=link.account_id, mode=link.mode, channel="web")  # type: ignore[arg-type]
