"""Shared page rendering for every server-rendered page: one template set, CSRF token, headers.

Pages extend ``templates/base.html`` (blocks ``title``, ``content``, ``head``) and get
``csrf_token`` in their context; the CSRF cookie is set on the response when the browser has
none yet. The headers keep pages out of frames and caches and allow only same-origin CSS/JS
(``/static/site.css`` and ``/static/site.js``), so no page can pull from a CDN by accident.
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from domain.core.settings import Settings
from server.web import csrf
from server.web.countries import country_options
from server.web.payments.texts import chrome

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

templates = Jinja2Templates(directory=str(TEMPLATE_DIR))

_SYMBOLS = {"eur": "€", "usd": "$"}


def money(cents: int | None, currency: str = "eur") -> str:
    """2500, "eur" -> "€25.00" (amounts are integer cents everywhere)."""
    if cents is None:
        return "—"
    sign = "-" if cents < 0 else ""
    symbol = _SYMBOLS.get(currency.lower(), currency.upper() + " ")
    return f"{sign}{symbol}{abs(cents) // 100:,}.{abs(cents) % 100:02d}"


def when(value: str | datetime | None) -> str:
    """ISO timestamp -> "2026-04-21 10:00 UTC" for people; "—" when absent."""
    if value is None or value == "":
        return "—"
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


templates.env.filters["money"] = money
templates.env.filters["when"] = when
templates.env.globals["country_options"] = country_options  # address forms: a list, not free text
templates.env.globals["chrome"] = chrome  # base.html's skip link, nav and footer in the page's language

CSP = ("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
       "frame-ancestors 'none'")
HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
}


def secure_cookies(settings: Settings) -> bool:
    return settings.base_url.startswith("https://")


def page(request: Request, name: str, status: int = 200, *, headers: dict[str, str] | None = None,
         **context: Any) -> Response:
    """Render ``name`` with a CSRF token; sets the CSRF cookie when the browser lacks one."""
    settings: Settings = request.app.state.settings
    token, fresh = csrf.token_for(request, settings)
    response = templates.TemplateResponse(
        request, name, {**context, "csrf_token": token, "base_url": settings.base_url},
        status_code=status, headers={**HEADERS, **(headers or {})},
    )
    csrf.set_cookie(response, fresh, secure=secure_cookies(settings))
    return response
