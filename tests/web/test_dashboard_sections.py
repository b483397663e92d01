"""Dashboard sections over HTTP: mode switch and live top-up without Stripe, the link forms,
the MCP section's connected clients. (The browser test walks the main flow.)"""
from __future__ import annotations

import re
import uuid

import httpx

from domain.accounts.accounts import create_account
from domain.persistence.db import Database
from oauth.passwords import hash_password
from tests.oauth import flow
from tests.web.helpers import PASSWORD, csrf_token, sign_up


async def _approved_person(client: httpx.AsyncClient, db: Database) -> str:
    email = f"approved-{uuid.uuid4().hex[:8]}@example.com"
    async with db.transaction() as session:
        await create_account(session, email, password_hash=hash_password(PASSWORD), approve=True)
    form = await client.get("/signin")
    done = await client.post("/signin", data={"email": email, "password": PASSWORD, "next": "/api/dashboard/wallet",
                                              "csrf_token": csrf_token(form.text)})
    assert done.status_code == 303 and done.headers["location"] == "/api/dashboard/wallet"
    return email


async def test_live_mode_top_up_without_stripe_shows_misconfigured(client: httpx.AsyncClient, db: Database) -> None:
    await _approved_person(client, db)
    overview = await client.get("/api/dashboard")
    assert re.search(r'<tr data-mode="live" data-currency="eur">', overview.text)  # balances per mode
    switched = await client.post("/api/dashboard/mode", data={"mode": "live", "next": "/api/dashboard/wallet",
                                                              "csrf_token": csrf_token(overview.text)})
    assert switched.status_code == 303 and switched.headers["location"] == "/api/dashboard/wallet"
    wallet = await client.get("/api/dashboard/wallet")
    assert "Live balance" in wallet.text and 'aria-pressed="true">Live<' in wallet.text
    answer = await client.post("/api/dashboard/wallet/topups", data={
        "amount": "25.00", "currency": "eur", "csrf_token": csrf_token(wallet.text), "idempotency_key": "live-1"})
    assert answer.status_code == 500 and answer.headers["content-type"].startswith("text/html")
    assert 'data-error="misconfigured"' in answer.text and 'id="topup-form"' in answer.text
    assert "No live top-ups yet" in answer.text  # nothing was recorded
    bad = await client.post("/api/dashboard/wallet/topups", data={
        "amount": "twenty", "currency": "eur", "csrf_token": csrf_token(wallet.text), "idempotency_key": "live-2"})
    assert bad.status_code == 400 and 'data-error="invalid_request"' in bad.text


LETTER_FORM = {"requestType": "letter", "name": "Ada Lovelace", "streetAddress": "1 Example Street",
               "postalCode": "1011 AB", "city": "Amsterdam", "country": "Netherlands",
               "message": "A short note.", "senderEmail": "sender@example.com", "paymentMethod": "auto"}


async def test_link_forms_show_the_url_and_name_bad_fields(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    page = await client.get("/api/dashboard/links")
    token = csrf_token(page.text)
    compose = await client.post("/api/dashboard/links/compose", data={
        **{k: LETTER_FORM[k] for k in ("name", "streetAddress", "postalCode", "city", "country", "message")},
        "locale": "nl", "csrf_token": token, "idempotency_key": "c-1"})
    assert compose.status_code == 200
    url = re.search(r'id="compose-url" type="text" readonly value="([^"]+)"', compose.text).group(1)
    assert url.startswith("http://127.0.0.1:8000/nl/?draft=")
    checkout = await client.post("/api/dashboard/links/checkout", data={**LETTER_FORM, "csrf_token": token,
                                                                        "idempotency_key": "k-1"})
    pay_url = re.search(r'id="checkout-url" type="text" readonly value="([^"]+)"', checkout.text).group(1)
    order_id = re.search(r'href="/api/dashboard/orders/(ord_\w+)"', checkout.text).group(1)
    assert pay_url == f"http://127.0.0.1:8000/pay/{order_id}"
    again = await client.post("/api/dashboard/links/checkout", data={**LETTER_FORM, "csrf_token": token,
                                                                     "idempotency_key": "k-1"})
    assert order_id in again.text  # a resubmitted form replays, it does not create a second order
    listing = await client.get("/api/dashboard/orders?status=checkout_open")
    assert listing.text.count("data-order-id=") == 1
    wrong = await client.post("/api/dashboard/links/checkout", data={**LETTER_FORM, "postalCode": "", "csrf_token": token,
                                                                     "idempotency_key": "k-2"})
    assert wrong.status_code == 400 and "letters[0].recipient" in wrong.text
    assert 'value="Ada Lovelace"' in wrong.text  # the form keeps what was typed
    cancel = await client.post(f"/api/dashboard/orders/{order_id}/cancel", data={"csrf_token": token})
    assert cancel.status_code == 303
    detail = await client.get(cancel.headers["location"])
    assert 'id="order-status">cancelled<' in detail.text and 'id="cancel-order-form"' not in detail.text


async def test_mcp_section_lists_and_disconnects_clients(client: httpx.AsyncClient) -> None:
    registered = await flow.register(client)
    verifier = flow.verifier()
    code = await flow.get_code(client, registered, verifier)
    tokens = (await flow.exchange(client, registered, code, verifier)).json()
    page = await client.get("/api/dashboard/mcp")
    assert 'value="http://127.0.0.1:8000/mcp/"' in page.text
    assert '&#34;server_url&#34;: &#34;http://127.0.0.1:8000/mcp/&#34;' in page.text
    assert "&#34;read_only&#34;: true" in page.text and "&#34;revoke_api_key&#34;" in page.text
    grant_id = re.search(r'id="grant-([^"]+)"><td>Test Agent</td>', page.text).group(1)
    assert "<code>api:read</code>" in page.text and "<code>mailbook:read</code>" in page.text
    confirm = await client.get(f"/api/dashboard/mcp/connections/{grant_id}/revoke")
    assert confirm.status_code == 200 and "Disconnect Test Agent?" in confirm.text
    done = await client.post(f"/api/dashboard/mcp/connections/{grant_id}/revoke",
                             data={"csrf_token": csrf_token(confirm.text)})
    assert done.status_code == 303
    assert "No MCP client is connected." in (await client.get("/api/dashboard/mcp")).text
    mcp = await client.post("/mcp/", headers={"Authorization": f"Bearer {tokens['access_token']}",
                                              "Content-Type": "application/json",
                                              "Accept": "application/json, text/event-stream"},
                            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    assert mcp.status_code == 401


async def test_sign_out_ends_the_session(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    page = await client.get("/api/dashboard")
    done = await client.post("/signout", data={"csrf_token": csrf_token(page.text)})
    assert done.status_code == 303 and done.headers["location"] == "/signin"
    again = await client.get("/api/dashboard")
    assert again.status_code == 303 and again.headers["location"].startswith("/signin?next=")
