"""Request bodies from the product design documents, as data for tests.

MCP examples are listed with their tool-only keys (``mode``, ``idempotencyKey``,
``confirmLiveSend``, ``maxAmountCents``) because the MCP adapter strips those before
calling the domain parser; tests do the same with :func:`strip_tool_keys`.
"""
from __future__ import annotations

import copy
from typing import Any

TOOL_ONLY_KEYS = ("mode", "idempotencyKey", "confirmLiveSend", "maxAmountCents")

US = {"city": "Springfield", "country": "United States", "name": "Pieter Post",
      "postalCode": "62704", "state": "IL", "streetAddress": "123 Main Street"}


def _nl(name: str, code: str) -> dict[str, Any]:
    return {"city": "Amsterdam", "country": "NL", "customFields": {"gift_code": code},
            "name": name, "postalCode": "1012 AB", "streetAddress": "Damrak 1"}


def _us(name: str = "Pieter Post", **extra: Any) -> dict[str, Any]:
    return {**US, "name": name, **extra}


SEED_002_ORDERS: dict[str, dict[str, Any]] = {
    "direct_letter": {
        "letters": [{"message": "This direct-send letter is paid from wallet credits.", "recipient": _us()}],
        "locale": "en", "metadata": {"campaign": "spring"}, "requestType": "letter",
        "senderEmail": "sender@example.com",
    },
    "letter_with_attachment": {
        "externalId": "invoice_attachments_123",
        "letters": [{"attachments": ["asset_letter_pdf_123"],
                     "message": "Thanks for your order. The receipt PDF is enclosed.", "recipient": _us()}],
        "locale": "en", "requestType": "letter",
        "returnUrl": "https://example.com/pieterpost-return", "senderEmail": "sender@example.com",
    },
    "letter_checkout": {
        "externalId": "invoice_123",
        "letters": [{"message": "Thanks for your order. Your receipt is enclosed below.", "recipient": _us()}],
        "locale": "en", "metadata": {"customerId": "cus_123"}, "requestType": "letter",
        "returnUrl": "https://example.com/pieterpost-return", "senderEmail": "sender@example.com",
    },
    "bulk_template_letters": {
        "composeMode": "template", "externalId": "spring_campaign_123",
        "letters": [
            {"recipient": _us(customFields={"gift_code": "SPRING-10"})},
            {"recipient": _us("Sam Example", customFields={"gift_code": "SPRING-20"})},
        ],
        "locale": "en", "requestType": "letter", "returnUrl": "https://example.com/pieterpost-return",
        "senderEmail": "sender@example.com", "stampImageAssetId": "asset_stamp_123",
        "templateMessage": "Hi {{first_name}},\nYour spring code is {{gift_code}}.",
        "variableKeys": ["gift_code"],
    },
    "postcard_checkout": {
        "locale": "en", "paymentMethod": "ideal",
        "postcard": {"frontImageAssetId": "asset_123", "message": "A small card from PieterPost.",
                     "recipient": _us()},
        "requestType": "postcard", "returnUrl": "https://example.com/pieterpost-return",
        "senderEmail": "sender@example.com",
    },
    "direct_postcard": {
        "locale": "en",
        "postcard": {"frontImageAssetId": "asset_postcard_front_123",
                     "message": "A credits-funded postcard from PieterPost.", "recipients": [_us()]},
        "requestType": "postcard", "senderEmail": "sender@example.com",
    },
}

SEED_000_ORDERS: dict[str, dict[str, Any]] = {
    "dashboard_postcard_checkout": {
        "requestType": "postcard", "senderEmail": "sender@example.com",
        "returnUrl": "https://example.com/return",
        "postcard": {
            "frontImageAssetId": "asset_postcard_front_123", "message": "A quick card from PieterPost.",
            "recipient": {"name": "Ada Lovelace", "streetAddress": "1 Example Street",
                          "postalCode": "1011 AB", "city": "Amsterdam", "country": "Netherlands"},
        },
    },
}

_TEMPLATE_LETTERS = {
    "composeMode": "template", "externalId": "spring_campaign_123",
    "letters": [{"recipient": _nl("Pieter Example", "SPRING-10")},
                {"recipient": _nl("Sam Example", "SPRING-20")}],
    "locale": "en", "requestType": "letter", "stampImageAssetId": "asset_stamp_123",
    "templateMessage": "Hi {{first_name}},\nYour spring code is {{gift_code}}.",
    "variableKeys": ["gift_code"],
}

SEED_001_ORDERS: dict[str, dict[str, Any]] = {
    "quote_postcard_mailbook_contact": {
        "idempotencyKey": "postcard_bart_2026_05_01_quote", "mode": "live",
        "postcard": {
            "message": "Hi Bart,\nA postcard from PieterPost MCP.",
            "recipient": {"addressLines": ["Keizersgracht 1", "1012 AB Amsterdam", "Netherlands"],
                          "city": "Amsterdam", "country": "NL", "id": "contact_bart_123", "name": "Bart",
                          "postalCode": "1012 AB", "streetAddress": "Keizersgracht 1"},
        },
        "requestType": "postcard",
    },
    "quote_live_postcard": {
        "idempotencyKey": "quote_live_postcard_123", "locale": "en", "mode": "live",
        "postcard": {"frontImageAssetId": "asset_postcard_front_123",
                     "message": "Bart,\nA postcard from PieterPost MCP.",
                     "recipient": _nl("Pieter Example", "SPRING-10")},
        "requestType": "postcard",
    },
    "payment_link_letter_attachment": {
        "externalId": "invoice_123", "idempotencyKey": "invoice_123_checkout",
        "letters": [{"attachments": ["asset_letter_pdf_123"],
                     "message": "Thanks for your order. The receipt PDF is enclosed.",
                     "recipient": _nl("Pieter Example", "SPRING-10")}],
        "locale": "en", "metadata": {"customerId": "cus_123"}, "mode": "test", "requestType": "letter",
    },
    "payment_link_template_letters": {
        **_TEMPLATE_LETTERS, "idempotencyKey": "spring_campaign_123_checkout", "mode": "test",
    },
    "payment_link_postcard": {
        "idempotencyKey": "postcard_123_checkout", "locale": "en", "mode": "test", "paymentMethod": "ideal",
        "postcard": {"frontImageAssetId": "asset_postcard_front_123", "message": "A small card from PieterPost.",
                     "recipients": [_nl("Pieter Example", "SPRING-10")]},
        "requestType": "postcard",
    },
    "direct_order_live_template_letters": {
        **_TEMPLATE_LETTERS, "idempotencyKey": "spring_campaign_123_live_send", "mode": "live",
        "confirmLiveSend": True, "maxAmountCents": 2000,
    },
}

COMPOSE_LINK_002 = {
    "externalId": "lead_123", "locale": "en",
    "message": "Hi Pieter,\nWould you like to come by on Sunday?",
    "metadata": {"source": "crm"}, "recipient": _us(),
}
TOPUP_METADATA = [{"source": "billing-settings"}, {"source": "mcp"}]


def strip_tool_keys(args: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """What the MCP adapter does: drop tool-only keys, read ``mode`` (default test)."""
    body = copy.deepcopy(args)
    mode = body.get("mode", "test")
    for key in TOOL_ONLY_KEYS:
        body.pop(key, None)
    return body, mode


def all_order_examples() -> dict[str, tuple[dict[str, Any], str]]:
    out = {f"002:{k}": (copy.deepcopy(v), "test") for k, v in SEED_002_ORDERS.items()}
    out.update({f"000:{k}": (copy.deepcopy(v), "test") for k, v in SEED_000_ORDERS.items()})
    out.update({f"001:{k}": strip_tool_keys(v) for k, v in SEED_001_ORDERS.items()})
    return out
