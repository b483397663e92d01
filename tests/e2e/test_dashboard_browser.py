"""Issue 6, items 1 and 3, in real chromium against a real ``pieterpost serve``.

sign up → dashboard → create a test key (secret once, gone after reload) → the key reads
/v1/wallet → top up 25.00 test → balance €25.00 → direct order with the key → listed as
fulfilled → its proof opens → revoke the key → 401 ``api_key_inactive``. Every page gets a
screenshot under ``test-artifacts/dashboard/`` and an axe-core run with no serious or critical
violation; the overview is also checked at phone width.
"""
from __future__ import annotations

import re
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from tests.api.payloads import DIRECT_LETTER, fresh
from tests.support.browser import ARTIFACTS, axe_source, axe_violations, launch, require_browser, shoot
from tests.support.servers import cli_env, running_server

PASSWORD = "a long enough test password"


class Pages:
    """Screenshot and accessibility check of each page the flow visits."""

    def __init__(self, page: Any, axe: str) -> None:
        self.page, self.axe, self.count, self.problems = page, axe, 0, {}

    async def check(self, name: str) -> None:
        self.count += 1
        label = f"{self.count:02d}-{name}"
        await shoot(self.page, "dashboard", label)
        found = await axe_violations(self.page, self.axe, label)
        if found:
            self.problems[label] = found


def _wait_fulfilled(base: str, secret: str, order_id: str) -> dict[str, Any]:
    """The worker moves test orders on; wait for the state, not for a time."""
    deadline = time.monotonic() + 30
    while True:
        body = httpx.get(f"{base}/v1/orders/{order_id}", headers={"Authorization": f"Bearer {secret}"}).json()
        if body["status"] == "fulfilled" or time.monotonic() > deadline:
            return body
        time.sleep(0.1)


async def test_dashboard_flow_in_chromium(database_url: str, asset_dir: Path) -> None:
    require_browser()
    axe = axe_source()
    from playwright.async_api import async_playwright, expect

    email = f"browser-{uuid.uuid4().hex[:8]}@example.com"
    with running_server(cli_env(database_url, asset_dir)) as base:
        async with async_playwright() as pw:
            browser = await launch(pw)
            context = await browser.new_context(viewport={"width": 1280, "height": 900})
            page = await context.new_page()
            pages = Pages(page, axe)

            # sign up: the dashboard sends a stranger to sign-in, which links to sign-up
            await page.goto(f"{base}/api/dashboard")
            assert page.url.startswith(f"{base}/signin?next=")
            await pages.check("signin")
            await page.click("#signup-link")
            await pages.check("signup")
            await page.fill("#email", email)
            await page.fill("#password", PASSWORD)
            await page.click("#signup-form button[type=submit]")
            await expect(page.locator("#account-email")).to_have_text(email)
            assert page.url == f"{base}/api/dashboard"
            await expect(page.locator("#base-url")).to_have_text(base)  # quick start uses the real BASE_URL
            await pages.check("overview")

            # a test key: the secret once, then never again
            await page.click("nav[aria-label='Dashboard sections'] >> text=API keys")
            await pages.check("keys")
            await page.fill("#key-name", "browser test")
            await page.select_option("#key-mode", "test")
            await page.click("#create-key-form button[type=submit]")
            secret = await page.locator("#new-key-secret").input_value()
            assert re.fullmatch(r"pp_test_[A-Za-z0-9_-]{43}", secret)
            await expect(page.locator("button.copy[data-copy=new-key-secret]")).to_be_visible()  # JS copy button
            await pages.check("key-created")
            await page.reload()
            await expect(page.locator("#keys-table")).to_contain_text(secret[-4:])
            assert await page.locator("#new-key-secret").count() == 0
            assert secret not in await page.content()
            bearer = {"Authorization": f"Bearer {secret}"}
            wallet = httpx.get(f"{base}/v1/wallet?currency=eur", headers=bearer)
            assert wallet.status_code == 200 and wallet.json()["wallet"]["balanceCents"] == 0

            # top up 25.00 in test mode
            await page.click("nav[aria-label='Dashboard sections'] >> text=Wallet")
            await page.fill("#topup-amount", "25.00")
            await page.click("#topup-form button[type=submit]")
            await expect(page.locator("#balance-eur")).to_have_text("€25.00")
            await expect(page.locator("#topups-table")).to_contain_text("paid")
            await pages.check("wallet")
            assert httpx.get(f"{base}/v1/wallet", headers=bearer).json()["wallet"]["balanceCents"] == 2500

            # a direct order with the key shows up as fulfilled
            sent = httpx.post(f"{base}/v1/orders", json=fresh(DIRECT_LETTER),
                              headers={**bearer, "Idempotency-Key": f"browser-{uuid.uuid4().hex}"})
            assert sent.status_code == 200, sent.text
            order_id = sent.json()["orderId"]
            assert _wait_fulfilled(base, secret, order_id)["status"] == "fulfilled"
            await page.click("nav[aria-label='Dashboard sections'] >> text=Orders")
            row = page.locator(f"tr[data-order-id='{order_id}']")
            await expect(row).to_have_attribute("data-status", "fulfilled")
            await pages.check("orders")
            await row.locator("a").click()
            await expect(page.locator("#order-status")).to_have_text("fulfilled")
            await expect(page.locator("#timeline li[data-status]")).to_have_count(3)  # paid, queued, fulfilled
            await expect(page.locator("#payment-reference")).to_contain_text("wallet:")
            await pages.check("order-detail")
            proof_url = await page.locator("#proof-link").get_attribute("href")
            proof = await context.request.get(f"{base}{proof_url}")  # the browser's own session
            assert proof.status == 200 and proof.headers["content-type"] == "application/pdf"
            body = await proof.body()
            assert body.startswith(b"%PDF-")
            (ARTIFACTS / "dashboard" / "proof.pdf").write_bytes(body)

            # the other sections and the docs
            for section in ("Links", "MCP", "Webhooks"):
                await page.click(f"nav[aria-label='Dashboard sections'] >> text={section}")
                await pages.check(section.lower())
            await page.goto(f"{base}/api/docs")
            await expect(page.locator("#error-table")).to_contain_text("api_key_inactive")
            await pages.check("api-docs")
            await page.goto(f"{base}/api/docs/mcp")
            await expect(page.locator("#mcp-docs")).to_contain_text("create_direct_order")
            await pages.check("mcp-docs")

            # revoke, with a confirmation page
            await page.goto(f"{base}/api/dashboard/keys")
            key_row = page.locator("#keys-table tbody tr").first
            await expect(key_row).to_have_attribute("data-status", "active")
            await expect(key_row.locator("td").nth(4)).not_to_have_text("never")  # last use is shown
            await key_row.locator("a:has-text('Revoke')").click()
            await pages.check("key-revoke-confirm")
            await page.click("#revoke-key-form button[type=submit]")
            await expect(page.locator("#revoked-notice")).to_be_visible()
            await expect(page.locator("#keys-table tr[data-status='revoked']")).to_have_count(1)
            await pages.check("key-revoked")
            refused = httpx.get(f"{base}/v1/wallet", headers=bearer)
            assert refused.status_code == 401 and refused.json()["code"] == "api_key_inactive"

            # readable on a phone: no sideways scrolling of the page itself (wide tables scroll in place)
            phone = await browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                              storage_state=await context.storage_state())
            pages.page = await phone.new_page()
            for name, path in (("overview", "/api/dashboard"), ("keys", "/api/dashboard/keys"),
                               ("order", f"/api/dashboard/orders/{order_id}"), ("docs", "/api/docs"),
                               ("webhooks", "/api/dashboard/webhooks")):
                await pages.page.goto(f"{base}{path}")
                width = await pages.page.evaluate("() => document.documentElement.scrollWidth")
                assert width <= 390, f"{path} scrolls sideways on a phone ({width}px)"
                await pages.check(f"phone-{name}")
            await browser.close()

    assert pages.count >= 17
    assert not pages.problems, f"serious/critical accessibility violations: {pages.problems}"
