"""Compose links and checkout links: a form each, the created URL shown with a copy button.

Both go through ``domain.use_cases.commands`` (the same parsing, pricing and limits as
``POST /v1/compose-links`` and ``POST /v1/checkout-links``); the form's one-time key is the
idempotency key, so resubmitting the page replays the first answer instead of creating twice.
"""
from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from domain.use_cases import commands
from domain.core.errors import DomainError
from server.web.dashboard.common import Visit, dashboard

PATH = "/api/dashboard/links"
RECIPIENT_FIELDS = ("name", "streetAddress", "postalCode", "city", "state", "country")


def _recipient(visit: Visit) -> dict[str, str]:
    return {k: visit.field(k) for k in RECIPIENT_FIELDS if visit.field(k)}


def compose_body(visit: Visit) -> dict[str, Any]:
    body: dict[str, Any] = {"recipient": _recipient(visit), "locale": visit.field("locale") or "en"}
    if visit.field("message"):
        body["message"] = visit.field("message")
    return body


def checkout_body(visit: Visit) -> dict[str, Any]:
    kind = visit.field("requestType") or "letter"
    piece = {"recipient": _recipient(visit), "message": visit.field("message")}
    body: dict[str, Any] = {"requestType": kind, "paymentMethod": visit.field("paymentMethod") or "auto",
                            "locale": visit.field("locale") or "en"}
    body.update({"letters": [piece]} if kind == "letter" else {"postcard": piece})
    for name in ("senderEmail", "returnUrl"):
        if visit.field(name):
            body[name] = visit.field(name)
    return body


def _values(visit: Visit) -> dict[str, str]:
    return {k: visit.field(k) for k in (*RECIPIENT_FIELDS, "message", "locale", "requestType", "senderEmail",
                                        "returnUrl", "paymentMethod")}


@dashboard
async def links_page(visit: Visit) -> Response:
    return visit.render("dashboard/links.html", section="links")


@dashboard
async def create_compose_link(visit: Visit) -> Response:
    try:
        result = await commands.create_compose_link(visit.db, visit.settings, visit.caller, compose_body(visit),
                                                    idempotency_key=visit.field("idempotency_key") or None)
    except DomainError as exc:
        return visit.render("dashboard/links.html", exc.status, section="links", compose_error=exc.message,
                            compose=_values(visit))
    return visit.render("dashboard/links.html", section="links", compose_link=result.body)


@dashboard
async def create_checkout_link(visit: Visit) -> Response:
    try:
        result = await commands.create_checkout_order(visit.db, visit.settings, visit.caller, checkout_body(visit),
                                                      idempotency_key=visit.field("idempotency_key") or None)
    except DomainError as exc:
        return visit.render("dashboard/links.html", exc.status, section="links", checkout_error=exc.message,
                            checkout=_values(visit))
    return visit.render("dashboard/links.html", section="links", checkout_order=result.body)


routes = [
    Route(PATH, links_page, methods=["GET"]),
    Route(PATH + "/compose", create_compose_link, methods=["POST"]),
    Route(PATH + "/checkout", create_checkout_link, methods=["POST"]),
]
