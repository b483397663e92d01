"""A local fake print partner speaking the contract of ``domain.adapters.print_partner``.

It checks each hand-off (bearer token, idempotency key, a real PDF, an address), prints each
idempotency key at most once (a repeat gets the first answer), and can misbehave on
purpose, per order (other tests' jobs share the partner): be down for the next N requests,
refuse, or hold one piece's request open so a test can kill the worker mid-hand-off.
"""
from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "partner-token-for-tests"


@dataclass
class FakePartner:
    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)  # every request, in order
    printed: dict[str, str] = field(default_factory=dict)  # idempotency key -> partner id
    print_count: dict[str, int] = field(default_factory=dict)  # key -> times actually printed (must be 1)
    problems: list[str] = field(default_factory=list)
    down_for: dict[str, int] = field(default_factory=dict)  # order id -> answer 503 this many times
    refuse: dict[str, int] = field(default_factory=dict)  # order id -> 4xx status to answer with
    hold_key: str | None = None  # a piece id whose request is held open (and printed)
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        key = headers.get("idempotency-key", "")
        parts = _multipart(headers.get("content-type", ""), body)
        metadata = json.loads(parts.get("metadata", b"{}") or b"{}")
        pdf = parts.get("file", b"")
        with self.lock:
            number = len(self.received) + 1
            self.received.append({"key": key, "metadata": metadata, "pdf_bytes": len(pdf)})
            if headers.get("authorization") != f"Bearer {TOKEN}":
                self.problems.append(f"request {number}: wrong bearer token")
            if not key or key != metadata.get("pieceId"):
                self.problems.append(f"request {number}: Idempotency-Key must be the piece id")
            if not pdf.startswith(b"%PDF-"):
                self.problems.append(f"request {number}: file is not a PDF")
            if not metadata.get("address") or not metadata.get("country"):
                self.problems.append(f"request {number}: no address")
            order_id = str(metadata.get("orderId"))
            if self.down_for.get(order_id, 0) > 0:
                self.down_for[order_id] -= 1
                return 503, {"error": "print partner is down for maintenance"}
            if order_id in self.refuse:
                return self.refuse[order_id], {"error": "address not deliverable by this partner"}
            if key not in self.printed:  # the piece goes to print the moment it is received
                self.printed[key] = f"pp_{secrets.token_hex(6)}"
                self.print_count[key] = self.print_count.get(key, 0) + 1
            answer = {"id": self.printed[key], "status": "accepted"}
            hold = key == self.hold_key
        if hold:
            self.holding.set()
            self.release.wait(timeout=60)
        return 201, answer


def _multipart(content_type: str, body: bytes) -> dict[str, bytes]:
    message = message_from_bytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body, policy=HTTP)
    out: dict[str, bytes] = {}
    if message.is_multipart():
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name:
                out[str(name)] = part.get_payload(decode=True) or b""
    return out


def start() -> tuple[FakePartner, ThreadingHTTPServer]:
    fake = FakePartner()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length)
            if self.path != "/v1/pieces":
                status, answer = 404, {"error": "no such endpoint"}
            else:
                status, answer = fake.handle({k.lower(): v for k, v in self.headers.items()}, body)
            data = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the worker was killed while we held its request

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, server
