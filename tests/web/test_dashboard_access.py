"""Issue 6, item 2: the dashboard is for the signed-in owner only, and every POST needs the
CSRF token. Driven over HTTP through the real forms (the browser test covers the same pages)."""
from __future__ import annotations

import re

import httpx
from starlette.routing import Route

from domain.accounts.apikeys import list_keys
from domain.persistence.db import Database
from oauth import connections
from tests.api.payloads import CHECKOUT_LETTER, DIRECT_LETTER, TOPUP, fresh
from tests.conftest import auth
from tests.oauth import flow
from tests.web.helpers import csrf_token, sign_up

GET_PAGES = ["/api/dashboard", "/api/dashboard/keys", "/api/dashboard/wallet", "/api/dashboard/orders",
             "/api/dashboard/links", "/api/dashboard/mcp", "/api/dashboard/webhooks"]


async def test_signed_out_visitors_are_sent_to_sign_in(client: httpx.AsyncClient) -> None:
    for path in GET_PAGES:
        answer = await client.get(path + "?status=paid" if path.endswith("orders") else path)
        assert answer.status_code == 303, path
        expected = "/signin?next=" + path.replace("/", "%2F") + ("%3Fstatus%3Dpaid" if path.endswith("orders") else "")
        assert answer.headers["location"] == expected
    refused = await client.post("/api/dashboard/keys", data={"name": "x", "mode": "test"})
    assert refused.status_code == 303 and refused.headers["location"].startswith("/signin")
    signin = await client.get("/signin?next=//evil.example/steal")
    assert 'name="next" value="/api/dashboard"' in signin.text  # no open redirect through next


async def _owner_objects(client: httpx.AsyncClient, account: dict[str, str], db: Database) -> dict[str, str]:
    key = account["test_key"]
    assert (await client.post("/v1/credits/topups", json=fresh(TOPUP), headers=auth(key))).status_code == 200
    sent = await client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(key))
    open_ = await client.post("/v1/checkout-links", json=fresh(CHECKOUT_LETTER), headers=auth(key))
    assert sent.status_code == 200 and open_.status_code == 200
    async with db.read() as session:
        key_id = next(k.id for k in await list_keys(session, account["id"]) if k.mode == "test")
    return {"sent": sent.json()["orderId"], "open": open_.json()["orderId"], "key": key_id}


async def test_another_accounts_objects_are_not_found(client: httpx.AsyncClient, account: dict[str, str],
                                                      db: Database) -> None:
    owner = await _owner_objects(client, account, db)
    await sign_up(client)  # a different person, signed in on this client
    token = csrf_token((await client.get("/api/dashboard")).text)
    for order_id in (owner["sent"], owner["open"]):
        page = await client.get(f"/api/dashboard/orders/{order_id}")
        assert page.status_code == 404 and 'data-error="not_found"' in page.text
        assert (await client.get(f"/api/dashboard/orders/{order_id}/proof.pdf")).status_code == 404
    cancel = await client.post(f"/api/dashboard/orders/{owner['open']}/cancel", data={"csrf_token": token})
    assert cancel.status_code == 404
    assert (await client.get(f"/api/dashboard/keys/{owner['key']}/revoke")).status_code == 404
    revoke = await client.post(f"/api/dashboard/keys/{owner['key']}/revoke", data={"csrf_token": token})
    assert revoke.status_code == 404
    listing = await client.get("/api/dashboard/orders?mode=")
    assert owner["sent"] not in listing.text and owner["open"] not in listing.text
    # the owner's objects are untouched
    still = await client.get(f"/v1/orders/{owner['open']}", headers=auth(account["test_key"]))
    assert still.status_code == 200 and still.json()["status"] == "checkout_open"


async def _user_with_everything(client: httpx.AsyncClient) -> dict[str, str]:
    """A person signed in on ``client`` with a key, an open checkout order and an MCP connection."""
    registered = await flow.register(client)
    verifier = flow.verifier()
    code = await flow.get_code(client, registered, verifier)  # signs up through the OAuth pages
    assert (await flow.exchange(client, registered, code, verifier)).status_code == 200
    keys = await client.get("/api/dashboard/keys")
    made = await client.post("/api/dashboard/keys", data={"name": "ci", "mode": "test",
                                                          "csrf_token": csrf_token(keys.text)})
    assert made.status_code == 303
    links = await client.get("/api/dashboard/links")
    form = {"requestType": "letter", "name": "Ada Lovelace", "streetAddress": "1 Example Street",
            "postalCode": "1011 AB", "city": "Amsterdam", "country": "Netherlands", "message": "Hello",
            "senderEmail": "sender@example.com", "paymentMethod": "auto", "csrf_token": csrf_token(links.text),
            "idempotency_key": "csrf-test-order"}
    created = await client.post("/api/dashboard/links/checkout", data=form)
    assert created.status_code == 200, created.text
    order_id = re.search(r'href="/api/dashboard/orders/(ord_[^"]+)"', created.text).group(1)
    key_id = re.search(r'id="key-(key_[^"]+)"', (await client.get("/api/dashboard/keys")).text).group(1)
    mcp_page = (await client.get("/api/dashboard/mcp")).text
    grant_id = re.search(r'id="grant-([^"]+)"', mcp_page).group(1)
    return {"order_id": order_id, "key_id": key_id, "grant_id": grant_id}


def _post_routes(app: object) -> set[str]:
    return {r.path for r in app.routes  # type: ignore[attr-defined]
            if isinstance(r, Route) and "POST" in (r.methods or set())
            and (r.path.startswith("/api/dashboard") or r.path in ("/signin", "/signup", "/signout"))}


async def test_every_post_without_the_csrf_token_is_refused(client: httpx.AsyncClient, app: object,
                                                            db: Database) -> None:
    ids = await _user_with_everything(client)
    before = {"wallet": (await client.get("/api/dashboard/wallet")).text.count("<code>topup_")}
    form = {"name": "x", "mode": "live", "amount": "25", "currency": "eur", "requestType": "letter",
            "message": "m", "city": "Amsterdam", "country": "NL", "postalCode": "1011 AB",
            "streetAddress": "Damrak 1", "next": "/api/dashboard", "email": "a@example.com", "password": "x" * 12}
    posted = set()
    for path in sorted(_post_routes(app)):
        url = (path.replace("{order_id}", ids["order_id"]).replace("{key_id}", ids["key_id"])
               .replace("{grant_id}", ids["grant_id"])
               # the CSRF check runs before any lookup, so the webhook ids need not exist
               .replace("{endpoint_id}", "we_x").replace("{delivery_id}", "msg_x").replace("{action}", "test"))
        assert "{" not in url, f"add an id for {path} to this test"
        for token in (None, "", "forged-token"):
            data = form if token is None else {**form, "csrf_token": token}
            answer = await client.post(url, data=data)
            assert answer.status_code == 403, (path, token, answer.status_code)
        posted.add(path)
    assert {"/api/dashboard/keys", "/api/dashboard/wallet/topups", "/api/dashboard/mode",
            "/api/dashboard/orders/{order_id}/cancel", "/signout"} <= posted
    # nothing changed: key active, order open, connection live, no top-up, still signed in, still test mode
    keys = (await client.get("/api/dashboard/keys")).text
    assert f'id="key-{ids["key_id"]}" data-status="active"' in keys and keys.count('id="key-key_') == 1
    order = (await client.get(f"/api/dashboard/orders/{ids['order_id']}")).text
    assert 'id="order-status">checkout_open<' in order
    overview = await client.get("/api/dashboard")
    assert overview.status_code == 200 and 'value="test" class="small"' in overview.text
    assert (await client.get("/api/dashboard/wallet")).text.count("<code>topup_") == before["wallet"]
    account_id = re.search(r"<code>(acct_[^<]+)</code>", overview.text).group(1)
    assert [c["grantId"] for c in await connections.list_connections(db, account_id)] == [ids["grant_id"]]
