"""Unstorable text (NUL, unpaired surrogates) and non-finite numbers are ``invalid_request``
with the field named, on both databases — never a database error."""
from __future__ import annotations

import pytest

from domain.mailbook import contacts
from domain.persistence.db import Database
from domain.core.errors import InvalidRequest
from domain.orders.fields import check_strings

CONTACT = {"displayName": "Pieter Post", "street": "Damrak", "houseNumber": "1",
           "postalCode": "1012 AB", "city": "Amsterdam", "country": "NL"}


def test_check_strings_names_the_nested_path_of_a_nul() -> None:
    with pytest.raises(InvalidRequest) as caught:
        check_strings({"letters": [{"recipient": {"customFields": {"code": "A\x00"}}}]})
    assert caught.value.field == "letters[0].recipient.customFields.code"


def test_check_strings_walks_deep_bodies_without_recursion() -> None:
    deep: object = "ok\ud800"
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(InvalidRequest):
        check_strings({"a": deep})


async def test_contact_with_nul_is_refused_by_field(db: Database, account: dict[str, str]) -> None:
    async with db.transaction() as session:
        with pytest.raises(InvalidRequest) as caught:
            await contacts.create_contact(session, account["id"], {**CONTACT, "city": "Amster\x00dam"})
    assert caught.value.field == "city"


async def test_contact_search_with_nul_is_refused(db: Database, account: dict[str, str]) -> None:
    async with db.read() as session:
        with pytest.raises(InvalidRequest):
            await contacts.search_contacts(session, account["id"], "a\x00b")


@pytest.mark.parametrize("limit", [float("inf"), float("nan"), 10**400])
def test_contact_limit_refuses_non_finite_and_huge_numbers(limit: object) -> None:
    with pytest.raises(InvalidRequest):
        contacts.parse_limit(limit)


def test_idempotency_key_with_nul_is_refused() -> None:
    """REST headers cannot carry a NUL, but the MCP idempotencyKey argument can (PostgreSQL: db_error)."""
    from domain.requests.idempotency import check_key

    with pytest.raises(InvalidRequest) as caught:
        check_key("key\x00", "idempotencyKey")
    assert caught.value.field == "idempotencyKey"
    assert check_key("order-demo-001") == "order-demo-001"
