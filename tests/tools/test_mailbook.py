"""Mailbook contact CRUD and search through the MCP tools (docs/product.md § Mailbook)."""
from __future__ import annotations

import uuid

from domain.accounts.accounts import create_account
from tests.tools.conftest import BART, ToolRunner
from tools.context import ToolEnv


async def test_create_normalises_and_returns_a_usable_recipient(tools: ToolRunner) -> None:
    contact = await tools.ok("create_mailbook_contact", BART)
    assert contact["id"].startswith("contact_")
    assert contact["country"] == "NL"
    recipient = contact["recipient"]
    assert recipient == {"name": "Bart de Vries", "street": "Keizersgracht", "number": "1",
                         "postalCode": "1012 AB", "city": "Amsterdam", "country": "NL", "id": contact["id"]}
    quote = await tools.ok("quote_order", {"postcard": {"message": "Hi", "recipient": recipient}})
    assert quote["amountCents"] == 250


async def test_search_by_name_email_city_and_street(tools: ToolRunner) -> None:
    bart = await tools.ok("create_mailbook_contact", BART)
    await tools.ok("create_mailbook_contact", {**BART, "displayName": "Eric Jansen", "email": "eric@example.org",
                                               "street": "Damrak", "city": "Haarlem", "postalCode": "2011 AB"})
    for query in ("bart", "BART@example.com", "keizers", "amsterdam", "de vries"):
        found = await tools.ok("list_mailbook_contacts", {"query": query})
        assert [c["id"] for c in found["contacts"]] == [bart["id"]], query
    everyone = await tools.ok("list_mailbook_contacts", {})
    assert everyone["count"] == 2
    limited = await tools.ok("list_mailbook_contacts", {"limit": 1})
    assert limited["count"] == 1
    assert (await tools.ok("list_mailbook_contacts", {"query": "50%_"}))["count"] == 0


async def test_update_changes_only_given_fields_and_delete_removes(tools: ToolRunner) -> None:
    contact = await tools.ok("create_mailbook_contact", BART)
    updated = await tools.ok("update_mailbook_contact", {"contactId": contact["id"], "city": "Amsterdam-Zuid",
                                                         "birthday": "1980-02-29"})
    assert updated["city"] == "Amsterdam-Zuid" and updated["birthday"] == "1980-02-29"
    assert updated["street"] == "Keizersgracht" and updated["email"] == "bart@example.com"
    fetched = await tools.ok("get_mailbook_contact", {"contactId": contact["id"]})
    assert fetched["city"] == "Amsterdam-Zuid"
    assert await tools.ok("delete_mailbook_contact", {"contactId": contact["id"]}) == {
        "id": contact["id"], "deleted": True}
    assert (await tools.error("get_mailbook_contact", {"contactId": contact["id"]}))["code"] == "not_found"


async def test_invalid_contacts_name_the_field(tools: ToolRunner) -> None:
    missing = {k: v for k, v in BART.items() if k != "houseNumber"}
    assert await tools.error("create_mailbook_contact", missing) == {
        "code": "invalid_request", "error": "houseNumber is required"}
    bad_date = await tools.error("create_mailbook_contact", {**BART, "birthday": "1980-02-30"})
    assert bad_date["code"] == "invalid_request" and "birthday" in bad_date["error"]
    bad_mail = await tools.error("create_mailbook_contact", {**BART, "email": "not-an-email"})
    assert "email" in bad_mail["error"]
    bad_postcode = await tools.error("create_mailbook_contact", {**BART, "postalCode": "ABCDEFG"})
    assert bad_postcode["code"] == "invalid_request" and "postalCode" in bad_postcode["error"]
    too_many = await tools.error("list_mailbook_contacts", {"limit": 101})
    assert too_many["error"].startswith("limit")


async def test_other_accounts_contacts_are_not_found(tools: ToolRunner, tool_env: ToolEnv) -> None:
    contact = await tools.ok("create_mailbook_contact", BART)
    async with tool_env.db.transaction() as session:
        other = await create_account(session, f"other-{uuid.uuid4().hex[:8]}@example.com", approve=True)
    stranger = ToolRunner(ToolEnv(db=tool_env.db, settings=tool_env.settings, account_id=other.id))
    for name in ("get_mailbook_contact", "delete_mailbook_contact"):
        assert (await stranger.error(name, {"contactId": contact["id"]}))["code"] == "not_found"
    assert (await stranger.error("update_mailbook_contact", {"contactId": contact["id"], "city": "X"}))[
        "code"] == "not_found"
    assert (await stranger.ok("list_mailbook_contacts", {"query": "bart"}))["count"] == 0
