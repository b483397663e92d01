"""Plain ASGI middleware (one layer, on every request): request id, X-RateLimit-* headers, access log."""
from __future__ import annotations

import logging
import re
import secrets
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.logs import request_id_var

log = logging.getLogger("pieterpost.access")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Takes a sane incoming ``X-Request-Id`` or makes one and echoes it; adds the
    ``X-RateLimit-*`` headers an endpoint computed (kept in request state); logs the request.
    One middleware instead of two: each layer wraps ``send`` again on every request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = b""
        for name, value in scope.get("headers") or ():
            if name == b"x-request-id":
                incoming = value
                break
        text = incoming.decode("latin-1")
        rid = text if _SAFE_ID.match(text) else "req_" + secrets.token_hex(8)
        token = request_id_var.set(rid)
        state = scope.setdefault("state", {})
        state["request_id"] = rid
        started = time.perf_counter()
        status = {"code": 500}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                extra = [(b"x-request-id", rid.encode())]
                rate = state.get("rate_headers")
                if rate:
                    extra += [(k.lower().encode(), v.encode()) for k, v in rate.items()]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            if log.isEnabledFor(logging.INFO):
                log.info("request", extra={"fields": {
                    "method": scope.get("method"), "path": scope.get("path"), "status": status["code"],
                    "durationMs": round((time.perf_counter() - started) * 1000, 1),
                }})
            request_id_var.reset(token)
