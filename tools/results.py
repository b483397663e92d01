"""Shape of every tools/call answer (SPEC "MCP server", SEP-1303).

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


def success(structured: dict[str, Any], note: str | None = None) -> dict[str, Any]:
    """``note``: plain words for a person after the JSON (get_order says where each piece is)."""
    content = [_text(structured)]
    if note:
        content.append({"type": "text", "text": note})
    return {"content": content, "structuredContent": structured, "isError": False}


class WithNote(dict):  # type: ignore[type-arg]
    """A tool result plus a sentence for its text content; the structured part stays schema-exact."""

    def __init__(self, structured: dict[str, Any], note: str) -> None:
        super().__init__(structured)
        self.note = note


def failure(code: str, message: str) -> dict[str, Any]:
    return {"content": [_text({"code": code, "error": message})], "isError": True}
