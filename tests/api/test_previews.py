"""Preview PNGs over REST: pages of the same print PDF, owner only, payloads without an order."""
from __future__ import annotations

import io
import re

import httpx
from PIL import Image, ImageChops, ImageStat
from sqlalchemy import func, select

from domain.core.context import Caller
from domain.persistence.models import Order
from domain.printing import previews as printing_previews
from domain.use_cases import previews
from server.api.openapi import document
from tests.api.payloads import CHECKOUT_LETTER, NL_RECIPIENT, fresh
from tests.api.test_uploads import other_account, upload
from tests.conftest import auth, make_settings
from tests.domain.filemakers import pdftotext
from tests.support.apps import asgi_client, running_app

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def three_page_message() -> str:
    """Numbered paragraphs, long enough for exactly three A4 pages (checked against the quote)."""
    return "\n".join(f"Paragraph {n:03d}: the postman carries every word." for n in range(1, 101))


def words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z0-9]+", text)


async def checkout_order(client: httpx.AsyncClient, key: str, body: dict) -> dict:
    created = await client.post("/v1/checkout-links", json=body, headers=auth(key))
    assert created.status_code == 200, created.text
    return created.json()


def letter(message: str) -> dict:
    body = fresh(CHECKOUT_LETTER)
    body["letters"][0]["message"] = message
    return body


async def test_three_page_letter_preview_is_three_pages_of_its_own_print_text(client, account, settings, db):
    key = account["test_key"]
    message = three_page_message()
    quote = await client.post("/v1/quotes", json=letter(message), headers=auth(key))
    assert quote.json()["pieces"][0]["pageCount"] == 3, quote.text
    order = await checkout_order(client, key, letter(message))

    pages = []
    for n in (1, 2, 3):
        got = await client.get(f"/v1/orders/{order['orderId']}/preview", params={"page": n, "width": 600},
                               headers=auth(key))
        assert got.status_code == 200, got.text
        assert got.headers["content-type"] == "image/png" and got.content.startswith(PNG_MAGIC)
        assert got.headers["x-preview-pages"] == "3"
        image = Image.open(io.BytesIO(got.content))
        assert image.width == 600 and abs(image.height - 600 * 11 / 8.5) < 2  # US Letter: the recipient is in the US
        assert ImageStat.Stat(image.convert("L")).extrema[0][0] < 80  # there is dark text on the page
        pages.append(got.content)
    assert len(set(pages)) == 3
    beyond = await client.get(f"/v1/orders/{order['orderId']}/preview", params={"page": 4}, headers=auth(key))
    assert beyond.status_code == 400 and beyond.json()["code"] == "invalid_request"
    assert "page" in beyond.json()["error"]

    # the PNGs are rasterised from this very PDF, and its text is the message, in page order
    caller = Caller(account_id=account["id"], mode="test", channel="api")
    doc = await previews.order_document(db, settings, caller, order["orderId"])
    assert doc.page_count == 3
    for n in (1, 2, 3):
        assert printing_previews.rasterise(doc.pdf, n, 600) == pages[n - 1]
    printed = words(pdftotext(doc.pdf))
    message_words = words(message)
    start = printed.index(message_words[0])
    assert printed[start:start + len(message_words)] == message_words
    assert "Paragraph 001" in pdftotext(printing_previews_page(doc.pdf, 1))
    assert "Paragraph 100" in pdftotext(printing_previews_page(doc.pdf, 3))


def printing_previews_page(pdf: bytes, page: int) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.add_page(PdfReader(io.BytesIO(pdf)).pages[page - 1])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def quadrants(size: tuple[int, int]) -> bytes:
    image = Image.new("RGB", size, (250, 250, 250))
    w, h = size
    for (x, y), colour in zip([(0, 0), (w // 2, 0), (0, h // 2), (w // 2, h // 2)],
                              [(200, 30, 30), (30, 160, 60), (30, 60, 200), (240, 200, 20)], strict=True):
        image.paste(colour, (x, y, x + w // 2, y + h // 2))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


async def test_postcard_front_preview_is_the_uploaded_image_and_no_order_is_made(client, account, db):
    key = account["test_key"]
    front = quadrants((1200, 1200))  # fronts are square; the card shows it centred, full height
    sent = await upload(client, key, "postcard-image", "front.png", front, "image/png")
    assert sent.status_code == 200, sent.text
    asset = sent.json()["assetId"]
    body = {"requestType": "postcard", "postcard": {"frontImageAssetId": asset, "message": "Groeten!",
                                                    "recipient": NL_RECIPIENT}}
    async with db.read() as session:
        before = (await session.execute(select(func.count()).select_from(Order))).scalar_one()
    got = await client.post("/v1/previews", json=body, params={"page": 1, "width": 740}, headers=auth(key))
    assert got.status_code == 200, got.text
    assert got.headers["x-preview-pages"] == "2" and got.headers["cache-control"] == "private, no-store"
    card = Image.open(io.BytesIO(got.content)).convert("RGB")
    side = card.height
    shown = card.crop(((card.width - side) // 2, 0, (card.width - side) // 2 + side, side))
    small = (50, 50)  # coarse: anti-aliased edges and PDF resampling differ slightly
    diff = ImageChops.difference(shown.resize(small), Image.open(io.BytesIO(front)).convert("RGB").resize(small))
    assert max(ImageStat.Stat(diff).mean) < 12, ImageStat.Stat(diff).mean
    back = await client.post("/v1/previews", json=body, params={"page": 2}, headers=auth(key))
    assert back.status_code == 200 and back.content != got.content
    async with db.read() as session:
        assert (await session.execute(select(func.count()).select_from(Order))).scalar_one() == before


async def test_unprintable_payload_gets_the_error_the_order_would_get(client, account):
    key = account["test_key"]
    for body in (letter("Hello \u4e2d\u6587 friend"),
                 {"requestType": "postcard", "postcard": {"message": "x " * 1200, "recipient": NL_RECIPIENT}},
                 {"requestType": "letter", "letters": []}):
        order = await client.post("/v1/checkout-links", json={**body, "returnUrl": "https://example.com/r"},
                                  headers=auth(key))
        preview = await client.post("/v1/previews", json=body, headers=auth(key))
        assert order.status_code == preview.status_code == 400, (order.text, preview.text)
        assert preview.json() == order.json()


async def test_foreign_or_unknown_order_is_404_and_etag_gives_304(client, account, db):
    key = account["test_key"]
    order = await checkout_order(client, key, letter("A short note."))
    url = f"/v1/orders/{order['orderId']}/preview"
    other = await other_account(db)
    foreign = await client.get(url, headers=auth(other))
    assert foreign.status_code == 404 and foreign.json()["code"] == "not_found"
    unknown = await client.get("/v1/orders/ord_000000000000000000000000/preview", headers=auth(key))
    assert unknown.status_code == 404
    anonymous = await client.get(url)
    assert anonymous.status_code == 401
    first = await client.get(url, headers=auth(key))
    assert first.headers["cache-control"] == "private, max-age=300" and first.headers["etag"]
    again = await client.get(url, headers=auth(key, **{"If-None-Match": first.headers["etag"]}))
    assert again.status_code == 304 and again.content == b""
    wide = await client.get(url, params={"width": 5000}, headers=auth(key))
    assert wide.status_code == 400 and "width" in wide.json()["error"]


async def test_fresh_renders_are_rate_limited_cached_pages_are_not(database_url, asset_dir, account):
    settings = make_settings(database_url, asset_dir, preview_renders_per_minute=2)
    async with running_app(settings) as app, asgi_client(app) as client:
        key = account["test_key"]
        for n in (1, 2):
            ok = await client.post("/v1/previews", json=letter(f"Render number {n} of the minute {id(app)}."),
                                   headers=auth(key))
            assert ok.status_code == 200, ok.text
        cached = await client.post("/v1/previews", json=letter(f"Render number 1 of the minute {id(app)}."),
                                   headers=auth(key))
        assert cached.status_code == 200
        third = await client.post("/v1/previews", json=letter(f"Render number 3 of the minute {id(app)}."),
                                  headers=auth(key))
        assert third.status_code == 429 and third.json()["code"] == "rate_limited"


def test_openapi_documents_both_preview_routes() -> None:
    paths = document("http://127.0.0.1:8000")["paths"]
    assert "image/png" in paths["/v1/orders/{orderId}/preview"]["get"]["responses"]["200"]["content"]
    assert "image/png" in paths["/v1/previews"]["post"]["responses"]["200"]["content"]
