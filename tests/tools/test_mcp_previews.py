"""MCP results carry a first-page preview image; the MCP App is a ui:// resource linked from tools/list."""
from __future__ import annotations

import base64
import io
import json
import re

from jsonschema import Draft202012Validator
from PIL import Image

from server.mcp.apps import APP_MIME_TYPE, APP_URI
from tests.api.payloads import CHECKOUT_LETTER, fresh
from tests.support.mcp_client import open_session, structured
from tests.tools.test_mcp_transport import LiveServer, live, token  # noqa: F401  (fixtures)
from tests.tools.test_tools_contract import APP_TOOLS

LETTER_ARGS = {k: v for k, v in fresh(CHECKOUT_LETTER).items() if k != "returnUrl"}


def preview_of(result) -> Image.Image:  # type: ignore[no-untyped-def]
    images = [item for item in result.content if item.type == "image"]
    assert len(images) == 1, result.content
    assert images[0].mime_type in ("image/png", "image/jpeg")
    data = base64.b64decode(images[0].data)
    assert len(data) < 1_000_000
    picture = Image.open(io.BytesIO(data))
    assert picture.width <= 600
    return picture


async def test_quote_order_carries_an_image_and_its_structured_content_keeps_the_schema(live: LiveServer,
                                                                                       token: str) -> None:
    async with open_session(live.mcp, token=token) as session:
        listed = {t.name: t for t in (await session.list_tools()).tools}
        result = await session.call_tool("quote_order", LETTER_ARGS)
    quote = structured(result)
    assert result.content[0].type == "text" and json.loads(result.content[0].text) == quote
    Draft202012Validator(listed["quote_order"].output_schema).validate(quote)
    picture = preview_of(result)
    assert picture.height > picture.width  # a letter page, portrait
    assert result.content[1].mime_type == "image/png"


async def test_get_order_carries_an_image_too(live: LiveServer, token: str) -> None:
    async with open_session(live.mcp, token=token) as session:
        listed = {t.name: t for t in (await session.list_tools()).tools}
        link = structured(await session.call_tool("create_checkout_link", {**LETTER_ARGS,
                                                                           "idempotencyKey": "preview-get-order"}))
        assert all(item.type == "text" for item in (await session.call_tool(
            "create_checkout_link", {**LETTER_ARGS, "idempotencyKey": "preview-get-order"})).content)
        result = await session.call_tool("get_order", {"orderId": link["orderId"]})
    order = structured(result)
    Draft202012Validator(listed["get_order"].output_schema).validate(order)
    preview_of(result)


async def test_app_resource_is_listed_readable_and_linked_from_five_tools(live: LiveServer, token: str) -> None:
    async with open_session(live.mcp, token=token) as session:
        tools = (await session.list_tools()).tools
        resources = (await session.list_resources()).resources
        read = await session.read_resource(APP_URI)
    linked = {t.name for t in tools if (t.meta or {}).get("ui", {}).get("resourceUri") == APP_URI}
    assert linked == APP_TOOLS
    assert [str(r.uri) for r in resources] == [APP_URI] and resources[0].mime_type == APP_MIME_TYPE
    (content,) = read.contents
    assert content.mime_type == "text/html;profile=mcp-app"
    csp = content.meta["ui"]["csp"]
    assert csp["connectDomains"] == [] and csp["resourceDomains"] == []
    html = content.text
    assert "<script>" in html and "<script src" not in html and "<link" not in html  # one file, inline
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", html)  # nothing loads from a CDN
