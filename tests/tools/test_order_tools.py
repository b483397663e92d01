"""Order, wallet, top-up, key and compose tools against the real domain (test mode by default)."""
from __future__ import annotations

import httpx

from tests.conftest import auth
from tests.tools.conftest import BART, ToolRunner

RECIPIENT = {"name": "Pieter Example", "streetAddress": "Damrak 1", "postalCode": "1012 AB", "city": "Amsterdam",
             "country": "NL"}
POSTCARD = {"requestType": "postcard", "postcard": {"message": "Hi Pieter,\nA card.", "recipient": RECIPIENT}}


async def test_quote_guides_to_a_payment_link_with_a_wallet_alternative(tools: ToolRunner) -> None:
    quote = await tools.ok("quote_order", POSTCARD)
    assert quote["mode"] == "test" and quote["amountCents"] == 250 and quote["recipientCount"] == 1
    assert quote["requiresTopup"] is True and quote["missingBalanceCents"] == 250
    guidance = quote["guidance"]
    assert guidance["nextAction"] == "create_payment_link"
    assert guidance["recommendedMaxAmountCents"] == 250
    assert guidance["walletDirectSendAlternative"] == {
        "nextAction": "create_credit_topup", "recommendedMaxAmountCents": 250,
        "recommendedTopupAmountCents": 500,  # the smallest allowed top-up covering 250
        "requiresConfirmLiveSend": False, "requiresIdempotencyKey": True,
    }
    await tools.ok("create_credit_topup", {"amountCents": 500})
    funded = await tools.ok("quote_order", POSTCARD)
    assert funded["requiresTopup"] is False
    assert funded["guidance"]["walletDirectSendAlternative"]["nextAction"] == "create_direct_order"
    assert funded["guidance"]["walletDirectSendAlternative"]["recommendedTopupAmountCents"] is None
    live = await tools.ok("quote_order", {**POSTCARD, "mode": "live"})
    assert live["mode"] == "live" and live["guidance"]["walletDirectSendAlternative"]["requiresConfirmLiveSend"]


async def test_direct_send_in_test_mode_debits_the_wallet(tools: ToolRunner) -> None:
    topup = await tools.ok("create_credit_topup", {"amountCents": 1000, "currency": "eur", "idempotencyKey": "t-1"})
    assert topup["status"] == "paid" and topup["testMode"] is True
    order = await tools.ok("create_direct_order", {**POSTCARD, "idempotencyKey": "send-1"})
    assert order["billingMode"] == "credits" and order["testMode"] is True and order["amountCents"] == 250
    again = await tools.ok("create_direct_order", {**POSTCARD, "idempotencyKey": "send-1"})
    assert again["orderId"] == order["orderId"]  # replayed, not sent twice
    fetched = await tools.ok("get_order", {"orderId": order["orderId"]})
    assert fetched["status"] == "fulfilled"
    wallet = await tools.ok("get_wallet", {"currency": "eur"})
    assert wallet["wallet"]["balanceCents"] == 750
    listed = await tools.ok("list_topups", {"currency": "eur", "limit": 5})
    assert [t["topupId"] for t in listed["topups"]] == [topup["topupId"]]
    assert (await tools.ok("get_topup", {"topupId": topup["topupId"]}))["status"] == "paid"


async def test_insufficient_balance_is_a_tool_error(tools: ToolRunner) -> None:
    error = await tools.error("create_direct_order", POSTCARD)
    assert error["code"] == "insufficient_credits"


async def test_live_direct_send_needs_confirmation_and_a_cap(tools: ToolRunner) -> None:
    live = {**POSTCARD, "mode": "live"}
    assert (await tools.error("create_direct_order", live))["code"] == "confirmation_required"
    no_cap = await tools.error("create_direct_order", {**live, "confirmLiveSend": True})
    assert no_cap["code"] == "confirmation_required" and "maxAmountCents" in no_cap["error"]
    low_cap = await tools.error("create_direct_order", {**live, "confirmLiveSend": True, "maxAmountCents": 249})
    assert low_cap["code"] == "confirmation_required" and "250" in low_cap["error"]
    # confirmed and capped: the refusal is now the wallet's, not the confirmation's
    funded_cap = await tools.error("create_direct_order", {**live, "confirmLiveSend": True, "maxAmountCents": 250})
    assert funded_cap["code"] != "confirmation_required"


async def test_payment_and_checkout_links(tools: ToolRunner) -> None:
    link = await tools.ok("create_payment_link", {**POSTCARD, "idempotencyKey": "pl-1"})
    assert link["status"] == "checkout_open" and link["billingMode"] == "hosted_checkout"
    assert link["paymentLinkUrl"] and link["paymentLinkUrl"] == link["publicCheckoutUrl"]
    checkout = await tools.ok("create_checkout_link", {**POSTCARD, "idempotencyKey": "pl-1"})
    assert checkout["orderId"] != link["orderId"]  # same key, different tool: separate idempotency scope
    assert "paymentLinkUrl" not in checkout


async def test_compose_link(tools: ToolRunner) -> None:
    link = await tools.ok("create_compose_link", {"recipient": RECIPIENT, "message": "Dear Pieter"})
    assert link["mode"] == "compose_link" and link["testMode"] is True and link["url"]


async def test_api_key_secret_is_shown_once_and_works_on_v1(tools: ToolRunner, client: httpx.AsyncClient) -> None:
    created = await tools.ok("create_api_key", {"name": "from mcp"})
    secret = created["secret"]
    assert secret.startswith("pp_test_") and created["key"]["tokenLast4"] == secret[-4:]
    listed = await tools.ok("list_api_keys")
    assert created["key"]["id"] in [k["id"] for k in listed["keys"]]
    assert secret not in str(listed)
    assert all(not k["name"].startswith("MCP ") for k in listed["keys"])  # internal keys stay hidden
    response = await client.get("/v1/wallet", headers=auth(secret))
    assert response.status_code == 200, response.text
    revoked = await tools.ok("revoke_api_key", {"keyId": created["key"]["id"]})
    assert revoked["revoked"] is True and revoked["key"]["status"] == "revoked"
    assert (await client.get("/v1/wallet", headers=auth(secret))).status_code == 401


async def test_invalid_arguments_are_tool_errors_naming_the_field(tools: ToolRunner) -> None:
    cases = [
        ({"letters": [{"recipient": {}}]}, "letters[0].recipient.name"),
        ({**POSTCARD, "surprise": True}, "surprise"),
        ({"postcard": {"message": 5, "recipient": RECIPIENT}}, "postcard.message"),
        ({**POSTCARD, "mode": "sandbox"}, "mode"),
    ]
    for args, field in cases:
        error = await tools.error("quote_order", args)
        assert error["code"] == "invalid_request" and field in error["error"], (args, error)
    too_long = await tools.error("quote_order", {"postcard": {"message": "x" * 1201, "recipient": RECIPIENT}})
    assert "1200" in too_long["error"].replace(",", "")


async def test_mode_defaults_to_test_everywhere(tools: ToolRunner) -> None:
    assert (await tools.ok("get_wallet"))["wallet"]["mode"] == "test"
    assert (await tools.ok("create_compose_link", {"recipient": RECIPIENT}))["testMode"] is True
    assert (await tools.ok("create_api_key"))["key"]["mode"] == "test"
    assert (await tools.ok("create_mailbook_contact", BART))["id"]
