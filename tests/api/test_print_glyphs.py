"""Text the shipped print font cannot show is refused when the order is priced, naming the
field and the characters. Before: a CJK letter was accepted, paid for, and printed as boxes."""
from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.payloads import NL_RECIPIENT, US_RECIPIENT
from tests.conftest import auth


def _letter(message: str, **recipient: str) -> dict[str, Any]:
    return {"requestType": "letter", "letters": [{"message": message, "recipient": {**NL_RECIPIENT, **recipient}}]}


@pytest.mark.parametrize(("body", "field", "char"), [
    (_letter("你好，世界"), "letters[0].message", "U+4F60"),
    (_letter("Hallo", name="山田太郎"), "letters[0].recipient", "U+5C71"),
    ({"requestType": "postcard", "postcard": {"message": "こんにちは", "recipient": US_RECIPIENT}},
     "postcard.message", "U+3053"),
])
async def test_characters_without_a_glyph_are_refused(client: httpx.AsyncClient, account: dict[str, str],
                                                      body: dict[str, Any], field: str, char: str) -> None:
    response = await client.post("/v1/quotes", json=body, headers=auth(account["test_key"]))
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert response.json()["code"] == "invalid_request" and field in error and char in error


async def test_scripts_the_font_covers_are_accepted(client: httpx.AsyncClient, account: dict[str, str]) -> None:
    body = _letter("Grüße aus Köln – Ελληνικά, кириллица, € 5 😀\n\ttab", name="Σωκράτης Παπαδόπουλος")
    response = await client.post("/v1/quotes", json=body, headers=auth(account["test_key"]))
    assert response.status_code == 200, response.text


async def test_covered_scripts_print_as_text_not_boxes(client: httpx.AsyncClient, account: dict[str, str]) -> None:
    """The proof PDF carries the accepted characters as real text (a missing glyph would come out
    of the text layer as nothing or as a box, not as the character)."""
    from tests.domain.filemakers import pdftotext

    message = "Grüße aus Köln – Ελληνικά, кириллица, € 5"
    body = _letter(message, name="Σωκράτης Παπαδόπουλος")
    headers = auth(account["test_key"])
    await client.post("/v1/credits/topups", json={"amountCents": 1000, "currency": "eur"},
                      headers={**headers, "Idempotency-Key": f"glyphs-topup-{account['id']}"})
    order = await client.post("/v1/orders", json=body, headers={**headers, "Idempotency-Key": f"glyphs-{account['id']}"})
    assert order.status_code == 200, order.text
    proof = await client.get(f"/v1/orders/{order.json()['orderId']}/proof", headers=headers)
    assert proof.status_code == 200 and proof.content.startswith(b"%PDF")
    text = " ".join(pdftotext(proof.content).split())
    for expected in ("Grüße aus Köln", "Ελληνικά", "кириллица", "€ 5", "Σωκράτης Παπαδόπουλος"):
        assert expected in text, (expected, text[:400])
    assert "\u25a1" not in text and "\ufffd" not in text  # no box or replacement characters
