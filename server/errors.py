"""Render errors once, at the edge: ``{"code", "error"}`` with each code's HTTP status (domain.core.errors)."""
from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from domain.core.errors import DomainError, ErrorCode
from domain.use_cases.system import DATABASE_ERRORS
from server.web.render import page

log = logging.getLogger("pieterpost.errors")

_HTTP_CODES = {404: ErrorCode.NOT_FOUND, 405: ErrorCode.INVALID_REQUEST, 413: ErrorCode.PAYLOAD_TOO_LARGE}


def error_response(code: ErrorCode | str, message: str, status: int, headers: dict[str, str] | None = None,
                   details: dict[str, object] | None = None) -> Response:
    """``{"code", "error"}``, plus any extra fields the error carries (e.g. a spend limit's figures)."""
    return JSONResponse({**(details or {}), "code": str(code), "error": message}, status_code=status,
                        headers=headers)


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
    return error_response(exc.code, exc.message, exc.status, headers, exc.details)


#: paths whose answers are for programs: they keep the JSON error even for a browser
_MACHINE_PREFIXES = ("/v1", "/mcp", "/.well-known", "/api/public-assets", "/authorize", "/token", "/register")


def _wants_page(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and request.method in ("GET", "HEAD") and \
        not request.url.path.startswith(_MACHINE_PREFIXES)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404 and _wants_page(request):  # a person typed or followed a wrong address
        return page(request, "errors/not_found.html", 404)
    code = _HTTP_CODES.get(exc.status_code, ErrorCode.INVALID_REQUEST)
    message = "Not found." if exc.status_code == 404 else str(exc.detail)
    return error_response(code, message, exc.status_code, getattr(exc, "headers", None))


async def database_error(request: Request, exc: Exception) -> Response:
    log.exception("database error")
    return error_response(ErrorCode.DB_ERROR, "The database could not complete the request; retry.", 503)


async def unknown_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error")
    return error_response(ErrorCode.UNKNOWN_ERROR, "Something went wrong on our side.", 500)


EXCEPTION_HANDLERS = {
    DomainError: domain_error,
    HTTPException: http_error,
    **{error: database_error for error in DATABASE_ERRORS},
    Exception: unknown_error,
}
