"""schemas/tools.json must equal the seed contract in everything but description text (issue 3, Must show 2)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from schemas import load_tools

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
    return json.loads(SEED.read_text(encoding="utf-8"))["tools"]


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
