"""The MCP reference in markdown, generated from ``schemas/tools.json`` plus ``guidance.md``.

Served at ``/api/docs/mcp.md`` (and as a page at ``/api/docs/mcp``) and indexed by the search
tool, so tool names, arguments and limits in the docs cannot drift from what tools/list says.
Scopes come in as arguments (they belong to ``oauth``, which ``tools`` does not import).
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from domain.core.settings import Settings
from domain.orders.fields import METADATA_MAX_KEYS
from domain.orders.payloads import ATTACHMENTS_MAX, LETTER_MESSAGE_MAX, MAX_PIECES, POSTCARD_MESSAGE_MAX
from schemas import load_tools

PROTOCOL_VERSIONS = ("2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05")
GUIDANCE = Path(__file__).with_name("guidance.md")


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    text: str


def slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def _type_of(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        return " or ".join(kind)
    if kind == "array" and isinstance(schema.get("items"), Mapping) and schema["items"].get("type"):
        return f"array of {schema['items']['type']}"
    return str(kind or "any")


def _argument_rows(schema: Mapping[str, Any], prefix: str = "") -> list[str]:
    rows = []
    required = set(schema.get("required", []))
    for name, prop in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        need = "yes" if name in required else "no"
        desc = (prop.get("description") or "").replace("|", "\\|").replace("\n", " ")
        rows.append(f"| `{path}` | {_type_of(prop)} | {need} | {desc} |")
        if prop.get("type") == "object" and prop.get("properties"):
            rows += _argument_rows(prop, f"{path}.")
        items = prop.get("items")
        if isinstance(items, Mapping) and items.get("properties"):
            rows += _argument_rows(items, f"{path}[].")
    return rows


def _tool_section(tool: Mapping[str, Any], scope: str | None) -> str:
    ann = tool.get("annotations", {})
    flags = ", ".join(f"{k}={str(v).lower()}" for k, v in sorted(ann.items()))
    lines = [f"### {tool['name']}", "", tool["description"], "", f"Scope: `{scope or '-'}` · {flags}", ""]
    rows = _argument_rows(tool["inputSchema"])
    if rows:
        lines += ["| argument | type | required | meaning |", "|---|---|---|---|", *rows, ""]
    else:
        lines += ["No arguments.", ""]
    out_fields = list(tool["outputSchema"].get("properties", {}))
    lines.append(f"Returns: {', '.join(f'`{f}`' for f in out_fields) if out_fields else 'a JSON object'}.")
    return "\n".join(lines)


def _client_config(base_url: str) -> str:
    config = {
        "allowed_tools": [t["name"] for t in load_tools()],
        "require_approval": {"never": {"read_only": True}},
        "server_label": "pieterpost",
        "server_url": f"{base_url}/mcp/",
        "type": "mcp",
    }
    return json.dumps(config, indent=2)


def client_config(base_url: str) -> str:
    """The MCP client config JSON (allowed tools, no approval for read-only tools); the dashboard shows it."""
    return _client_config(base_url)


def _scope_table(tool_scopes: Mapping[str, str], scope_words: Mapping[str, str]) -> str:
    lines = ["| scope | lets the client | tools |", "|---|---|---|"]
    for scope, words in scope_words.items():
        tools = ", ".join(f"`{t}`" for t, s in tool_scopes.items() if s == scope)
        lines.append(f"| `{scope}` | {words} | {tools} |")
    return "\n".join(lines)


def contract_values(settings: Settings) -> dict[str, str]:
    """The limits and prices the guidance states, from the domain's constants and the price settings."""
    values = {
        "MAX_PIECES": MAX_PIECES, "LETTER_MESSAGE_MAX": LETTER_MESSAGE_MAX, "ATTACHMENTS_MAX": ATTACHMENTS_MAX,
        "POSTCARD_MESSAGE_MAX": POSTCARD_MESSAGE_MAX, "METADATA_MAX_KEYS": METADATA_MAX_KEYS,
        "PRICE_LETTER": settings.price_letter_cents, "PRICE_EXTRA_PAGE": settings.price_letter_extra_page_cents,
        "PRICE_STAMP": settings.price_letter_custom_stamp_cents, "PRICE_POSTCARD": settings.price_postcard_cents,
    }
    return {name: f"{value:,}" for name, value in values.items()}


def render_markdown(settings: Settings, tool_scopes: Mapping[str, str], scope_words: Mapping[str, str]) -> str:
    return _render(settings.base_url, tuple(contract_values(settings).items()), tuple(tool_scopes.items()),
                   tuple(scope_words.items()))


@lru_cache(maxsize=4)
def _render(base_url: str, values: tuple[tuple[str, str], ...], tool_scopes: tuple[tuple[str, str], ...],
            scope_words: tuple[tuple[str, str], ...]) -> str:
    scopes, words = dict(tool_scopes), dict(scope_words)
    tools = load_tools()
    guidance = GUIDANCE.read_text(encoding="utf-8")
    for name, value in values:
        guidance = guidance.replace("{" + name + "}", value)
    guidance = (
        guidance
        .replace("{BASE_URL}", base_url)
        .replace("{PROTOCOL_VERSIONS}", ", ".join(f"`{v}`" for v in PROTOCOL_VERSIONS))
        .replace("{CLIENT_CONFIG}", _client_config(base_url))
        .replace("{SCOPE_TABLE}", _scope_table(scopes, words))
    )
    summary = "\n".join(f"- `{t['name']}`: {t['description']}" for t in tools)
    reference = "\n\n".join(_tool_section(t, scopes.get(t["name"])) for t in tools)
    schema_json = json.dumps({"tools": list(tools)}, indent=2, ensure_ascii=False)
    return "\n".join([
        "# PieterPost MCP server",
        "",
        f"Docs page: {base_url}/api/docs/mcp · Markdown: {base_url}/api/docs/mcp.md · "
        f"Server URL: `{base_url}/mcp/`",
        "",
        "PieterPost lets AI agents prepare, price, pay for and send real letters and postcards. This "
        "reference is written for agents and MCP client developers; the tool sections below are "
        "generated from the same schema the server returns from `tools/list`.",
        "",
        guidance.rstrip(),
        "",
        "## Tools",
        "",
        summary,
        "",
        "## Tool reference",
        "",
        reference,
        "",
        "## tools/list schema",
        "",
        "The exact JSON `tools/list` returns. It is deliberately flat (allowed values are described in "
        "words rather than with `enum`, `format` or unions) so that clients with limited JSON Schema "
        "support can use every tool.",
        "",
        "```json",
        schema_json,
        "```",
        "",
    ])


def sections(markdown: str) -> list[Section]:
    """Split at ``##``/``###`` headings, skipping fenced code, for the search tool."""
    found: list[Section] = []
    title, buf, fenced = "PieterPost MCP server", [], False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and re.match(r"^#{2,3} ", line):
            if buf:
                found.append(Section(slugify(title), title, "\n".join(buf).strip()))
            title, buf = line.lstrip("#").strip(), []
            continue
        if not line.startswith("# "):
            buf.append(line)
    if buf:
        found.append(Section(slugify(title), title, "\n".join(buf).strip()))
    return found
