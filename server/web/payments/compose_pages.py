"""The compose-link editor at ``/{locale}/?draft=TOKEN`` (docs/product.md § Compose links).

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

from domain.compose.checkout import STRUCTURED
from domain.core.errors import DomainError, NotFound
from domain.money.currency import DEFAULT_CURRENCY
from domain.use_cases import compose
from domain.use_cases.compose import ComposeDraft
from server.web.countries import country_options
from server.web.payments.checkout_pages import not_found, render
from server.web.payments.preview_pages import compose_preview_context
from server.web.payments.texts import COMPOSE, KIND_LABELS, LOCALES, PREVIEW, locale_or_default, money
from server.web.render import templates

NO_DRAFT = "This compose link is unknown or has expired."


def _form_dict(form: FormData) -> dict[str, Any]:
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _fields_of(draft: ComposeDraft) -> dict[str, Any]:
    recipient = draft.recipient
    form: dict[str, Any] = {k: recipient.get(k) for k in STRUCTURED if recipient.get(k)}
    if "streetAddress" not in recipient:
        form["addressLines"] = "\n".join(recipient.get("addressLines", []))
    return {**form, "message": draft.message, "requestType": draft.request_type}


async def _editor(request: Request, locale: str, token: str, draft: ComposeDraft, fields: dict[str, Any],
                  *, error: str | None = None, status: int = 200) -> Response:
    db, settings = request.app.state.db, request.app.state.settings
    price, price_error = "–", None
    try:
        price = money(await compose.price(db, settings, token, fields), DEFAULT_CURRENCY, locale)
    except DomainError as exc:
        price_error = exc.message
    recipient = {k: fields.get(k) or "" for k in STRUCTURED}
    recipient["addressLines"] = (fields.get("addressLines") or "").splitlines()
    context = {"page_title": COMPOSE[locale]["title"], "page_lang": locale, "t": COMPOSE[locale],
               "kinds": KIND_LABELS[locale], "token": token, "recipient": recipient,
               "structured": "streetAddress" in draft.recipient, "message": fields.get("message") or "",
               "request_type": fields.get("requestType") or "letter", "price": price, "price_error": price_error,
               "error": error, "paid_order": None, "p": PREVIEW[locale],
               "countries": country_options(locale, fields.get("country")),
               **await compose_preview_context(request, token, fields)}
    return render(request, "compose.html", context, status=status)


async def compose_page(request: Request) -> Response:
    locale = request.url.path.strip("/")
    token = request.query_params.get("draft") or ""
    try:
        draft = await compose.open_for_editing(request.app.state.db, token)
    except NotFound:
        return not_found(request, NO_DRAFT)
    if draft.paid_order_id is not None:
        return render(request, "compose.html", {"page_title": COMPOSE[locale]["title"], "page_lang": locale,
                                              "t": COMPOSE[locale], "paid_order": draft.paid_order_id})
    return await _editor(request, locale, token, draft, _fields_of(draft))


async def price(request: Request) -> Response:
    db, settings = request.app.state.db, request.app.state.settings
    form = _form_dict(await request.form())
    locale = locale_or_default(form.get("locale"))
    try:
        cents = await compose.price(db, settings, form.get("draft", ""), form)
    except NotFound:
        return JSONResponse({"error": NO_DRAFT}, status_code=404)
    except DomainError as exc:
        return JSONResponse({"amountCents": None, "error": exc.message, "field": exc.field})
    return JSONResponse({"amountCents": cents, "currency": DEFAULT_CURRENCY,
                         "display": money(cents, DEFAULT_CURRENCY, locale)},
                        headers={"Cache-Control": "no-store"})


async def preview(request: Request) -> Response:
    """The printed pages of the edit: a JSON fragment for the page script, or the whole editor
    page for the no-JavaScript Preview button."""
    form = _form_dict(await request.form())
    token, locale = form.get("draft", ""), locale_or_default(form.get("locale"))
    wants_json = "application/json" in request.headers.get("accept", "")
    try:
        draft = await compose.open_for_editing(request.app.state.db, token)
    except NotFound:
        if wants_json:
            return JSONResponse({"error": NO_DRAFT}, status_code=404)
        return not_found(request, NO_DRAFT)
    if not wants_json:
        return await _editor(request, locale, token, draft, form)
    shown = await compose_preview_context(request, token, form)
    html = templates.get_template("payments/_preview.html").render({**shown, "p": PREVIEW[locale]})
    return JSONResponse({"html": html, "error": shown["preview_error"], "key": shown.get("preview_key")},
                        headers={"Cache-Control": "no-store"})


async def start_checkout(request: Request) -> Response:
    db, settings = request.app.state.db, request.app.state.settings
    form = _form_dict(await request.form())
    token, locale = form.get("draft", ""), locale_or_default(form.get("locale"))
    try:
        order_id = await compose.start_checkout(db, settings, token, form)
    except NotFound:
        return not_found(request, NO_DRAFT)
    except DomainError as exc:
        try:
            draft = await compose.open_for_editing(db, token)
        except NotFound:
            return not_found(request, NO_DRAFT)
        return await _editor(request, locale, token, draft, form, error=exc.message, status=400)
    return RedirectResponse(f"/pay/{order_id}", status_code=303, headers={"Cache-Control": "no-store"})


routes = [
    *(Route(f"/{locale}/", compose_page, methods=["GET"]) for locale in LOCALES),
    Route("/compose/price", price, methods=["POST"]),
    Route("/compose/preview", preview, methods=["POST"]),
    Route("/compose/checkout", start_checkout, methods=["POST"]),
]
