"""``GET /v1/orders/{orderId}/proof``: the order's print-ready PDF, every piece in order."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.printing.proofs import order_proof
from server.api.auth import api_context
from server.api.openapi import EXTRA_PATHS, _op, _path


def _openapi(base_url: str) -> dict:
    operation = _op("Print-ready PDF of every piece of an order", {}, params=[_path("orderId")],
                    errors=(401, 404, 429))
    operation["responses"]["200"] = {"description": "The proof",
                                     "content": {"application/pdf": {"schema": {"type": "string",
                                                                                "format": "binary"}}}}
    return {"/v1/orders/{orderId}/proof": {"get": operation}}


EXTRA_PATHS.append(_openapi)


async def proof(request: Request) -> Response:
    ctx = await api_context(request)
    order_id = request.path_params["order_id"]
    pdf = await order_proof(ctx.db, ctx.settings, ctx.caller, order_id)
    headers = {"Content-Disposition": f'inline; filename="{order_id}-proof.pdf"', "Cache-Control": "private, no-store"}
    return Response(pdf, media_type="application/pdf", headers=headers)


routes = [Route("/v1/orders/{order_id}/proof", proof, methods=["GET"])]
