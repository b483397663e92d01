"""``/api/docs``: the REST reference as a page, rendered from the same document as
``/v1/openapi.json`` (so the page cannot describe a route differently), plus the error
codes, limits and order status lifecycle taken from the domain's own tables.
"""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.assets.kinds import MAX_UPLOAD_BYTES
from domain.core.errors import STATUS_BY_CODE, ErrorCode
from domain.orders.status import STATUSES, TRANSITIONS
from domain.orders.payloads import LETTER_MESSAGE_MAX, MAX_PIECES, POSTCARD_MESSAGE_MAX
from domain.core.settings import Settings
from domain.money.topups import MAX_TOPUP_CENTS, MIN_TOPUP_CENTS
from server.api.openapi import document
from server.web.render import page
from server.web.snippets import quick_start

# What each code means for an integrator (the codes and statuses come from domain.core.errors).
ERROR_MEANINGS: dict[ErrorCode, str] = {
    ErrorCode.MISSING_API_KEY: "No Authorization: Bearer header was sent.",
    ErrorCode.INVALID_API_KEY: "The key is unknown or malformed.",
    ErrorCode.INVALID_API_KEY_MODE: "No longer returned: a live key of an account awaiting approval reads and gets "
                                    "live_order_cap_reached when it sends.",
    ErrorCode.API_KEY_INACTIVE: "The key was revoked or paused in the dashboard.",
    ErrorCode.ACCOUNT_INACTIVE: "The operator paused the account: every key and MCP connection is refused until "
                                "it is reactivated.",
    ErrorCode.INVALID_JSON: "The body is not valid JSON.",
    ErrorCode.INVALID_REQUEST: "A field is missing or wrong; the message names the field path.",
    ErrorCode.RATE_LIMITED: "Too many requests this minute; wait for Retry-After seconds.",
    ErrorCode.DAILY_ORDER_CAP_REACHED: "The account created its daily number of orders (UTC day).",
    ErrorCode.LIVE_ORDER_CAP_REACHED: "Live orders are capped until the account is approved.",
    ErrorCode.MISCONFIGURED: "The server lacks a setting this request needs (for example Stripe).",
    ErrorCode.DB_ERROR: "The database could not complete the request; retry later.",
    ErrorCode.UNKNOWN_ERROR: "An unexpected failure on the server.",
    ErrorCode.INSUFFICIENT_CREDITS: "The wallet balance does not cover the order; top up first.",
    ErrorCode.NOT_FOUND: "No such object for this account (other accounts' ids look the same).",
    ErrorCode.IDEMPOTENCY_CONFLICT: "The Idempotency-Key was already used with a different body.",
    ErrorCode.NOT_CANCELLABLE: "The order is already queued or finished.",
    ErrorCode.FORBIDDEN: "The account may not do this yet (for example live direct send before approval).",
    ErrorCode.PAYLOAD_TOO_LARGE: "The upload or body is over the size limit.",
    ErrorCode.CONFIRMATION_REQUIRED: "A live send needs an explicit confirmation (MCP tools).",
    ErrorCode.REQUEST_TIMEOUT: "The request body arrived too slowly; send it again.",
    ErrorCode.SPEND_LIMIT_REACHED: "A daily live spend limit (account, key or MCP connection) would be passed; the "
                                   "body names limitCents, spentTodayCents and resetsAt. Do not retry before then.",
    ErrorCode.UNSUPPORTED_BY_PROVIDER: "The live print provider cannot mail this (e.g. postcards with Pingen); "
                                       "refused before anything is charged.",
    ErrorCode.INVALID_SIGNATURE: "A provider webhook whose signature does not match its body; nothing changed.",
}

STATUS_MEANINGS = {
    "draft": "Created; neither checkout nor sending has started.",
    "checkout_open": "The hosted checkout waits for payment.",
    "paid": "Paid by checkout or wallet debit.",
    "queued": "Waiting for the print partner.",
    "fulfilled": "Handed to the print and mail partner (test mode simulates this).",
    "failed": "Stopped; the error field says why. A wallet debit is refunded.",
    "cancelled": "Cancelled before it was queued; credits are refunded.",
    "expired": "The checkout was not paid within 24 hours.",
}


SCHEMAS = ("Order", "Topup", "WalletResponse", "Wallet", "ComposeLink", "Recipient", "Error")


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        return doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return schema


def _type(doc: dict[str, Any], schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[1]
    if "const" in schema:
        return f'"{schema["const"]}"'
    if "oneOf" in schema:
        return " or ".join(_type(doc, s) for s in schema["oneOf"])
    kind = schema.get("type", "any")
    kind = " or ".join(kind) if isinstance(kind, list) else kind
    if kind == "array" and isinstance(schema.get("items"), dict):
        return f"array of {_type(doc, schema['items'])}"
    return str(kind)


def _notes(schema: dict[str, Any]) -> str:
    parts = []
    if "enum" in schema:
        parts.append("one of " + ", ".join(str(v) for v in schema["enum"]))
    for key, words in (("minimum", "min"), ("maximum", "max"), ("minItems", "min items"), ("maxItems", "max items"),
                       ("maxLength", "max length"), ("maxProperties", "max entries"), ("default", "default")):
        if key in schema:
            parts.append(f"{words} {schema[key]}")
    if schema.get("description"):
        parts.append(schema["description"])
    return "; ".join(parts)


def fields(doc: dict[str, Any], schema: dict[str, Any], prefix: str = "", depth: int = 0) -> list[dict[str, str]]:
    """Flatten an object schema into rows (``letters[].recipient``…); inline objects are opened
    up to two levels, named objects (``$ref``) are listed once under Objects."""
    schema = _resolve(doc, schema)
    required = set(schema.get("required", []))
    rows = []
    for name, prop in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        rows.append({"path": path, "type": _type(doc, prop), "required": "yes" if name in required else "",
                     "notes": _notes(_resolve(doc, prop))})
        inner = prop.get("items", {}) if prop.get("type") == "array" else prop
        if depth < 2 and "$ref" not in inner and inner.get("properties"):
            rows += fields(doc, inner, f"{path}[]." if inner is not prop else f"{path}.", depth + 1)
    return rows


def operations(doc: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            body = op.get("requestBody", {}).get("content", {})
            media, spec = next(iter(body.items()), (None, None))
            ok = op["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema")
            out.append({
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "anchor": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", "").strip("-"),
                "params": op.get("parameters", []), "media": media,
                "body": fields(doc, spec["schema"]) if spec else [],
                "returns": _type(doc, ok) if ok else None,
                "errors": sorted(code for code in op["responses"] if code != "200"),
            })
    return out


def limits(settings: Settings) -> list[tuple[str, str]]:
    return [
        ("Requests", f"{settings.rate_limit_per_minute} per minute per API account (all keys), also per key; "
                     f"{settings.rate_limit_ip_per_minute} per minute per source IP"),
        ("Orders", f"{settings.daily_order_cap} per account per UTC day, test and live together"),
        ("Recipients", f"1 to {MAX_PIECES} per letter or postcard order"),
        ("Messages", f"letters {LETTER_MESSAGE_MAX:,} characters, postcards {POSTCARD_MESSAGE_MAX:,} "
                     "(surrounding whitespace is trimmed; longer text is refused, never cut)"),
        ("Letter pages", f"{settings.letter_max_pages} per letter, message and attachments together"),
        ("Top-ups", f"{MIN_TOPUP_CENTS} to {MAX_TOPUP_CENTS} cents, rounded up to whole units"),
        ("Uploads", f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB per file"),
        ("Idempotency", "the first answer to a key is replayed for 24 hours"),
    ]


async def api_docs(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    doc = document(settings.base_url)
    errors = [(code.value, status, ERROR_MEANINGS.get(code, "")) for code, status in STATUS_BY_CODE.items()]
    lifecycle = [(s, STATUS_MEANINGS[s], sorted(TRANSITIONS[s], key=STATUSES.index)) for s in STATUSES]
    schemas = [(name, fields(doc, doc["components"]["schemas"][name], depth=2)) for name in SCHEMAS
               if name in doc["components"]["schemas"]]
    return page(request, "docs/api.html", doc=doc, operations=operations(doc), errors=errors, lifecycle=lifecycle,
                limits=limits(settings), snippets=quick_start(settings.base_url), schemas=schemas)


routes = [Route("/api/docs", api_docs, methods=["GET"]), Route("/api/docs/", api_docs, methods=["GET"])]
