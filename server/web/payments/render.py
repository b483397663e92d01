"""Rendering the payment pages: one Jinja environment, strict security headers, a script nonce.

Pages carrying a draft token or an order id in their URL send no referrer, cannot be framed
and are never cached (the token is a credential).
"""
from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))


def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    nonce = secrets.token_urlsafe(16)
    headers = {
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": (f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
                                    "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
                                    "frame-ancestors 'none'; base-uri 'none'"),
    }
    return templates.TemplateResponse(request, f"payments/{name}", {**context, "csp_nonce": nonce},
                                      status_code=status, headers=headers)
