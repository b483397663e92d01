"""Bearer gate in front of the MCP transports (plain ASGI).

Every request needs a valid token (401 with the resource_metadata challenge; a request to
``/mcp`` is pointed at the metadata describing ``{BASE}/mcp``, one to ``/mcp/`` at ``{BASE}/mcp/``).
A ``tools/call`` whose tool needs a scope the token lacks is refused here with 403
``insufficient_scope`` naming the scope (RFC 6750 §3.1, MCP authorization "Scope challenge"),
before the transport commits to 200 — the SDK client answers that by stepping up its grant.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from starlette.authentication import AuthCredentials
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.core.json_text import loads_untrusted
from server.mcp.auth import Authenticator, AuthFailure, Principal

logger = logging.getLogger(__name__)

PRINCIPAL_KEY = "pieterpost.principal"


def principal_of(scope: Scope) -> Principal | None:
    return scope.get(PRINCIPAL_KEY)


class BodyTooLarge(Exception):
    pass


async def read_body(receive: Receive, limit: int) -> tuple[bytes, list[Message]]:
    """Drain the request body (bounded) and keep any trailing message for replay."""
    chunks: list[bytes] = []
    size = 0
    trailing: list[Message] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            trailing.append(message)
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks), trailing


class MalformedBody(ValueError):
    """JSON the transport must not see (too deeply nested for its parser, NaN, …)."""


def called_tools(body: bytes) -> list[str]:
    """Tool names of the tools/call requests in a JSON-RPC body (single or batch); [] if none."""
    if b"tools/call" not in body:
        return []
    try:
        decoded: Any = loads_untrusted(body)
    except ValueError as exc:
        raise MalformedBody(str(exc)) from exc
    items = decoded if isinstance(decoded, list) else [decoded]
    names = []
    for item in items:
        if isinstance(item, dict) and item.get("method") == "tools/call":
            params = item.get("params")
            if isinstance(params, dict) and isinstance(params.get("name"), str):
                names.append(params["name"])
    return names


def _failure_response(failure: AuthFailure) -> JSONResponse:
    return JSONResponse(failure.body(), status_code=failure.status, headers={"WWW-Authenticate": failure.www_authenticate})


class BearerGate:
    def __init__(self, app: ASGIApp, authenticator: Callable[[], Authenticator], max_body_bytes: int) -> None:
        self.app = app
        self._authenticator = authenticator  # resolved per request: it needs the started app's db
        self.max_body_bytes = max_body_bytes

    @property
    def authenticator(self) -> Authenticator:
        return self._authenticator()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        authorization = None
        for key, value in scope["headers"]:
            if key == b"authorization":
                authorization = value.decode("latin-1")
                break
        try:
            principal = await self.authenticator.authenticate(authorization, scope["path"])
        except AuthFailure as failure:
            await _failure_response(failure)(scope, receive, send)
            return

        replay_receive = receive
        if scope["method"] == "POST":
            try:
                body, trailing = await read_body(receive, self.max_body_bytes)
            except BodyTooLarge:
                await PlainTextResponse("Request body too large", status_code=413)(scope, receive, send)
                return
            try:
                names = called_tools(body)
            except MalformedBody:
                parse_error = {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "Parse error"}}
                await JSONResponse(parse_error, status_code=400)(scope, receive, send)
                return
            for name in names:
                failure = self.authenticator.missing_scope(principal, name, scope["path"])
                if failure is not None:
                    await _failure_response(failure)(scope, receive, send)
                    return
            queue: list[Message] = [{"type": "http.request", "body": body, "more_body": False}, *trailing]

            async def replay_receive() -> Message:
                return queue.pop(0) if queue else await receive()

        scope[PRINCIPAL_KEY] = principal
        # The SDK binds legacy SSE sessions to the credential that opened them via scope["user"].
        scope["user"] = AuthenticatedUser(
            AccessToken(
                token="",  # never keep the raw token around
                client_id=principal.client_id,
                scopes=sorted(principal.scopes),
                subject=principal.account_id,
            )
        )
        scope["auth"] = AuthCredentials(sorted(principal.scopes))
        await self.app(scope, replay_receive, send)
