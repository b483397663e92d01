"""``/v1/checkout-links`` (hosted checkout orders) and ``/v1/compose-links``."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain import commands
from server.api.auth import api_context
from server.api.body import read_json_object
from server.api.responses import result_response


async def create_checkout_link(request: Request) -> Response:
    ctx = await api_context(request)
    body = await read_json_object(request)
    result = await commands.create_checkout_order(ctx.db, ctx.settings, ctx.caller, body,
                                                  idempotency_key=request.headers.get("idempotency-key"))
    return result_response(result)


async def create_compose_link(request: Request) -> Response:
    ctx = await api_context(request)
    body = await read_json_object(request)
    result = await commands.create_compose_link(ctx.db, ctx.settings, ctx.caller, body,
                                                idempotency_key=request.headers.get("idempotency-key"))
    return result_response(result)


routes = [
    Route("/v1/checkout-links", create_checkout_link, methods=["POST"]),
    Route("/v1/compose-links", create_compose_link, methods=["POST"]),
]
