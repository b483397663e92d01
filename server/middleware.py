"""Plain ASGI middleware: request ids and one JSON access-log line per request, rate headers,
HSTS behind https, and the request-body deadline."""
from __future__ import annotations

import asyncio
import logging
import re
import secrets
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.core.errors import DomainError, ErrorCode
from server.logs import request_id_var

log = logging.getLogger("pieterpost.access")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Takes a sane incoming ``X-Request-Id`` or makes one; echoes it; logs the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if _SAFE_ID.match(incoming) else "req_" + secrets.token_hex(8)
        token = request_id_var.set(rid)
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status = {"code": 500}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log.info("request", extra={"fields": {
                "method": scope.get("method"), "path": scope.get("path"), "status": status["code"],
                "durationMs": round((time.perf_counter() - started) * 1000, 1),
            }})
            request_id_var.reset(token)


class RateHeadersMiddleware:
    """Adds the ``X-RateLimit-*`` headers an endpoint computed (kept in request state)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start" and state.get("rate_headers"):
                extra = [(k.lower().encode(), v.encode()) for k, v in state["rate_headers"].items()]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SecurityHeadersMiddleware:
    """``Strict-Transport-Security`` on every answer when the service is reached over https.

    Only with an https ``BASE_URL``: behind plain http (local runs, tests) the header would be
    ignored by browsers at best. No ``includeSubDomains``: sibling hosts are not ours to pin.
    """

    HSTS = (b"strict-transport-security", b"max-age=31536000")

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.https:
            await self.app(scope, receive, send)
            return

        async def send_with_hsts(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), self.HSTS]
            await send(message)

        await self.app(scope, receive, send_with_hsts)


class BodyDeadlineMiddleware:
    """A request body must keep arriving: at most ``idle`` seconds between chunks and
    ``total`` seconds for the whole body, or the request ends with 408 ``request_timeout``.

    Without it a client sending one byte a minute holds a connection (and a worker slot)
    for as long as it likes. Only the body is timed: once the last chunk is in, the wrapped
    ``receive`` waits for ``http.disconnect`` as long as the response needs (SSE streams).
    """

    def __init__(self, app: ASGIApp, *, idle: float, total: float) -> None:
        self.app = app
        self.idle = idle
        self.total = total

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body_done = False
        deadline = time.monotonic() + self.total

        async def timed_receive() -> Message:
            nonlocal body_done
            if body_done:
                return await receive()
            wait = min(self.idle, deadline - time.monotonic())
            try:
                message = await asyncio.wait_for(receive(), timeout=max(wait, 0.001))
            except TimeoutError:
                log.info("request body timed out", extra={"fields": {"path": scope.get("path")}})
                raise DomainError("The request body arrived too slowly; send it again.",
                                  code=ErrorCode.REQUEST_TIMEOUT) from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            return message

        await self.app(scope, receive if scope.get("method") in ("GET", "HEAD") else timed_receive, send)
