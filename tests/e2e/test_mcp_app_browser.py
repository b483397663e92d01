"""The MCP App in real chromium, hosted by the extension's own AppBridge.

A running server (uvicorn) answers the SDK client: the ui:// resource, a real quote_order result
and a real create_checkout_link result. A test host page (tests/support/mcp_host: the AppBridge
bundled from @modelcontextprotocol/ext-apps by ``npm run build:mcp-app``) puts the resource into a
sandboxed iframe under a CSP built from the resource's empty domain lists and hands it each result;
the app's own tools/call (get_order, for the link's picture) goes through the host to the real server.
Screenshots go to ``test-artifacts/mcp-app/``; the button must make the app ask the host to open
exactly the order's checkout URL (ui/open-link).
"""
from __future__ import annotations

from typing import Any

from server.mcp.apps import APP_URI
from tests.api.payloads import CHECKOUT_LETTER, fresh
from tests.support.browser import launch, require_browser, shoot
from tests.support.mcp_client import open_session, structured
from tests.support.servers import ROOT
from tests.support.system import require_system_part
from tests.tools.test_mcp_transport import LiveServer, live, token  # noqa: F401  (fixtures)

HOST = ROOT / "tests" / "support" / "mcp_host"
ARGS = {k: v for k, v in fresh(CHECKOUT_LETTER).items() if k != "returnUrl"}


def dump(model: Any) -> dict[str, Any]:
    return model.model_dump(by_alias=True, exclude_none=True, mode="json")


async def test_mcp_app_shows_preview_and_price_and_asks_the_host_to_open_checkout(live: LiveServer,
                                                                                  token: str) -> None:
    require_browser()
    require_system_part("mcp host bundle", (HOST / "host.js").exists(), "run `npm ci && npm run build:mcp-app`")
    from playwright.async_api import async_playwright, expect

    async with open_session(live.mcp, token=token) as session:
        read = await session.read_resource(APP_URI)
        quote = await session.call_tool("quote_order", ARGS)
        link_args = {**ARGS, "returnUrl": "https://example.com/back", "idempotencyKey": "mcp-app-browser"}
        link = await session.call_tool("create_checkout_link", link_args)
        compose_args = {"recipient": ARGS["letters"][0]["recipient"], "message": "Dear Pieter,", "idempotencyKey": "app-c"}
        compose = await session.call_tool("create_compose_link", compose_args)
        resource = dump(read.contents[0])
        html, meta = resource["text"], resource["_meta"]
        quoted, order = structured(quote), structured(link)
        checkout_url = order["publicCheckoutUrl"]
        assert checkout_url and checkout_url.endswith(f"/pay/{order['orderId']}")

        async def call_server_tool(params: dict[str, Any]) -> dict[str, Any]:
            return dump(await session.call_tool(params["name"], params.get("arguments") or {}))

        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                page = await browser.new_page(viewport={"width": 840, "height": 720})
                await page.expose_function("callServerTool", call_server_tool)
                errors: list[str] = []
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                await page.set_content((HOST / "host.html").read_text(encoding="utf-8"))
                await page.add_script_tag(path=str(HOST / "host.js"))

                await page.evaluate("([h, m, a, r]) => showApp(h, m, 'quote_order', a, r)",
                                    [html, meta, ARGS, dump(quote)])
                app = page.frame_locator("iframe")
                await expect(app.locator("#price")).to_have_text("€2.00")
                await expect(app.locator("#pages img")).to_have_count(1)
                width = await app.locator("#pages img").evaluate("img => img.complete ? img.naturalWidth : 0")
                assert width == 480  # the image item of the real result, decoded and drawn
                await expect(app.locator("#recipients li")).to_contain_text("Pieter Post")
                assert await app.locator("#open").is_hidden()  # a quote has nothing to open
                await shoot(page, "mcp-app", "1-quote-order")
                assert quoted["amountCents"] == 200

                await page.evaluate("([h, m, a, r]) => showApp(h, m, 'create_checkout_link', a, r)",
                                    [html, meta, link_args, dump(link)])
                app = page.frame_locator("iframe")
                await expect(app.locator("#price")).to_have_text("€2.00")
                await expect(app.locator("#title")).to_contain_text(order["orderId"])
                button = app.locator("#open")
                await expect(button).to_have_text("Open checkout to pay")
                await expect(app.locator("#pages img")).to_have_count(1)  # fetched through the host: get_order
                await shoot(page, "mcp-app", "2-checkout-link")
                await button.click()
                await expect(app.locator("#opened")).to_have_text("Opened in your browser.")
                log = await page.evaluate("() => window.hostLog")
                assert log["opened"] == [checkout_url]  # exactly the checkout URL, asked of the host
                assert log["initialized"] == 2  # each app completed ui/initialize with the host
                assert log["tools"] == ["get_order"]  # only the link result lacked a picture
                await shoot(page, "mcp-app", "3-link-opened")

                await page.evaluate("([h, m, a, r]) => showApp(h, m, 'create_compose_link', a, r)",
                                    [html, meta, compose_args, dump(compose)])
                app = page.frame_locator("iframe")
                await expect(app.locator("#open")).to_have_text("Open the compose editor")
                await app.locator("#open").click()
                await expect(app.locator("#opened")).to_be_visible()
                log = await page.evaluate("() => window.hostLog")
                assert log["opened"] == [checkout_url, structured(compose)["url"]]
                await shoot(page, "mcp-app", "4-compose-link")
                assert errors == []
            finally:
                await browser.close()
