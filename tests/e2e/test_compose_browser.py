"""Compose link → edit → postcard → sandbox Pay → localized return page, in real Chromium.

Issue 5, "Must show" 1. A real ``pieterpost serve`` subprocess, Debian's chromium driven by
Playwright (``executable_path``; no downloaded browser). A second run cancels on the sandbox
page and ends ``cancelled`` with no charge. Screenshots go to ``test-artifacts/``.
"""
from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import auth, require_system_part
from tests.support import servers

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = servers.ROOT / "test-artifacts"
RECIPIENT = {"name": "Pieter Post", "streetAddress": "Damrak 1", "postalCode": "1012 LG", "city": "Amsterdam",
             "country": "NL"}


def _need_browser() -> None:
    require_system_part("chromium", Path(CHROMIUM).exists() and importlib.util.find_spec("playwright") is not None,
                        "apt-get install chromium; pip install playwright (no browser download needed)")


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _compose_link(base: str, key: str, locale: str, message: str) -> str:
    response = httpx.post(f"{base}/v1/compose-links", headers=auth(key), timeout=30,
                          json={"recipient": RECIPIENT, "message": message, "locale": locale})
    assert response.status_code == 200, response.text
    return str(response.json()["url"])


def test_compose_edit_postcard_pay_and_cancel_in_chromium(database_url: str, asset_dir: Path,
                                                          account: dict[str, str]) -> None:
    _need_browser()
    from playwright.sync_api import sync_playwright

    key = account["test_key"]
    edited = "Lieve Pieter,\nde kaart is onderweg.\n\nGroetjes uit Utrecht"
    with servers.running_server(servers.cli_env(database_url, asset_dir)) as base, sync_playwright() as pw:
        wallet_before = httpx.get(f"{base}/v1/wallet", headers=auth(key)).json()["wallet"]["balanceCents"]
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(locale="nl-NL")
            page.goto(_compose_link(base, key, "nl", "Hoi Pieter,\nTot zondag!"))
            assert page.input_value("#message") == "Hoi Pieter,\nTot zondag!"
            assert page.text_content("#price") == "2,00 €"  # a one-page letter
            page.fill("#message", edited)
            page.check("#kind-postcard")
            page.wait_for_selector('#price[data-cents="250"]')  # the price script ran (no eval: CSP)
            assert page.text_content("#price") == "2,50 €"
            _shot(page, "compose-1-editor")
            page.click("#pay")
            page.wait_for_url(re.compile(r".*/v1/sandbox/checkout/ord_\w+$"))
            order_id = page.url.rsplit("/", 1)[-1]
            assert page.text_content(".message") == edited  # the exact text, line breaks included
            assert page.text_content(".address", timeout=5000).startswith("Pieter Post\nDamrak 1")
            assert page.text_content("#total") == "€2.50"
            _shot(page, "compose-2-sandbox")
            page.click("#pay")
            page.wait_for_url(re.compile(rf".*/pay/{order_id}/return\?checkout=success$"))
            assert page.get_attribute("html", "lang") == "nl"
            assert page.text_content("#title") == "Bedankt"
            assert "je ansichtkaart" in (page.text_content("#sentence") or "")
            _shot(page, "compose-3-return")

            page.goto(_compose_link(base, key, "de", "Hallo Pieter"))
            page.click("#pay")  # as a letter, unchanged
            page.wait_for_url(re.compile(r".*/v1/sandbox/checkout/ord_\w+$"))
            cancelled_id = page.url.rsplit("/", 1)[-1]
            page.click("#cancel")
            page.wait_for_url(re.compile(rf".*/pay/{cancelled_id}/return\?checkout=cancelled$"))
            assert page.text_content("#title") == "Bezahlung abgebrochen"
            assert "Ihren Brief" in (page.text_content("#sentence") or "")
            _shot(page, "compose-4-cancelled")
        finally:
            browser.close()
        paid = httpx.get(f"{base}/v1/orders/{order_id}", headers=auth(key)).json()
        assert paid["status"] == "fulfilled" and paid["requestType"] == "postcard" and paid["amountCents"] == 250
        assert paid["paymentReference"].startswith("sandbox:")
        cancelled = httpx.get(f"{base}/v1/orders/{cancelled_id}", headers=auth(key)).json()
        assert cancelled["status"] == "cancelled" and cancelled["paidAt"] is None
        assert cancelled["paymentReference"] is None
        wallet_after = httpx.get(f"{base}/v1/wallet", headers=auth(key)).json()["wallet"]["balanceCents"]
        assert wallet_after == wallet_before  # hosted checkout never touches the wallet; nothing charged
