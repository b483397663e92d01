"""The MCP tools/list contract, loaded once from ``tools.json``.

``tools.json`` is the single source for tool names, input/output schemas and annotations;
the MCP server, the argument validator and the docs page all read it from here.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

TOOLS_PATH = Path(__file__).with_name("tools.json")


@lru_cache(maxsize=1)
def load_tools() -> tuple[dict[str, Any], ...]:
    """All tool definitions in contract order (treat as read-only)."""
    data = json.loads(TOOLS_PATH.read_text(encoding="utf-8"))
    return tuple(data["tools"])


@lru_cache(maxsize=1)
def tools_by_name() -> dict[str, dict[str, Any]]:
    return {tool["name"]: tool for tool in load_tools()}


def tool_names() -> list[str]:
    return [tool["name"] for tool in load_tools()]
