"""Sandbox checkout, ``/pay/{id}``, the localized return page and the compose-link editor."""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from domain.core import clock
from domain.persistence.db import Database
from tests.api.payloads import CHECKOUT_LETTER, COMPOSE, NL_RECIPIENT, TEMPLATE_CHECKOUT, fresh
from tests.conftest import auth
from tests.support.payments import load_order


def _token(html: str) -> str:
    match = re.search(r'name="token" value="([0-9a-f]+)"', html)
    assert match, "sandbox form has no token"
    return match.group(1)


async def _open(client: httpx.AsyncClient, key: str, body: dict) -> dict:
    response = await client.post("/v1/checkout-links", json=body, headers=auth(key))
    assert response.status_code == 200, response.text
    return response.json()


async def test_sandbox_page_shows_the_exact_pieces(client: httpx.AsyncClient, account: dict) -> None:
    order = await _open(client, account["test_key"], fresh(TEMPLATE_CHECKOUT))
    assert order["checkoutUrl"] == f"http://127.0.0.1:8000/v1/sandbox/checkout/{order['orderId']}"
    page = await client.get(f"/v1/sandbox/checkout/{order['orderId']}")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    text = unescape(page.text)
    assert "Hi Pieter,\nYour spring code is SPRING-10." in text  # line breaks kept exactly
    assert "Hi Sam,\nYour spring code is SPRING-20." in text
    assert "Sam Example\n123 Main Street\nSPRINGFIELD, IL 62704\nUNITED STATES" in text  # the printed lines
    assert text.count("€2.00") == 2 and "€4.00" in text  # two one-page letters
    assert 'id="pay"' in text and 'id="cancel"' in text


async def test_sandbox_pay_and_cancel_drive_the_order(client: httpx.AsyncClient, account: dict) -> None:
    key = account["test_key"]
    paid = await _open(client, key, fresh(CHECKOUT_LETTER))
    url = f"/v1/sandbox/checkout/{paid['orderId']}"
    token = _token((await client.get(url)).text)
    assert (await client.post(url, data={"action": "pay", "token": "0" * 32})).status_code == 404
    assert (await client.post(url, data={"action": "pay", "token": "é" * 32})).status_code == 404  # not a 500
    bad_sig = await client.get(f"/pay/{paid['orderId']}/cancel", params={"sig": "é\u00ff"})
    assert bad_sig.status_code < 500
    response = await client.post(url, data={"action": "pay", "token": token})
    assert response.status_code == 303
    assert response.headers["location"] == "https://example.com/pieterpost-return?checkout=success"
    view = (await client.get(f"/v1/orders/{paid['orderId']}", headers=auth(key))).json()
    assert view["status"] == "fulfilled" and view["paymentReference"].startswith("sandbox:")
    assert view["paidAt"] is not None and view["checkoutUrl"] is None
    again = await client.post(url, data={"action": "cancel", "token": token})  # too late: nothing changes
    assert again.status_code == 303 and again.headers["location"].endswith("checkout=success")
    cancelled = await _open(client, key, fresh(CHECKOUT_LETTER))
    url = f"/v1/sandbox/checkout/{cancelled['orderId']}"
    response = await client.post(url, data={"action": "cancel", "token": _token((await client.get(url)).text)})
    assert response.headers["location"] == "https://example.com/pieterpost-return?checkout=cancelled"
    view = (await client.get(f"/v1/orders/{cancelled['orderId']}", headers=auth(key))).json()
    assert view["status"] == "cancelled" and view["paidAt"] is None and view["paymentReference"] is None


async def test_pay_url_redirects_to_the_current_checkout(client: httpx.AsyncClient, account: dict) -> None:
    order = await _open(client, account["test_key"], fresh(CHECKOUT_LETTER))
    assert order["publicCheckoutUrl"] == f"http://127.0.0.1:8000/pay/{order['orderId']}"
    response = await client.get(f"/pay/{order['orderId']}")
    assert response.status_code == 303 and response.headers["location"] == order["checkoutUrl"]
    assert (await client.get("/pay/ord_000000000000000000000000")).status_code == 404


LOCALIZED = {  # locale -> (kind, words the success page must contain)
    "de": ("postcard", ("Vielen Dank", "Ihre Postkarte")),
    "en": ("letter", ("Thank you", "your letter")),
    "es": ("postcard", ("Gracias", "tu postal")),
    "fr": ("letter", ("Merci", "votre lettre")),
    "it": ("postcard", ("Grazie", "la tua cartolina")),
    "nl": ("letter", ("Bedankt", "je brief")),
}


@pytest.mark.parametrize("locale", sorted(LOCALIZED))
async def test_hosted_return_page_is_localized(client: httpx.AsyncClient, account: dict, locale: str) -> None:
    kind, words = LOCALIZED[locale]
    if kind == "letter":
        body = {"requestType": "letter", "locale": locale, "letters": [{"recipient": NL_RECIPIENT, "message": "Hoi"}]}
    else:
        body = {"requestType": "postcard", "locale": locale, "postcard": {"recipient": NL_RECIPIENT, "message": "Hoi"}}
    order = await _open(client, account["test_key"], body)
    url = f"/v1/sandbox/checkout/{order['orderId']}"
    paid = await client.post(url, data={"action": "pay", "token": _token((await client.get(url)).text)})
    target = urlsplit(paid.headers["location"])
    assert target.path == f"/pay/{order['orderId']}/return" and parse_qs(target.query) == {"checkout": ["success"]}
    page = await client.get(paid.headers["location"])
    assert f'<html lang="{locale}">' in page.text
    for word in words:
        assert word in unescape(page.text), (locale, word)


@pytest.fixture
def moved_clock() -> Iterator[None]:
    yield
    clock.reset()


async def _compose(client: httpx.AsyncClient, key: str, **extra: object) -> tuple[str, str]:
    response = await client.post("/v1/compose-links", json={**fresh(COMPOSE), **extra}, headers=auth(key))
    assert response.status_code == 200, response.text
    url = urlsplit(response.json()["url"])
    token = parse_qs(url.query)["draft"][0]
    return f"{url.path}?{url.query}", token


async def test_compose_link_token_rules(client: httpx.AsyncClient, account: dict, moved_clock: None) -> None:
    path, token = await _compose(client, account["test_key"])
    other_path, _ = await _compose(client, account["test_key"], recipient={**NL_RECIPIENT, "name": "Other Person"})
    assert len(token) >= 43  # 32 random bytes, url-safe: 256 bits (>= 128 required)
    page = await client.get(path)
    assert page.status_code == 200 and page.headers["referrer-policy"] == "no-referrer"
    assert "Pieter Post" in page.text and "Other Person" not in page.text
    assert "Would you like to come by on Sunday?" in unescape(page.text)
    assert "Other Person" in (await client.get(other_path)).text
    for bad in (path[:-1], path[:-1] + ("A" if path[-1] != "A" else "B"), "/en/?draft=", "/en/"):
        assert (await client.get(bad)).status_code == 404, bad
    clock.advance(timedelta(days=7, seconds=1))
    assert (await client.get(path)).status_code == 404


async def test_compose_price_follows_the_edit(client: httpx.AsyncClient, account: dict) -> None:
    _, token = await _compose(client, account["test_key"])
    form = {"draft": token, "locale": "nl", "name": "Pieter Post", "streetAddress": "123 Main Street",
            "postalCode": "62704", "city": "Springfield", "state": "IL", "country": "US", "message": "Hello"}
    letter = (await client.post("/compose/price", data={**form, "requestType": "letter"})).json()
    postcard = (await client.post("/compose/price", data={**form, "requestType": "postcard"})).json()
    assert (letter["amountCents"], letter["display"]) == (200, "2,00 €")
    assert (postcard["amountCents"], postcard["display"]) == (250, "2,50 €")
    long = (await client.post("/compose/price", data={**form, "requestType": "postcard", "message": "x" * 1300})).json()
    assert long["amountCents"] is None and "1200" in long["error"].replace(",", "")
    no_zip = (await client.post("/compose/price", data={**form, "requestType": "letter", "postalCode": ""})).json()
    assert no_zip["amountCents"] is None and "postalCode" in no_zip["field"]
    assert (await client.post("/compose/price", data={**form, "draft": "nope"})).status_code == 404


async def test_compose_checkout_uses_the_edit_and_the_same_checkout(client: httpx.AsyncClient, account: dict,
                                                                    db: Database) -> None:
    key = account["test_key"]
    path, token = await _compose(client, key)
    form = {"draft": token, "locale": "en", "requestType": "postcard", "name": "Pieter Post",
            "streetAddress": "123 Main Street", "postalCode": "62704", "city": "Springfield", "state": "IL",
            "country": "US", "message": "Edited card\nsecond line"}
    first = await client.post("/compose/checkout", data=form)
    assert first.status_code == 303 and first.headers["location"].startswith("/pay/ord_")
    first_id = first.headers["location"].rsplit("/", 1)[-1]
    edited = await client.post("/compose/checkout", data={**form, "message": "Edited again"})
    second_id = edited.headers["location"].rsplit("/", 1)[-1]
    assert second_id != first_id and (await load_order(db, first_id)).status == "cancelled"  # replaced
    order = (await client.get(f"/v1/orders/{second_id}", headers=auth(key))).json()
    assert order["requestType"] == "postcard" and order["amountCents"] == 250 and order["status"] == "checkout_open"
    assert order["externalId"] == "lead_123" and order["metadata"] == {"source": "crm"}
    sandbox = await client.get((await client.get(f"/pay/{second_id}")).headers["location"])
    assert "Edited again" in sandbox.text
    url = f"/v1/sandbox/checkout/{second_id}"
    await client.post(url, data={"action": "pay", "token": _token(sandbox.text)})
    again = await client.get(path)
    assert 'id="already"' in again.text  # the paid draft cannot start another order
    assert (await client.post("/compose/checkout", data=form)).headers["location"] == f"/pay/{second_id}"
    bad = await client.post("/compose/checkout", data={**form, "country": "Atlantis"})
    assert bad.status_code == 303  # already paid wins over a new edit


async def test_compose_checkout_shows_validation_errors(client: httpx.AsyncClient, account: dict) -> None:
    _, token = await _compose(client, account["test_key"])
    response = await client.post("/compose/checkout", data={"draft": token, "requestType": "letter",
                                                            "name": "Pieter Post", "country": "Atlantis",
                                                            "message": "Hi"})
    assert response.status_code == 400 and 'id="error"' in response.text and "country" in response.text
