"""Template placeholders per recipient (docs/product.md § Letters and postcards)."""
from __future__ import annotations

import pytest

from domain.core.errors import InvalidRequest
from domain.orders.recipients import Recipient, parse_recipient
from domain.orders.templates import check_variable_keys, placeholders, render


def _recipient(**custom: str) -> Recipient:
    return parse_recipient(
        {"name": "Pieter Post", "streetAddress": "123 Main Street", "postalCode": "62704",
         "city": "Springfield", "state": "IL", "country": "United States", "customFields": custom},
        "letters[1].recipient",
    )


def _render(template: str, recipient: Recipient) -> str:
    return render(template, recipient, template_path="templateMessage", recipient_path="letters[1].recipient")


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("Hi {{name}}", "Hi Pieter Post"),
        ("Hi {{first_name}}", "Hi Pieter"),
        ("Hi {{ first_name }}!", "Hi Pieter!"),
        ("{{street}}, {{city}} {{postal_code}}, {{country}}", "123 Main Street, Springfield 62704, United States"),
        ("To: {{address}}", "To: 123 Main Street, SPRINGFIELD, IL 62704, UNITED STATES"),
        ("Code {{gift_code}}", "Code SPRING-10"),
        ("No placeholders at all", "No placeholders at all"),
    ],
)
def test_placeholders_are_filled(template: str, expected: str) -> None:
    assert _render(template, _recipient(gift_code="SPRING-10")) == expected


def test_line_breaks_are_preserved_exactly() -> None:
    template = "Hi {{first_name}},\n\nLine two\r\nLine three\n  indented"
    assert _render(template, _recipient()) == "Hi Pieter,\n\nLine two\r\nLine three\n  indented"


def test_custom_field_overrides_builtin() -> None:
    assert _render("Dear {{first_name}}", _recipient(first_name="Dr. Post")) == "Dear Dr. Post"


def test_values_are_not_evaluated_again() -> None:
    assert _render("{{gift_code}}", _recipient(gift_code="{{name}}")) == "{{name}}"


@pytest.mark.parametrize("custom", [{}, {"gift_code": ""}, {"gift_code": "   "}, {"other": "x"}])
def test_unfillable_custom_placeholder_names_recipient_and_key(custom: dict[str, str]) -> None:
    with pytest.raises(InvalidRequest) as exc:
        _render("Your code: {{gift_code}}", _recipient(**custom))
    assert exc.value.field == "letters[1].recipient.customFields.gift_code"
    assert "letters[1].recipient" in exc.value.message and "gift_code" in exc.value.message


def test_unfillable_builtin_names_the_missing_recipient_field() -> None:
    lines_only = parse_recipient(
        {"name": "Bart", "addressLines": ["Keizersgracht 1", "1012 AB Amsterdam"], "country": "NL"},
        "postcard.recipients[0]",
    )
    with pytest.raises(InvalidRequest) as exc:
        render("See you in {{city}}", lines_only, template_path="postcard.message",
               recipient_path="postcard.recipients[0]")
    assert exc.value.field == "postcard.recipients[0].city"
    assert "{{city}}" in exc.value.message


@pytest.mark.parametrize("template", ["Hi {{}}", "Hi {{ first name }}", "Hi {{a|b}}"])
def test_malformed_placeholder_is_refused(template: str) -> None:
    with pytest.raises(InvalidRequest) as exc:
        placeholders(template, "templateMessage")
    assert exc.value.field == "templateMessage"


def test_placeholders_lists_keys_once_in_order() -> None:
    assert placeholders("{{a}} {{ b }} {{a}} {{c-d.e}}", "t") == ("a", "b", "c-d.e")


def test_variable_keys_must_exist_per_recipient() -> None:
    check_variable_keys(["gift_code", "name"], _recipient(gift_code="X"), "letters[1].recipient")
    with pytest.raises(InvalidRequest) as exc:
        check_variable_keys(["gift_code"], _recipient(), "letters[1].recipient")
    assert exc.value.field == "letters[1].recipient.customFields.gift_code"
