"""Tool-level fixtures: a ToolEnv for a fresh account on the real database(s)."""
from __future__ import annotations

import json
from typing import Any

import pytest

from domain.persistence.db import Database
from domain.core.settings import Settings
from server.mcp.docs_routes import docs_sections
from tools import registry
from tools.context import ToolEnv


IMAGE_TOOLS = ("quote_order", "get_order")


class ToolRunner:
    """Calls tools the way the MCP handler does (registry.call) and unpacks the result."""

    def __init__(self, env: ToolEnv) -> None:
        self.env = env

    async def raw(self, name: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
        result = await registry.call(self.env, name, args or {})
        assert result["content"][0]["type"] == "text"
        extra = result["content"][1:]  # quote_order and get_order add one first-page preview image
        if name == "get_order" and not result["isError"]:  # and get_order says where each piece is
            assert extra and extra[0]["type"] == "text", extra
            extra = extra[1:]
        assert len(extra) == (1 if name in IMAGE_TOOLS and not result["isError"] else 0), result["content"]
        assert all(item["type"] == "image" for item in extra)
        return result

    async def ok(self, name: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
        result = await self.raw(name, args)
        assert result["isError"] is False, result["content"][0]["text"]
        assert json.loads(result["content"][0]["text"]) == result["structuredContent"]
        return result["structuredContent"]

    async def error(self, name: str, args: dict[str, Any] | None = None) -> dict[str, str]:
        result = await self.raw(name, args)
        assert result["isError"] is True, result
        assert "structuredContent" not in result
        return json.loads(result["content"][0]["text"])


@pytest.fixture
def tool_env(db: Database, settings: Settings, account: dict[str, str]) -> ToolEnv:
    return ToolEnv(db=db, settings=settings, account_id=account["id"], client_id="test-client",
                   docs=docs_sections(settings))


@pytest.fixture
def tools(tool_env: ToolEnv) -> ToolRunner:
    return ToolRunner(tool_env)


BART = {
    "displayName": "Bart de Vries", "street": "Keizersgracht", "houseNumber": "1", "postalCode": "1012 AB",
    "city": "Amsterdam", "country": "Netherlands", "email": "bart@example.com",
}
