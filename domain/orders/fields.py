"""Path-aware readers for JSON-decoded request bodies.

Every reader names the offending path (``letters[3].recipient.postalCode``) in its
``invalid_request`` so REST and MCP callers can fix the exact field (docs/product.md § Errors and refusals).
The helpers take plain ``object`` input because bodies arrive from ``json.loads`` or MCP
tool arguments untyped; they never coerce types (``62704`` is not the string ``"62704"``).
"""
from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from domain.core.errors import InvalidRequest

LOCALES = ("de", "en", "es", "fr", "it", "nl")  # of the payer-facing pages; "en" when none is given
DEFAULT_LOCALE = "en"
PAYMENT_METHODS = ("auto", "card", "ideal")
EXTERNAL_ID_MAX = 200
METADATA_MAX_KEYS = 20
METADATA_KEY_MAX = 40
METADATA_VALUE_MAX = 500
METADATA_INT_MAX = 2**53


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _unstorable(text: str) -> str | None:
    """Why ``text`` cannot be stored or printed, or None.

    NUL is refused by PostgreSQL text columns and unpaired UTF-16 surrogates (``"\\ud800"``,
    which ``json.loads`` lets through) cannot be encoded as UTF-8 (RFC 7493 §2.1 forbids both
    kinds of escape in I-JSON), so neither may reach the database or a print file.
    """
    if "\x00" in text:
        return "must not contain NUL characters"
    if text.isascii():
        return None
    try:
        text.encode("utf-8")  # fails only on surrogates: every other code point encodes (C speed)
    except UnicodeEncodeError:
        return "must not contain unpaired UTF-16 surrogates"
    return None


def check_text(text: str, where: str) -> str:
    problem = _unstorable(text)
    if problem:
        raise InvalidRequest(f"{where or 'body'} {problem}", field=where or None)
    return text


# Zero-width joiner and non-joiner are format characters (Cf) that spell words correctly in
# Persian, Indic scripts and emoji; they cannot break a line or reorder text, so they stay.
_JOINERS = frozenset({"\u200c", "\u200d"})
_NAMES = {"\t": "TAB", "\r": "CR", "\n": "LF", "\x85": "NEL (U+0085)", "\u2028": "LINE SEPARATOR (U+2028)",
          "\u2029": "PARAGRAPH SEPARATOR (U+2029)", "\u202e": "RIGHT-TO-LEFT OVERRIDE (U+202E)"}


def check_single_line(text: str, where: str) -> str:
    """Names and address lines are printed one per line as given: control characters
    (Cc: CR, LF, TAB, NEL), line and paragraph separators (Zl, Zp) and invisible format
    characters (Cf: bidi overrides such as U+202E) would add lines or reorder what is
    printed, so each is refused with the field named. Message texts keep their newlines."""
    if text.isascii() and text.isprintable():  # ASCII's only such characters are Cc, all unprintable
        return text
    for ch in text:
        if ch not in _JOINERS and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            label = _NAMES.get(ch, f"U+{ord(ch):04X}")
            raise InvalidRequest(f"{where} must be a single line without control characters (found {label})",
                                 field=where)
    return text


def check_strings(data: object, path: str = "") -> None:
    """Every key and string value of a decoded body is storable text; the first bad one is named.

    Iterative (no recursion), so any depth ``json.loads`` produced is walked safely.
    """
    stack: list[tuple[object, str]] = [(data, path)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            check_text(value, where)
        elif isinstance(value, dict):
            for key, item in value.items():
                child = f"{where}.{key}" if where else str(key)
                if isinstance(key, str):
                    check_text(key, child)
                stack.append((item, child))
        elif isinstance(value, list):
            stack.extend((item, f"{where}[{i}]") for i, item in enumerate(value))


def type_error(path: str, expected: str, value: object) -> InvalidRequest:
    return InvalidRequest(f"{path} must be {expected}, not {_json_type(value)}", field=path)


def expect_object(value: object, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise type_error(path or "body", "a JSON object", value)
    return value


def reject_unknown(obj: Mapping[str, object], allowed: Iterable[str], path: str) -> None:
    """``additionalProperties: false`` from the tool schemas, with the key named."""
    allowed_set = set(allowed)
    for key in obj:
        if key not in allowed_set:
            where = f"{path}.{key}" if path else str(key)
            raise InvalidRequest(f"Unknown field {where}", field=where)


def opt_str(
    obj: Mapping[str, object], key: str, path: str, *, max_len: int | None = None
) -> str | None:
    """A trimmed string field; absent, null and blank all read as None."""
    value = obj.get(key)
    where = f"{path}.{key}" if path else key
    if value is None:
        return None
    if not isinstance(value, str):
        raise type_error(where, "a string", value)
    text = value.strip()
    if max_len is not None and len(text) > max_len:
        raise InvalidRequest(
            f"{where} is {len(text)} characters long; the limit is {max_len}", field=where
        )
    return text or None


def opt_list(obj: Mapping[str, object], key: str, path: str) -> list[Any] | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, list):
        raise type_error(f"{path}.{key}" if path else key, "an array", value)
    return value


def str_list(items: list[Any], path: str, *, max_len: int = 200) -> tuple[str, ...]:
    out: list[str] = []
    for i, item in enumerate(items):
        where = f"{path}[{i}]"
        if not isinstance(item, str):
            raise type_error(where, "a string", item)
        if len(item) > max_len:
            raise InvalidRequest(f"{where} is longer than {max_len} characters", field=where)
        out.append(item.strip())
    return tuple(out)


def opt_choice(obj: Mapping[str, object], key: str, path: str, choices: tuple[str, ...]) -> str | None:
    """An enum field: absent or null is None; anything else, a blank string too, must be a choice."""
    value = opt_str(obj, key, path)
    if value is None and isinstance(obj.get(key), str):
        value = ""
    if value is not None and value not in choices:
        where = f"{path}.{key}" if path else key
        raise InvalidRequest(f"{where} must be one of {', '.join(choices)}", field=where)
    return value


def asset_ref(value: object, path: str) -> str:
    """An asset id string or an upload_asset-style object ``{"assetId": ...}``."""
    if isinstance(value, dict):
        inner = value.get("assetId")
        if not isinstance(inner, str):
            raise type_error(f"{path}.assetId", "a string", inner)
        value, path = inner, f"{path}.assetId"
    if not isinstance(value, str):
        raise type_error(path, "an asset id string or an object with assetId", value)
    if not value.strip() or len(value) > 200:
        raise InvalidRequest(f"{path} must be a non-empty asset id", field=path)
    return value.strip()


def parse_metadata(data: object, path: str = "metadata") -> dict[str, str | int | float | bool]:
    """Caller's metadata copied onto the order/link (docs/product.md § Letters and postcards).

    At most 20 keys; keys are non-empty strings of at most 40 characters; values are
    strings (at most 500 characters), numbers or booleans. Null, objects and arrays are
    refused rather than dropped, so what is stored is what the caller sent.
    """
    if data is None:
        return {}
    obj = expect_object(data, path)
    if len(obj) > METADATA_MAX_KEYS:
        raise InvalidRequest(
            f"{path} has {len(obj)} keys; at most {METADATA_MAX_KEYS} are allowed", field=path
        )
    out: dict[str, str | int | float | bool] = {}
    for key, value in obj.items():
        where = f"{path}.{key}"
        if not isinstance(key, str) or not key.strip() or len(key) > METADATA_KEY_MAX:
            raise InvalidRequest(
                f"{where}: metadata keys must be 1 to {METADATA_KEY_MAX} characters", field=where
            )
        if isinstance(value, str):
            if len(value) > METADATA_VALUE_MAX:
                raise InvalidRequest(
                    f"{where} is {len(value)} characters long; the limit is {METADATA_VALUE_MAX}",
                    field=where,
                )
        elif isinstance(value, float) and not math.isfinite(value):
            raise InvalidRequest(f"{where} must be a finite number", field=where)
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > METADATA_INT_MAX:
            # beyond 2^53 a JavaScript client would read back a different number
            raise InvalidRequest(f"{where} must be an integer between -2^53 and 2^53", field=where)
        elif not isinstance(value, (bool, int, float)):
            raise type_error(where, "a string, number or boolean", value)
        out[key] = value
    return out


def parse_email(obj: Mapping[str, object], key: str, path: str = "") -> str | None:
    """Syntax check only (no DNS), so tests and offline installs behave the same."""
    value = opt_str(obj, key, path, max_len=254)
    if value is None:
        return None
    where = f"{path}.{key}" if path else key
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise InvalidRequest(f"{where} is not a valid email address: {exc}", field=where) from None


_LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def parse_return_url(
    obj: Mapping[str, object], key: str, mode: Literal["test", "live"], path: str = ""
) -> str | None:
    """https anywhere; plain http only to this machine and only in test mode."""
    value = opt_str(obj, key, path, max_len=2000)
    if value is None:
        return None
    where = f"{path}.{key}" if path else key
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        host, parts = None, None
    if parts is None or not host or any(ch.isspace() or ord(ch) < 32 for ch in value):
        raise InvalidRequest(f"{where} must be an absolute https URL", field=where)
    if parts.username or parts.password:
        raise InvalidRequest(f"{where} must not contain credentials", field=where)
    if parts.scheme == "https":
        return value
    if parts.scheme == "http" and mode == "test" and host in _LOCAL_HOSTS:
        return value
    raise InvalidRequest(
        f"{where} must use https (http is accepted only for localhost in test mode)", field=where
    )
