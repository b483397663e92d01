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


#: Fields the published schema types as ``object`` although the server also takes a bare asset
#: id string for them (an upload_asset result, or its ``assetId``). Clients such as the MCP
#: Inspector warn on a field without a type; the object form is the one they should send.
#: The seed contract leaves these untyped; the deviation is documented in docs/mcp.md.
ASSET_REFERENCE_FIELDS = ("stampImage", "frontImage")
ASSET_REFERENCE_ITEMS = ("attachments",)


def accepting_schema(schema: Any) -> Any:
    """The published input schema as the argument validator uses it: the asset-reference
    fields above without their ``type``, so a string is accepted exactly as before."""
    if isinstance(schema, list):
        return [accepting_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: accepting_schema(value) for key, value in schema.items()}
    props = out.get("properties")
    if isinstance(props, dict):
        for name in ASSET_REFERENCE_FIELDS:
            if isinstance(props.get(name), dict):
                props[name] = {k: v for k, v in props[name].items() if k != "type"}
        for name in ASSET_REFERENCE_ITEMS:
            items = props.get(name, {}).get("items") if isinstance(props.get(name), dict) else None
            if isinstance(items, dict):
                props[name] = {**props[name], "items": {k: v for k, v in items.items() if k != "type"}}
    return out
