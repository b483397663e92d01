"""Read a JSON body once, at the edge: malformed JSON is ``invalid_json``, never a 500."""
from __future__ import annotations

from typing import Any

from starlette.requests import Request

from domain.core.errors import DomainError, ErrorCode, InvalidRequest, PayloadTooLarge
from domain.core.json_text import loads_untrusted

MAX_JSON_BYTES = 1_000_000


async def read_json_object(request: Request) -> dict[str, Any]:
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_JSON_BYTES:
            raise PayloadTooLarge(f"JSON bodies are limited to {MAX_JSON_BYTES} bytes.")
    if not raw.strip():
        raise InvalidRequest("The request body is empty; send a JSON object.")
    try:
        data = loads_untrusted(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DomainError(f"The request body is not valid JSON: {exc}.", code=ErrorCode.INVALID_JSON) from exc
    if not isinstance(data, dict):
        raise InvalidRequest("The request body must be a JSON object.")
    return data


def query_int(request: Request, name: str, default: int, *, minimum: int, maximum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise InvalidRequest(f"{name} must be an integer.", field=name) from exc
    if not minimum <= value <= maximum:
        raise InvalidRequest(f"{name} must be between {minimum} and {maximum}.", field=name)
    return value


def query_choice(request: Request, name: str, choices: tuple[str, ...]) -> str | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if raw not in choices:  # an empty value too: "?status=" is a mistake, not "any status"
        raise InvalidRequest(f"{name} must be one of {', '.join(choices)}.", field=name)
    return raw


def reject_unknown_query(request: Request, allowed: tuple[str, ...]) -> None:
    """A misspelt filter (``stauts=paid``) must not silently return everything."""
    for name in request.query_params:
        if name not in allowed:
            raise InvalidRequest(f"Unknown query parameter {name!r}; allowed: {', '.join(allowed)}.", field=name)
