"""A live top-up from the dashboard goes through the same use case as ``POST /v1/credits/topups``:
the person is sent to the Stripe Checkout Session (a fake Stripe that checks the real library's
request) and the top-up stays pending until the signed webhook says paid."""
from __future__ import annotations

import re
import uuid

import httpx

from domain.accounts.accounts import create_account
from domain.persistence.db import Database
from oauth.passwords import hash_password
from tests.support.fake_stripe import FakeStripe
from tests.support.payments import live_app, live_client, live_settings, partner_server, stripe_server  # noqa: F401
from tests.web.helpers import PASSWORD, csrf_token


async def test_live_top_up_sends_the_person_to_stripe(live_client: httpx.AsyncClient, stripe_server: FakeStripe,
                                                      db: Database) -> None:
    email = f"live-{uuid.uuid4().hex[:8]}@example.com"
    async with db.transaction() as session:
        await create_account(session, email, password_hash=hash_password(PASSWORD), approve=True)
    form = await live_client.get("/signin")
    assert (await live_client.post("/signin", data={"email": email, "password": PASSWORD, "next": "/api/dashboard",
                                                    "csrf_token": csrf_token(form.text)})).status_code == 303
    token = csrf_token((await live_client.get("/api/dashboard")).text)
    await live_client.post("/api/dashboard/mode", data={"mode": "live", "next": "/", "csrf_token": token})
    before = len(stripe_server.creates())
    answer = await live_client.post("/api/dashboard/wallet/topups", data={
        "amount": "12.34", "currency": "eur", "csrf_token": token, "idempotency_key": uuid.uuid4().hex})
    assert answer.status_code == 303
    created = stripe_server.creates()[before:]
    assert len(created) == 1 and not stripe_server.problems
    session = stripe_server.sessions[answer.headers["location"].rsplit("/", 1)[1]]
    assert session["amount_total"] == 1300 and session["currency"] == "eur"  # rounded up to whole euros
    wallet = await live_client.get("/api/dashboard/wallet")
    row = re.search(r"<tr><td><code>(topup_\w+)</code></td><td class=\"num\">€13.00</td>\s*<td><span class=\"badge warn\">"
                    r"pending</span>", wallet.text)
    assert row and session["metadata"]["topupId"] == row.group(1)
    assert 'id="balance-eur">€0.00<' in wallet.text  # nothing credited before the webhook
