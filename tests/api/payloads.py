"""The README quick start's request bodies, used across the API tests."""
from __future__ import annotations

import copy
from typing import Any

US_RECIPIENT: dict[str, Any] = {
    "city": "Springfield", "country": "United States", "name": "Pieter Post",
    "postalCode": "62704", "state": "IL", "streetAddress": "123 Main Street",
}
NL_RECIPIENT: dict[str, Any] = {
    "city": "Amsterdam", "country": "NL", "name": "Pieter Example", "postalCode": "1012 AB",
    "streetAddress": "Damrak 1",
}

DIRECT_LETTER: dict[str, Any] = {
    "letters": [{"message": "This direct-send letter is paid from wallet credits.", "recipient": US_RECIPIENT}],
    "locale": "en", "metadata": {"campaign": "spring"}, "requestType": "letter",
    "senderEmail": "sender@example.com",
}

CHECKOUT_LETTER: dict[str, Any] = {
    "externalId": "invoice_123",
    "letters": [{"message": "Thanks for your order. Your receipt is enclosed below.", "recipient": US_RECIPIENT}],
    "locale": "en", "metadata": {"customerId": "cus_123"}, "requestType": "letter",
    "returnUrl": "https://example.com/pieterpost-return", "senderEmail": "sender@example.com",
}

TEMPLATE_CHECKOUT: dict[str, Any] = {
    "composeMode": "template", "externalId": "spring_campaign_123",
    "letters": [
        {"recipient": {**US_RECIPIENT, "customFields": {"gift_code": "SPRING-10"}}},
        {"recipient": {**US_RECIPIENT, "name": "Sam Example", "customFields": {"gift_code": "SPRING-20"}}},
    ],
    "locale": "en", "requestType": "letter", "returnUrl": "https://example.com/pieterpost-return",
    "senderEmail": "sender@example.com",
    "templateMessage": "Hi {{first_name}},\nYour spring code is {{gift_code}}.", "variableKeys": ["gift_code"],
}

TOPUP: dict[str, Any] = {"amountCents": 2500, "currency": "eur", "metadata": {"source": "billing-settings"},
                         "returnUrl": "https://example.com/topups/return"}

COMPOSE: dict[str, Any] = {
    "externalId": "lead_123", "locale": "en", "message": "Hi Pieter,\nWould you like to come by on Sunday?",
    "metadata": {"source": "crm"}, "recipient": US_RECIPIENT,
}


def fresh(body: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(body)
