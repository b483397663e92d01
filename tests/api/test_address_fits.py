"""A recipient block that cannot fit the envelope window (or the postcard's address box) at the
smallest address size is refused when the order is priced, naming the recipient.

Before: it was accepted and paid, and the renderer drew the unwrapped lines at 6 pt across the
window edge and off the page — an undeliverable letter.
"""
from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.payloads import NL_RECIPIENT, US_RECIPIENT
from tests.conftest import auth

CRAMMED = {**{k: v for k, v in US_RECIPIENT.items() if k != "streetAddress"}, "addressLines": ["W" * 200] * 8}


def _letter(recipient: dict[str, Any]) -> dict[str, Any]:
    return {"requestType": "letter", "letters": [{"message": "Hello", "recipient": recipient}]}


def _postcard(recipient: dict[str, Any]) -> dict[str, Any]:
    return {"requestType": "postcard", "postcard": {"message": "Hello", "recipients": [US_RECIPIENT, recipient]}}


@pytest.mark.parametrize(("body", "field"), [(_letter(CRAMMED), "letters[0].recipient"),
                                             (_postcard(CRAMMED), "postcard.recipients[1]")])
async def test_address_that_cannot_fit_the_window_is_refused(client: httpx.AsyncClient, account: dict[str, str],
                                                             body: dict[str, Any], field: str) -> None:
    response = await client.post("/v1/quotes", json=body, headers=auth(account["test_key"]))
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_request" and field in response.json()["error"]


@pytest.mark.parametrize("recipient", [
    US_RECIPIENT, NL_RECIPIENT,
    {**NL_RECIPIENT, "name": "Dr. Maximiliane Alexandra von Hohenzollern-Sigmaringen",
     "extra": "c/o Internationale Handelsgesellschaft mbH, Abteilung Rechnungswesen"},
])
async def test_ordinary_and_long_but_wrappable_addresses_still_fit(client: httpx.AsyncClient,
                                                                   account: dict[str, str],
                                                                   recipient: dict[str, Any]) -> None:
    for body in (_letter(recipient), _postcard(recipient)):
        response = await client.post("/v1/quotes", json=body, headers=auth(account["test_key"]))
        assert response.status_code == 200, response.text
