"""The compose-link editor at ``/{locale}/?draft=TOKEN`` (SPEC "Compose links").

The person reviews and edits recipient and message, picks letter or postcard, sees the price
and the printed pages update as they type (``POST /compose/price``, ``POST /compose/preview``;
without JavaScript the Preview button posts the form and gets the page back with the previews) and pays through the same hosted checkout as
the API (``POST /compose/checkout`` → ``/pay/{orderId}``). The draft token travels in the
form body, never in a cookie, so it doubles as the CSRF token.
"""
from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from domain.compose import checkout as compose_checkout
from domain.compose.links import open_draft
from domain.core.errors import DomainError, NotFound
from domain.persistence.models import ComposeLink, Order
from server.web.countries import country_options
from server.web.payments.checkout_pages import not_found, render
from server.web.payments.preview_pages import compose_preview_context
from server.web.payments.texts import COMPOSE, KIND_LABELS, LOCALES, PREVIEW, locale_or_default, money
from server.web.render import templates

NO_DRAFT = "This compose link is unknown or has expired."


def _form_dict(form: FormData) -> dict[str, Any]:
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _fields_of(link: ComposeLink, request_type: str = "letter") -> dict[str, Any]:
    recipient = link.recipient
    form: dict[str, Any] = {k: recipient.get(k) for k in compose_checkout.STRUCTURED if recipient.get(k)}
    if "streetAddress" not in recipient:
        form["addressLines"] = "\n".join(recipient.get("addressLines", []))
    return {**form, "message": link.message, "requestType": request_type}


async def _editor(request: Request, locale: str, token: str, link: ComposeLink, fields: dict[str, Any],
                  *, error: str | None = None, status: int = 200) -> Response:
    db, settings = request.app.state.db, request.app.state.settings
    price, price_error = "–", None
    try:
        price = money(await compose_checkout.price(db, settings, token, fields), "eur", locale)
    except DomainError as exc:
        price_error = exc.message
    recipient = {k: fields.get(k) or "" for k in compose_checkout.STRUCTURED}
    recipient["addressLines"] = (fields.get("addressLines") or "").splitlines()
    context = {"page_title": COMPOSE[locale]["title"], "page_lang": locale, "t": COMPOSE[locale],
               "kinds": KIND_LABELS[locale], "token": token, "recipient": recipient,
               "structured": "streetAddress" in link.recipient, "message": fields.get("message") or "",
               "request_type": fields.get("requestType") or "letter", "price": price, "price_error": price_error,
               "error": error, "paid_order": None, "p": PREVIEW[locale],
               "countries": country_options(locale, fields.get("country")),
               **await compose_preview_context(request, token, fields)}
    return render(request, "compose.html", context, status=status)


async def compose_page(request: Request) -> Response:
    locale = request.url.path.strip("/")
    token = request.query_params.get("draft") or ""
    db = request.app.state.db
    try:
        async with db.read() as session:
            link = await open_draft(session, token)
            prior = await session.get(Order, link.order_id) if link.order_id else None
    except NotFound:
        return not_found(request, NO_DRAFT)
    if prior is not None and prior.status in compose_checkout.PAID_STATES:
        return render(request, "compose.html", {"page_title": COMPOSE[locale]["title"], "page_lang": locale,
                                              "t": COMPOSE[locale], "paid_order": prior.id})
    return await _editor(request, locale, token, link, _fields_of(link, prior.request_type if prior else "letter"))


async def price(request: Request) -> Response:
    db, settings = request.app.state.db, request.app.state.settings
    form = _form_dict(await request.form())
    locale = locale_or_default(form.get("locale"))
    try:
        cents = await compose_checkout.price(db, settings, form.get("draft", ""), form)
    except NotFound:
        return JSONResponse({"error": NO_DRAFT}, status_code=404)
    except DomainError as exc:
        return JSONResponse({"amountCents": None, "error": exc.message, "field": exc.field})
    return JSONResponse({"amountCents": cents, "currency": "eur", "display": money(cents, "eur", locale)},
                        headers={"Cache-Control": "no-store"})


async def preview(request: Request) -> Response:
    """The printed pages of the edit: a JSON fragment for the page script, or the whole editor
    page for the no-JavaScript Preview button."""
    form = _form_dict(await request.form())
    token, locale = form.get("draft", ""), locale_or_default(form.get("locale"))
    db = request.app.state.db
    try:
        async with db.read() as session:
            link = await open_draft(session, token)
    except NotFound:
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"error": NO_DRAFT}, status_code=404)
        return not_found(request, NO_DRAFT)
    if "application/json" not in request.headers.get("accept", ""):
        return await _editor(request, locale, token, link, form)
    shown = await compose_preview_context(request, token, form)
    html = templates.get_template("payments/_preview.html").render({**shown, "p": PREVIEW[locale]})
    return JSONResponse({"html": html, "error": shown["preview_error"], "key": shown.get("preview_key")},
                        headers={"Cache-Control": "no-store"})


async def start_checkout(request: Request) -> Response:
    db, settings = request.app.state.db, request.app.state.settings
    form = _form_dict(await request.form())
    token, locale = form.get("draft", ""), locale_or_default(form.get("locale"))
    try:
        order_id = await compose_checkout.start_checkout(db, settings, token, form)
    except NotFound:
        return not_found(request, NO_DRAFT)
    except DomainError as exc:
        async with db.read() as session:
            try:
                link = await open_draft(session, token)
            except NotFound:
                return not_found(request, NO_DRAFT)
        return await _editor(request, locale, token, link, form, error=exc.message, status=400)
    return RedirectResponse(f"/pay/{order_id}", status_code=303, headers={"Cache-Control": "no-store"})


routes = [
    *(Route(f"/{locale}/", compose_page, methods=["GET"]) for locale in LOCALES),
    Route("/compose/price", price, methods=["POST"]),
    Route("/compose/preview", preview, methods=["POST"]),
    Route("/compose/checkout", start_checkout, methods=["POST"]),
]
