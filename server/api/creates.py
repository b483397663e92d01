"""One handler shape for every JSON create: authenticate, parse once, run the idempotent command."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from domain.use_cases.commands import Result
from server.api.auth import api_context
from server.api.body import read_json_object
from server.api.responses import result_response

Command = Callable[..., Awaitable[Result]]


def create_endpoint(command: Command) -> Callable[[Request], Awaitable[Response]]:
    """``command(db, settings, caller, body, idempotency_key=…)`` as a POST endpoint."""

    async def endpoint(request: Request) -> Response:
        ctx = await api_context(request)
        body: dict[str, Any] = await read_json_object(request)
        result = await command(ctx.db, ctx.settings, ctx.caller, body,
                               idempotency_key=request.headers.get("idempotency-key"))
        return result_response(result)

    endpoint.__name__ = command.__name__
    return endpoint
