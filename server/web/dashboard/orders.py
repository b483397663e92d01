"""Orders: filtered, paged list (searchable by order id, externalId or payment reference); detail with
timeline and pieces; cancel; proof PDF.

Every read goes through the domain's ownership check, so another account's order id is a
404 page here exactly as it is ``not_found`` over REST and MCP.
"""
from __future__ import annotations

from urllib.parse import urlencode

from starlette.responses import Response
from starlette.routing import Route

from domain.use_cases import commands
from domain.orders.details import order_detail
from domain.orders.status import STATUSES
from domain.printing.previews import THUMB_WIDTH
from domain.printing.proofs import order_proof
from domain.use_cases import previews
from server.api.previews import png_response
from server.web.dashboard.common import Visit, dashboard, redirect

PATH = "/api/dashboard/orders"
TYPES = ("letter", "postcard")
PAGE_SIZE = 20


def _filters(visit: Visit) -> dict[str, str]:
    """Known filter values only; the mode filter defaults to the dashboard's mode ("" = both)."""
    query = visit.request.query_params
    status = query.get("status", "")
    kind = query.get("type", "")
    mode = query.get("mode", visit.mode)
    search = query.get("q", "").strip()[:200]  # an order id, externalId or payment reference
    return {"status": status if status in STATUSES else "", "type": kind if kind in TYPES else "",
            "mode": mode if mode in ("test", "live") else "", "q": search}


@dashboard
async def orders_page(visit: Visit) -> Response:
    filters = _filters(visit)
    after = visit.request.query_params.get("after") or None
    listing = await commands.list_orders(visit.db, visit.settings, visit.caller, limit=PAGE_SIZE, starting_after=after,
                                         status=filters["status"] or None, request_type=filters["type"] or None,
                                         mode=filters["mode"] or None, search=filters["q"] or None)
    rows = listing["data"]
    next_url = None
    if listing["hasMore"] and rows:
        next_url = f"{PATH}?" + urlencode({**filters, "after": rows[-1]["orderId"]})
    return visit.render("dashboard/orders.html", section="orders", orders=rows, filters=filters, statuses=STATUSES,
                        types=TYPES, next_url=next_url, first_url=f"{PATH}?" + urlencode(filters) if after else None)


@dashboard
async def order_page(visit: Visit) -> Response:
    detail = await order_detail(visit.db, visit.settings, visit.caller, visit.request.path_params["order_id"])
    return visit.render("dashboard/order.html", section="orders", detail=detail, order=detail["order"],
                        cancelled=visit.request.query_params.get("cancelled") == "1")


@dashboard
async def cancel_order(visit: Visit) -> Response:
    order_id = visit.request.path_params["order_id"]
    await commands.cancel_order(visit.db, visit.settings, visit.caller, order_id)
    return redirect(f"{PATH}/{order_id}?cancelled=1")


@dashboard
async def proof(visit: Visit) -> Response:
    """The same print-ready PDF as ``GET /v1/orders/{id}/proof``, for the signed-in person."""
    order_id = visit.request.path_params["order_id"]
    pdf = await order_proof(visit.db, visit.settings, visit.caller, order_id)
    headers = {"Content-Disposition": f'inline; filename="{order_id}-proof.pdf"', "Cache-Control": "private, no-store",
               "X-Content-Type-Options": "nosniff"}
    return Response(pdf, media_type="application/pdf", headers=headers)


@dashboard
async def piece_preview(visit: Visit) -> Response:
    """First page of one piece as a thumbnail, for the signed-in owner only (others: 404)."""
    params = visit.request.path_params
    image = await previews.order_preview(visit.db, visit.settings, visit.caller, params["order_id"],
                                         page=1, width=THUMB_WIDTH, piece=previews.check_piece(params["piece"]))
    return png_response(image, visit.request, "private, max-age=300")


routes = [
    Route(PATH, orders_page, methods=["GET"]),
    Route(PATH + "/{order_id}", order_page, methods=["GET"]),
    Route(PATH + "/{order_id}/cancel", cancel_order, methods=["POST"]),
    Route(PATH + "/{order_id}/proof.pdf", proof, methods=["GET"]),
    Route(PATH + "/{order_id}/preview/{piece}.png", piece_preview, methods=["GET"]),
]
