"""A local fake of the few Stripe endpoints the service calls, for the real ``stripe`` library.

It speaks Stripe's wire format (form-encoded bodies, JSON answers, error objects), checks
every request (secret key, idempotency key on creates, API version header), answers a
repeated idempotency key with the first response, and records everything for assertions.
``signed_event`` builds webhook bodies signed the way Stripe signs them.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

SECRET_KEY = "sk_test_fake_0123456789"
WEBHOOK_SECRET = "whsec_fake_test_secret"


def unflatten(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """``line_items[0][price_data][currency]=eur`` → nested dicts/lists, as Stripe reads them."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        node: Any = root
        for part, nxt in zip(parts, parts[1:], strict=False):
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _lists(root)


def _lists(node: Any) -> Any:  # noqa: ANN401
    if isinstance(node, dict):
        if node and all(k.isdigit() for k in node):
            return [_lists(node[k]) for k in sorted(node, key=int)]
        return {k: _lists(v) for k, v in node.items()}
    return node


@dataclass
class Call:
    method: str
    path: str
    headers: dict[str, str]
    params: dict[str, Any]


@dataclass
class FakeStripe:
    url: str = ""
    calls: list[Call] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    refuse_creates: int = 0  # answer this many session creates with a card-style 400 error
    _idem: dict[str, tuple[str, int, bytes]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def creates(self, path: str = "/v1/checkout/sessions") -> list[Call]:
        return [c for c in self.calls if c.method == "POST" and c.path == path]

    def complete(self, session_id: str, *, payment_status: str = "paid") -> dict[str, Any]:
        """The payer paid: the session object as the completed event carries it."""
        session = self.sessions[session_id]
        session.update(status="complete", payment_status=payment_status,
                       payment_intent=session["payment_intent"] or f"pi_{secrets.token_hex(8)}")
        return dict(session)

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        params = unflatten(parse_qsl(body.decode(), keep_blank_values=True))
        with self._lock:
            self.calls.append(Call(method, path, headers, params))
        if headers.get("authorization") != f"Bearer {SECRET_KEY}":
            self.problems.append(f"{method} {path}: wrong or missing secret key")
            return 401, _error("authentication_error", "Invalid API Key provided")
        if not headers.get("stripe-version"):
            self.problems.append(f"{method} {path}: no Stripe-Version header")
        if method == "POST":
            key = headers.get("idempotency-key")
            if not key:
                self.problems.append(f"POST {path}: no Idempotency-Key")
            elif key in self._idem:
                first_body, status, answer = self._idem[key]
                if first_body != body.decode():
                    return 400, _error("idempotency_error", "Keys for idempotent requests can only be used "
                                                           "with the same parameters they were first used with.")
                return status, json.loads(answer)
        status, answer = self._route(method, path, params)
        if method == "POST" and headers.get("idempotency-key"):
            self._idem[headers["idempotency-key"]] = (body.decode(), status, json.dumps(answer).encode())
        return status, answer

    def _route(self, method: str, path: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if method == "POST" and path == "/v1/checkout/sessions":
            if self.refuse_creates > 0:
                self.refuse_creates -= 1
                return 400, _error("invalid_request_error", "This account cannot create sessions right now.")
            return self._create_session(params)
        match = re.fullmatch(r"/v1/checkout/sessions/(cs_\w+)(/expire)?", path)
        if match and match.group(1) in self.sessions:
            session = self.sessions[match.group(1)]
            if match.group(2):
                if session["status"] != "open":
                    return 400, _error("invalid_request_error", f"This session is {session['status']}.")
                session["status"] = "expired"
            return 200, dict(session)
        if method == "POST" and path == "/v1/refunds":
            return 200, {"id": f"re_{secrets.token_hex(8)}", "object": "refund", "status": "succeeded",
                         "payment_intent": params.get("payment_intent"), "metadata": params.get("metadata", {})}
        return 404, _error("invalid_request_error", f"Unrecognized request URL ({method} {path}).")

    def _create_session(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        for name in ("mode", "line_items", "payment_method_types", "metadata", "expires_at", "success_url",
                     "cancel_url"):
            if name not in params:
                self.problems.append(f"checkout session without {name}")
        items = params.get("line_items", [])
        total = sum(int(i["price_data"]["unit_amount"]) * int(i["quantity"]) for i in items)
        currencies = {i["price_data"]["currency"] for i in items}
        if len(currencies) != 1:
            self.problems.append(f"line items in several currencies: {currencies}")
        expires_at = int(params.get("expires_at", 0))
        if not time.time() + 30 * 60 <= expires_at <= time.time() + 24 * 3600 + 5:
            self.problems.append(f"expires_at {expires_at} outside Stripe's 30 min .. 24 h window")
        session_id = f"cs_test_{secrets.token_hex(12)}"
        session = {"id": session_id, "object": "checkout.session", "url": f"{self.url}/c/pay/{session_id}",
                   "status": "open", "payment_status": "unpaid", "amount_total": total,
                   "currency": currencies.pop() if currencies else None, "metadata": params.get("metadata", {}),
                   "client_reference_id": params.get("client_reference_id"), "expires_at": expires_at,
                   "payment_intent": None, "mode": "payment"}
        self.sessions[session_id] = session
        return 200, dict(session)


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message}}


def signed_event(event_type: str, obj: dict[str, Any], *, secret: str = WEBHOOK_SECRET,
                 event_id: str | None = None, timestamp: int | None = None) -> tuple[bytes, dict[str, str]]:
    """A webhook body and its ``Stripe-Signature`` header (``t=…,v1=HMAC-SHA256(t.body)``)."""
    event = {"id": event_id or f"evt_{secrets.token_hex(12)}", "object": "event", "type": event_type,
             "api_version": "2025-01-01", "created": int(time.time()), "data": {"object": obj}}
    body = json.dumps(event).encode()
    ts = timestamp or int(time.time())
    signature = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return body, {"Stripe-Signature": f"t={ts},v1={signature}", "Content-Type": "application/json"}


def start() -> tuple[FakeStripe, ThreadingHTTPServer]:
    fake = FakeStripe()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            path = self.path.split("?", 1)[0]
            status, answer = fake.handle(self.command, path, {k.lower(): v for k, v in self.headers.items()}, body)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _serve

        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, server
