"""The Webhooks dashboard page over HTTP: add an endpoint (secret shown once), send a test
event, see the delivery with status, duration and excerpt, resend it; CSRF is required; a
disabled endpoint says so."""
from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from domain.core import clock
from domain.persistence.db import Database
from domain.webhooks.rounds import run_round
from domain.webhooks.schedule import JITTER, RETRY_DELAYS
from tests.support.apps import asgi_client
from tests.support.webhook_receiver import Receiver
from tests.web.helpers import csrf_token, sign_up
from tests.webhooks.conftest import hook_app, hook_settings  # noqa: F401 - fixtures

PAGE = "/api/dashboard/webhooks"


@pytest.fixture
async def web(hook_app: Any) -> Any:  # noqa: F811
    async with asgi_client(hook_app) as http:
        yield http


async def test_add_endpoint_secret_once_test_event_delivery_row_resend(
        web: httpx.AsyncClient, hook_settings, db: Database) -> None:  # noqa: F811
    receiver = Receiver().start()
    try:
        await sign_up(web)
        page = await web.get(PAGE)
        assert page.status_code == 200 and 'aria-current="page">Webhooks<' in page.text and 'id="no-endpoints"' in page.text
        refused = await web.post(PAGE, data={"url": receiver.url, "events": "*"})
        assert refused.status_code == 403  # no CSRF token
        bad = await web.post(PAGE, data={"url": "ftp://x", "csrf_token": csrf_token(page.text)})
        assert bad.status_code == 400 and 'data-error="invalid_request"' in bad.text and "url" in bad.text
        made = await web.post(PAGE, data={"url": receiver.url, "events": "*", "description": "backend",
                                          "csrf_token": csrf_token(page.text)})
        assert made.status_code == 303
        shown = await web.get(PAGE)
        secret = re.search(r'id="new-secret-value" class="secret" type="text" readonly value="(whsec_[^"]+)"', shown.text)
        assert secret, shown.text
        receiver.secrets[:] = [secret.group(1)]
        again = await web.get(PAGE)
        assert "whsec_" not in again.text  # shown once
        endpoint_id = re.search(r'id="endpoint-(we_[0-9a-f]+)"', again.text).group(1)
        sent = await web.post(f"{PAGE}/{endpoint_id}/test", data={"csrf_token": csrf_token(again.text)})
        assert sent.status_code == 303
        await run_round(db, hook_settings, "w")
        assert receiver.ok() and receiver.ok()[0].body["type"] == "webhook.test"
        listing = await web.get(PAGE)
        row = re.search(r'<tr id="delivery-(msg_[0-9a-f]+)" data-status="succeeded">(.*?)</tr>', listing.text, re.S)
        assert row and "webhook.test" in row.group(2) and ">200<" in row.group(2) and " ms<" in row.group(2)
        assert "{&#34;ok&#34;:true}" in row.group(2) or '{"ok":true}' in row.group(2)
        resent = await web.post(f"{PAGE}/{endpoint_id}/deliveries/{row.group(1)}/resend",
                                data={"csrf_token": csrf_token(listing.text)})
        assert resent.status_code == 303
        await run_round(db, hook_settings, "w")
        assert len(receiver.ok()) == 2
    finally:
        receiver.stop()


async def test_endpoint_disabled_after_the_schedule_says_so(
        web: httpx.AsyncClient, hook_settings, db: Database) -> None:  # noqa: F811
    receiver = Receiver().start()
    receiver.down = True
    try:
        await sign_up(web)
        page = await web.get(PAGE)
        await web.post(PAGE, data={"url": receiver.url, "csrf_token": csrf_token(page.text)})
        page = await web.get(PAGE)
        endpoint_id = re.search(r'id="endpoint-(we_[0-9a-f]+)"', page.text).group(1)
        await web.post(f"{PAGE}/{endpoint_id}/test", data={"csrf_token": csrf_token(page.text)})
        await run_round(db, hook_settings, "w")
        for wait in RETRY_DELAYS:
            clock.advance(wait * (1 + JITTER))
            await run_round(db, hook_settings, "w")
        shown = await web.get(PAGE)
        assert f'id="disabled-{endpoint_id}"' in shown.text and "every attempt failed" in shown.text
        assert "Enable again" in shown.text
    finally:
        clock.reset()
        receiver.stop()
