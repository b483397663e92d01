"""The typed asset-reference fields accept what they accepted before: an asset id string or an
upload_asset-style object, for every tool that has them (issue 13 fault 4)."""
from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from domain.core.errors import InvalidRequest
from schemas import load_tools
from tools.registry import registry

TOOLS = ("quote_order", "create_payment_link", "create_checkout_link", "create_direct_order")
REF = {"assetId": "ast_123", "kind": "letter-stamp-image"}


def _letter(**extra: object) -> dict[str, object]:
    recipient = {"name": "A. Person", "addressLine1": "1 Street", "city": "Town", "postalCode": "1000",
                 "country": "NL"}
    return {"requestType": "letter", "letters": [{"recipient": recipient, "message": "Hi", **extra}]}


def _postcard(front: object) -> dict[str, object]:
    recipient = {"name": "A. Person", "addressLine1": "1 Street", "city": "Town", "postalCode": "1000",
                 "country": "NL"}
    return {"requestType": "postcard", "postcard": {"recipient": recipient, "message": "Hi", "frontImage": front}}


def _check(tool: str, arguments: dict[str, object]) -> str | None:
    try:
        registry()[tool].arguments.check(arguments)
    except InvalidRequest as exc:
        return exc.message
    return None


def _fits(tool: str, shape: dict[str, object]) -> list[str]:
    """Errors for the stamp/front/attachments fields only (the shape may lack other fields)."""
    return [m for m in [_check(tool, shape)] if m and any(f in m for f in ("stampImage", "frontImage", "attachments"))]


@pytest.mark.parametrize("tool", TOOLS)
@pytest.mark.parametrize("value", ["ast_123", REF])
def test_string_and_object_references_are_both_accepted(tool: str, value: object) -> None:
    assert _fits(tool, {**_letter(attachments=[value]), "stampImage": value}) == []
    assert _fits(tool, _postcard(value)) == []


@pytest.mark.parametrize("tool", TOOLS)
def test_published_schema_says_object_and_an_object_fits_it(tool: str) -> None:
    schema = next(t for t in load_tools() if t["name"] == tool)["inputSchema"]
    assert schema["properties"]["stampImage"]["type"] == "object"
    assert schema["properties"]["postcard"]["properties"]["frontImage"]["type"] == "object"
    assert schema["properties"]["letters"]["items"]["properties"]["attachments"]["items"]["type"] == "object"
    validator = Draft202012Validator(schema["properties"]["stampImage"])
    assert validator.is_valid(REF) and not validator.is_valid("ast_123")  # strings are the lenient extra
