"""One small tree of domain errors with a closed set of machine codes.

Raised deep (domain, oauth, tools), rendered once at the edge: REST turns them into
``{"code", "error"}`` bodies with the status below, MCP into ``isError`` tool results.
"""
from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    # authentication (seed 002)
    MISSING_API_KEY = "missing_api_key"
    INVALID_API_KEY = "invalid_api_key"
    INVALID_API_KEY_MODE = "invalid_api_key_mode"
    API_KEY_INACTIVE = "api_key_inactive"
    ACCOUNT_INACTIVE = "account_inactive"
    # validation
    INVALID_JSON = "invalid_json"
    INVALID_REQUEST = "invalid_request"
    # access and limits
    RATE_LIMITED = "rate_limited"
    DAILY_ORDER_CAP_REACHED = "daily_order_cap_reached"
    LIVE_ORDER_CAP_REACHED = "live_order_cap_reached"
    # server
    MISCONFIGURED = "misconfigured"
    DB_ERROR = "db_error"
    UNKNOWN_ERROR = "unknown_error"
    # SPEC additions
    INSUFFICIENT_CREDITS = "insufficient_credits"
    NOT_FOUND = "not_found"
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"
    NOT_CANCELLABLE = "not_cancellable"
    FORBIDDEN = "forbidden"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    CONFIRMATION_REQUIRED = "confirmation_required"
    REQUEST_TIMEOUT = "request_timeout"
    # spending limits (docs/limits.md)
    SPEND_LIMIT_REACHED = "spend_limit_reached"
    # live mail providers
    UNSUPPORTED_BY_PROVIDER = "unsupported_by_provider"
    INVALID_SIGNATURE = "invalid_signature"


STATUS_BY_CODE: dict[ErrorCode, int] = {
    ErrorCode.MISSING_API_KEY: 401,
    ErrorCode.INVALID_API_KEY: 401,
    ErrorCode.INVALID_API_KEY_MODE: 401,
    ErrorCode.API_KEY_INACTIVE: 401,
    ErrorCode.ACCOUNT_INACTIVE: 401,
    ErrorCode.INVALID_JSON: 400,
    ErrorCode.INVALID_REQUEST: 400,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.DAILY_ORDER_CAP_REACHED: 429,
    ErrorCode.LIVE_ORDER_CAP_REACHED: 429,
    ErrorCode.MISCONFIGURED: 500,
    ErrorCode.DB_ERROR: 503,
    ErrorCode.UNKNOWN_ERROR: 500,
    ErrorCode.INSUFFICIENT_CREDITS: 402,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.IDEMPOTENCY_CONFLICT: 409,
    ErrorCode.NOT_CANCELLABLE: 409,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.PAYLOAD_TOO_LARGE: 413,
    ErrorCode.CONFIRMATION_REQUIRED: 400,
    ErrorCode.REQUEST_TIMEOUT: 408,
    # 402, not 429: a money limit like insufficient_credits; clients that retry 429 on their own must not loop
    ErrorCode.SPEND_LIMIT_REACHED: 402,
    ErrorCode.UNSUPPORTED_BY_PROVIDER: 400,
    ErrorCode.INVALID_SIGNATURE: 401,
}


class DomainError(Exception):
    """Base of every error a caller may see. ``field`` names the offending input path."""

    code: ErrorCode = ErrorCode.UNKNOWN_ERROR

    def __init__(
        self,
        message: str,
        *,
        code: ErrorCode | None = None,
        field: str | None = None,
        retry_after: int | None = None,
        details: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        self.field = field
        self.retry_after = retry_after
        self.details = dict(details or {})  # extra machine-readable fields beside code/error

    @property
    def status(self) -> int:
        return STATUS_BY_CODE[self.code]

    def to_dict(self) -> dict[str, object]:
        return {**self.details, "code": self.code.value, "error": self.message}


class InvalidRequest(DomainError):
    code = ErrorCode.INVALID_REQUEST

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field)


class NotFound(DomainError):
    """Unknown id, or an id that belongs to another account (never 403: no existence leak)."""

    code = ErrorCode.NOT_FOUND


class AuthError(DomainError):
    code = ErrorCode.INVALID_API_KEY


class InsufficientCredits(DomainError):
    code = ErrorCode.INSUFFICIENT_CREDITS


class IdempotencyConflict(DomainError):
    code = ErrorCode.IDEMPOTENCY_CONFLICT


class NotCancellable(DomainError):
    code = ErrorCode.NOT_CANCELLABLE


class Forbidden(DomainError):
    code = ErrorCode.FORBIDDEN


class LimitExceeded(DomainError):
    """Rate limit, daily cap or live cap; ``retry_after`` seconds when known."""

    code = ErrorCode.RATE_LIMITED


class SpendLimitReached(DomainError):
    """A live send would pass a daily live spend limit (account, key or MCP connection)."""

    code = ErrorCode.SPEND_LIMIT_REACHED


class PayloadTooLarge(DomainError):
    code = ErrorCode.PAYLOAD_TOO_LARGE


class Misconfigured(DomainError):
    code = ErrorCode.MISCONFIGURED
