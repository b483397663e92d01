"""``POST /v1/uploads``, public assets, asset use in orders and proofs, over the ASGI app."""
from __future__ import annotations

import io
import re
import tracemalloc
import uuid

import httpx
from pypdf import PdfReader
from sqlalchemy import update

from domain.core.clock import utcnow
from domain.persistence.models import Asset
from tests.api.payloads import CHECKOUT_LETTER, NL_RECIPIENT, US_RECIPIENT, fresh
from tests.conftest import auth
from tests.domain.filemakers import image_bytes, image_sizes, pdf_bytes, pdftotext, png_bomb

MB = 1024 * 1024
SEED_FIELDS = {"assetId", "contentType", "kind", "name", "originalName", "publicUrl", "size"}


async def upload(client: httpx.AsyncClient, key: str, kind: str, name: str, data: bytes,
                 content_type: str = "application/octet-stream") -> httpx.Response:
    return await client.post("/v1/uploads", data={"kind": kind}, files={"file": (name, data, content_type)},
                             headers=auth(key))


async def other_account(db) -> str:  # type: ignore[no-untyped-def]
    from domain.accounts.accounts import create_account
    from domain.accounts.apikeys import create_key

    async with db.transaction() as session:
        acct = await create_account(session, f"other-{uuid.uuid4().hex[:10]}@example.com", approve=True)
        return (await create_key(session, acct.id, "test", "other")).secret


def letter_with(attachments: list[str], message: str = "Please find the documents enclosed.") -> dict:
    body = fresh(CHECKOUT_LETTER)
    body["letters"][0]["attachments"] = attachments
    body["letters"][0]["message"] = message
    return body


def postcard_with(front: str) -> dict:
    return {"requestType": "postcard", "senderEmail": "sender@example.com",
            "returnUrl": "https://example.com/return",
            "postcard": {"frontImageAssetId": front, "message": "Groeten uit Amsterdam!", "recipient": NL_RECIPIENT}}


async def test_square_png_is_accepted_public_and_usable_as_postcard_front(client, account):
    key = account["test_key"]
    png = image_bytes((1000, 1000))
    sent = await upload(client, key, "postcard-image", "front.png", png, "image/png")
    assert sent.status_code == 200, sent.text
    body = sent.json()
    assert set(body) == SEED_FIELDS
    asset_id = body["assetId"]
    assert re.fullmatch(r"asset_[0-9a-f]{24}", asset_id)
    assert body == {"assetId": asset_id, "contentType": "image/png", "kind": "postcard-image",
                    "name": f"{asset_id}.png", "originalName": "front.png",
                    "publicUrl": f"http://127.0.0.1:8000/api/public-assets/{asset_id}", "size": len(png)}

    public = await client.get(f"/api/public-assets/{asset_id}")
    assert public.status_code == 200 and public.content == png
    assert public.headers["content-type"] == "image/png"

    order = await client.post("/v1/checkout-links", json=postcard_with(asset_id), headers=auth(key))
    assert order.status_code == 200, order.text
    assert order.json()["amountCents"] == 250
    proof = await client.get(f"/v1/orders/{order.json()['orderId']}/proof", headers=auth(key))
    assert proof.status_code == 200 and proof.headers["content-type"] == "application/pdf"
    front_page = PdfReader(io.BytesIO(proof.content)).pages[0]
    assert image_sizes(front_page) == [(1000, 1000)]  # the uploaded front, not the default one


async def test_non_square_postcard_image_is_rejected(client, account):
    sent = await upload(client, account["test_key"], "postcard-image", "tall.png", image_bytes((1000, 1100)))
    assert sent.status_code == 400 and sent.json()["code"] == "invalid_request"
    assert "square" in sent.json()["error"]


async def test_jpeg_named_png_is_stored_as_jpeg(client, account):
    sent = await upload(client, account["test_key"], "postcard-image", "front.png",
                        image_bytes((1200, 1200), "JPEG"), "image/png")
    body = sent.json()
    assert sent.status_code == 200, sent.text
    assert body["contentType"] == "image/jpeg" and body["name"] == f"{body['assetId']}.jpg"
    assert body["originalName"] == "front.png"
    public = await client.get(f"/api/public-assets/{body['assetId']}")
    assert public.headers["content-type"] == "image/jpeg"


async def test_three_page_pdf_attachment_prices_a_letter_at_350_and_prints_four_pages(client, account):
    key = account["test_key"]
    sent = await upload(client, key, "letter-attachment", "receipt.pdf", pdf_bytes(3), "application/pdf")
    body = sent.json()
    assert body["name"] == "receipt.pdf" and body["publicUrl"] is None and body["contentType"] == "application/pdf"

    quote_body = letter_with([body["assetId"]])
    order = await client.post("/v1/checkout-links", json=quote_body, headers=auth(key))
    assert order.status_code == 200, order.text
    assert order.json()["amountCents"] == 200 + 3 * 50

    proof = await client.get(f"/v1/orders/{order.json()['orderId']}/proof", headers=auth(key))
    assert proof.status_code == 200
    assert len(PdfReader(io.BytesIO(proof.content)).pages) == 4
    text = pdftotext(proof.content)
    assert "Please find the documents enclosed." in text and "Attachment page 3" in text
    assert "Pieter Post" in text and "SPRINGFIELD, IL 62704" in text


async def test_nine_page_pdf_is_refused_by_the_page_limit(client, account):
    key = account["test_key"]
    asset_id = (await upload(client, key, "letter-attachment", "long.pdf", pdf_bytes(9))).json()["assetId"]
    order = await client.post("/v1/checkout-links", json=letter_with([asset_id]), headers=auth(key))
    assert order.status_code == 400 and order.json()["code"] == "invalid_request"
    assert "letters[0]" in order.json()["error"] and "8" in order.json()["error"]


async def test_upload_declared_over_50_mb_gets_413_before_reading(client, account):
    async def never_sent():
        raise AssertionError("the body must not be read")
        yield b""  # pragma: no cover

    headers = auth(account["test_key"], **{"Content-Type": "multipart/form-data; boundary=x",
                                            "Content-Length": str(51 * MB)})
    sent = await client.post("/v1/uploads", content=never_sent(), headers=headers)
    assert sent.status_code == 413 and sent.json()["code"] == "payload_too_large"


async def test_streamed_51_mb_upload_gets_413_without_holding_it_in_memory(client, account, asset_dir):
    boundary = "pp-boundary"

    async def body():
        yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nletter-attachment\r\n"
               f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"huge.pdf\"\r\n"
               "Content-Type: application/pdf\r\n\r\n%PDF-1.7\n").encode()
        block = b"\x00" * (64 * 1024)
        for _ in range(51 * 16):
            yield block
        yield f"\r\n--{boundary}--\r\n".encode()

    headers = auth(account["test_key"], **{"Content-Type": f"multipart/form-data; boundary={boundary}"})
    tracemalloc.start()
    try:
        sent = await client.post("/v1/uploads", content=body(), headers=headers)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sent.status_code == 413 and sent.json()["code"] == "payload_too_large"
    assert peak < 8 * MB
    assert list((asset_dir / ".staging").iterdir()) == []


async def test_decompression_bomb_is_refused(client, account):
    sent = await upload(client, account["test_key"], "letter-attachment", "bomb.png", png_bomb(20_000))
    assert sent.status_code == 400 and "decompression bomb" in sent.json()["error"]


async def test_another_accounts_asset_is_not_found(client, account, db):
    mine = (await upload(client, account["test_key"], "letter-attachment", "a.pdf", pdf_bytes(1))).json()["assetId"]
    stranger = await other_account(db)
    order = await client.post("/v1/checkout-links", json=letter_with([mine]), headers=auth(stranger))
    assert order.status_code == 404 and order.json()["code"] == "not_found"
    own = await client.post("/v1/checkout-links", json=letter_with([mine]), headers=auth(account["test_key"]))
    foreign_proof = await client.get(f"/v1/orders/{own.json()['orderId']}/proof", headers=auth(stranger))
    assert foreign_proof.status_code == 404 and foreign_proof.json()["code"] == "not_found"


async def test_only_postcard_images_are_public(client, account):
    key = account["test_key"]
    stamp = (await upload(client, key, "letter-stamp-image", "stamp.png", image_bytes((200, 200)))).json()
    assert stamp["publicUrl"] is None and stamp["name"] == "stamp.png"
    assert (await client.get(f"/api/public-assets/{stamp['assetId']}")).status_code == 404
    assert (await client.get("/api/public-assets/asset_000000000000000000000000")).status_code == 404


async def test_expired_upload_is_unusable_unless_an_order_already_uses_it(client, account, db):
    key = account["test_key"]
    used = (await upload(client, key, "postcard-image", "f.png", image_bytes((1000, 1000)))).json()["assetId"]
    unused = (await upload(client, key, "postcard-image", "g.png", image_bytes((1000, 1000)))).json()["assetId"]
    assert (await client.post("/v1/checkout-links", json=postcard_with(used), headers=auth(key))).status_code == 200
    async with db.transaction() as session:
        past = utcnow().replace(year=utcnow().year - 1)
        await session.execute(update(Asset).where(Asset.id.in_([used, unused])).values(expires_at=past))
    assert (await client.get(f"/api/public-assets/{used}")).status_code == 200
    assert (await client.get(f"/api/public-assets/{unused}")).status_code == 404
    late = await client.post("/v1/checkout-links", json=postcard_with(unused), headers=auth(key))
    assert late.status_code == 400 and "expired" in late.json()["error"]


async def test_upload_needs_a_known_kind_and_a_file(client, account):
    key = account["test_key"]
    bad_kind = await upload(client, key, "poster", "a.png", image_bytes((10, 10)))
    assert bad_kind.status_code == 400 and "kind" in bad_kind.json()["error"]
    no_file = await client.post("/v1/uploads", data={"kind": "letter-attachment"},
                                files={"other": ("x.txt", b"x")}, headers=auth(key))
    assert no_file.status_code == 400
    json_body = await client.post("/v1/uploads", json={"kind": "letter-attachment"}, headers=auth(key))
    assert json_body.status_code == 400 and "multipart" in json_body.json()["error"]
    anonymous = await client.post("/v1/uploads", data={"kind": "letter-attachment"}, files={"file": ("a", b"a")})
    assert anonymous.status_code == 401


async def test_us_letter_proof_carries_the_address_block(client, account):
    key = account["test_key"]
    body = letter_with([], message="Dear Pieter,\n\nthe spring catalogue is on its way.")
    body["letters"][0]["recipient"] = US_RECIPIENT
    order = await client.post("/v1/checkout-links", json=body, headers=auth(key))
    proof = await client.get(f"/v1/orders/{order.json()['orderId']}/proof", headers=auth(key))
    lines = [line for line in pdftotext(proof.content).splitlines() if line.strip()]
    start = lines.index("Pieter Post")
    assert lines[start : start + 4] == ["Pieter Post", "123 Main Street", "SPRINGFIELD, IL 62704", "UNITED STATES"]
    assert [round(float(v)) for v in PdfReader(io.BytesIO(proof.content)).pages[0].mediabox[2:]] == [612, 792]


async def test_long_german_letters_to_greek_and_cyrillic_recipients_print_as_quoted(client, account, db, settings):
    from domain.use_cases import commands
    from domain.core.context import Caller
    from tests.domain.test_layout import german_message

    message = german_message()
    greek = {"name": "Γιώργος Παπαδόπουλος", "street": "Ερμού", "number": "25", "postalCode": "105 63",
             "city": "Αθήνα", "country": "GR"}
    cyrillic = {"name": "Анна Иванова", "street": "ул. Витоша", "number": "7", "postalCode": "1000",
                "city": "София", "country": "BG"}
    body = fresh(CHECKOUT_LETTER)
    body["letters"] = [{"message": message, "recipient": greek}, {"message": message, "recipient": cyrillic}]
    quote = await commands.quote(db, settings, Caller(account_id=account["id"], mode="test"), body)
    order = await client.post("/v1/checkout-links", json=body, headers=auth(account["test_key"]))
    assert order.status_code == 200, order.text
    assert order.json()["amountCents"] == quote["amountCents"] == sum(200 + (p["pageCount"] - 1) * 50 for p in quote["pieces"])
    proof = await client.get(f"/v1/orders/{order.json()['orderId']}/proof", headers=auth(account["test_key"]))
    assert len(PdfReader(io.BytesIO(proof.content)).pages) == sum(p["pageCount"] for p in quote["pieces"])
    text = pdftotext(proof.content)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for name in (greek["name"], cyrillic["name"]):
        start = lines.index(name)
        assert len(lines[start : start + 4]) == 4 and lines[start + 1].startswith(("Ερμού 25", "ул. Витоша"))
    assert re.sub(r"\s+", " ", text).count(re.sub(r"\s+", " ", message)) == 2

