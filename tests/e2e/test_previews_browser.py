"""Previews and the front door in real chromium against a real ``pieterpost serve``.

front door (signed out) → sign up → front door links to the dashboard → API key → compose link →
the editor's preview image changes as the person types → sandbox checkout with thumbnails → pay →
dashboard order detail with thumbnails. Each page is shot at desktop and phone width into
``test-artifacts/previews/`` and checked with axe-core (no serious or critical violation). A
second browser without JavaScript previews through the Preview button.
"""
from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import httpx

from tests.support.browser import axe_source, axe_violations, launch, require_browser, shoot
from tests.support.servers import cli_env, running_server

PASSWORD = "a long enough test password"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
RECIPIENT = {"name": "Pieter Post", "streetAddress": "Damrak 1", "postalCode": "1012 LG", "city": "Amsterdam",
             "country": "NL"}


class Shots:
    def __init__(self, page: Any, axe: str) -> None:
        self.page, self.axe, self.problems = page, axe, {}

    async def both_widths(self, name: str) -> None:
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            await self.page.set_viewport_size(size)
            await shoot(self.page, "previews", f"{name}-{label}")
            found = await axe_violations(self.page, self.axe, f"previews-{name}-{label}")
            if found:
                self.problems[f"{name}-{label}"] = found
        await self.page.set_viewport_size(DESKTOP)


async def loaded_images(page: Any, selector: str) -> list[int]:
    """naturalWidth of each matching image once loaded (0 = broken)."""
    return await page.eval_on_selector_all(selector, """imgs => Promise.all(imgs.map(img => img.complete
        ? img.naturalWidth : new Promise(ok => { img.onload = () => ok(img.naturalWidth); img.onerror = () => ok(0); })))""")


async def test_front_door_compose_preview_checkout_and_order_detail(sqlite_database_url: str, asset_dir: Path) -> None:
    require_browser()
    axe = axe_source()
    from playwright.async_api import async_playwright, expect

    email = f"preview-{uuid.uuid4().hex[:8]}@example.com"
    with running_server(cli_env(sqlite_database_url, asset_dir)) as base:
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                context = await browser.new_context(viewport=DESKTOP, locale="nl-NL")
                page = await context.new_page()
                shots = Shots(page, axe)

                # the front door, signed out: what this is, sign-in, sign-up, the MCP URL, docs
                await page.goto(f"{base}/")
                await expect(page.locator("#front-title")).to_have_text("PieterPost")
                await expect(page.locator("#mcp-url")).to_have_text(f"{base}/mcp")
                assert await page.locator("#dashboard-link").count() == 0
                await shots.both_widths("1-front-door")
                await page.click("#signup-link")
                await page.fill("#email", email)
                await page.fill("#password", PASSWORD)
                await page.click("#signup-form button[type=submit]")
                await expect(page.locator("#account-email")).to_have_text(email)
                await page.goto(f"{base}/")
                await expect(page.locator("#dashboard-link")).to_have_attribute("href", "/api/dashboard")
                await expect(page.locator("#signed-in")).to_contain_text(email)
                await shots.both_widths("2-front-door-signed-in")
                await page.click("#dashboard-link")
                assert page.url == f"{base}/api/dashboard"

                # a key, then a compose link for that account
                await page.goto(f"{base}/api/dashboard/keys")
                await page.fill("#key-name", "previews")
                await page.select_option("#key-mode", "test")
                await page.click("#create-key-form button[type=submit]")
                secret = await page.locator("#new-key-secret").input_value()
                made = httpx.post(f"{base}/v1/compose-links", headers={"Authorization": f"Bearer {secret}"},
                                  json={"recipient": RECIPIENT, "message": "Hoi Pieter,\nTot zondag!", "locale": "nl"})
                assert made.status_code == 200, made.text

                # the editor: typing changes the preview image (debounced fetch, no reload)
                await page.goto(made.json()["url"])
                first = page.locator("#preview-pages img.preview-image").first
                await expect(first).to_have_attribute("src", re.compile(r"^data:image/png;base64,"))
                before = await first.get_attribute("src")
                await expect(page.locator("footer")).to_contain_text("testmodus")  # Dutch page, Dutch frame
                assert await page.locator("#country option:checked").inner_text() == "Nederland"
                await shots.both_widths("3-compose-editor")
                await page.locator("#message").click()
                await page.keyboard.press("Control+End")
                await page.keyboard.type(" En een lange extra zin.", delay=20)
                await expect(first).not_to_have_attribute("src", before, timeout=15000)
                assert await page.evaluate("() => performance.getEntriesByType('navigation').length") == 1
                await page.check("#kind-postcard")
                await expect(page.locator("#preview-pages img.preview-image")).to_have_count(2)  # front and back
                await expect(page.locator("#preview-pages figcaption").first).to_have_text("Voorkant")
                await shots.both_widths("4-compose-postcard")

                # sandbox checkout: thumbnails of the card, then pay
                await page.click("#pay")
                await page.wait_for_url(re.compile(r".*/v1/sandbox/checkout/ord_\w+$"))
                order_id = page.url.rsplit("/", 1)[-1]
                assert await loaded_images(page, ".piece img.thumb") == [240, 240]
                await shots.both_widths("5-sandbox-checkout")
                await page.click("#pay")
                await page.wait_for_url(re.compile(rf".*/pay/{order_id}/return\?checkout=success$"))
                assert await loaded_images(page, "#thumbs img") == [240]
                await shots.both_widths("6-return")

                # the owner's order detail shows the same piece
                await page.goto(f"{base}/api/dashboard/orders/{order_id}")
                assert await loaded_images(page, "#piece-thumbs img") == [240]
                await shots.both_widths("7-order-detail")
                assert shots.problems == {}, shots.problems

                # no JavaScript: the Preview button posts the form and the page comes back with the pages
                plain = await browser.new_context(viewport=DESKTOP, java_script_enabled=False)
                nojs = await plain.new_page()
                again = httpx.post(f"{base}/v1/compose-links", headers={"Authorization": f"Bearer {secret}"},
                                   json={"recipient": RECIPIENT, "message": "Eerste versie", "locale": "en"})
                await nojs.goto(again.json()["url"])
                old = await nojs.locator("#preview-pages img").first.get_attribute("src")
                await nojs.fill("#message", "Second version, previewed without JavaScript")
                await nojs.click("#preview-button")
                await nojs.wait_for_url(f"{base}/compose/preview")
                assert await nojs.input_value("#message") == "Second version, previewed without JavaScript"
                assert await nojs.locator("#preview-pages img").first.get_attribute("src") != old
                await shoot(nojs, "previews", "8-compose-without-javascript")
                await plain.close()
            finally:
                await browser.close()
