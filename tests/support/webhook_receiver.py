"""A real HTTP receiver for webhook tests: verifies every delivery with the ``standardwebhooks``
library (as a customer's backend would) and answers as scripted.

``script`` is consumed one entry per request: an int status, ``("hang", seconds)`` or
``("big", bytes)``; when it is empty the answer is 200.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    msg_id: str
    timestamp: str
    signatures: str
    body: dict[str, Any]
    verified_with: list[int]  # indexes into ``secrets`` whose signature matched
    answered: Any
    at: float


@dataclass
class Receiver:
    secrets: list[str] = field(default_factory=list)
    script: list[Any] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    down: bool = False  # answer 503 to everything (an outage)
    slow: float = 0.0  # seconds spent on each request before answering
    url: str = ""
    server: ThreadingHTTPServer | None = None

    def ok(self) -> list[Received]:
        """Requests that were verified and answered 2xx."""
        return [r for r in self.received if r.verified_with and r.answered == 200]

    def reset(self, *, secrets: list[str] | None = None, script: list[Any] | None = None) -> None:
        with self.lock:
            self.received.clear()
            self.script[:] = script or []
            if secrets is not None:
                self.secrets[:] = secrets

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out as separate writes

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                headers = {k: v for k, v in self.headers.items()}
                matched = []
                for i, secret in enumerate(list(receiver.secrets)):
                    try:
                        Webhook(secret).verify(raw, headers)
                        matched.append(i)
                    except WebhookVerificationError:
                        pass
                with receiver.lock:
                    action = 503 if receiver.down else receiver.script.pop(0) if receiver.script else 200
                    receiver.received.append(Received(
                        self.headers.get("webhook-id", ""), self.headers.get("webhook-timestamp", ""),
                        self.headers.get("webhook-signature", ""), json.loads(raw), matched, action, time.time()))
                if receiver.slow:
                    time.sleep(receiver.slow)
                if isinstance(action, tuple) and action[0] == "hang":
                    time.sleep(action[1])
                    action = 200
                if isinstance(action, tuple) and action[0] == "big":
                    self.send_response(200)
                    self.send_header("Content-Length", str(action[1]))
                    self.end_headers()
                    chunk = b"x" * 65536
                    try:
                        for _ in range(action[1] // len(chunk)):
                            self.wfile.write(chunk)
                    except OSError:
                        pass  # the sender hung up after its cap: what the test wants
                    return
                if action == 503 and receiver.down:
                    status, payload = 503, b"down"
                elif not matched:
                    status, payload = 400, b'{"error":"signature"}'
                else:
                    status = int(action)
                    payload = b'{"ok":true}' if status == 200 else b"boom"
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
