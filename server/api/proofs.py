"""``GET /v1/orders/{orderId}/proof``: the order's print-ready PDF, every piece in order."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.proofs import order_proof
from server.api.auth import api_context


async def proof(request: Request) -> Response:
    ctx = await api_context(request)
    order_id = request.path_params["order_id"]
    pdf = await order_proof(ctx.db, ctx.settings, ctx.caller, order_id)
    headers = {"Content-Disposition": f'inline; filename="{order_id}-proof.pdf"', "Cache-Control": "private, no-store"}
    return Response(pdf, media_type="application/pdf", headers=headers)


routes = [Route("/v1/orders/{order_id}/proof", proof, methods=["GET"])]
