"""``/v1/wallet`` and ``/v1/credits/topups``."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.core.paging import PAGE_DEFAULT, PAGE_MAX
from domain.use_cases import commands
from domain.money.currency import CURRENCIES
from server.api.auth import api_context
from server.api.body import query_choice, query_int, reject_unknown_query
from server.api.creates import create_endpoint
from server.api.responses import json_response


async def get_wallet(request: Request) -> Response:
    ctx = await api_context(request)
    return json_response(await commands.get_wallet(ctx.db, ctx.caller, request.query_params.get("currency")))


async def get_topup(request: Request) -> Response:
    ctx = await api_context(request)
    return json_response(await commands.get_topup(ctx.db, ctx.caller, request.path_params["topup_id"]))


async def list_topups(request: Request) -> Response:
    ctx = await api_context(request)
    reject_unknown_query(request, ("limit", "startingAfter", "currency"))
    page = await commands.list_topups(
        ctx.db, ctx.caller,
        limit=query_int(request, "limit", PAGE_DEFAULT, minimum=1, maximum=PAGE_MAX),
        currency=query_choice(request, "currency", CURRENCIES),
        starting_after=request.query_params.get("startingAfter") or None,
        mode=ctx.caller.mode,
    )
    return json_response(page)


routes = [
    Route("/v1/wallet", get_wallet, methods=["GET"]),
    Route("/v1/credits/topups", create_endpoint(commands.create_topup), methods=["POST"]),
    Route("/v1/credits/topups", list_topups, methods=["GET"]),
    Route("/v1/credits/topups/{topup_id}", get_topup, methods=["GET"]),
]
