"""axe-core on every page a person can reach, at desktop and phone widths, in Debian chromium.

Fails on any violation of the WCAG 2.x A/AA rules and axe's best practices, whatever its impact
(moderate and minor included). The full axe results are kept under ``test-artifacts/axe/``.
"""
from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx

from tests.api.payloads import CHECKOUT_LETTER, DIRECT_LETTER, NL_RECIPIENT, fresh
from tests.oauth import flow
from tests.support.browser import axe_source, axe_violations, launch, require_browser
from tests.support.servers import cli_env, run_cli, running_server

PASSWORD = "a long enough test password"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _cli(env: dict[str, str], *args: str) -> dict[str, Any]:
    done = run_cli([*args, "--json"], env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _prepare(base: str, env: dict[str, str]) -> tuple[str, dict[str, str]]:
    """An account with a key, a paid order, an open checkout, a compose link; returns (email, urls)."""
    email = f"axe-{uuid.uuid4().hex[:8]}@example.com"
    _cli(env, "accounts", "create", "--email", email, "--approve")
    secret = _cli(env, "keys", "create", "--email", email, "--mode", "test", "--name", "axe")["secret"]
    _cli(env, "wallet", "topup", "--email", email, "--amount-cents", "2500")
    bearer = {"Authorization": f"Bearer {secret}"}

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = httpx.post(f"{base}{path}", json=body, headers={**bearer, "Idempotency-Key": uuid.uuid4().hex})
        assert answer.status_code == 200, answer.text
        return answer.json()

    order = post("/v1/orders", fresh(DIRECT_LETTER))
    checkout = post("/v1/checkout-links", fresh(CHECKOUT_LETTER))
    compose = post("/v1/compose-links", {"recipient": NL_RECIPIENT, "message": "Hoi Pieter", "locale": "nl"})
    open_id = checkout["orderId"]
    return email, {
        "order": order["orderId"],
        "sandbox-checkout": checkout["checkoutUrl"].removeprefix(base),
        "pay-return-processing": f"/pay/{open_id}/return?checkout=success",
        "pay-return-open": f"/pay/{open_id}/return?checkout=cancel",
        "compose-nl": str(compose["url"]).removeprefix(base),
    }


async def _oauth_pages(base: str) -> tuple[str, str]:
    """A registered client's authorize URL (-> sign-in page) for a person who is not signed in."""
    async with httpx.AsyncClient(base_url=base) as http:
        client = await flow.register(http)
    params = flow.authorize_params(client, flow.verifier(), resource=f"{base}/mcp/")
    return f"{base}/mcp/oauth/authorize?{httpx.QueryParams(params)}", client.client_id


async def test_every_page_has_no_accessibility_violations(database_url: str, asset_dir: Path) -> None:
    require_browser()
    axe = axe_source()
    from playwright.async_api import async_playwright

    problems: dict[str, Any] = {}
    checked: list[str] = []

    async def check(page: Any, name: str) -> None:
        checked.append(name)
        found = await axe_violations(page, axe, f"all-{name}", strict=True)
        if found:
            problems[name] = found

    env = cli_env(database_url, asset_dir)
    with running_server(env) as base:
        email, urls = _prepare(base, env)
        authorize_url, _ = await _oauth_pages(base)
        async with async_playwright() as pw:
            browser = await launch(pw)
            for width_name, viewport in WIDTHS.items():
                anonymous = await browser.new_context(viewport=viewport)
                page = await anonymous.new_page()
                for name, path in (("signin", "/signin"), ("signup", "/signup"), ("api-docs", "/api/docs"),
                                   ("mcp-docs", "/api/docs/mcp"), ("not-found", "/no-such-page"),
                                   ("sandbox-checkout", urls["sandbox-checkout"]),
                                   ("pay-return-processing", urls["pay-return-processing"]),
                                   ("pay-return-open", urls["pay-return-open"]),
                                   ("compose-nl", urls["compose-nl"])):
                    await page.goto(f"{base}{path}")
                    await check(page, f"{width_name}-{name}")
                # the OAuth pages: sign-in for the client, sign-up, then consent
                await page.goto(authorize_url)
                await check(page, f"{width_name}-oauth-login")
                await page.click("#signup-link")
                await check(page, f"{width_name}-oauth-signup")
                await page.fill("#email", f"axe-oauth-{uuid.uuid4().hex[:8]}@example.com")
                await page.fill("#password", PASSWORD)
                await page.click("#signup-form button[type=submit]")
                await page.wait_for_selector("#consent-form")
                await check(page, f"{width_name}-oauth-consent")
                await anonymous.close()

                # the dashboard, signed in as the account that owns the order
                context = await browser.new_context(viewport=viewport)
                page = await context.new_page()
                await page.goto(f"{base}/signin")
                await page.click("#signup-link")
                person = f"axe-dash-{uuid.uuid4().hex[:8]}@example.com"
                await page.fill("#email", person)
                await page.fill("#password", PASSWORD)
                await page.click("#signup-form button[type=submit]")
                await page.wait_for_selector("#account-email")
                for name, path in (("overview", "/api/dashboard"), ("keys", "/api/dashboard/keys"),
                                   ("wallet", "/api/dashboard/wallet"), ("orders", "/api/dashboard/orders"),
                                   ("links", "/api/dashboard/links"), ("mcp", "/api/dashboard/mcp")):
                    await page.goto(f"{base}{path}")
                    await check(page, f"{width_name}-dashboard-{name}")
                await context.close()
            await browser.close()
    assert len(checked) == 36, checked  # 18 pages at each width
    assert not problems, f"accessibility violations: {json.dumps(problems, indent=1)[:6000]}"
