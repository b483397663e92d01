"""``/v1/orders``: direct send, read, list, cancel."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.use_cases import commands, mail
from domain.orders.status import STATUSES
from server.api.auth import api_context
from server.api.body import query_choice, query_int, reject_unknown_query
from server.api.creates import create_endpoint
from server.api.responses import json_response


async def get_order(request: Request) -> Response:
    ctx = await api_context(request)
    return json_response(await mail.get_order_detail(ctx.db, ctx.settings, ctx.caller, request.path_params["order_id"]))


async def list_orders(request: Request) -> Response:
    ctx = await api_context(request)
    reject_unknown_query(request, ("limit", "startingAfter", "status", "requestType"))
    page = await commands.list_orders(
        ctx.db, ctx.settings, ctx.caller,
        limit=query_int(request, "limit", 25, minimum=1, maximum=100),
        starting_after=request.query_params.get("startingAfter") or None,
        status=query_choice(request, "status", STATUSES),
        request_type=query_choice(request, "requestType", ("letter", "postcard")),
        mode=ctx.caller.mode,  # as GET /v1/credits/topups: a key lists its own mode's objects only
    )
    return json_response(page)


async def cancel_order(request: Request) -> Response:
    ctx = await api_context(request)
    return json_response(await commands.cancel_order(ctx.db, ctx.settings, ctx.caller,
                                                     request.path_params["order_id"]))


routes = [
    Route("/v1/orders", create_endpoint(commands.create_direct_order), methods=["POST"]),
    Route("/v1/orders", list_orders, methods=["GET"]),
    Route("/v1/orders/{order_id}", get_order, methods=["GET"]),
    Route("/v1/orders/{order_id}/cancel", cancel_order, methods=["POST"]),
]
