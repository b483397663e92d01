"""schemas/tools.json must equal the seed contract in everything but description text (issue 3, Must show 2),
apart from two documented additions: the MCP Apps ``_meta`` link, and object types on the asset-reference
fields (issue 13)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from schemas import ASSET_REFERENCE_FIELDS, ASSET_REFERENCE_ITEMS, load_tools

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "tools.seed.json"


def strip_descriptions(node: Any) -> Any:
    """Drop description text at every level, keep key order and all other values."""
    if isinstance(node, dict):
        return {k: strip_descriptions(v) for k, v in node.items() if not (k == "description" and isinstance(v, str))}
    if isinstance(node, list):
        return [strip_descriptions(v) for v in node]
    return node


def description_paths(node: Any, path: str = "") -> set[str]:
    """Where descriptions sit: a rewrite may change the words, never drop or add one."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                found.add(path)
            else:
                found |= description_paths(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found |= description_paths(value, f"{path}/{i}")
    return found


def with_asset_reference_types(node: Any) -> Any:
    """The seed plus a documented deviation (docs/mcp.md "Schema notes"): ``stampImage``,
    ``postcard.frontImage`` and ``letters[].attachments[]`` carry ``"type": "object"``."""
    if isinstance(node, list):
        return [with_asset_reference_types(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: with_asset_reference_types(v) for k, v in node.items()}
    props = out.get("properties")
    if isinstance(props, dict):
        for name in ASSET_REFERENCE_FIELDS:
            if isinstance(props.get(name), dict):
                props[name] = {**props[name], "type": "object"}
        for name in ASSET_REFERENCE_ITEMS:
            if isinstance(props.get(name), dict) and isinstance(props[name].get("items"), dict):
                props[name]["items"] = {**props[name]["items"], "type": "object"}
    return out


# The MCP Apps extension (io.modelcontextprotocol/ui): the only addition to the seed contract.
APP_META = {"ui": {"resourceUri": "ui://pieterpost/order-preview.html"}}
APP_TOOLS = {"quote_order", "get_order", "create_payment_link", "create_checkout_link", "create_compose_link"}


def without_app_meta(tool: dict[str, Any]) -> dict[str, Any]:
    """The tool minus its ``_meta``, after checking ``_meta`` is exactly the app link where it belongs."""
    if tool["name"] in APP_TOOLS:
        assert tool.get("_meta") == APP_META, tool["name"]
    else:
        assert "_meta" not in tool, tool["name"]
    return {k: v for k, v in tool.items() if k != "_meta"}


def seed_tools() -> list[dict[str, Any]]:
    return with_asset_reference_types(json.loads(SEED.read_text(encoding="utf-8"))["tools"])


def assert_matches_seed(tools: list[dict[str, Any]], *, key_order: bool = True) -> None:
    """Shared by this file and the live tools/list test (JSON object key order is not kept on the
    wire: the SDK re-serialises results through its models, so the live check compares values)."""
    seed = seed_tools()
    assert [t["name"] for t in tools] == [t["name"] for t in seed]
    for ours, theirs in zip(tools, seed, strict=True):
        ours = without_app_meta(ours)
        assert strip_descriptions(ours) == strip_descriptions(theirs), ours["name"]
        if key_order:  # the file itself keeps the seed's key order too
            assert json.dumps(strip_descriptions(ours)) == json.dumps(strip_descriptions(theirs)), ours["name"]
        assert description_paths(ours) == description_paths(theirs), ours["name"]


def test_tools_json_matches_seed_except_descriptions() -> None:
    assert_matches_seed([dict(t) for t in load_tools()])


def test_there_are_21_tools() -> None:
    assert len(load_tools()) == 21


def test_descriptions_are_rewritten() -> None:
    """Own words: no tool description is copied verbatim from the seed."""
    seed = {t["name"]: t["description"] for t in seed_tools()}
    for tool in load_tools():
        assert tool["description"].strip()
        assert tool["description"] != seed[tool["name"]], tool["name"]


def test_rewritten_descriptions_keep_key_constraints() -> None:
    """Spot-check that limits and safety rules survived the rewrite."""
    tools = {t["name"]: t for t in load_tools()}
    direct = tools["create_direct_order"]
    assert "confirmLiveSend" in direct["description"] and "maxAmountCents" in direct["description"]
    letters = tools["quote_order"]["inputSchema"]["properties"]["letters"]
    assert "25" in letters["description"]
    assert "6,000" in letters["items"]["properties"]["message"]["description"]
    postcard = tools["quote_order"]["inputSchema"]["properties"]["postcard"]
    assert "1,200" in postcard["properties"]["message"]["description"]
    assert "100" in tools["list_mailbook_contacts"]["inputSchema"]["properties"]["limit"]["description"]
    assert "once" in tools["create_api_key"]["description"]


def _untyped(node: Any, path: str = "") -> list[str]:
    """Schema nodes with neither a type nor a combinator: what the MCP Inspector warns about."""
    found: list[str] = []
    if isinstance(node, dict):
        for name, sub in (node.get("properties") or {}).items():
            if isinstance(sub, dict) and not ({"type", "anyOf", "oneOf", "allOf", "$ref", "enum", "const"} & set(sub)):
                found.append(f"{path}.{name}")
            found += _untyped(sub, f"{path}.{name}")
        items = node.get("items")
        if isinstance(items, dict):
            if not ({"type", "anyOf", "oneOf", "allOf", "$ref", "enum", "const"} & set(items)):
                found.append(f"{path}[]")
            found += _untyped(items, f"{path}[]")
    return found


def test_every_input_field_has_a_type() -> None:
    for tool in load_tools():
        assert _untyped(tool["inputSchema"]) == [], tool["name"]


def test_the_seed_left_exactly_these_fields_untyped() -> None:
    """The deviation is no wider than the three asset-reference fields in four tools."""
    seed = json.loads(SEED.read_text(encoding="utf-8"))["tools"]
    found = {(t["name"], p) for t in seed for p in _untyped(t["inputSchema"])}
    tools = ("quote_order", "create_payment_link", "create_checkout_link", "create_direct_order")
    assert found == {(t, p) for t in tools for p in (".stampImage", ".postcard.frontImage", ".letters[].attachments[]")}
