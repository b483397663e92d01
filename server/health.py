"""``/healthz`` (the process answers) and ``/readyz`` (it can serve: database, Redis when
configured, asset store). A load balancer takes a host out on a failing ``/readyz``; an
orchestrator restarts it only on a failing ``/healthz``, so a database outage does not make
every host restart at once."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from domain.use_cases import operations

CHECK_TIMEOUT = 5.0


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


async def _redis_ping(url: str) -> None:
    import redis.asyncio as redis

    client = redis.from_url(url, socket_connect_timeout=CHECK_TIMEOUT, socket_timeout=CHECK_TIMEOUT)
    try:
        await client.ping()
    finally:
        await client.aclose()


async def _check(name: str, probe: Callable[[], Awaitable[object]]) -> tuple[str, str]:
    try:
        await asyncio.wait_for(probe(), timeout=CHECK_TIMEOUT)
    except Exception as exc:  # noqa: BLE001 - any failure means not ready; the kind is enough
        return name, f"down ({type(exc).__name__})"
    return name, "ok"


async def readyz(request: Request) -> Response:
    settings = request.app.state.settings
    checks: list[tuple[str, Callable[[], Awaitable[object]]]] = [
        ("database", lambda: operations.database_ready(request.app.state.db)),
        ("assets", lambda: operations.assets_ready(settings)),
    ]
    if settings.redis_url:
        checks.append(("redis", lambda: _redis_ping(settings.redis_url)))
    results = dict(await asyncio.gather(*(_check(name, probe) for name, probe in checks)))
    ready = all(value == "ok" for value in results.values())
    return JSONResponse({"status": "ok" if ready else "unavailable", **results}, status_code=200 if ready else 503,
                        headers={"Cache-Control": "no-store"})
