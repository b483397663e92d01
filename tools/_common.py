"""Small helpers the adapters share: argument splitting and idempotent command results."""
from __future__ import annotations

from typing import Any

from domain.core.errors import DomainError, ErrorCode

# Tool-only arguments that are not part of the REST body the domain parses.
CONTROL_ARGS = frozenset({"mode", "idempotencyKey", "confirmLiveSend", "maxAmountCents"})


def body_of(args: dict[str, Any], *, drop: frozenset[str] = CONTROL_ARGS) -> dict[str, Any]:
    return {k: v for k, v in args.items() if k not in drop}


def unwrap(result: Any) -> dict[str, Any]:
    """A ``domain.use_cases.commands.Result`` (possibly a replay) -> its body, or the stored error raised again."""
    body = result.body
    if result.status >= 400:
        try:
            code = ErrorCode(body.get("code"))
        except ValueError:
            code = ErrorCode.UNKNOWN_ERROR
        raise DomainError(str(body.get("error", "Request failed.")), code=code)
    return body
