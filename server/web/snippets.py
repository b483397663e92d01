"""Copyable curl examples built from the service's real ``BASE_URL`` (dashboard and docs).

Bodies follow the REST quick start: a test top-up, one direct-send letter, then reading
the order and the wallet back.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from domain.money.currency import DEFAULT_CURRENCY

KEY_PLACEHOLDER = "pp_test_your_key_here"

TOPUP_BODY: dict[str, Any] = {"amountCents": 2500, "currency": DEFAULT_CURRENCY, "metadata": {"source": "dashboard-quick-start"}}
LETTER_BODY: dict[str, Any] = {
    "requestType": "letter",
    "senderEmail": "sender@example.com",
    "letters": [{
        "message": "This direct-send letter is paid from wallet credits.",
        "recipient": {"name": "Pieter Post", "streetAddress": "123 Main Street", "city": "Springfield",
                      "state": "IL", "postalCode": "62704", "country": "United States"},
    }],
}


@dataclass(frozen=True)
class Snippet:
    slug: str
    title: str
    explain: str
    text: str


def _curl(method: str, url: str, key: str, body: dict[str, Any] | None = None, idem: str | None = None) -> str:
    parts = [f"curl{' -X ' + method if method != 'GET' else ''} {url}", f'  -H "Authorization: Bearer {key}"']
    if body is not None:
        parts.append('  -H "Content-Type: application/json"')
    if idem:
        parts.append(f'  -H "Idempotency-Key: {idem}"')
    if body is not None:
        parts.append("  -d '" + json.dumps(body, indent=2).replace("'", "'\\''") + "'")
    return " \\\n".join(parts)


def quick_start(base_url: str, key: str = KEY_PLACEHOLDER) -> list[Snippet]:
    return [
        Snippet("topup", "1. Add test credits", "Test top-ups are paid at once.",
                _curl("POST", f"{base_url}/v1/credits/topups", key, TOPUP_BODY, "quick-start-topup")),
        Snippet("order", "2. Send a test letter", "Paid from the test wallet; test mode simulates printing.",
                _curl("POST", f"{base_url}/v1/orders", key, LETTER_BODY, "quick-start-letter")),
        Snippet("status", "3. Read the order", "Use the orderId from the previous answer.",
                _curl("GET", f"{base_url}/v1/orders/ORDER_ID", key)),
        Snippet("wallet", "4. Check the balance", "Before direct sends, check what the wallet holds.",
                _curl("GET", f"{base_url}/v1/wallet?currency={DEFAULT_CURRENCY}", key)),
    ]
