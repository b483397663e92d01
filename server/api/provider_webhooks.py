"""``POST /v1/providers/{lob,pingen}/webhook``: tracking events from the print providers.

The body is read raw (the signature covers exact bytes) and handed to one use case; a
forged signature is 401, a stale or malformed event 400, and neither changes anything.
"""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from domain.core.errors import PayloadTooLarge
from domain.use_cases import mail
from server.api import openapi

MAX_EVENT_BYTES = 512 * 1024  # provider events are a few kB (a Lob event carries the letter object)


async def _body(request: Request) -> bytes:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_EVENT_BYTES:
            raise PayloadTooLarge("Webhook bodies are limited to 512 kB.")
    return body


def _endpoint(provider: str):  # type: ignore[no-untyped-def]
    async def webhook(request: Request) -> Response:
        body = await _body(request)
        outcome = await mail.provider_webhook(request.app.state.db, request.app.state.settings, provider, body,
                                              {k.lower(): v for k, v in request.headers.items()})
        return JSONResponse({"received": True, "outcome": outcome})

    return webhook


def _paths(base_url: str) -> dict[str, Any]:
    error = {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    ok = {"description": "Event received: applied once, repeats and unknown pieces acknowledged",
          "content": {"application/json": {"schema": {"type": "object", "properties": {
              "received": {"type": "boolean"}, "outcome": {"type": "string"}}}}}}
    body = {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}}
    header = lambda name: {"name": name, "in": "header", "required": True, "schema": {"type": "string"}}  # noqa: E731
    return {
        "/v1/providers/lob/webhook": {"post": {
            "summary": "Lob tracking events (letter.* / postcard.*), verified by Lob-Signature: hex HMAC-SHA256 "
                       "of '{Lob-Signature-Timestamp}.{body}' with PIETERPOST_LOB_WEBHOOK_SECRET",
            "security": [], "parameters": [header("Lob-Signature"), header("Lob-Signature-Timestamp")],
            "requestBody": body, "responses": {"200": ok, "400": error, "401": error, "413": error}}},
        "/v1/providers/pingen/webhook": {"post": {
            "summary": "Pingen webhook events (sent, delivered, undeliverable, issues), verified by Signature: "
                       "hex HMAC-SHA256 of the body with PIETERPOST_PINGEN_WEBHOOK_SECRET",
            "security": [], "parameters": [header("Signature")],
            "requestBody": body, "responses": {"200": ok, "400": error, "401": error, "413": error}}},
    }


openapi.EXTRA_PATHS.append(_paths)

routes = [
    Route("/v1/providers/lob/webhook", _endpoint("lob"), methods=["POST"]),
    Route("/v1/providers/pingen/webhook", _endpoint("pingen"), methods=["POST"]),
]
