"""``/v1/openapi.json`` describes each response exactly: every field a real response carries is
documented and every required field is present (docs/product.md: the document describes every /v1 route exactly)."""
from __future__ import annotations

from typing import Any

import httpx

from tests.api.payloads import CHECKOUT_LETTER, DIRECT_LETTER, TOPUP, fresh
from tests.conftest import auth


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _assert_matches(doc: dict[str, Any], schema: dict[str, Any], value: Any, where: str) -> None:
    schema = _resolve(doc, schema)
    if isinstance(value, dict) and "properties" in schema:
        documented, required = set(schema["properties"]), set(schema.get("required", []))
        assert set(value) <= documented, f"{where}: undocumented {sorted(set(value) - documented)}"
        assert required <= set(value), f"{where}: missing required {sorted(required - set(value))}"
        for key, item in value.items():
            _assert_matches(doc, schema["properties"][key], item, f"{where}.{key}")
    elif isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            _assert_matches(doc, schema["items"], item, f"{where}[{i}]")


def _response_schema(doc: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    return doc["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]


async def test_every_json_response_matches_its_documented_shape(client: httpx.AsyncClient,
                                                                account: dict[str, str]) -> None:
    doc = (await client.get("/v1/openapi.json")).json()
    key = auth(account["test_key"])
    topup = (await client.post("/v1/credits/topups", json=TOPUP, headers=key)).json()
    order = (await client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=key)).json()
    checkout = (await client.post("/v1/checkout-links", json=fresh(CHECKOUT_LETTER), headers=key)).json()
    compose = (await client.post("/v1/compose-links", json={"recipient": DIRECT_LETTER["letters"][0]["recipient"]},
                                 headers=key)).json()
    seen = {
        ("/v1/credits/topups", "post"): topup,
        ("/v1/orders", "post"): order,
        ("/v1/checkout-links", "post"): checkout,
        ("/v1/compose-links", "post"): compose,
        ("/v1/quotes", "post"): (await client.post("/v1/quotes", json=fresh(DIRECT_LETTER), headers=key)).json(),
        ("/v1/wallet", "get"): (await client.get("/v1/wallet", headers=key)).json(),
        ("/v1/orders", "get"): (await client.get("/v1/orders", headers=key)).json(),
        ("/v1/orders/{orderId}", "get"): (await client.get(f"/v1/orders/{order['orderId']}", headers=key)).json(),
        ("/v1/credits/topups", "get"): (await client.get("/v1/credits/topups", headers=key)).json(),
        ("/v1/credits/topups/{topupId}", "get"):
            (await client.get(f"/v1/credits/topups/{topup['topupId']}", headers=key)).json(),
        ("/v1/orders/{orderId}/cancel", "post"):
            (await client.post(f"/v1/orders/{checkout['orderId']}/cancel", headers=key)).json(),
    }
    for (path, method), body in seen.items():
        _assert_matches(doc, _response_schema(doc, path, method), body, f"{method.upper()} {path}")
