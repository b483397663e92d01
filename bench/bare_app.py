"""Baseline: the smallest Starlette JSON endpoint, served by the same uvicorn settings."""
from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def echo(request: Request) -> JSONResponse:
    body = await request.json()
    return JSONResponse({"ok": True, "keys": len(body)})


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    settle_like_pieterpost()
    yield


def settle_like_pieterpost() -> None:
    """With ``BENCH_PEER_GC=N`` set, a peer settles its collector as ``pieterpost serve`` does."""
    if os.environ.get("BENCH_PEER_GC"):
        from server.gc_policy import settle

        settle(int(os.environ["BENCH_PEER_GC"]))


app = Starlette(routes=[Route("/echo", echo, methods=["POST"])], lifespan=lifespan)
