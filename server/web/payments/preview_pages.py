"""Preview images on the payer-facing pages: piece thumbnails for whoever holds the checkout link
(``/pay/{orderId}/preview/{piece}.png``) and the compose editor's page previews.

The order id in the checkout link is the payer's credential (as on the sandbox and return pages);
a piece position that does not exist, or an order without hosted checkout, is a plain 404.
"""
from __future__ import annotations

import base64
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.core.errors import DomainError, NotFound
from domain.printing.previews import THUMB_WIDTH, check_page
from domain.use_cases import previews
from server.api.previews import png_response

COMPOSE_WIDTH = 480
# the SVG overlay frames drawn over page images (percent of the page, see domain.printing.previews.Overlay)
OVERLAY_KINDS = ("window", "stamp", "address")


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def payer_thumbnail(request: Request) -> Response:
    db, settings = request.app.state.db, request.app.state.settings
    try:
        piece = int(request.path_params["piece"])
        image = await previews.payer_preview(db, settings, request.path_params["order_id"], piece=piece,
                                             page=check_page(request.query_params.get("page")),
                                             width=THUMB_WIDTH, ip=client_ip(request))
    except (ValueError, NotFound):
        return Response("Not found", status_code=404, media_type="text/plain")
    except DomainError as exc:
        if exc.field == "piece":
            return Response("Not found", status_code=404, media_type="text/plain")
        return Response(exc.message, status_code=exc.status, media_type="text/plain")
    return png_response(image, request, "private, max-age=300")


def _data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


async def compose_preview_context(request: Request, token: str, fields: dict[str, Any]) -> dict[str, Any]:
    """``preview_pages`` (data: URLs plus overlay frames) for the compose template, or ``preview_error``."""
    db, settings = request.app.state.db, request.app.state.settings
    try:
        shown = await previews.compose_preview(db, settings, token, fields, width=COMPOSE_WIDTH,
                                               ip=client_ip(request))
    except DomainError as exc:
        return {"preview_pages": [], "preview_error": exc.message}
    pages = []
    for number, png in enumerate(shown.pages, start=1):
        frames = [o for o in shown.overlays if o["page"] == number and o["kind"] in OVERLAY_KINDS]
        sides = [o["kind"] for o in shown.overlays if o["page"] == number and o["kind"] == "front"]
        pages.append({"number": number, "src": _data_url(png), "frames": frames, "front": bool(sides)})
    postcard = any(o["kind"] == "front" for o in shown.overlays)
    return {"preview_pages": pages, "preview_error": None, "preview_postcard": postcard, "preview_key": shown.key}


routes = [Route("/pay/{order_id}/preview/{piece}.png", payer_thumbnail, methods=["GET"])]
