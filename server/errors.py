"""Render errors once, at the edge: ``{"code", "error"}`` with each code's HTTP status (domain.core.errors)."""
from __future__ import annotations

import logging
from collections.abc import Iterator

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.core.errors import DomainError, ErrorCode
from server.middleware import timed_receive
from domain.use_cases.system import DATABASE_ERRORS
from server.web.render import page

log = logging.getLogger("pieterpost.errors")

_HTTP_CODES = {404: ErrorCode.NOT_FOUND, 405: ErrorCode.INVALID_REQUEST, 413: ErrorCode.PAYLOAD_TOO_LARGE}
DB_RETRY_AFTER_SECONDS = 5
DB_MESSAGE = "The database could not complete the request; retry."
# Modules whose OSErrors mean "the database is unreachable" (a refused or reset connection
# from asyncpg is raised raw, not wrapped in SQLAlchemy's OperationalError).
_DRIVER_MODULES = ("asyncpg", "sqlalchemy", "psycopg", "aiosqlite")


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


def allowed_methods(app: ASGIApp, scope: Scope) -> list[str]:
    """Every method any top-level route serves for this path (several routes may share a path,
    and Starlette's own 405 names only the first one's methods)."""
    methods: set[str] = set()
    for route in getattr(getattr(app, "router", None), "routes", []):
        if isinstance(route, Route) and route.methods and route.matches(scope)[0] != Match.NONE:
            methods |= route.methods
    return sorted(methods)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404 and _wants_page(request):  # a person typed or followed a wrong address
        return page(request, "errors/not_found.html", 404)
    code = _HTTP_CODES.get(exc.status_code, ErrorCode.INVALID_REQUEST)
    message = "Not found." if exc.status_code == 404 else str(exc.detail)
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 405:
        methods = allowed_methods(request.app, request.scope)
        if methods:
            headers["Allow"] = ", ".join(methods)
            message = f"Method Not Allowed; this path serves {', '.join(methods)}."
    return error_response(code, message, exc.status_code, headers or None)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, its causes and contexts, and the members of exception groups (task groups wrap)."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        item = todo.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        if isinstance(item, BaseExceptionGroup):
            todo.extend(item.exceptions)
        todo.extend(e for e in (item.__cause__, item.__context__) if e is not None)


def _raised_in_driver(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        module = tb.tb_frame.f_globals.get("__name__", "")
        if module.split(".")[0] in _DRIVER_MODULES:
            return True
        tb = tb.tb_next
    return False


def is_database_outage(exc: BaseException) -> bool:
    """True when ``exc`` means the database is unreachable or failing (answer 503, retry)."""
    for item in _chain(exc):
        if isinstance(item, DATABASE_ERRORS):
            return True
        if isinstance(item, OSError) and _raised_in_driver(item):
            return True
    return False


def is_client_gone(exc: BaseException) -> bool:
    return any(isinstance(item, ClientDisconnect) for item in _chain(exc))


def db_error_response() -> Response:
    return error_response(ErrorCode.DB_ERROR, DB_MESSAGE, 503, {"Retry-After": str(DB_RETRY_AFTER_SECONDS)})


async def database_error(request: Request, exc: Exception) -> Response:
    log.error("database error: %s: %s", type(exc).__name__, exc)
    return last_resort_response(request.scope, exc)


async def os_error(request: Request, exc: Exception) -> Response:
    """A raw OSError from the database driver is an outage; any other is a bug."""
    if is_database_outage(exc):
        return await database_error(request, exc)
    return await unknown_error(request, exc)


async def unknown_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error")
    return error_response(ErrorCode.UNKNOWN_ERROR, "Something went wrong on our side.", 500)


_HTML_PAGE = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>"
              "<body><main><h1>{title}</h1><p>{text}</p></main></body></html>")


def _wants_html(scope: Scope) -> bool:
    path = scope.get("path", "")
    if path.startswith(("/v1/", "/mcp")) and not path.startswith("/v1/sandbox/"):
        return False
    accept = dict(scope.get("headers") or []).get(b"accept", b"")
    return b"text/html" in accept


def last_resort_response(scope: Scope, exc: BaseException) -> Response:
    """503 ``db_error`` (with ``Retry-After``) for outages, else 500; an HTML page for browsers."""
    if isinstance(exc, DATABASE_ERRORS) or is_database_outage(exc):
        status, code, title, text = 503, ErrorCode.DB_ERROR, "Temporarily unavailable", DB_MESSAGE
        headers = {"Retry-After": str(DB_RETRY_AFTER_SECONDS)}
    else:
        status, code, title = 500, ErrorCode.UNKNOWN_ERROR, "Something went wrong"
        text, headers = "Something went wrong on our side.", {}
    if _wants_html(scope):
        return HTMLResponse(_HTML_PAGE.format(title=title, text=text), status_code=status,
                            headers={**headers, "Cache-Control": "no-store"})
    return error_response(code, text, status, headers)


class AlwaysAnswerMiddleware:
    """The catch-all: every request that raised gets an HTTP answer and nothing is re-raised.

    Starlette's own catch-all re-raises after rendering, and uvicorn then closes the
    keep-alive connection, so a client's next request on it got no answer at all. A client
    that went away mid-body is logged as one quiet line, not as an error with tracebacks.
    The same layer times the request body (``server.middleware.timed_receive``).
    """

    def __init__(self, app: ASGIApp, *, body_idle: float = 20.0, body_total: float = 300.0) -> None:
        self.app = app
        self.body_idle = body_idle
        self.body_total = body_total

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        receive = timed_receive(scope, receive, idle=self.body_idle, total=self.body_total)
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            if is_client_gone(exc):
                log.info("client disconnected before the request body was complete")
                return
            if isinstance(exc, DomainError):  # e.g. the body deadline, raised outside a route
                if not started:
                    await error_response(exc.code, exc.message, exc.status)(scope, receive, send)
                return
            if is_database_outage(exc):
                log.error("database unavailable: %s: %s", type(exc).__name__, exc)
            else:
                log.error("unhandled error", exc_info=exc)
            if started:
                return  # the status line is out; nothing more can be said on this response
            await last_resort_response(scope, exc)(scope, receive, send)


EXCEPTION_HANDLERS = {
    DomainError: domain_error,
    HTTPException: http_error,
    **{error: database_error for error in DATABASE_ERRORS},
    OSError: os_error,
}
