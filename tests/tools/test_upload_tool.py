"""The upload_asset tool through the MCP tool registry: base64 in, asset usable in orders."""
from __future__ import annotations

import base64

from tests.domain.filemakers import image_bytes, pdf_bytes
from tests.tools.conftest import ToolRunner

RECIPIENT = {"name": "Pieter Example", "streetAddress": "Damrak 1", "postalCode": "1012 AB", "city": "Amsterdam",
             "country": "NL"}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def test_uploaded_front_is_usable_in_a_postcard_quote(tools: ToolRunner) -> None:
    asset = await tools.ok("upload_asset", {"kind": "postcard-image", "fileName": "front.jpg",
                                            "contentType": "image/jpeg",
                                            "fileBase64": b64(image_bytes((1000, 1000), "JPEG"))})
    assert asset["contentType"] == "image/jpeg" and asset["publicUrl"].endswith(asset["assetId"])
    quote = await tools.ok("quote_order", {"requestType": "postcard", "postcard": {
        "message": "Hoi!", "recipient": RECIPIENT, "frontImageAssetId": asset["assetId"]}})
    assert quote["amountCents"] == 250


async def test_attachment_pages_price_the_letter(tools: ToolRunner) -> None:
    asset = await tools.ok("upload_asset", {"kind": "letter-attachment", "fileName": "invoice.pdf",
                                            "contentType": "application/pdf", "fileBase64": b64(pdf_bytes(3))})
    quote = await tools.ok("quote_order", {"requestType": "letter", "letters": [
        {"message": "Invoice enclosed.", "recipient": RECIPIENT, "attachments": [{"assetId": asset["assetId"]}]}]})
    assert quote["amountCents"] == 350


async def test_private_urls_and_double_sources_are_tool_errors(tools: ToolRunner) -> None:
    base = {"kind": "letter-stamp-image", "fileName": "s.png", "contentType": "image/png"}
    for args in ({**base, "fileUrl": "https://169.254.169.254/latest/meta-data/"},
                 {**base, "fileUrl": "https://0x7f.1/s.png"},
                 {**base, "fileBase64": b64(image_bytes((9, 9))), "fileUrl": "https://example.com/s.png"}):
        error = await tools.error("upload_asset", args)
        assert error["code"] == "invalid_request", error
