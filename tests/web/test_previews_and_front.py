"""Preview images on the pages (compose editor, checkout, order detail) and the front door at ``/``."""
from __future__ import annotations

import io
import re
import uuid
from html import unescape

import httpx
from PIL import Image

from domain.printing import previews
from tests.api.payloads import CHECKOUT_LETTER, COMPOSE, DIRECT_LETTER, fresh
from tests.api.test_uploads import other_account
from tests.conftest import auth, make_settings
from tests.support.apps import running_app
from tests.web.helpers import sign_up

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


async def compose_url(client: httpx.AsyncClient, key: str, locale: str = "nl") -> tuple[str, str]:
    made = await client.post("/v1/compose-links", json={**fresh(COMPOSE), "locale": locale}, headers=auth(key))
    assert made.status_code == 200, made.text
    url = made.json()["url"]
    return url.replace("http://127.0.0.1:8000", ""), url.split("draft=")[1]


def data_images(html: str) -> list[bytes]:
    import base64

    return [base64.b64decode(m) for m in re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)]


async def test_compose_page_shows_the_printed_pages_beside_the_form_in_its_language(client, account):
    path, _ = await compose_url(client, account["test_key"], "nl")
    page = await client.get(path)
    assert page.status_code == 200
    html = page.text
    images = data_images(html)
    assert len(images) == 1 and images[0].startswith(PNG_MAGIC)  # a one-page letter
    assert Image.open(io.BytesIO(images[0])).width == 480
    assert 'class="frame frame-window"' in html and 'class="frame frame-stamp"' in html
    assert "envelopvenster" in html and "Voorbeeld" in html
    # the shared frame follows the page's language; no literal None in the hidden price error
    assert "In testmodus wordt nooit iets gedrukt" in html and "Test mode never prints" not in html
    assert "Naar de inhoud" in html
    assert re.search(r'<p class="error" id="price-error" hidden>\s*</p>', html)
    assert ">None<" not in html
    # the country is a list of countries, the link's country preselected
    assert '<select id="country" name="country"' in html
    assert re.search(r'<option value="US" selected>Verenigde Staten</option>', html)
    assert html.count("<option value=") > 240


async def test_preview_button_without_javascript_and_the_json_fragment(client, account):
    path, token = await compose_url(client, account["test_key"], "en")
    form = {"draft": token, "locale": "en", "requestType": "postcard", "name": "Pieter Post",
            "streetAddress": "Damrak 1", "postalCode": "1012 LG", "city": "Amsterdam", "country": "NL",
            "message": "Greetings from the preview button"}
    page = await client.post("/compose/preview", data=form)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    shown = data_images(page.text)
    assert len(shown) == 2  # postcard front and back
    assert "Front" in page.text and "Back" in page.text
    assert "Greetings from the preview button" in unescape(page.text)  # the form keeps the edit
    fragment = await client.post("/compose/preview", data=form, headers={"Accept": "application/json"})
    body = fragment.json()
    assert body["error"] is None and len(data_images(body["html"])) == 2
    changed = await client.post("/compose/preview", data={**form, "message": "Something else"},
                                headers={"Accept": "application/json"})
    assert data_images(changed.json()["html"])[1] != data_images(body["html"])[1]  # the back changed
    bad = await client.post("/compose/preview", data={**form, "message": "x\n" * 60},
                            headers={"Accept": "application/json"})
    assert bad.json()["error"] and "does not fit" in bad.json()["error"]
    gone = await client.post("/compose/preview", data={**form, "draft": "nope"}, headers={"Accept": "application/json"})
    assert gone.status_code == 404


async def test_payer_holding_the_checkout_link_sees_piece_thumbnails_others_do_not(client, account):
    key = account["test_key"]
    order = (await client.post("/v1/checkout-links", json=fresh(CHECKOUT_LETTER), headers=auth(key))).json()
    sandbox = await client.get(f"/v1/sandbox/checkout/{order['orderId']}")
    src = f"/pay/{order['orderId']}/preview/0.png"
    assert f'src="{src}"' in sandbox.text
    thumb = await client.get(src)
    assert thumb.status_code == 200 and thumb.content.startswith(PNG_MAGIC)
    assert Image.open(io.BytesIO(thumb.content)).width == 240
    assert thumb.headers["cache-control"] == "private, max-age=300"
    returned = await client.get(f"/pay/{order['orderId']}/return")
    assert f'src="{src}"' in returned.text
    assert (await client.get(f"/pay/{order['orderId']}/preview/1.png")).status_code == 404  # no such piece
    assert (await client.get("/pay/ord_000000000000000000000000/preview/0.png")).status_code == 404
    await client.post("/v1/credits/topups", json={"amountCents": 1000}, headers=auth(key))
    direct = (await client.post("/v1/orders", json=fresh(DIRECT_LETTER), headers=auth(key))).json()
    assert (await client.get(f"/pay/{direct['orderId']}/preview/0.png")).status_code == 404  # no checkout link


async def test_order_detail_thumbnails_are_for_the_signed_in_owner_only(app, db):
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as owner, \
            httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as stranger:
        await sign_up(owner)
        keys = await owner.get("/api/dashboard/keys")
        assert keys.status_code == 200
        from domain.accounts.apikeys import create_key
        from oauth import sessions

        account_id = await sessions.current_account(db, _request_with(owner))
        async with db.transaction() as session:
            key = (await create_key(session, account_id, "test", "preview")).secret
        order = (await owner.post("/v1/checkout-links", json=fresh(CHECKOUT_LETTER), headers=auth(key))).json()
        detail = await owner.get(f"/api/dashboard/orders/{order['orderId']}")
        src = f"/api/dashboard/orders/{order['orderId']}/preview/0.png"
        assert f'src="{src}"' in detail.text
        mine = await owner.get(src)
        assert mine.status_code == 200 and mine.content.startswith(PNG_MAGIC)
        await sign_up(stranger)
        assert (await stranger.get(src)).status_code == 404
        anonymous = await httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000").get(src)
        assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/signin")
    assert await other_account(db)


def _request_with(http: httpx.AsyncClient):  # type: ignore[no-untyped-def]
    """A minimal request object carrying the client's cookies, for ``sessions.current_account``."""
    from starlette.requests import Request

    cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    return Request({"type": "http", "headers": [(b"cookie", cookie.encode())]})


async def test_front_door_signed_out_and_signed_in(client, app):
    page = await client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    html = page.text
    assert 'href="/signin"' in html and 'href="/signup"' in html
    assert "http://127.0.0.1:8000/mcp" in html and 'href="/api/docs"' in html and 'href="/api/docs/mcp"' in html
    assert 'id="dashboard-link"' not in html
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000") as http:
        email = await sign_up(http)
        signed_in = (await http.get("/")).text
    assert 'id="dashboard-link" href="/api/dashboard"' in signed_in and email in signed_in
    assert 'href="/signin"' not in signed_in


async def test_compose_preview_renders_are_limited_per_ip_and_draft(database_url, asset_dir, account):
    settings = make_settings(database_url, asset_dir, preview_renders_per_minute=2)
    ip = f"198.51.100.{uuid.uuid4().int % 250 + 1}"  # its own IP window: other tests share 127.0.0.1
    transport = lambda app: httpx.ASGITransport(app=app, client=(ip, 5000))  # noqa: E731
    async with running_app(settings) as app, httpx.AsyncClient(transport=transport(app),
                                                               base_url="http://127.0.0.1:8000") as client:
        previews.CACHE.clear()  # the page's own render must be fresh, so it counts
        path, token = await compose_url(client, account["test_key"], "en")  # the page renders the draft once
        form = {"draft": token, "locale": "en", "requestType": "letter", "name": "Pieter Post",
                "streetAddress": "Damrak 1", "postalCode": "1012 LG", "city": "Amsterdam", "country": "NL"}
        json_accept = {"Accept": "application/json"}
        assert (await client.get(path)).status_code == 200
        second = await client.post("/compose/preview", data={**form, "message": f"two {token[:6]}"}, headers=json_accept)
        assert second.json()["error"] is None
        again = await client.post("/compose/preview", data={**form, "message": f"two {token[:6]}"}, headers=json_accept)
        assert again.json()["error"] is None  # cached: not counted
        third = await client.post("/compose/preview", data={**form, "message": f"three {token[:6]}"}, headers=json_accept)
        assert third.status_code == 200 and "Too many requests" in third.json()["error"]
        price = await client.post("/compose/price", data={**form, "message": "still priced"})
        assert price.json()["amountCents"] == 200  # the editor keeps working without a new picture


async def test_dashboard_recipient_forms_offer_a_country_list(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000") as http:
        await sign_up(http)
        html = (await http.get("/api/dashboard/links")).text
    assert '<select id="cl-country" name="country"' in html and '<option value="NL">Netherlands</option>' in html
    assert 'type="text" name="country"' not in html
