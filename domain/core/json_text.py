"""Decode JSON text from outside the service (request bodies, fetched documents).

``json.loads`` raises ``RecursionError`` (not ``ValueError``) on deeply nested input and
accepts ``NaN``/``Infinity``, which are not JSON (RFC 8259 §6). Every reader of untrusted
JSON goes through ``loads_untrusted`` so both become the one ``ValueError`` callers handle.
"""
from __future__ import annotations

import json
from typing import Any


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def loads_untrusted(raw: str | bytes) -> Any:
    """Like ``json.loads``; malformed, non-standard or too deeply nested text is ``ValueError``."""
    try:
        return json.loads(raw, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError("it is nested too deeply") from None
