"""Shape of every tools/call answer (docs/product.md § MCP server, SEP-1303).

Success: ``structuredContent`` plus exactly one text item holding the same object as JSON, so
clients that ignore structured output (and the ChatGPT connector shape of search/fetch) still
get the data. Failure: ``isError: true`` with one text item ``{"code", "error"}``; no
structuredContent, because that would have to match the tool's output schema.
"""
from __future__ import annotations

import json
from typing import Any


def _text(obj: Any) -> dict[str, str]:
    return {"type": "text", "text": json.dumps(obj, ensure_ascii=False, separators=(",", ":"))}


def success(structured: dict[str, Any]) -> dict[str, Any]:
    return {"content": [_text(structured)], "structuredContent": structured, "isError": False}


def failure(code: str, message: str) -> dict[str, Any]:
    return {"content": [_text({"code": code, "error": message})], "isError": True}
