"""A local stand-in for Lob's print-and-mail API v1 (letters and postcards), for tests.

It checks each request the way Lob does (docs/providers/lob.md): HTTP Basic auth with the
API key as user name and an empty password; ``multipart/form-data`` with the required
fields (``to`` with ``address_line1`` and, for US addresses, city/state/zip; ``from`` on
letters; ``file`` or ``front``/``back`` as PDF parts; ``color``; ``use_type`` marketing or
operational; enums of ``address_placement``, ``mail_type`` and ``size``, and ``size`` only
with ``Lob-Version`` 2024-01-01 or later). An ``Idempotency-Key`` (≤ 256 characters) answers
a repeat with the first response. It answers Lob's shapes: the letter/postcard object, and
``{"error": {"message", "status_code", "code"}}`` with ``ratelimit-*`` headers on 429.
Misbehaviour is per piece id (``metadata[piece_id]``): down for N requests, rate limited,
refuse with a 422, or hold one request open so a test can kill the worker mid-hand-off.
``signed_webhook`` builds an event signed the way Lob signs webhooks.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

API_KEY = "test_0dc8d51e0acffcb1880e0f19c79b2f5b0cc"
WEBHOOK_SECRET = "lob-webhook-secret-for-tests"
USE_TYPES = ("marketing", "operational")
PLACEMENTS = ("top_first_page", "insert_blank_page", "bottom_first_page_center", "bottom_first_page")
MAIL_TYPES = ("usps_first_class", "usps_standard")
LETTER_SIZES = ("us_letter", "us_legal")
POSTCARD_SIZES = ("4x6", "6x9", "6x11")
BOOLEANS = ("true", "false")


@dataclass
class Part:
    value: bytes
    filename: str | None
    content_type: str | None


@dataclass
class FakeLob:
    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)  # every create request, in order
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)  # ltr_/psc_ id -> object
    answers: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)  # idempotency key -> first answer
    print_count: dict[str, int] = field(default_factory=dict)  # piece id -> pieces actually created (must be 1)
    problems: list[str] = field(default_factory=list)
    down_for: dict[str, int] = field(default_factory=dict)  # piece id -> answer 503 this many times
    rate_limited_for: dict[str, int] = field(default_factory=dict)  # piece id -> answer 429 this many times
    refuse: dict[str, str] = field(default_factory=dict)  # piece id -> 422 error message
    hold_key: str | None = None
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        self.down_for.clear()
        self.rate_limited_for.clear()
        self.refuse.clear()
        self.hold_key = None
        self.holding.clear()
        self.release.clear()

    def requests_for(self, piece_id: str) -> list[dict[str, Any]]:
        return [r for r in self.received if r["fields"].get("metadata[piece_id]") == piece_id]

    def object_for(self, piece_id: str) -> dict[str, Any]:
        return next(o for o in self.objects.values() if o["metadata"].get("piece_id") == piece_id)

    def add_tracking(self, object_id: str, name: str, location: str | None, when: datetime) -> dict[str, Any]:
        """A USPS scan shows up on the object (what GET /v1/letters/{id} then returns)."""
        event = {"id": f"evnt_{secrets.token_hex(8)}", "type": "normal", "name": name, "location": location,
                 "time": when.isoformat().replace("+00:00", "Z"), "date_created": when.isoformat(),
                 "date_modified": when.isoformat(), "object": "tracking_event", "details": None}
        with self.lock:
            self.objects[object_id]["tracking_events"].append(event)
        return event

    # -- request handling -------------------------------------------------------------------

    def create(self, kind: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any], dict[str, str]]:
        if not _authorized(headers):
            return _error(401, "Your API key is not valid. Please sign up on lob.com to get a valid api key.",
                          "unauthorized")
        key = headers.get("idempotency-key", "")
        parts = _multipart(headers.get("content-type", ""), body)
        fields = {name: part.value.decode("utf-8", "replace") for name, part in parts.items() if part.filename is None}
        piece_id = fields.get("metadata[piece_id]", "")
        with self.lock:
            number = len(self.received) + 1
            self.received.append({"kind": kind, "key": key, "fields": fields, "lob_version": headers.get("lob-version"),
                                  "files": {n: (p.filename, p.content_type, len(p.value)) for n, p in parts.items()
                                            if p.filename is not None}})
            if not key:
                self.problems.append(f"request {number}: no Idempotency-Key")
            if len(key) > 256:
                return _error(422, "Idempotency-Key must be at most 256 characters", "invalid")
            if key and key in self.answers:
                status, answer = self.answers[key]
                return status, answer, {}
            invalid = _check(kind, fields, parts, headers.get("lob-version"))
            if invalid:
                return _error(422, invalid, "invalid")
            if self.down_for.get(piece_id, 0) > 0:
                self.down_for[piece_id] -= 1
                return _error(503, "Service Unavailable", "service_unavailable")
            if self.rate_limited_for.get(piece_id, 0) > 0:
                self.rate_limited_for[piece_id] -= 1
                status, answer, _ = _error(429, "Rate limit exceeded. Please wait 5 seconds and try your request "
                                                "again.", "rate_limit_exceeded")
                return status, answer, {"ratelimit-limit": "150", "ratelimit-remaining": "0",
                                        "ratelimit-reset": str(int(time.time()) + 5)}
            if piece_id in self.refuse:
                status, answer, extra = _error(422, self.refuse[piece_id], "failed_deliverability_strictness")
                self.answers[key] = (status, answer)
                return status, answer, extra
            answer = self._new_object(kind, fields)
            self.print_count[piece_id] = self.print_count.get(piece_id, 0) + 1
            if key:
                self.answers[key] = (200, answer)
            hold = piece_id == self.hold_key
        if hold:
            self.holding.set()
            self.release.wait(timeout=60)
        return 200, answer, {}

    def _new_object(self, kind: str, fields: dict[str, str]) -> dict[str, Any]:
        prefix = "ltr" if kind == "letter" else "psc"
        now = datetime.now(UTC)
        to = {k[3:-1]: v for k, v in fields.items() if k.startswith("to[")}
        obj = {"id": f"{prefix}_{secrets.token_hex(8)}", "object": kind, "description": fields.get("description"),
               "to": {"id": f"adr_{secrets.token_hex(8)}", "object": "address", **to},
               "metadata": {k[9:-1]: v for k, v in fields.items() if k.startswith("metadata[")},
               "use_type": fields.get("use_type"), "mail_type": fields.get("mail_type", "usps_first_class"),
               "carrier": "USPS", "tracking_events": [], "thumbnails": [],
               "expected_delivery_date": (now + timedelta(days=5)).date().isoformat(),
               "send_date": now.isoformat(), "date_created": now.isoformat(), "date_modified": now.isoformat(),
               "url": f"https://lob-assets.example/{prefix}.pdf", "deleted": False}
        if kind == "letter":
            obj.update({"color": fields.get("color") == "true", "double_sided": fields.get("double_sided") != "false",
                        "address_placement": fields.get("address_placement", "top_first_page"),
                        "size": fields.get("size", "us_letter")})
        else:
            obj["size"] = fields.get("size", "4x6")
        self.objects[obj["id"]] = obj
        return obj

    def read(self, path: str, headers: dict[str, str], method: str) -> tuple[int, dict[str, Any], dict[str, str]]:
        if not _authorized(headers):
            return _error(401, "Your API key is not valid.", "unauthorized")
        match = re.fullmatch(r"/v1/(letters|postcards)/((?:ltr|psc)_[a-z0-9]+)", path)
        obj = self.objects.get(match.group(2)) if match else None
        if obj is None:
            return _error(404, "letter not found", "not_found")
        if method == "DELETE":
            obj["deleted"] = True
            return 200, {"id": obj["id"], "deleted": True}, {}
        return 200, obj, {}


def _authorized(headers: dict[str, str]) -> bool:
    value = headers.get("authorization", "")
    if not value.startswith("Basic "):
        return False
    try:
        user, _, password = base64.b64decode(value[6:]).decode().partition(":")
    except ValueError:
        return False
    return hmac.compare_digest(user, API_KEY) and password == ""


def _error(status: int, message: str, code: str) -> tuple[int, dict[str, Any], dict[str, str]]:
    return status, {"error": {"message": message, "status_code": status, "code": code}}, {}


def _pdf(part: Part | None) -> bool:
    return part is not None and part.filename is not None and part.value.startswith(b"%PDF-") \
        and part.content_type == "application/pdf"


def _check(kind: str, fields: dict[str, str], parts: dict[str, Part], version: str | None) -> str | None:
    """Lob's validation of a create request: the first problem, or None."""
    to = {k[3:-1]: v for k, v in fields.items() if k.startswith("to[")}
    if not to:
        return "to is required"
    if not to.get("address_line1"):
        return "to.address_line1 is required"
    country = to.get("address_country", "US")
    if country == "US" and not all(to.get(k) for k in ("address_city", "address_state", "address_zip")):
        return "to.address_city, to.address_state and to.address_zip are required for US addresses"
    if len(to.get("address_line1", "")) + len(to.get("address_line2", "")) > 50 + 64:
        return "address too long"
    has_from = "from" in fields or any(k.startswith("from[") for k in fields)
    if fields.get("use_type") not in USE_TYPES:
        return "use_type must be one of [marketing, operational]"
    if "mail_type" in fields and fields["mail_type"] not in MAIL_TYPES:
        return "mail_type must be one of [usps_first_class, usps_standard]"
    if "size" in fields and (version or "") < "2024-01-01":
        return "size is not supported by this Lob-Version"
    if kind == "letter":
        if not has_from:
            return "from is required"
        if fields.get("color") not in BOOLEANS:
            return "color is required and must be a boolean"
        if "double_sided" in fields and fields["double_sided"] not in BOOLEANS:
            return "double_sided must be a boolean"
        if "address_placement" in fields and fields["address_placement"] not in PLACEMENTS:
            return "address_placement must be one of " + ", ".join(PLACEMENTS)
        if "size" in fields and fields["size"] not in LETTER_SIZES:
            return "size must be one of [us_letter, us_legal]"
        if not _pdf(parts.get("file")):
            return "file must be a PDF file"
    else:
        if "size" in fields and fields["size"] not in POSTCARD_SIZES:
            return "size must be one of [4x6, 6x9, 6x11]"
        if not (_pdf(parts.get("front")) and _pdf(parts.get("back"))):
            return "front and back must be PDF files"
    return None


def _multipart(content_type: str, body: bytes) -> dict[str, Part]:
    if not content_type.startswith("multipart/form-data"):
        return {}
    message = message_from_bytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body, policy=HTTP)
    out: dict[str, Part] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            out[str(name)] = Part(part.get_payload(decode=True) or b"", part.get_filename(),
                                  part.get_content_type() if part.get_filename() else None)
    return out


def signed_webhook(event_type: str, obj: dict[str, Any], *, secret: str = WEBHOOK_SECRET,
                   timestamp_ms: int | None = None, event_id: str | None = None,
                   occurred_at: datetime | None = None) -> tuple[bytes, dict[str, str]]:
    """A Lob event (``{id, event_type: {id, resource, …}, body, reference_id, …}``) and its signature headers."""
    resource = "letters" if event_type.startswith("letter.") else "postcards"
    event = {"id": event_id or f"evt_{secrets.token_hex(8)}", "object": "event", "reference_id": obj["id"],
             "date_created": (occurred_at or datetime.now(UTC)).isoformat().replace("+00:00", "Z"),
             "event_type": {"id": event_type, "enabled_for_test": True, "resource": resource, "object": "event_type"},
             "body": obj}
    body = json.dumps(event).encode()
    stamp = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
    signature = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return body, {"Content-Type": "application/json", "Lob-Signature": signature, "Lob-Signature-Timestamp": stamp}


def start() -> tuple[FakeLob, ThreadingHTTPServer]:
    fake = FakeLob()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, answer: dict[str, Any], extra: dict[str, str]) -> None:
            data = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the worker was killed while we held its request

        def _headers(self) -> dict[str, str]:
            return {k.lower(): v for k, v in self.headers.items()}

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            kinds = {"/v1/letters": "letter", "/v1/postcards": "postcard"}
            if self.path not in kinds:
                self._answer(*_error(404, "The requested endpoint does not exist.", "unrecognized_endpoint"))
                return
            self._answer(*fake.create(kinds[self.path], self._headers(), body))

        def do_GET(self) -> None:  # noqa: N802
            self._answer(*fake.read(self.path, self._headers(), "GET"))

        def do_DELETE(self) -> None:  # noqa: N802
            self._answer(*fake.read(self.path, self._headers(), "DELETE"))

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, server
