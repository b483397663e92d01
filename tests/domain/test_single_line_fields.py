"""Names and address fields are printed one per line as given: line breaks, tabs, bidi
overrides and other control/format characters are refused with the field named, while a
message keeps its newlines."""
from __future__ import annotations

import pytest

from domain.core.errors import InvalidRequest
from domain.orders.payloads import parse_order, parse_recipient

GOOD = {"name": "Pieter Post", "streetAddress": "Keizersgracht 1", "postalCode": "1015 CJ",
        "city": "Amsterdam", "country": "NL"}

BAD = {
    "CR LF": "Pieter\r\nPost", "LF": "Pieter\nPost", "TAB": "Pieter\tPost", "NEL": "Pieter\x85Post",
    "LINE SEPARATOR": "Pieter\u2028Post", "PARAGRAPH SEPARATOR": "Pieter\u2029Post",
    "RLO": "Pieter\u202ePost", "BEL": "Pieter\x07Post", "ZWSP-like format char": "Pieter\u2066Post",
    "soft hyphen": "Pie\u00adter",
}


@pytest.mark.parametrize("label", sorted(BAD))
@pytest.mark.parametrize("key", ["name", "streetAddress", "city", "postalCode"])
def test_control_characters_in_address_fields_are_refused(key: str, label: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse_recipient({**GOOD, key: BAD[label]})
    assert caught.value.field == f"recipient.{key}"
    assert f"recipient.{key}" in caught.value.message


@pytest.mark.parametrize("label", ["CR LF", "RLO", "TAB"])
def test_control_characters_in_address_lines_are_refused(label: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse_recipient({"name": "Pieter Post", "addressLines": ["Keizersgracht 1", BAD[label]], "country": "NL"})
    assert caught.value.field == "recipient.addressLines[1]"


def test_ordinary_names_and_joiners_pass() -> None:
    for name in ("Pieter Post", "Zoë O'Brien-Łukasiewicz", "محمد\u200cرضا", "👩\u200d💻 Team", "山田 太郎"):
        assert parse_recipient({**GOOD, "name": name}).name == name


def test_a_message_keeps_its_newlines() -> None:
    draft = parse_order({"requestType": "letter", "letters": [
        {"recipient": GOOD, "message": "Dear Pieter,\n\nThank you.\r\nBye"}]}, mode="test")
    assert "\n\nThank you." in draft.pieces[0].message
