"""Dashboard: today's live spend against each limit, lowering limits, a key's limit at creation,
a connection's limit, and the order list searched by order id, externalId and payment reference."""
from __future__ import annotations

import re
import uuid

import httpx

from domain.accounts.accounts import create_account
from domain.persistence.db import Database
from oauth.passwords import hash_password
from tests.api.payloads import CHECKOUT_LETTER, DIRECT_LETTER, fresh
from tests.conftest import auth
from tests.oauth import flow
from tests.support.payments import fund
from tests.web.helpers import PASSWORD, csrf_token

PRICE = 200


async def _signed_in(client: httpx.AsyncClient, db: Database) -> tuple[str, str]:
    """An approved person signed in on ``client``: (account id, email)."""
    email = f"limits-{uuid.uuid4().hex[:8]}@example.com"
    async with db.transaction() as session:
        account = await create_account(session, email, password_hash=hash_password(PASSWORD), approve=True)
    form = await client.get("/signin")
    done = await client.post("/signin", data={"email": email, "password": PASSWORD, "next": "/api/dashboard",
                                              "csrf_token": csrf_token(form.text)})
    assert done.status_code == 303
    return account.id, email


def _row(html: str, row_id: str) -> str:
    match = re.search(rf'<tr id="limit-{row_id}"[^>]*>', html)
    assert match, f"no spend row {row_id}"
    return match.group(0)


async def _create_live_key(client: httpx.AsyncClient, limit: str) -> tuple[str, str]:
    page = await client.get("/api/dashboard/keys")
    made = await client.post("/api/dashboard/keys", data={"name": "agent", "mode": "live", "live_limit": limit,
                                                          "csrf_token": csrf_token(page.text)})
    assert made.status_code == 303
    shown = await client.get("/api/dashboard/keys")
    secret = re.search(r'id="new-key-secret" class="secret" type="text" readonly value="([^"]+)"', shown.text).group(1)
    key_id = re.search(r'<tr id="key-(key_\w+)"', shown.text).group(1)
    return key_id, secret


async def test_overview_shows_todays_spend_and_the_holder_lowers_limits(client: httpx.AsyncClient,
                                                                       db: Database) -> None:
    account_id, _ = await _signed_in(client, db)
    await fund(db, account_id, "live", 5_000)
    key_id, secret = await _create_live_key(client, "4.00")
    for _ in range(2):
        assert (await client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(secret))).status_code == 200
    over_key = await client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(secret))
    assert over_key.status_code == 402 and over_key.json()["limitScope"] == "apiKey"
    overview = await client.get("/api/dashboard")
    assert 'data-limit="400" data-spent-eur="400"' in _row(overview.text, key_id)
    assert 'data-limit="10000" data-spent-eur="400"' in _row(overview.text, "account")  # the service default
    assert 'id="limits-reset"' in overview.text

    lowered = await client.post("/api/dashboard/limits/account", data={"limit": "6.00",
                                                                      "csrf_token": csrf_token(overview.text)})
    assert lowered.status_code == 303
    key_raised = await client.post(f"/api/dashboard/limits/keys/{key_id}", data={
        "limit": "", "csrf_token": csrf_token(overview.text)})  # the key's own limit cleared
    assert key_raised.status_code == 303
    page = await client.get(lowered.headers["location"])
    assert 'id="limits-saved"' in page.text and 'data-limit="600"' in _row(page.text, "account")
    assert 'data-limit=""' in _row(page.text, key_id)
    sent = await client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(secret))
    assert sent.status_code == 200  # 400 + 200 ≤ 600 once the key's own 400 is gone
    refused = await client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(secret))
    assert refused.status_code == 402 and (refused.json()["limitScope"], refused.json()["limitCents"]) == ("account", 600)

    too_high = await client.post("/api/dashboard/limits/account", data={"limit": "100.01",
                                                                       "csrf_token": csrf_token(page.text)})
    assert too_high.status_code == 400 and "at most 10000 cents" in too_high.text
    bad = await client.post("/api/dashboard/limits/account", data={"limit": "lots", "csrf_token": csrf_token(page.text)})
    assert bad.status_code == 400
    stranger = await client.post("/api/dashboard/limits/keys/key_doesnotexist", data={
        "limit": "1.00", "csrf_token": csrf_token(page.text)})
    assert stranger.status_code == 404


async def test_a_connection_gets_its_own_limit_and_others_are_not_found(client: httpx.AsyncClient,
                                                                        db: Database) -> None:
    await _signed_in(client, db)
    registered = await flow.register(client)
    verifier = flow.verifier()
    await flow.exchange(client, registered, await flow.get_code(client, registered, verifier), verifier)
    page = await client.get("/api/dashboard")
    rows = re.findall(r'<tr id="limit-([^"]+)"', page.text)
    assert rows[0] == "account" and len(rows) == 2  # no live keys: the other row is the connection
    grant_id = rows[1]
    assert "MCP connection Test Agent" in page.text
    saved = await client.post(f"/api/dashboard/limits/connections/{grant_id}",
                              data={"limit": "3", "csrf_token": csrf_token(page.text)})
    assert saved.status_code == 303
    assert 'data-limit="300"' in _row((await client.get("/api/dashboard")).text, grant_id)
    other = await client.post("/api/dashboard/limits/connections/grant_of_someone_else",
                              data={"limit": "3", "csrf_token": csrf_token(page.text)})
    assert other.status_code == 404


async def test_order_list_is_searchable_by_id_external_id_and_payment_reference(client: httpx.AsyncClient,
                                                                                db: Database) -> None:
    account_id, _ = await _signed_in(client, db)
    page = await client.get("/api/dashboard/keys")
    await client.post("/api/dashboard/keys", data={"name": "t", "mode": "test", "csrf_token": csrf_token(page.text)})
    secret = re.search(r'id="new-key-secret" class="secret" type="text" readonly value="([^"]+)"',
                       (await client.get("/api/dashboard/keys")).text).group(1)
    await client.post("/v1/credits/topups", json={"amountCents": 1000}, headers=auth(secret))
    direct = (await client.post("/v1/orders", json={**fresh(DIRECT_LETTER), "externalId": "inv-direct"},
                                headers=auth(secret))).json()
    checkout = (await client.post("/v1/checkout-links", json=fresh(CHECKOUT_LETTER), headers=auth(secret))).json()
    assert direct["paymentReference"].startswith("wallet:")
    for query, expected in ((direct["orderId"], direct["orderId"]), ("inv-direct", direct["orderId"]),
                            (direct["paymentReference"], direct["orderId"]),
                            (CHECKOUT_LETTER["externalId"], checkout["orderId"])):
        listing = await client.get("/api/dashboard/orders", params={"q": query, "mode": ""})
        assert re.findall(r'data-order-id="([^"]+)"', listing.text) == [expected], query
        assert f'value="{query}"' in listing.text  # the box keeps the search
    none = await client.get("/api/dashboard/orders", params={"q": "no-such-order", "mode": ""})
    assert 'id="no-orders"' in none.text


async def test_a_paused_account_sees_why_and_creates_no_orders(client: httpx.AsyncClient, db: Database) -> None:
    from domain.use_cases.limits import control_account
    from tests.web.test_dashboard_sections import LETTER_FORM

    _, email = await _signed_in(client, db)
    await control_account(db, email, "pause")
    try:
        links = await client.get("/api/dashboard/links")
        assert 'id="account-paused"' in links.text
        refused = await client.post("/api/dashboard/links/checkout", data={
            **LETTER_FORM, "csrf_token": csrf_token(links.text), "idempotency_key": "paused-1"})
        assert refused.status_code == 401 and "account_inactive" in refused.text
        listing = await client.get("/api/dashboard/orders", params={"mode": ""})
        assert 'id="no-orders"' in listing.text
    finally:
        await control_account(db, email, "reactivate")
    assert 'id="account-paused"' not in (await client.get("/api/dashboard")).text
