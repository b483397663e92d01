"""``POST /v1/stripe/webhook``: Stripe's signed events in, state changes applied once."""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from domain.core.errors import NotFound, PayloadTooLarge
from domain.payments.stripe_webhooks import apply_event, verify
from server.api import openapi

MAX_EVENT_BYTES = 512 * 1024  # Stripe events are a few kB; refuse anything absurd before hashing it


async def stripe_webhook(request: Request) -> Response:
    if not request.app.state.settings.stripe_webhook_secret:
        # Without a signing secret no event can be verified: to the outside the endpoint does
        # not exist (404), instead of a 500 that tells anyone the server is misconfigured.
        raise NotFound("This server does not accept Stripe webhooks.")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_EVENT_BYTES:
            raise PayloadTooLarge("Webhook bodies are limited to 512 kB.")
    event = verify(body, request.headers.get("stripe-signature"), request.app.state.settings)
    outcome = await apply_event(request.app.state.db, request.app.state.settings, event)
    return JSONResponse({"received": True, "outcome": outcome})


def _paths(base_url: str) -> dict[str, Any]:
    error = {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    html = {"text/html": {"schema": {"type": "string"}}}
    order_id = {"name": "orderId", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "/v1/stripe/webhook": {"post": {
            "summary": "Stripe webhook: checkout.session.completed, .async_payment_succeeded, "
                       ".async_payment_failed and .expired, verified by the Stripe-Signature header",
            "security": [],
            "parameters": [{"name": "Stripe-Signature", "in": "header", "required": True,
                            "schema": {"type": "string"}}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {"200": {"description": "Event received (applied once; repeats are acknowledged)",
                                  "content": {"application/json": {"schema": {"type": "object", "properties": {
                                      "received": {"type": "boolean"}, "outcome": {"type": "string"}}}}}},
                          "400": error, "404": {**error, "description": "Stripe webhooks are not configured "
                                                                "on this server"}, "413": error}}},
        "/v1/sandbox/checkout/{orderId}": {
            "get": {"summary": "Test-mode checkout page: the order's pieces with Pay and Cancel",
                    "security": [], "parameters": [order_id],
                    "responses": {"200": {"description": "HTML page", "content": html},
                                  "404": {"description": "Unknown or live order", "content": html}}},
            "post": {"summary": "Pay or cancel a test-mode checkout; redirects to the return URL",
                     "security": [], "parameters": [order_id],
                     "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {
                         "schema": {"type": "object", "required": ["action", "token"], "properties": {
                             "action": {"type": "string", "enum": ["pay", "cancel"]},
                             "token": {"type": "string"}}}}}},
                     "responses": {"303": {"description": "To returnUrl with checkout=success|cancelled, "
                                                          "or the hosted return page"},
                                   "404": {"description": "Unknown or live order", "content": html}}},
        },
    }


openapi.EXTRA_PATHS.append(_paths)

routes = [Route("/v1/stripe/webhook", stripe_webhook, methods=["POST"])]
