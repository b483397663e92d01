"""``POST /v1/quotes``: price a letter or postcard payload without creating anything."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.use_cases import commands
from server.api.auth import api_context
from server.api.body import read_json_object
from server.api.responses import json_response


async def create_quote(request: Request) -> Response:
    ctx = await api_context(request)
    body = await read_json_object(request)
    return json_response(await commands.quote(ctx.db, ctx.settings, ctx.caller, body))


routes = [Route("/v1/quotes", create_quote, methods=["POST"])]
