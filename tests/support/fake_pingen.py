"""A local stand-in for Pingen's v2 API (identity, file upload, letters), for tests.

It checks each request the way Pingen does (docs/providers/pingen.md): a client-credentials
token from ``POST /auth/access-tokens`` (form-encoded ``grant_type``, ``client_id``,
``client_secret``) before any API call, ``Authorization: Bearer``; ``GET /file-upload``
hands out a signed upload URL that takes one ``PUT`` of the PDF; ``POST
/organisations/{id}/deliveries/letters`` needs ``Content-Type: application/vnd.api+json``, a
JSON:API ``data`` of type ``letters`` with ``file_original_name`` (5–255 characters),
``file_url`` + ``file_url_signature`` of an uploaded PDF, ``address_position`` left/right,
``auto_send``, and known ``delivery_product`` / ``print_mode`` / ``print_spectrum``. A repeated
``Idempotency-Key`` replays the first answer (``Idempotent-Replayed: true``). Errors are
``{"errors": [{"code", "title", "detail", "source"}]}``; 429 carries ``Retry-After`` and
``X-RateLimit-*``. Misbehaviour is per idempotency key (our piece id). ``signed_webhook``
builds a webhook body signed the way Pingen signs them.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

CLIENT_ID = "pingen-client-id-for-tests"
CLIENT_SECRET = "pingen-client-secret-for-tests"
ORGANISATION_ID = "ed247161-6368-4278-abc7-32158472dc50"
WEBHOOK_SECRET = "pingen-signing-key-for-tests"
JSON_API = "application/vnd.api+json"
DELIVERY_PRODUCTS = ("fast", "cheap", "bulk", "premium", "registered")


@dataclass
class FakePingen:
    url: str = ""
    tokens: set[str] = field(default_factory=set)
    uploads: dict[str, dict[str, Any]] = field(default_factory=dict)  # upload token -> {signature, pdf}
    letters: dict[str, dict[str, Any]] = field(default_factory=dict)  # letter id -> JSON:API resource
    received: list[dict[str, Any]] = field(default_factory=list)  # every letter create request
    answers: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)  # idempotency key -> first
    print_count: dict[str, int] = field(default_factory=dict)  # idempotency key -> letters created
    token_requests: int = 0
    problems: list[str] = field(default_factory=list)
    down_for: dict[str, int] = field(default_factory=dict)
    rate_limited_for: dict[str, int] = field(default_factory=dict)
    refuse: dict[str, str] = field(default_factory=dict)  # idempotency key -> 422 detail
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

    def requests_for(self, key: str) -> list[dict[str, Any]]:
        return [r for r in self.received if r["key"] == key]

    def set_status(self, letter_id: str, status: str) -> None:
        with self.lock:
            attributes = self.letters[letter_id]["attributes"]
            attributes["status"] = status
            attributes["updated_at"] = _now()

    # -- request handling -------------------------------------------------------------------

    def token(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any], dict[str, str]]:
        form = dict(parse_qsl(body.decode()))
        with self.lock:
            self.token_requests += 1
        if not headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return 400, {"error": "invalid_request", "error_description": "form body expected",
                         "message": "form body expected"}, {}
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type", "error_description": "grant type not supported",
                         "message": "grant type not supported"}, {}
        if not (hmac.compare_digest(form.get("client_id", ""), CLIENT_ID)
                and hmac.compare_digest(form.get("client_secret", ""), CLIENT_SECRET)):
            return 401, {"error": "invalid_client", "error_description": "Client authentication failed",
                         "message": "Client authentication failed"}, {}
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens.add(token)
        return 200, {"token_type": "Bearer", "expires_in": 43200, "access_token": token}, {}

    def _authorized(self, headers: dict[str, str]) -> bool:
        value = headers.get("authorization", "")
        return value.startswith("Bearer ") and value[7:] in self.tokens

    def file_upload(self, headers: dict[str, str]) -> tuple[int, dict[str, Any], dict[str, str]]:
        if not self._authorized(headers):
            return _errors(401, "unauthenticated", "Unauthenticated.", "A valid access token is required.")
        token, signature = secrets.token_hex(12), secrets.token_hex(16)
        with self.lock:
            self.uploads[token] = {"signature": signature, "pdf": None}
        return 200, {"data": {"id": str(uuid.uuid4()), "type": "file_uploads", "attributes": {
            "url": f"{self.url}/upload/{token}", "url_signature": signature, "expires_at": _now()}}}, {}

    def put_file(self, token: str, body: bytes) -> int:
        with self.lock:
            upload = self.uploads.get(token)
            if upload is None or upload["pdf"] is not None:
                return 403
            upload["pdf"] = body
        return 200

    def create_letter(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any], dict[str, str]]:
        if not self._authorized(headers):
            return _errors(401, "unauthenticated", "Unauthenticated.", "A valid access token is required.")
        key = headers.get("idempotency-key", "")
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        with self.lock:
            number = len(self.received) + 1
            self.received.append({"key": key, "payload": payload, "content_type": headers.get("content-type")})
            if not key:
                self.problems.append(f"request {number}: no Idempotency-Key")
            if key and key in self.answers:
                status, answer = self.answers[key]
                return status, answer, {"Idempotent-Replayed": "true"}
            if not headers.get("content-type", "").startswith(JSON_API):
                return _errors(415, "unsupported_media_type", "Unsupported Media Type",
                               f"Content-Type must be {JSON_API}")
            problem = self._check(payload)
            if problem:
                return _errors(422, "validation_error", "The given data was invalid.", problem[1], problem[0])
            if self.down_for.get(key, 0) > 0:
                self.down_for[key] -= 1
                return _errors(503, "service_unavailable", "Service Unavailable", "Maintenance")
            if self.rate_limited_for.get(key, 0) > 0:
                self.rate_limited_for[key] -= 1
                status, answer, _ = _errors(429, "too_many_requests", "Too Many Attempts.", "Slow down")
                return status, answer, {"Retry-After": "2", "X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "0"}
            if key in self.refuse:
                status, answer, extra = _errors(422, "validation_error", "The given data was invalid.",
                                                self.refuse[key], "/data/attributes/file_url")
                self.answers[key] = (status, answer)
                return status, answer, extra
            attributes = payload["data"]["attributes"]
            letter_id = str(uuid.uuid4())
            resource = {"id": letter_id, "type": "letters", "attributes": {
                "status": "validating", "file_original_name": attributes["file_original_name"], "file_pages": None,
                "address": None, "address_position": attributes["address_position"], "country": None,
                "delivery_product": attributes["delivery_product"], "print_mode": attributes["print_mode"],
                "print_spectrum": attributes["print_spectrum"], "price_currency": None, "price_value": None,
                "paper_types": [], "fonts": [], "source": "api", "tracking_number": None, "submitted_at": None,
                "created_at": _now(), "updated_at": _now()},
                "links": {"self": f"{self.url}/organisations/{ORGANISATION_ID}/deliveries/letters/{letter_id}"}}
            self.letters[letter_id] = resource
            answer = {"data": resource}
            self.print_count[key] = self.print_count.get(key, 0) + 1
            if key:
                self.answers[key] = (201, answer)
            hold = key == self.hold_key
        if hold:
            self.holding.set()
            self.release.wait(timeout=60)
        return 201, answer, {}

    def _check(self, payload: Any) -> tuple[str, str] | None:
        """(JSON pointer, detail) of the first invalid field, as Pingen's validation reports it."""
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(data, dict) or data.get("type") != "letters":
            return "/data/type", "The data.type must be letters."
        a = data.get("attributes") if isinstance(data.get("attributes"), dict) else {}
        name = a.get("file_original_name")
        if not isinstance(name, str) or not 5 <= len(name) <= 255:
            return "/data/attributes/file_original_name", "The file original name must be 5 to 255 characters."
        token = str(a.get("file_url", "")).rsplit("/", 1)[-1]
        upload = self.uploads.get(token)
        if not str(a.get("file_url", "")).startswith(f"{self.url}/upload/") or upload is None:
            return "/data/attributes/file_url", "The file url is invalid."
        if a.get("file_url_signature") != upload["signature"]:
            return "/data/attributes/file_url_signature", "The file url signature is invalid."
        if not (upload["pdf"] or b"").startswith(b"%PDF-"):
            return "/data/attributes/file_url", "The file must be a PDF."
        if a.get("address_position") not in ("left", "right"):
            return "/data/attributes/address_position", "The address position must be left or right."
        if not isinstance(a.get("auto_send"), bool):
            return "/data/attributes/auto_send", "The auto send field must be true or false."
        if a.get("delivery_product") not in DELIVERY_PRODUCTS:
            return "/data/attributes/delivery_product", "The selected delivery product is invalid."
        if a.get("print_mode") not in ("simplex", "duplex"):
            return "/data/attributes/print_mode", "The selected print mode is invalid."
        if a.get("print_spectrum") not in ("grayscale", "color"):
            return "/data/attributes/print_spectrum", "The selected print spectrum is invalid."
        return None

    def read_letter(self, headers: dict[str, str], letter_id: str) -> tuple[int, dict[str, Any], dict[str, str]]:
        if not self._authorized(headers):
            return _errors(401, "unauthenticated", "Unauthenticated.", "A valid access token is required.")
        letter = self.letters.get(letter_id)
        if letter is None:
            return _errors(404, "not_found", "Not Found", "No such letter.")
        return 200, {"data": letter}, {}


    def cancel_letter(self, headers: dict[str, str], letter_id: str) -> tuple[int, dict[str, Any] | None,
                                                                               dict[str, str]]:
        if not self._authorized(headers):
            return _errors(401, "unauthenticated", "Unauthenticated.", "A valid access token is required.")
        letter = self.letters.get(letter_id)
        if letter is None:
            return _errors(404, "not_found", "Not Found", "No such letter.")
        if letter["attributes"]["status"] not in ("validating", "valid", "submitted", "accepted"):
            return _errors(422, "not_cancellable", "Unprocessable", "The letter can no longer be cancelled.")
        self.set_status(letter_id, "cancelled")
        return 202, None, {}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S%z")


def _errors(status: int, code: str, title: str, detail: str,
            pointer: str | None = None) -> tuple[int, dict[str, Any], dict[str, str]]:
    error = {"code": code, "title": title, "detail": detail, "source": {"pointer": pointer} if pointer else {}}
    return status, {"errors": [error]}, {}


def signed_webhook(category: str, letter_id: str, *, code: str, name: str, location: str = "",
                   reason: str | None = None, secret: str = WEBHOOK_SECRET, created_at: datetime | None = None,
                   emitted_at: datetime | None = None, event_id: str | None = None) -> tuple[bytes, dict[str, str]]:
    """A Pingen webhook (``webhook_sent`` / ``_delivered`` / ``_undeliverable`` / ``_issues``) and its Signature."""
    created = (created_at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S%z")
    emitted = (emitted_at or created_at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S%z")
    event_ref = str(uuid.uuid4())
    attributes: dict[str, Any] = {"url": "https://example.invalid/pingen-webhook", "created_at": created}
    if reason is not None:
        attributes["reason"] = reason
    base = f"https://api-staging.pingen.com/organisations/{ORGANISATION_ID}"
    event = {
        "data": {"type": f"webhook_{category}", "id": event_id or str(uuid.uuid4()), "attributes": attributes,
                 "relationships": {
                     "organisation": {"data": {"type": "organisations", "id": ORGANISATION_ID}},
                     "deliverable": {"links": {"related": f"{base}/deliveries/letters/{letter_id}"},
                                     "data": {"type": "letters", "id": letter_id}},
                     "letter": {"data": {"type": "letters", "id": letter_id}},
                     "event": {"data": {"type": "deliverables_events", "id": event_ref}}}},
        "included": [
            {"type": "letters", "id": letter_id, "attributes": {"status": category}},
            {"type": "deliverables_events", "id": event_ref, "attributes": {
                "code": code, "name": name, "producer": "Post CH AG", "location": location, "has_image": False,
                "data": [], "emitted_at": emitted, "created_at": created, "updated_at": created}},
        ],
    }
    body = json.dumps(event).encode()
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return body, {"Content-Type": "application/json", "Signature": signature}


def start() -> tuple[FakePingen, ThreadingHTTPServer]:
    fake = FakePingen()
    letters = re.compile(rf"/organisations/{ORGANISATION_ID}/deliveries/letters(?:/([0-9a-f-]+))?")

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, answer: dict[str, Any] | None, extra: dict[str, str]) -> None:
            data = json.dumps(answer).encode() if answer is not None else b""
            try:
                self.send_response(status)
                self.send_header("Content-Type", JSON_API)
                self.send_header("Content-Length", str(len(data)))
                for key, value in extra.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _headers(self) -> dict[str, str]:
            return {k.lower(): v for k, v in self.headers.items()}

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("content-length") or 0))

        def do_POST(self) -> None:  # noqa: N802
            body = self._body()
            if self.path == "/auth/access-tokens":
                self._answer(*fake.token(self._headers(), body))
            elif (m := letters.fullmatch(self.path)) and m.group(1) is None:
                self._answer(*fake.create_letter(self._headers(), body))
            else:
                self._answer(*_errors(404, "not_found", "Not Found", self.path))

        def do_GET(self) -> None:  # noqa: N802
            if self.path == "/file-upload":
                self._answer(*fake.file_upload(self._headers()))
            elif (m := letters.fullmatch(self.path)) and m.group(1):
                self._answer(*fake.read_letter(self._headers(), m.group(1)))
            else:
                self._answer(*_errors(404, "not_found", "Not Found", self.path))

        def do_PUT(self) -> None:  # noqa: N802
            body = self._body()
            if self.path.startswith("/upload/"):
                self._answer(fake.put_file(self.path.rsplit("/", 1)[-1], body), None, {})
            else:
                self._answer(*_errors(404, "not_found", "Not Found", self.path))

        def do_PATCH(self) -> None:  # noqa: N802
            self._body()
            m = re.fullmatch(rf"/organisations/{ORGANISATION_ID}/deliveries/letters/([0-9a-f-]+)/cancel", self.path)
            if m is None:
                self._answer(*_errors(404, "not_found", "Not Found", self.path))
            else:
                self._answer(*fake.cancel_letter(self._headers(), m.group(1)))

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, server
