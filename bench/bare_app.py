"""Baseline: the smallest Starlette JSON endpoint, served by the same uvicorn settings."""
from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def echo(request: Request) -> JSONResponse:
    body = await request.json()
    return JSONResponse({"ok": True, "keys": len(body)})


app = Starlette(routes=[Route("/echo", echo, methods=["POST"])])
