"""The authorization endpoint's pages: sign-in, sign-up and consent (form fields: docs/product.md § OAuth).

Flow: ``/mcp/oauth/authorize`` validates and parks the request, then 302 to ``login`` (or
straight to ``consent`` when the browser is signed in). A consent the person gave this client
before for the same or fewer scopes answers at once: ``consent`` redirects back to the client. Forms post ``email``, ``password``
and hidden ``csrf_token``; consent posts ``csrf_token`` and ``decision=approve|deny``.
Every page is no-store, unframeable and sends no referrer (the URL holds the request handle).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from domain.core.settings import Settings
from domain.use_cases import accounts
from oauth import authorize, sessions
from oauth.scopes import describe
from oauth.service import get_service
from server.web import credentials, csrf
from server.web.render import HEADERS, templates


def _secure(settings: Settings) -> bool:
    return settings.base_url.startswith("https://")


def _page(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    settings: Settings = request.app.state.settings
    token, fresh = csrf.token_for(request, settings)
    response = templates.TemplateResponse(request, f"oauth/{name}.html", {**context, "csrf_token": token},
                                          status_code=status, headers=HEADERS)
    csrf.set_cookie(response, fresh, secure=_secure(settings))
    return response


def _error(request: Request, status: int, code: str, title: str, message: str) -> Response:
    return _page(request, "error", status, code=code, title=title, message=message)


def _url(page: str, handle: str) -> str:
    return f"/mcp/oauth/{page}?{urlencode({'request': handle})}"


async def _handle(request: Request) -> str | None:
    if request.method == "POST":
        form = await request.form()
        value = form.get("request")
        if isinstance(value, str) and value:
            return value
    return request.query_params.get("request")


def _expired(request: Request) -> Response:
    return _error(request, 400, "request_expired", "This sign-in link has expired",
                  "The authorization request is unknown, already answered, or older than 15 minutes.")


async def authorize_endpoint(request: Request) -> Response:
    service = get_service(request)
    outcome = await authorize.start(request, service.server)
    if isinstance(outcome, authorize.Bounce):
        return RedirectResponse(outcome.url, status_code=302, headers=HEADERS)
    if isinstance(outcome, authorize.Refusal):
        # RFC 6749 §4.1.2.1: unknown client or unregistered redirect URI -> tell the person, not the URI.
        return _error(request, 400, outcome.error, "This app cannot connect", outcome.description)
    signed_in = await sessions.current_account(service.db, request)
    return RedirectResponse(_url("consent" if signed_in else "login", outcome), status_code=302, headers=HEADERS)


async def _credentials_page(request: Request, page: str) -> Response:
    """GET and POST of the sign-in and sign-up forms (same fields, different outcome)."""
    service = get_service(request)
    handle = await _handle(request)
    pending = await authorize.load(service.server, handle)
    if pending is None:
        return _expired(request)
    context = {"client_name": pending.client.display_name, "handle": pending.handle, "action": _url(page, pending.handle),
               "signup_url": _url("signup", pending.handle), "login_url": _url("login", pending.handle)}
    if request.method == "GET":
        return _page(request, page, **context)
    form = await request.form()
    if not csrf.is_valid(request, request.app.state.settings, form.get(csrf.FIELD)):
        return _error(request, 403, "csrf", "Please try again", "The form expired or did not come from this site.")
    email, password = str(form.get("email") or "").strip(), str(form.get("password") or "")
    address = request.client.host if request.client else None
    outcome = await credentials.attempt(service.db, "login" if page == "login" else "signup", email, password, address)
    if outcome.account_id is None:
        response = _page(request, page, outcome.status, email=email, error=outcome.problem, **context)
        if outcome.retry_after is not None:
            response.headers["Retry-After"] = str(outcome.retry_after)
        return response
    response = RedirectResponse(_url("consent", pending.handle), status_code=303, headers=HEADERS)
    await sessions.start(service.db, outcome.account_id, response, secure=_secure(request.app.state.settings))
    return response


async def login(request: Request) -> Response:
    return await _credentials_page(request, "login")


async def signup(request: Request) -> Response:
    return await _credentials_page(request, "signup")


async def consent(request: Request) -> Response:
    service = get_service(request)
    if request.method == "POST":
        form = await request.form()
        if not csrf.is_valid(request, request.app.state.settings, form.get(csrf.FIELD)):
            return _error(request, 403, "csrf", "Please try again", "The form expired or did not come from this site.")
    handle = await _handle(request)
    pending = await authorize.load(service.server, handle)
    if pending is None:
        return _expired(request)
    account_id = await sessions.current_account(service.db, request)
    if account_id is None:
        return RedirectResponse(_url("login", pending.handle), status_code=303, headers=HEADERS)
    if request.method == "GET":
        if await authorize.remembered(service.server, pending, account_id):
            return await _answer(request, service, pending, account_id, approve=True)
        email = await accounts.email_of(service.db, account_id)
        return _page(request, "consent", client_name=pending.client.display_name, account_email=email,
                     redirect_host=pending.redirect_host, scopes=describe(pending.scopes), handle=pending.handle,
                     action=_url("consent", pending.handle), logout_action=_url("logout", pending.handle))
    decision = form.get("decision")
    if decision not in ("approve", "deny"):
        return _error(request, 400, "invalid_request", "Please choose", "Choose Approve or Deny.")
    return await _answer(request, service, pending, account_id, approve=decision == "approve")


async def _answer(request: Request, service: Any, pending: authorize.Pending, account_id: str, *,
                  approve: bool) -> Response:
    try:
        location = await authorize.decide(service.server, pending, account_id, approve=approve)
    except LookupError as exc:
        return _error(request, 400, "request_expired", "This request was already answered", str(exc))
    return RedirectResponse(location, status_code=302, headers=HEADERS)


async def logout(request: Request) -> Response:
    """"Not you?" on the consent page: end this browser's session, back to sign-in."""
    service = get_service(request)
    form = await request.form()
    if not csrf.is_valid(request, request.app.state.settings, form.get(csrf.FIELD)):
        return _error(request, 403, "csrf", "Please try again", "The form expired or did not come from this site.")
    handle = await _handle(request)
    response = RedirectResponse(_url("login", handle) if handle else "/", status_code=303, headers=HEADERS)
    await sessions.end(service.db, request, response)
    return response


def build_routes(settings: Settings) -> list[Route]:
    out: list[Route] = []
    for path in ("/mcp/oauth/authorize", "/mcp/oauth/authorize/", "/authorize", "/authorize/"):
        out.append(Route(path, authorize_endpoint, methods=["GET", "POST"]))
    out += [Route("/mcp/oauth/login", login, methods=["GET", "POST"]),
            Route("/mcp/oauth/signup", signup, methods=["GET", "POST"]),
            Route("/mcp/oauth/consent", consent, methods=["GET", "POST"]),
            Route("/mcp/oauth/logout", logout, methods=["POST"])]
    return out
