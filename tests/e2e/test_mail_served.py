"""Live mail end to end through a real ``pieterpost serve`` (its worker on) and a fake provider.

Per provider: an account and live key from the CLI → ``pieterpost wallet credit --mode live``
→ direct orders over HTTP (Lob: a letter and a postcard; Pingen: a letter) → the served worker
hands them to the fake provider, which checks each request → signed webhooks ``mailed``,
``in_transit`` and ``delivered`` arrive over HTTP, one of them twice and one out of order →
``GET /v1/orders/{id}`` shows every piece ``delivered`` with its events in time order → the
dashboard order page in Debian chromium shows the per-piece timeline (screenshot in
``test-artifacts/mail/``).
"""
from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.api.payloads import NL_RECIPIENT, US_RECIPIENT
from tests.conftest import auth
from tests.support import fake_lob, fake_pingen, servers
from tests.support.browser import axe_source, axe_violations, launch, require_browser, shoot
from tests.support.mail import (  # noqa: F401 - fixtures
    fake_lob as lob, fake_pingen as pingen, lob_env, lob_server, pingen_env, pingen_server,
)

PASSWORD = "a long enough test password"
Hook = tuple[bytes, dict[str, str]]


def _operator_setup(env: dict[str, str]) -> tuple[str, str]:
    """Account, live key and a live credit, all from the command line."""
    email = f"mail-{uuid.uuid4().hex[:8]}@example.com"
    made = servers.run_cli(["accounts", "create", "--email", email, "--approve", "--password-stdin"], env,
                           stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    key = servers.run_cli(["keys", "create", "--email", email, "--mode", "live", "--json"], env)
    assert key.returncode == 0, key.stderr
    credit = servers.run_cli(["wallet", "credit", "--email", email, "--amount-cents", "5000", "--mode", "live",
                              "--reason", "bank transfer 2026-12-01", "--json"], env)
    assert credit.returncode == 0, credit.stderr
    credited = json.loads(credit.stdout)
    assert credited["wallet"] == {**credited["wallet"], "balanceCents": 5000, "mode": "live"}
    return email, json.loads(key.stdout)["secret"]


def _wait(base: str, key: str, order_id: str, done: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    view: dict[str, Any] = {}
    for _ in range(300):
        view = httpx.get(f"{base}/v1/orders/{order_id}", headers=auth(key), timeout=10).json()
        if done(view):
            break
        time.sleep(0.1)
    return view


def _send(base: str, provider: str, hooks: list[Hook]) -> list[str]:
    outcomes = []
    for body, headers in hooks:
        response = httpx.post(f"{base}/v1/providers/{provider}/webhook", content=body, headers=headers, timeout=10)
        assert response.status_code == 200, response.text
        outcomes.append(response.json()["outcome"])
    return outcomes


async def _screenshot(base: str, email: str, order_id: str, name: str) -> None:
    require_browser()
    axe = axe_source()
    from playwright.async_api import async_playwright, expect

    async with async_playwright() as pw:
        browser = await launch(pw)
        context = await browser.new_context(viewport={"width": 1280, "height": 1000})
        await context.add_cookies([{"name": "pp_mode", "value": "live", "url": base}])
        page = await context.new_page()
        await page.goto(f"{base}/api/dashboard/orders/{order_id}")
        await page.fill("#email", email)
        await page.fill("#password", PASSWORD)
        await page.click("#signin-form button[type=submit]")
        await expect(page.locator("#tracking-title")).to_be_visible()
        await expect(page.locator("#tracking-1")).to_have_attribute("data-status", "delivered")
        types = await page.locator("#tracking-1 li").evaluate_all("els => els.map(e => e.dataset.type)")
        assert types == ["submitted", "mailed", "in_transit", "delivered"] or types == ["mailed", "in_transit",
                                                                                         "delivered"]
        await shoot(page, "mail", name)
        assert not await axe_violations(page, axe, f"mail-{name}")
        await browser.close()


def _check_delivered(view: dict[str, Any]) -> None:
    assert view["status"] == "fulfilled", view
    for piece in view["pieces"]:
        assert piece["status"] == "delivered", piece
        kinds = [e["type"] for e in piece["trackingEvents"]]
        assert kinds[-3:] == ["mailed", "in_transit", "delivered"], kinds
        stamps = [e["occurredAt"] for e in piece["trackingEvents"]]
        assert stamps == sorted(stamps)


async def test_lob_letter_and_postcard_end_to_end(database_url: str, asset_dir: Path,
                                                  lob: fake_lob.FakeLob) -> None:
    env = servers.cli_env(database_url, asset_dir, PIETERPOST_WORKER_POLL_SECONDS="0.1",
                          PIETERPOST_RATE_LIMIT_PER_MINUTE="100000", **lob_env(lob.url))
    email, key = _operator_setup(env)
    letter = {"requestType": "letter", "letters": [{"recipient": US_RECIPIENT, "message": "Dear Pieter,\nhello."}]}
    card = {"requestType": "postcard", "postcard": {"recipient": US_RECIPIENT, "message": "Greetings!"}}
    with servers.running_server(env) as base:
        orders = []
        for body in (letter, card):
            response = httpx.post(f"{base}/v1/orders", json=body, headers=auth(key), timeout=30)
            assert response.status_code == 200, response.text
            orders.append(response.json()["orderId"])
        views = [_wait(base, key, o, lambda v: v["status"] == "fulfilled") for o in orders]
        assert [v["status"] for v in views] == ["fulfilled", "fulfilled"], (views, lob.received[-2:])
        start = datetime.now(UTC) - timedelta(days=4)
        for view in views:
            piece = view["pieces"][0]
            obj = lob.objects[piece["providerId"]]
            kind = obj["object"]
            request = lob.requests_for(piece["pieceId"])[0]
            assert request["key"] == piece["pieceId"] and request["fields"]["to[address_state]"] == "IL"
            assert set(request["files"]) == ({"file"} if kind == "letter" else {"front", "back"})
            mailed = fake_lob.signed_webhook(f"{kind}.mailed", obj, occurred_at=start)
            transit = fake_lob.signed_webhook(f"{kind}.in_transit", obj, occurred_at=start + timedelta(days=1))
            delivered = fake_lob.signed_webhook(f"{kind}.delivered", obj, occurred_at=start + timedelta(days=2))
            # mailed twice (a provider retry); in_transit arrives after delivered
            assert _send(base, "lob", [mailed, mailed, delivered, transit]) == [
                "moved", "duplicate", "moved", "recorded"]
        final = [httpx.get(f"{base}/v1/orders/{o}", headers=auth(key), timeout=10).json() for o in orders]
        for view in final:
            _check_delivered(view)
        assert final[0]["wallet"]["balanceCents"] == 5000 - 200 - 250
        await _screenshot(base, email, orders[0], f"lob-letter-{database_url.split(':')[0].split('+')[0]}")
    assert not lob.problems


async def test_pingen_letter_end_to_end(database_url: str, asset_dir: Path, pingen: fake_pingen.FakePingen) -> None:
    env = servers.cli_env(database_url, asset_dir, PIETERPOST_WORKER_POLL_SECONDS="0.1",
                          PIETERPOST_RATE_LIMIT_PER_MINUTE="100000", **pingen_env(pingen.url))
    email, key = _operator_setup(env)
    letter = {"requestType": "letter", "letters": [{"recipient": NL_RECIPIENT, "message": "Dag Pieter,\ntot ziens."}]}
    with servers.running_server(env) as base:
        response = httpx.post(f"{base}/v1/orders", json=letter, headers=auth(key), timeout=30)
        assert response.status_code == 200, response.text
        order_id = response.json()["orderId"]
        view = _wait(base, key, order_id, lambda v: v["status"] == "fulfilled")
        piece = view["pieces"][0]
        assert view["status"] == "fulfilled" and piece["provider"] == "pingen"
        request = pingen.requests_for(piece["pieceId"])[0]
        assert request["content_type"].startswith("application/vnd.api+json")
        assert request["payload"]["data"]["attributes"]["auto_send"] is True
        letter_id = piece["providerId"]
        start = datetime.now(UTC) - timedelta(days=3)
        sent = fake_pingen.signed_webhook("sent", letter_id, code="transferred_to_distributor",
                                          name="Transferred to distributor", emitted_at=start)
        transit = fake_pingen.signed_webhook("sent", letter_id, code="receival_confirmed_by_distributor",
                                             name="Received by Post CH", location="8050 Zürich",
                                             emitted_at=start + timedelta(days=1))
        delivered = fake_pingen.signed_webhook("delivered", letter_id, code="delivered", name="Delivered",
                                               location="1012 AB Amsterdam", emitted_at=start + timedelta(days=2))
        # delivered arrives before in_transit; in_transit is then delivered a second time
        assert _send(base, "pingen", [sent, delivered, transit, transit]) == [
            "moved", "moved", "recorded", "duplicate"]
        final = httpx.get(f"{base}/v1/orders/{order_id}", headers=auth(key), timeout=10).json()
        _check_delivered(final)
        assert [e["location"] for e in final["pieces"][0]["trackingEvents"]][-2:] == ["8050 Zürich",
                                                                                      "1012 AB Amsterdam"]
        await _screenshot(base, email, order_id, f"pingen-letter-{database_url.split(':')[0].split('+')[0]}")
    assert not pingen.problems
