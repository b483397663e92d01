"""Preview PNGs: ``GET /v1/orders/{orderId}/preview`` and ``POST /v1/previews`` (a payload, no order).

Both are pages of the print PDF (``domain.use_cases.previews``). The order route answers with an
ETag and ``private`` caching, and ``304`` when the browser already has the page; another account's
order is ``not_found``. ``X-Preview-Pages`` says how many pages there are to ask for.
"""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.printing.previews import MAX_PAGES, MAX_WIDTH, MIN_WIDTH, check_page, check_width
from domain.use_cases import previews
from domain.use_cases.previews import PreviewImage
from server.api.auth import api_context
from server.api.body import read_json_object
from server.api.openapi import _COMMON, EXTRA_PATHS, _op, _path, _query

CACHE_CONTROL = "private, max-age=300"


def png_response(image: PreviewImage, request: Request, cache_control: str) -> Response:
    """The PNG with its ETag, or 304 when the browser already holds this exact page."""
    headers = {"ETag": image.etag, "Cache-Control": cache_control, "X-Preview-Pages": str(image.page_count),
               "X-Content-Type-Options": "nosniff"}
    if request.headers.get("if-none-match") == image.etag:
        return Response(status_code=304, headers=headers)
    return Response(image.png, media_type="image/png", headers=headers)


async def order_preview(request: Request) -> Response:
    ctx = await api_context(request)
    q = request.query_params
    image = await previews.order_preview(ctx.db, ctx.settings, ctx.caller, request.path_params["order_id"],
                                         page=check_page(q.get("page")), width=check_width(q.get("width")),
                                         piece=previews.check_piece(q.get("piece")))
    return png_response(image, request, CACHE_CONTROL)


async def payload_preview(request: Request) -> Response:
    ctx = await api_context(request)
    body = await read_json_object(request)
    q = request.query_params
    image = await previews.payload_preview(ctx.db, ctx.settings, ctx.caller, body, page=check_page(q.get("page")),
                                           width=check_width(q.get("width")))
    return png_response(image, request, "private, no-store")


def _openapi(base_url: str) -> dict:
    png = {"description": "One page as PNG; X-Preview-Pages gives the page count",
           "headers": {"X-Preview-Pages": {"schema": {"type": "integer"}}, "ETag": {"schema": {"type": "string"}}},
           "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}}}
    params = [_query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGES, "default": 1}),
              _query("width", {"type": "integer", "minimum": MIN_WIDTH, "maximum": MAX_WIDTH, "default": 800})]
    order = _op("A page of an order's print file as PNG (the same PDF that is printed)", {},
                params=[_path("orderId"), *params, _query("piece", {"type": "integer", "minimum": 0,
                                                                    "description": "only this piece (0-based)"})],
                errors=(400, 401, 404, 429))
    order["responses"]["200"] = png
    order["responses"]["304"] = {"description": "Not modified (If-None-Match matched the ETag)"}
    body = {"type": "object", "additionalProperties": True, "properties": dict(_COMMON)}
    payload = _op("Preview a payload that is not an order: no charge, nothing stored; an unprintable payload "
                  "gets the error the order would get", {}, body=body, params=params,
                  errors=(400, 401, 404, 429))
    payload["responses"]["200"] = png
    return {"/v1/orders/{orderId}/preview": {"get": order}, "/v1/previews": {"post": payload}}


EXTRA_PATHS.append(_openapi)

routes = [
    Route("/v1/orders/{order_id}/preview", order_preview, methods=["GET"]),
    Route("/v1/previews", payload_preview, methods=["POST"]),
]
