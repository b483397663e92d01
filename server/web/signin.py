"""Site sign-in, sign-up and sign-out for the dashboard (the OAuth pages serve MCP clients).

Same automation contract as the OAuth pages: ``#signin-form`` / ``#signup-form`` post
``email``, ``password`` and hidden ``csrf_token``; success answers 303 to ``next`` (a local
path only, so the form cannot be used as an open redirect).
"""
from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from domain.use_cases.system import Database
from oauth import sessions
from server.web import credentials, csrf
from server.web.render import HEADERS, page, secure_cookies

DEFAULT_NEXT = "/api/dashboard"


def local_path(value: object) -> str:
    """``value`` when it is a path on this site, else the dashboard (no open redirects)."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith(("//", "/\\")) \
            and "\n" not in value and "\r" not in value:
        return value
    return DEFAULT_NEXT


def signin_url(next_path: str) -> str:
    return f"/signin?{urlencode({'next': next_path})}"


async def _form_page(request: Request, kind: credentials.Kind) -> Response:
    template = "account/signin.html" if kind == "login" else "account/signup.html"
    db: Database = request.app.state.db
    if request.method == "GET":
        next_path = local_path(request.query_params.get("next"))
        if await sessions.current_account(db, request):
            return RedirectResponse(next_path, status_code=303, headers=HEADERS)
        return page(request, template, next_path=next_path)
    form = await request.form()
    next_path = local_path(form.get("next"))
    if not csrf.is_valid(request, request.app.state.settings, form.get(csrf.FIELD)):
        return page(request, template, 403, next_path=next_path,
                    error="The form expired or did not come from this site. Please try again.")
    email, password = str(form.get("email") or "").strip(), str(form.get("password") or "")
    address = request.client.host if request.client else None
    outcome = await credentials.attempt(db, kind, email, password, address)
    if outcome.account_id is None:
        extra = {"Retry-After": str(outcome.retry_after)} if outcome.retry_after is not None else None
        return page(request, template, outcome.status, headers=extra, next_path=next_path, email=email,
                    error=outcome.problem)
    response = RedirectResponse(next_path, status_code=303, headers=HEADERS)
    await sessions.start(db, outcome.account_id, response, secure=secure_cookies(request.app.state.settings))
    return response


async def signin(request: Request) -> Response:
    return await _form_page(request, "login")


async def signup(request: Request) -> Response:
    return await _form_page(request, "signup")


async def signout(request: Request) -> Response:
    form = await request.form()
    if not csrf.is_valid(request, request.app.state.settings, form.get(csrf.FIELD)):
        return page(request, "account/signin.html", 403, next_path=DEFAULT_NEXT,
                    error="The form expired or did not come from this site. Please try again.")
    response = RedirectResponse("/signin", status_code=303, headers=HEADERS)
    await sessions.end(request.app.state.db, request, response)
    return response


routes = [
    Route("/signin", signin, methods=["GET", "POST"]),
    Route("/signup", signup, methods=["GET", "POST"]),
    Route("/signout", signout, methods=["POST"]),
]
