"""The published contract (OpenAPI, MCP guidance) states the domain's own limits, not copies."""
from __future__ import annotations

from domain.core.paging import PAGE_DEFAULT, PAGE_MAX
from domain.core.settings import Settings
from domain.money.currency import CURRENCIES
from domain.money.topups import MAX_TOPUP_CENTS, MIN_TOPUP_CENTS, TOPUP_FIELDS
from domain.orders.fields import EXTERNAL_ID_MAX, LOCALES, METADATA_MAX_KEYS
from domain.orders.payloads import ATTACHMENTS_MAX, LETTER_MESSAGE_MAX, MAX_PIECES, POSTCARD_MESSAGE_MAX
from server.api.openapi import document
from server.mcp.docs_routes import docs_markdown


def test_openapi_limits_are_the_domain_constants() -> None:
    doc = document("http://127.0.0.1:8000")
    order = doc["paths"]["/v1/orders"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]
    letters = order["letters"]
    assert letters["maxItems"] == MAX_PIECES
    assert letters["items"]["properties"]["message"]["maxLength"] == LETTER_MESSAGE_MAX
    assert letters["items"]["properties"]["attachments"]["maxItems"] == ATTACHMENTS_MAX
    assert order["postcard"]["properties"]["message"]["maxLength"] == POSTCARD_MESSAGE_MAX
    assert order["postcard"]["properties"]["recipients"]["maxItems"] == MAX_PIECES
    assert order["metadata"]["maxProperties"] == METADATA_MAX_KEYS
    assert order["externalId"]["maxLength"] == EXTERNAL_ID_MAX
    assert order["locale"]["enum"] == list(LOCALES)
    topup = doc["paths"]["/v1/credits/topups"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert tuple(topup["properties"]) == TOPUP_FIELDS
    amount = topup["properties"]["amountCents"]
    assert (amount["minimum"], amount["maximum"]) == (MIN_TOPUP_CENTS, MAX_TOPUP_CENTS)
    assert topup["properties"]["currency"]["enum"] == list(CURRENCIES)
    limit = next(p for p in doc["paths"]["/v1/orders"]["get"]["parameters"] if p["name"] == "limit")["schema"]
    assert (limit["maximum"], limit["default"]) == (PAGE_MAX, PAGE_DEFAULT)


def test_mcp_guidance_states_the_domain_limits_and_configured_prices() -> None:
    settings = Settings(price_postcard_cents=275)
    text = docs_markdown(settings)
    assert f"1 to {MAX_PIECES} entries" in text
    assert f"at most {LETTER_MESSAGE_MAX:,} characters" in text
    assert f"at most {POSTCARD_MESSAGE_MAX:,}" in text
    assert "a postcard is 275" in text  # the configured price, not a copy of the default
    assert "{" + "MAX_PIECES}" not in text
