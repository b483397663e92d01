"""``/v1/events`` and ``/v1/webhook-endpoints``: the event feed and signed outbound webhooks."""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.events.catalogue import EVENT_TYPES, SUBSCRIBABLE
from domain.use_cases import webhooks
from server.api import openapi
from server.api.auth import api_context
from server.api.body import query_choice, query_int, read_json_object, reject_unknown_query
from server.api.openapi import _op, _path, _query
from server.api.responses import json_response


async def list_events(request: Request) -> Response:
    ctx = await api_context(request)
    reject_unknown_query(request, ("limit", "startingAfter", "type", "objectId"))
    return json_response(await webhooks.list_events(
        ctx.db, ctx.settings, ctx.caller,
        limit=query_int(request, "limit", 25, minimum=1, maximum=100),
        starting_after=request.query_params.get("startingAfter") or None,
        type=query_choice(request, "type", EVENT_TYPES),
        object_id=request.query_params.get("objectId") or None))


async def get_event(request: Request) -> Response:
    ctx = await api_context(request)
    return json_response(await webhooks.get_event(ctx.db, ctx.settings, ctx.caller, request.path_params["event_id"]))


async def create_endpoint(request: Request) -> Response:
    ctx = await api_context(request)
    body = await read_json_object(request)
    return json_response(await webhooks.create_endpoint(ctx.db, ctx.settings, ctx.caller, body))


async def list_endpoints(request: Request) -> Response:
    ctx = await api_context(request)
    reject_unknown_query(request, ())
    return json_response(await webhooks.list_endpoints(ctx.db, ctx.caller))


async def endpoint(request: Request) -> Response:
    ctx = await api_context(request)
    endpoint_id = request.path_params["endpoint_id"]
    if request.method == "GET":
        return json_response(await webhooks.get_endpoint(ctx.db, ctx.caller, endpoint_id))
    if request.method == "DELETE":
        return json_response(await webhooks.delete_endpoint(ctx.db, ctx.caller, endpoint_id))
    body = await read_json_object(request)
    return json_response(await webhooks.update_endpoint(ctx.db, ctx.settings, ctx.caller, endpoint_id, body))


async def rotate_secret(request: Request) -> Response:
    ctx = await api_context(request)
    return json_response(await webhooks.rotate_secret(ctx.db, ctx.settings, ctx.caller,
                                                      request.path_params["endpoint_id"]))


async def list_deliveries(request: Request) -> Response:
    ctx = await api_context(request)
    reject_unknown_query(request, ("limit", "startingAfter"))
    return json_response(await webhooks.list_deliveries(
        ctx.db, ctx.caller, request.path_params["endpoint_id"],
        limit=query_int(request, "limit", 25, minimum=1, maximum=100),
        starting_after=request.query_params.get("startingAfter") or None))


async def send_test(request: Request) -> Response:
    ctx = await api_context(request)
    return json_response(await webhooks.send_test(ctx.db, ctx.caller, request.path_params["endpoint_id"]))


async def resend(request: Request) -> Response:
    ctx = await api_context(request)
    return json_response(await webhooks.resend_delivery(ctx.db, ctx.caller, request.path_params["endpoint_id"],
                                                        request.path_params["delivery_id"]))


BASE = "/v1/webhook-endpoints"
routes = [
    Route("/v1/events", list_events, methods=["GET"]),
    Route("/v1/events/{event_id}", get_event, methods=["GET"]),
    Route(BASE, create_endpoint, methods=["POST"]),
    Route(BASE, list_endpoints, methods=["GET"]),
    Route(BASE + "/{endpoint_id}", endpoint, methods=["GET", "PATCH", "DELETE"]),
    Route(BASE + "/{endpoint_id}/rotate-secret", rotate_secret, methods=["POST"]),
    Route(BASE + "/{endpoint_id}/deliveries", list_deliveries, methods=["GET"]),
    Route(BASE + "/{endpoint_id}/deliveries/{delivery_id}/resend", resend, methods=["POST"]),
    Route(BASE + "/{endpoint_id}/test", send_test, methods=["POST"]),
]


S = dict[str, Any]
_TS: S = {"type": "string", "format": "date-time"}
_NULL_TS: S = {"type": ["string", "null"]}
_EVENT: S = {"type": "object", "required": ["id", "type", "createdAt", "mode", "testMode", "objectType", "objectId",
                                            "data"], "properties": {
    "id": {"type": "string"}, "type": {"type": "string", "enum": list(EVENT_TYPES)}, "createdAt": _TS,
    "mode": {"type": "string", "enum": ["test", "live"]}, "testMode": {"type": "boolean"},
    "objectType": {"type": "string", "enum": ["order", "piece", "topup", "webhook_endpoint"]},
    "objectId": {"type": "string"},
    "data": {"type": "object", "description": "the object as it was when the event happened (an Order for "
                                              "order.*, a Topup for topup.*, a piece for piece.*)"}}}
_ENDPOINT_FIELDS = ["id", "url", "description", "enabledEvents", "enabled", "status", "disabledReason", "mode",
                    "testMode", "previousSecretExpiresAt", "createdAt", "updatedAt"]
_ENDPOINT: S = {"type": "object", "required": _ENDPOINT_FIELDS, "properties": {
    "id": {"type": "string"}, "url": {"type": "string", "format": "uri"}, "description": {"type": "string"},
    "enabledEvents": {"type": "array", "items": {"type": "string", "enum": ["*", *SUBSCRIBABLE]}},
    "enabled": {"type": "boolean"}, "status": {"type": "string", "enum": ["enabled", "disabled"]},
    "disabledReason": {"type": ["string", "null"]}, "mode": {"type": "string", "enum": ["test", "live"]},
    "testMode": {"type": "boolean"}, "previousSecretExpiresAt": _NULL_TS, "createdAt": _TS, "updatedAt": _TS,
    "secret": {"type": "string", "description": "whsec_… signing secret; only in the create and rotate answers"}}}
_ATTEMPT: S = {"type": "object", "required": ["attempt", "startedAt", "durationMs", "statusCode", "succeeded", "error",
                                              "responseExcerpt"], "properties": {
    "attempt": {"type": "integer"}, "startedAt": _TS, "durationMs": {"type": "integer"},
    "statusCode": {"type": ["integer", "null"]}, "succeeded": {"type": "boolean"}, "error": {"type": ["string", "null"]},
    "responseExcerpt": {"type": ["string", "null"]}}}
_DELIVERY: S = {"type": "object", "required": ["id", "endpointId", "eventId", "eventType", "status", "attemptCount",
                                               "nextAttemptAt", "lastStatusCode", "deliveredAt", "createdAt",
                                               "attempts"], "properties": {
    "id": {"type": "string"}, "endpointId": {"type": "string"}, "eventId": {"type": "string"},
    "eventType": {"type": "string"}, "status": {"type": "string", "enum": ["pending", "succeeded", "failed", "cancelled"]},
    "attemptCount": {"type": "integer"}, "nextAttemptAt": _NULL_TS, "lastStatusCode": {"type": ["integer", "null"]},
    "deliveredAt": _NULL_TS, "createdAt": _TS, "attempts": {"type": "array", "items": _ATTEMPT}}}


def _list(item: S) -> S:
    return {"type": "object", "required": ["data", "hasMore"], "properties": {
        "data": {"type": "array", "items": item}, "hasMore": {"type": "boolean"}}}


def _openapi(_base_url: str) -> S:
    page = [_query("limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": 25}),
            _query("startingAfter", {"type": "string"})]
    events = {"type": "array", "minItems": 1, "items": {"type": "string", "enum": ["*", *SUBSCRIBABLE]}}
    create = {"type": "object", "required": ["url"], "additionalProperties": False, "properties": {
        "url": {"type": "string", "format": "uri", "description": "https in live mode; public hosts only"},
        "enabledEvents": {**events, "default": ["*"]}, "description": {"type": "string", "maxLength": 500}}}
    change = {"type": "object", "additionalProperties": False, "properties": {
        **create["properties"], "enabled": {"type": "boolean"}}}
    one = [_path("endpointId")]
    missing = (401, 404, 429)
    return {
        "/v1/events": {"get": _op("List events of the key's mode, newest first", _list(_EVENT), params=[
            *page, _query("type", {"type": "string", "enum": list(EVENT_TYPES)}), _query("objectId", {"type": "string"})])},
        "/v1/events/{eventId}": {"get": _op("Read an event", _EVENT, params=[_path("eventId")], errors=missing)},
        BASE: {
            "post": _op("Create a webhook endpoint; the answer holds its signing secret, shown only this once",
                        _ENDPOINT, body=create, errors=(400, 401, 429)),
            "get": _op("List webhook endpoints of the key's mode", _list(_ENDPOINT)),
        },
        BASE + "/{endpointId}": {
            "get": _op("Read a webhook endpoint", _ENDPOINT, params=one, errors=missing),
            "patch": _op("Change url, enabledEvents, description or enabled", _ENDPOINT, params=one, body=change,
                         errors=(400, 401, 404, 429)),
            "delete": _op("Delete a webhook endpoint; its pending deliveries stop", {
                "type": "object", "required": ["id", "deleted"], "properties": {
                    "id": {"type": "string"}, "deleted": {"const": True}}}, params=one, errors=missing),
        },
        BASE + "/{endpointId}/rotate-secret": {"post": _op(
            "New signing secret (shown once); the old one keeps signing beside it for 24 h", _ENDPOINT, params=one,
            errors=missing)},
        BASE + "/{endpointId}/deliveries": {"get": _op("Recent deliveries with every attempt logged",
                                                        _list(_DELIVERY), params=[*one, *page], errors=missing)},
        BASE + "/{endpointId}/deliveries/{deliveryId}/resend": {"post": _op(
            "Send a delivery again now (same webhook-id)", _DELIVERY, params=[*one, _path("deliveryId")],
            errors=missing)},
        BASE + "/{endpointId}/test": {"post": _op("Send a webhook.test event to this endpoint", _DELIVERY,
                                                  params=one, errors=(400, 401, 404, 429))},
    }


openapi.EXTRA_PATHS.append(_openapi)
