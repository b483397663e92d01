"""Decode JSON text from outside the service (request bodies, fetched documents).

``json.loads`` raises ``RecursionError`` (not ``ValueError``) on deeply nested input and
accepts ``NaN``/``Infinity``, which are not JSON (RFC 8259 §6). Every reader of untrusted
JSON goes through ``loads_untrusted`` so both become the one ``ValueError`` callers handle.
Bytes must be UTF-8 without a byte order mark (RFC 8259 §8.1): ``json.loads`` would otherwise
guess UTF-16 or UTF-32 from the first bytes and accept text no other JSON reader agrees on.
"""
from __future__ import annotations

import json
from typing import Any


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def loads_untrusted(raw: str | bytes) -> Any:
    """Like ``json.loads``; malformed, non-standard or too deeply nested text is ``ValueError``."""
    if isinstance(raw, (bytes, bytearray)):
        if raw.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
            raise ValueError("it starts with a byte order mark; send UTF-8 without one")
        if b"\x00" in raw:  # never in UTF-8 JSON (control characters must be escaped): UTF-16/32
            raise ValueError("it is not UTF-8 text (NUL bytes suggest UTF-16 or UTF-32)")
        try:
            raw = bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("it is not UTF-8 text") from None
    try:
        return json.loads(raw, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError("it is nested too deeply") from None
