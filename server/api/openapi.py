"""``/v1/openapi.json``: an OpenAPI 3.1 description of every /v1 route, kept beside the routes."""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from domain.core.errors import STATUS_BY_CODE
from domain.fulfillment.tracking import STATUSES as PIECE_STATUSES
from domain.orders.status import STATUSES

S = dict[str, Any]


def _ref(name: str) -> S:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str) -> S:
    return {"type": [kind, "null"]}


_RECIPIENT: S = {
    "type": "object", "required": ["name"], "additionalProperties": True,
    "description": "name plus addressLines, or streetAddress, or street + number; postalCode, city and "
                   "country with structured fields; state where the destination needs it.",
    "properties": {
        **{k: {"type": "string"} for k in ("name", "streetAddress", "street", "number", "postalCode", "city",
                                            "state", "country", "extra", "id")},
        "addressLines": {"type": "array", "items": {"type": "string"}},
        "customFields": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}
_ASSET_REF: S = {"oneOf": [{"type": "string"}, {"type": "object", "required": ["assetId"],
                                                 "properties": {"assetId": {"type": "string"}}}]}
_METADATA: S = {"type": "object", "maxProperties": 20,
                "description": "At most 20 keys of 1 to 40 characters; values are strings of at most 500 "
                               "characters, finite numbers (integers within ±2^53) or booleans.",
                "propertyNames": {"minLength": 1, "maxLength": 40, "pattern": "\\S"},
                "additionalProperties": {"oneOf": [{"type": "string", "maxLength": 500}, {"type": "boolean"},
                                                   {"type": "number"}]}}
# parse_order: a body carries exactly one of letters or postcard, and requestType (when sent) must match it
_ONE_KIND: S = {"oneOf": [{"required": ["letters"], "not": {"required": ["postcard"]}},
                          {"required": ["postcard"], "not": {"required": ["letters"]}}]}
_ONE_KIND_TEXT = ("Exactly one of letters or postcard; requestType, when sent, must name the same kind. "
                  "Enum fields refuse empty strings.")
_COMMON: S = {
    "requestType": {"type": "string", "enum": ["letter", "postcard"]},
    "externalId": {"type": "string", "maxLength": 200},
    "senderEmail": {"type": "string", "format": "email"},
    "locale": {"type": "string", "enum": ["de", "en", "es", "fr", "it", "nl"], "default": "en"},
    "metadata": _METADATA,
    "composeMode": {"type": "string", "enum": ["personal", "template"]},
    "templateMessage": {"type": "string"},
    "variableKeys": {"type": "array", "items": {"type": "string"}},
    "stampImageAssetId": {"type": "string"},
    "stampImage": _ASSET_REF,
    "letters": {"type": "array", "minItems": 1, "maxItems": 25, "items": {
        "type": "object", "required": ["recipient"], "additionalProperties": False, "properties": {
            "recipient": _ref("Recipient"),
            "message": {"type": "string", "maxLength": 6000},
            "attachments": {"type": "array", "maxItems": 3, "items": _ASSET_REF},
        }}},
    "postcard": {"type": "object", "additionalProperties": False, "properties": {
        "recipient": _ref("Recipient"),
        "recipients": {"type": "array", "minItems": 1, "maxItems": 25, "items": _ref("Recipient")},
        "message": {"type": "string", "maxLength": 1200},
        "frontImageAssetId": {"type": "string"}, "frontImage": _ASSET_REF,
        "composeMode": {"type": "string", "enum": ["personal", "template"]},
        "variableKeys": {"type": "array", "items": {"type": "string"}},
    }},
}
_WALLET: S = {"type": "object", "required": ["balanceCents", "currency", "mode"], "properties": {
    "balanceCents": {"type": "integer"}, "currency": {"type": "string", "enum": ["eur", "usd"]},
    "mode": {"type": "string", "enum": ["test", "live"]}, "updatedAt": {"type": "string", "format": "date-time"}}}
_ORDER_FIELDS = ["amountCents", "billingMode", "checkoutUrl", "createdAt", "currency", "error", "expiresAt",
                 "externalId", "fulfilledAt", "metadata", "orderId", "orderRef", "paidAt", "paymentReference",
                 "recipientCount", "requestType", "senderEmail", "status", "testMode", "updatedAt"]
_ORDER: S = {"type": "object", "required": _ORDER_FIELDS, "properties": {
    "amountCents": {"type": "integer"}, "billingMode": {"type": "string", "enum": ["credits", "hosted_checkout"]},
    "checkoutUrl": _nullable("string"), "createdAt": {"type": "string", "format": "date-time"},
    "currency": {"type": "string", "enum": ["eur", "usd"]}, "error": _nullable("string"),
    "expiresAt": _nullable("string"), "externalId": _nullable("string"), "fulfilledAt": _nullable("string"),
    "metadata": {"type": "object"}, "orderId": {"type": "string"}, "orderRef": {"type": "string", "format": "uuid"},
    "paidAt": _nullable("string"), "paymentReference": _nullable("string"),
    "publicCheckoutUrl": _nullable("string"), "recipientCount": {"type": "integer"},
    "requestType": {"type": "string", "enum": ["letter", "postcard"]}, "senderEmail": _nullable("string"),
    "status": {"type": "string", "enum": list(STATUSES)}, "testMode": {"type": "boolean"},
    "updatedAt": {"type": "string", "format": "date-time"}, "wallet": _ref("Wallet")}}
_PIECE: S = {"type": "object", "required": [
    "pieceId", "position", "kind", "recipientName", "status", "provider", "providerId", "expectedDeliveryDate",
    "statusChangedAt", "trackingEvents"], "properties": {
    "pieceId": {"type": "string"}, "position": {"type": "integer"},
    "kind": {"type": "string", "enum": ["letter", "postcard"]}, "recipientName": {"type": "string"},
    "status": {"type": "string", "enum": ["pending", "failed", "cancelled", *PIECE_STATUSES],
               "description": "where the piece is; it only ever moves forward"},
    "provider": {"type": ["string", "null"], "enum": ["simulated", "http", "lob", "pingen", None]},
    "providerId": _nullable("string"), "expectedDeliveryDate": {**_nullable("string"), "format": "date"},
    "statusChangedAt": _nullable("string"),
    "trackingEvents": {"type": "array", "description": "oldest first", "items": {
        "type": "object", "required": ["type", "occurredAt", "location", "description"], "properties": {
            "type": {"type": "string", "enum": [*PIECE_STATUSES, "issue"]},
            "occurredAt": {"type": "string", "format": "date-time"}, "location": _nullable("string"),
            "description": _nullable("string")}}}}}
_ORDER_DETAIL: S = {**_ORDER, "required": [*_ORDER_FIELDS, "pieces"],
                    "properties": {**_ORDER["properties"], "pieces": {"type": "array", "items": _ref("Piece")}}}
_TOPUP: S = {"type": "object", "required": ["amountCents", "checkoutUrl", "createdAt", "currency", "paidAt", "status",
                                             "testMode", "topupId", "updatedAt"], "properties": {
    "amountCents": {"type": "integer"}, "checkoutUrl": _nullable("string"), "createdAt": {"type": "string"},
    "currency": {"type": "string"}, "paidAt": _nullable("string"),
    "status": {"type": "string", "enum": ["pending", "paid", "failed", "expired", "cancelled"]},
    "testMode": {"type": "boolean"}, "topupId": {"type": "string"}, "updatedAt": {"type": "string"},
    "wallet": _ref("Wallet")}}


def _json(schema: S) -> S:
    return {"content": {"application/json": {"schema": schema}}}


def _op(summary: str, ok: S, *, body: S | None = None, params: list[S] | None = None, idem: bool = False,
        errors: tuple[int, ...] = (400, 401, 429)) -> S:
    op: S = {"summary": summary, "security": [{"apiKey": []}],
             "responses": {"200": {"description": "OK", **_json(ok)},
                           **{str(c): {"description": "Error", **_json(_ref("Error"))} for c in errors}}}
    parameters = list(params or [])
    if idem:
        parameters.append({"name": "Idempotency-Key", "in": "header", "schema": {"type": "string", "maxLength": 255},
                           "description": "Same key and body replay the first response for 24 h."})
    if parameters:
        op["parameters"] = parameters
    if body is not None:
        op["requestBody"] = {"required": True, **_json(body)}
    return op


def _path(name: str) -> S:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _query(name: str, schema: S) -> S:
    return {"name": name, "in": "query", "required": False, "schema": schema}


def document(base_url: str) -> S:
    order_request = {"type": "object", "additionalProperties": False, "description": _ONE_KIND_TEXT,
                     "properties": dict(_COMMON), **_ONE_KIND}
    checkout_request = {"type": "object", "additionalProperties": False, "description": _ONE_KIND_TEXT, **_ONE_KIND,
                        "properties": {**_COMMON, "returnUrl": {"type": "string", "format": "uri"},
                                       "paymentMethod": {"type": "string", "enum": ["auto", "card", "ideal"],
                                                         "default": "auto"}}}
    page = {"limit": _query("limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": 25}),
            "after": {**_query("startingAfter", {"type": "string"}),
                      "description": "The id of the last object of the previous page; an id this key "
                                     "cannot see is 404 not_found."}}
    paths: S = {
        "/v1/orders": {
            "post": _op("Create a direct-send order paid from wallet credits", _ref("Order"), body=order_request,
                        idem=True, errors=(400, 401, 402, 403, 409, 429)),
            "get": _op("List orders, newest first", _ref("OrderList"), params=[
                page["limit"], page["after"], _query("status", {"type": "string", "enum": list(STATUSES)}),
                _query("requestType", {"type": "string", "enum": ["letter", "postcard"]})],
                       errors=(400, 401, 404, 429)),
        },
        "/v1/quotes": {"post": _op("Price a payload without creating an order (page count per letter)",
                                   _ref("Quote"), body=checkout_request)},
        "/v1/orders/{orderId}": {"get": _op("Read an order with each piece's status and tracking events",
                                            _ref("OrderDetail"), params=[_path("orderId")],
                                            errors=(401, 404, 429))},
        "/v1/orders/{orderId}/cancel": {"post": _op("Cancel an order that is not queued yet; credits are refunded",
                                                    _ref("Order"), params=[_path("orderId")],
                                                    errors=(401, 404, 409, 429))},
        "/v1/checkout-links": {"post": _op("Create a hosted checkout order", _ref("Order"), body=checkout_request,
                                           idem=True, errors=(400, 401, 403, 409, 429))},
        "/v1/compose-links": {"post": _op("Create a compose link for one recipient", _ref("ComposeLink"), idem=True,
                                          body={"type": "object", "required": ["recipient"], "properties": {
                                              "recipient": _ref("Recipient"), "message": {"type": "string"},
                                              "locale": _COMMON["locale"], "externalId": _COMMON["externalId"],
                                              "metadata": _METADATA}})},
        "/v1/wallet": {"get": _op("Read the wallet and account capabilities", _ref("WalletResponse"),
                                  params=[_query("currency", {"type": "string", "enum": ["eur", "usd"]})])},
        "/v1/credits/topups": {
            "post": _op("Create a wallet top-up", _ref("Topup"), idem=True, errors=(400, 401, 409, 429),
                        body={"type": "object", "required": ["amountCents"], "additionalProperties": False,
                              "properties": {"amountCents": {"type": "integer", "minimum": 500, "maximum": 100000},
                                             "currency": {"type": "string", "enum": ["eur", "usd"]},
                                             "metadata": _METADATA, "returnUrl": {"type": "string"},
                                             "paymentMethod": {"type": "string", "enum": ["auto", "card", "ideal"]}}}),
            "get": _op("List top-ups of the key's mode", _ref("TopupList"), params=[
                page["limit"], page["after"], _query("currency", {"type": "string", "enum": ["eur", "usd"]})],
                       errors=(400, 401, 404, 429)),
        },
        "/v1/credits/topups/{topupId}": {"get": _op("Read a top-up", _ref("Topup"), params=[_path("topupId")],
                                                    errors=(401, 404, 429))},
    }
    for extra in EXTRA_PATHS:
        paths.update(extra(base_url))
    return {
        "openapi": "3.1.0",
        "info": {"title": "PieterPost API", "version": "1",
                 "description": "Letters and postcards from your backend. Errors are {code, error}; codes: "
                                + ", ".join(f"{c.value} ({s})" for c, s in STATUS_BY_CODE.items()) + "."},
        "servers": [{"url": base_url}],
        "paths": paths,
        "components": {
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer",
                                           "description": "pp_test_… or pp_live_… API key"}},
            "schemas": {
                "Error": {"type": "object", "required": ["code", "error"], "properties": {
                    "code": {"type": "string", "enum": [c.value for c in STATUS_BY_CODE]},
                    "error": {"type": "string"},
                    # spend_limit_reached only (docs/limits.md)
                    "limitScope": {"type": "string", "enum": ["account", "apiKey", "connection"]},
                    "limitCents": {"type": "integer"}, "spentTodayCents": {"type": "integer"},
                    "amountCents": {"type": "integer"}, "currency": {"type": "string"},
                    "resetsAt": {"type": "string", "description": "next 00:00 UTC, when the daily limit resets"}}},
                "Quote": {"type": "object", "required": [
                    "accountId", "amountCents", "mode", "recipientCount", "requestType", "pieces",
                    "missingBalanceCents", "requiresTopup", "wallet", *_ACCOUNT_FLAGS], "properties": {
                    "accountId": {"type": "string"}, "amountCents": {"type": "integer"},
                    "mode": {"type": "string", "enum": ["test", "live"]}, "recipientCount": {"type": "integer"},
                    "requestType": {"type": "string", "enum": ["letter", "postcard"]},
                    "pieces": {"type": "array", "description": "one per letter or card, in request order",
                               "items": {"type": "object", "required": ["pageCount", "amountCents"], "properties": {
                                   "pageCount": {"type": "integer"}, "amountCents": {"type": "integer"}}}},
                    "missingBalanceCents": {"type": "integer"}, "requiresTopup": {"type": "boolean"},
                    **_ACCOUNT_FLAGS, "wallet": _ref("Wallet")}},
                "Recipient": _RECIPIENT, "Wallet": _WALLET, "Order": _ORDER, "Topup": _TOPUP,
                "Piece": _PIECE, "OrderDetail": _ORDER_DETAIL,
                "OrderList": {"type": "object", "required": ["data", "hasMore"], "properties": {
                    "data": {"type": "array", "items": _ref("Order")}, "hasMore": {"type": "boolean"}}},
                "TopupList": {"type": "object", "required": ["data", "hasMore"], "properties": {
                    "data": {"type": "array", "items": _ref("Topup")}, "hasMore": {"type": "boolean"}}},
                "WalletResponse": {"type": "object", "required": [
                    "accountId", "approvalStatus", "approvedForDirectSend", "creditsEnabled", "hostedApiEnabled",
                    "liveEnabled", "wallet"], "properties": {**_ACCOUNT_FLAGS, "wallet": _ref("Wallet")}},
                "ComposeLink": {"type": "object", "required": ["expiresAt", "id", "mode", "testMode", "url"],
                                "properties": {"expiresAt": {"type": "string"}, "id": {"type": "string"},
                                               "mode": {"const": "compose_link"}, "testMode": {"type": "boolean"},
                                               "url": {"type": "string"}}},
            },
        },
    }


# domain.accounts.accounts.capability_flags: the same fields in GET /v1/wallet and POST /v1/quotes.
_ACCOUNT_FLAGS: dict[str, Any] = {
    "accountId": {"type": "string"},
    "approvalStatus": {"type": "string", "enum": ["pending", "approved", "rejected"]},
    **{k: {"type": "boolean"} for k in ("approvedForDirectSend", "creditsEnabled", "hostedApiEnabled", "liveEnabled")},
}

# Other areas (uploads, proofs, sandbox checkout, webhooks) append functions returning path items.
EXTRA_PATHS: list[Any] = []


async def openapi_json(request: Request) -> Response:
    return JSONResponse(document(request.app.state.settings.base_url))


routes = [Route("/v1/openapi.json", openapi_json, methods=["GET"])]
