"""What every dashboard page shares: sign-in check, CSRF on POST, mode, errors as pages.

``@dashboard`` turns ``handler(visit) -> Response`` into a Starlette endpoint that
- sends people who are not signed in to ``/signin?next=…`` (303),
- refuses every POST whose ``csrf_token`` does not match the browser's cookie (403),
- renders a ``DomainError`` the handler did not catch as a page with its status
  (another account's id is ``not_found`` → 404, never 403).
"""
from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from domain.accounts.views import account_summary
from domain.core.context import Caller, Mode
from domain.use_cases.system import Database
from domain.core.errors import DomainError
from domain.core.settings import Settings
from oauth import sessions
from server.web import csrf
from server.web.render import HEADERS, page
from server.web.signin import signin_url

MODE_COOKIE = "pp_mode"
SECTIONS = (("overview", "Overview", "/api/dashboard"), ("keys", "API keys", "/api/dashboard/keys"),
            ("wallet", "Wallet", "/api/dashboard/wallet"), ("orders", "Orders", "/api/dashboard/orders"),
            ("links", "Links", "/api/dashboard/links"), ("mcp", "MCP", "/api/dashboard/mcp"),
            ("webhooks", "Webhooks", "/api/dashboard/webhooks"))


@dataclass
class Visit:
    request: Request
    db: Database
    settings: Settings
    account: dict[str, Any]  # domain.accounts.views.account_summary
    mode: Mode
    form: FormData | None = None

    @property
    def caller(self) -> Caller:
        return Caller(account_id=self.account["accountId"], mode=self.mode, channel="web")

    def field(self, name: str) -> str:
        value = self.form.get(name) if self.form is not None else None
        return value.strip() if isinstance(value, str) else ""

    def render(self, template: str, status: int = 200, **context: Any) -> Response:
        return page(self.request, template, status, visit=self, account=self.account, mode=self.mode,
                    sections=SECTIONS, form_key=secrets.token_urlsafe(16), **context)

    def error(self, exc: DomainError) -> Response:
        return self.render("dashboard/error.html", exc.status, code=exc.code.value, message=exc.message,
                           section="")


def redirect(path: str) -> Response:
    return RedirectResponse(path, status_code=303, headers=HEADERS)


def mode_of(request: Request) -> Mode:
    return "live" if request.cookies.get(MODE_COOKIE) == "live" else "test"


def dashboard(handler: Callable[[Visit], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        db: Database = request.app.state.db
        settings: Settings = request.app.state.settings
        account_id = await sessions.current_account(db, request)
        if account_id is None:
            target = request.url.path if request.method == "GET" else "/api/dashboard"
            if request.method == "GET" and request.url.query:
                target += "?" + request.url.query
            return redirect(signin_url(target))
        form = None
        if request.method == "POST":
            form = await request.form()
            if not csrf.is_valid(request, settings, form.get(csrf.FIELD)):
                visit = Visit(request, db, settings, await account_summary(db, account_id), mode_of(request))
                return visit.render("dashboard/error.html", 403, code="csrf_failed", section="",
                                    message="The form expired or did not come from this site. Reload and try again.")
        visit = Visit(request, db, settings, await account_summary(db, account_id), mode_of(request), form)
        try:
            return await handler(visit)
        except DomainError as exc:
            return visit.error(exc)

    endpoint.__name__ = handler.__name__
    return endpoint
