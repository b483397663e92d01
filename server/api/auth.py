"""Bearer API-key authentication and the per-minute limits for every /v1 call."""
from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from domain.core.context import Caller
from domain.core.errors import DomainError
from domain.core.settings import Settings
from domain.persistence.db import Database
from domain.requests.rate_limits import MinuteLimiter, WindowCount, hit_minute_limits
from domain.use_cases.authenticate import api_key_caller


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
    limiter: MinuteLimiter = request.app.state.limiter
    caller = await api_key_caller(db, bearer_token(request))
    per_account = settings.rate_limit_per_minute
    try:
        window = await hit_minute_limits(limiter, [
            (f"acct:{caller.account_id}", per_account),
            (f"key:{caller.api_key_id}", per_account),
            (f"ip:{client_ip(request)}", settings.rate_limit_ip_per_minute),
        ])
    except DomainError as exc:  # the rejected request is not counted
        request.state.rate_headers = _headers(per_account, 0, exc.retry_after or 60)
        raise
    request.state.rate_headers = _headers(window.limit, window.remaining, window.reset_in)
    return ApiContext(caller=caller, db=db, settings=settings, window=window)


def _headers(limit: int, remaining: int, reset_in: int) -> dict[str, str]:
    return {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(reset_in)}
