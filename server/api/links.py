"""``/v1/checkout-links`` (hosted checkout orders) and ``/v1/compose-links``."""
from __future__ import annotations

from starlette.routing import Route

from domain.use_cases import commands
from server.api.creates import create_endpoint

routes = [
    Route("/v1/checkout-links", create_endpoint(commands.create_checkout_order), methods=["POST"]),
    Route("/v1/compose-links", create_endpoint(commands.create_compose_link), methods=["POST"]),
]
