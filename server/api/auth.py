"""Bearer API-key authentication and the per-minute limits for every /v1 call."""
from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from domain.core.context import Caller
from domain.core.errors import DomainError, ErrorCode
from domain.core.settings import Settings
from domain.requests.rate_limits import WindowCount
from domain.use_cases import access
from domain.use_cases.system import Database


@dataclass(frozen=True)
class ApiContext:
    caller: Caller
    db: Database
    settings: Settings
    window: WindowCount


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def api_context(request: Request) -> ApiContext:
    """Authenticate (cached), then count the request per account, per key and per source IP."""
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    try:
        caller, window = await access.api_request(db, request.app.state.limiter, settings, bearer_token(request),
                                                  client_ip(request))
    except DomainError as exc:
        if exc.code == ErrorCode.RATE_LIMITED:  # refused by a minute window (not counted)
            request.state.rate_headers = _headers(settings.rate_limit_per_minute, 0, exc.retry_after or 60)
        raise
    request.state.rate_headers = _headers(window.limit, window.remaining, window.reset_in)
    return ApiContext(caller=caller, db=db, settings=settings, window=window)


def _headers(limit: int, remaining: int, reset_in: int) -> dict[str, str]:
    return {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(reset_in)}
