"""/api/docs/mcp(.md) generated from the schema, and search/fetch in the ChatGPT connector shape."""
from __future__ import annotations

import json
import uuid

import httpx

from domain.accounts.accounts import create_account
from schemas import load_tools
from tests.tools.conftest import BART, ToolRunner
from tools.context import ToolEnv

RECIPIENT = {"name": "Pieter Example", "streetAddress": "Damrak 1", "postalCode": "1012 AB", "city": "Amsterdam",
             "country": "NL"}


async def test_markdown_docs_cover_every_tool_and_argument(client: httpx.AsyncClient) -> None:
    answer = await client.get("/api/docs/mcp.md")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/markdown")
    text = answer.text
    for tool in load_tools():
        assert f"### {tool['name']}" in text
        assert tool["description"] in text
        for prop in tool["inputSchema"].get("properties", {}):
            assert f"`{prop}`" in text, (tool["name"], prop)
    assert "http://127.0.0.1:8000/mcp/" in text and "confirmLiveSend" in text and "insufficient_scope" in text


async def test_html_page_is_the_same_reference(client: httpx.AsyncClient) -> None:
    answer = await client.get("/api/docs/mcp")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    assert '<h3 id="create-direct-order">create_direct_order</h3>' in answer.text
    assert 'href="http://127.0.0.1:8000/api/docs/mcp.md"' in answer.text


def _connector_shape(raw: dict, keys: set[str]) -> dict:
    """Exactly one text item holding the JSON, the same object as structuredContent."""
    assert raw["isError"] is False and len(raw["content"]) == 1
    assert json.loads(raw["content"][0]["text"]) == raw["structuredContent"]
    assert set(raw["structuredContent"]) == keys
    return raw["structuredContent"]


async def test_search_finds_docs_and_account_objects_with_urls(tools: ToolRunner) -> None:
    contact = await tools.ok("create_mailbook_contact", {**BART, "displayName": "Zebulon Quist"})
    await tools.ok("create_credit_topup", {"amountCents": 700})
    order = await tools.ok("create_direct_order", {"postcard": {"message": "Hi", "recipient": RECIPIENT}})
    key = await tools.ok("create_api_key", {"name": "searchable key"})

    found = _connector_shape(await tools.raw("search", {"query": "zebulon"}), {"results"})["results"]
    assert found[0] == {"id": f"contact:{contact['id']}", "title": found[0]["title"], "url": found[0]["url"]}
    by_order = _connector_shape(await tools.raw("search", {"query": order["orderId"]}), {"results"})["results"]
    assert by_order[0]["id"] == f"order:{order['orderId']}"
    docs = _connector_shape(await tools.raw("search", {"query": "confirmLiveSend maxAmountCents"}), {"results"})
    assert any(r["id"].startswith("docs:") for r in docs["results"])
    everything = (await tools.ok("search", {"query": "wallet key order mailbook account"}))["results"]
    for result in [*found, *by_order, *docs["results"], *everything]:
        assert set(result) == {"id", "title", "url"} and result["url"] and result["title"]
    assert key["secret"] not in str(everything)


async def test_fetch_returns_the_connector_document(tools: ToolRunner) -> None:
    contact = await tools.ok("create_mailbook_contact", BART)
    for doc_id in (f"contact:{contact['id']}", "docs:safety-rules", "account", "wallet:test:eur"):
        doc = _connector_shape(await tools.raw("fetch", {"id": doc_id}), {"id", "title", "text", "url", "metadata"})
        assert doc["id"] == doc_id and doc["url"] and doc["text"] and isinstance(doc["metadata"], dict)
    assert (await tools.error("fetch", {"id": "order:ord_nope"}))["code"] == "not_found"
    assert (await tools.error("fetch", {"id": "nonsense"}))["code"] == "not_found"


async def test_fetch_refuses_other_accounts_objects(tools: ToolRunner, tool_env, db) -> None:
    contact = await tools.ok("create_mailbook_contact", BART)
    async with db.transaction() as session:
        other = await create_account(session, f"o-{uuid.uuid4().hex[:8]}@example.com", approve=True)
    stranger = ToolRunner(ToolEnv(db=db, settings=tool_env.settings, account_id=other.id, docs=tool_env.docs))
    assert (await stranger.error("fetch", {"id": f"contact:{contact['id']}"}))["code"] == "not_found"
    results = (await stranger.ok("search", {"query": "bart"}))["results"]
    assert all(not r["id"].startswith("contact:") for r in results)
