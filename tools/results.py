"""Shape of every tools/call answer (docs/product.md § MCP server, SEP-1303).

Success: ``structuredContent`` plus one text item holding the same object as JSON, so
clients that ignore structured output (and the ChatGPT connector shape of search/fetch) still
get the data. A few tools (quote_order, get_order) add image items after the text item: a
small preview of the first page, which a host shows and a client that ignores images skips. Failure: ``isError: true`` with one text item ``{"code", "error"}``; no
structuredContent, because that would have to match the tool's output schema.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class WithContent:
    """An adapter's result plus extra content items (images) to place after the text item."""

    structured: dict[str, Any]
    extra: tuple[dict[str, Any], ...] = field(default=())


def image(data: bytes, mime_type: str) -> dict[str, str]:
    return {"type": "image", "data": base64.b64encode(data).decode("ascii"), "mimeType": mime_type}


def _text(obj: Any) -> dict[str, str]:
    return {"type": "text", "text": json.dumps(obj, ensure_ascii=False, separators=(",", ":"))}


def success(structured: dict[str, Any], extra: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    return {"content": [_text(structured), *extra], "structuredContent": structured, "isError": False}


def failure(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """``details`` are extra fields beside code/error (a spend limit's figures), never replacing them."""
    return {"content": [_text({**(details or {}), "code": code, "error": message})], "isError": True}
