"""Plain ASGI middleware (one layer, on every request): request id, X-RateLimit-* headers, HSTS
behind https, access log. ``timed_receive`` is the request-body deadline the catch-all layer
(``server.errors.AlwaysAnswerMiddleware``) applies."""
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
    """Takes a sane incoming ``X-Request-Id`` or makes one and echoes it; adds the
    ``X-RateLimit-*`` headers an endpoint computed (kept in request state); logs the request.
    One middleware instead of two: each layer wraps ``send`` again on every request.

    ``hsts`` (an https ``BASE_URL``) adds ``Strict-Transport-Security`` to every answer; behind
    plain http browsers ignore it. No ``includeSubDomains``: sibling hosts are not ours to pin."""

    HSTS = (b"strict-transport-security", b"max-age=31536000")

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

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
                if self.hsts:
                    extra.append(self.HSTS)
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


def timed_receive(scope: Scope, receive: Receive, *, idle: float, total: float) -> Receive:
    """``receive`` with a deadline on the request body: at most ``idle`` seconds between chunks
    and ``total`` for the whole body, else 408 ``request_timeout``.

    Without it a client sending one byte a minute holds a connection (and a task) as long as it
    likes. Only the body is timed: after its last chunk, ``receive`` waits for
    ``http.disconnect`` as long as the response needs (SSE streams)."""
    if scope.get("method") in ("GET", "HEAD", "OPTIONS"):
        return receive
    body_done = False
    deadline = time.monotonic() + total

    async def timed() -> Message:
        nonlocal body_done
        if body_done:
            return await receive()
        wait = min(idle, deadline - time.monotonic())
        try:
            # asyncio.timeout, not wait_for: wait_for wraps every chunk's receive in a new task
            async with asyncio.timeout(max(wait, 0.001)):
                message = await receive()
        except TimeoutError:
            log.info("request body timed out", extra={"fields": {"path": scope.get("path")}})
            raise DomainError("The request body arrived too slowly; send it again.",
                              code=ErrorCode.REQUEST_TIMEOUT) from None
        if message["type"] != "http.request" or not message.get("more_body", False):
            body_done = True
        return message

    return timed
