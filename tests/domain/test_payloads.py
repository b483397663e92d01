"""Order payload parsing: every seed example parses; each refusal names its field."""
from __future__ import annotations

import copy
from typing import Any, Callable

import pytest

from domain.core.errors import ErrorCode, InvalidRequest
from domain.orders.payloads import OrderDraft, parse_metadata, parse_order, parse_recipient
from tests.domain.seed_examples import (
    COMPOSE_LINK_002, SEED_001_ORDERS, SEED_002_ORDERS, TOPUP_METADATA, US, all_order_examples,
)

EXAMPLES = all_order_examples()


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_seed_example_parses(name: str) -> None:
    body, mode = EXAMPLES[name]
    draft = parse_order(body, mode=mode)
    assert isinstance(draft, OrderDraft)
    assert draft.request_type == body.get("requestType", "postcard")
    assert all(piece.message for piece in draft.pieces)


def test_seed_examples_keep_their_facts() -> None:
    draft = parse_order(SEED_002_ORDERS["direct_letter"], mode="test")
    (piece,) = draft.pieces
    assert piece.recipient.country == "US" and piece.recipient.is_us
    assert piece.recipient.state == "IL"
    assert piece.recipient.address_lines[0] == "123 Main Street"
    assert piece.recipient.print_lines == (
        "Pieter Post", "123 Main Street", "SPRINGFIELD, IL 62704", "UNITED STATES")
    assert draft.metadata == {"campaign": "spring"}
    assert draft.sender_email == "sender@example.com"
    assert (draft.locale, draft.payment_method, draft.compose_mode) == ("en", "auto", "personal")

    attach = parse_order(SEED_002_ORDERS["letter_with_attachment"], mode="test")
    assert attach.pieces[0].attachment_ids == ("asset_letter_pdf_123",)
    assert attach.external_id == "invoice_attachments_123"

    card = parse_order(SEED_002_ORDERS["postcard_checkout"], mode="test")
    assert (card.request_type, card.payment_method, card.front_image_asset_id) == (
        "postcard", "ideal", "asset_123")


def test_template_letters_resolve_per_recipient() -> None:
    draft = parse_order(SEED_002_ORDERS["bulk_template_letters"], mode="test")
    assert [p.message for p in draft.pieces] == [
        "Hi Pieter,\nYour spring code is SPRING-10.",
        "Hi Sam,\nYour spring code is SPRING-20.",
    ]
    assert draft.compose_mode == "template"
    assert draft.stamp_image_asset_id == "asset_stamp_123"
    assert draft.variable_keys == ("gift_code",)
    assert draft.template_message == "Hi {{first_name}},\nYour spring code is {{gift_code}}."


def test_mailbook_address_lines_are_printed_as_given() -> None:
    body, mode = EXAMPLES["001:quote_postcard_mailbook_contact"]
    recipient = parse_order(body, mode=mode).pieces[0].recipient
    assert recipient.address_lines == ("Keizersgracht 1", "1012 AB Amsterdam", "Netherlands")
    assert recipient.id == "contact_bart_123"


def test_compose_link_and_topup_parts_parse() -> None:
    recipient = parse_recipient(COMPOSE_LINK_002["recipient"], "recipient")
    assert recipient.country == "US"
    assert parse_metadata(COMPOSE_LINK_002["metadata"]) == {"source": "crm"}
    for metadata in TOPUP_METADATA:
        assert parse_metadata(metadata) == metadata


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_recipient_payload_round_trips(name: str) -> None:
    body, mode = EXAMPLES[name]
    for piece in parse_order(body, mode=mode).pieces:
        again = parse_recipient(piece.recipient.to_payload(), "recipient")
        assert again == piece.recipient


def test_recipient_from_street_and_number() -> None:
    nl = parse_recipient({"name": "A", "street": "Damrak", "number": "1", "postalCode": "1012 AB",
                          "city": "Amsterdam", "country": "Nederland"}, "recipient")
    assert nl.street_address == "Damrak 1" and nl.country == "NL"
    us = parse_recipient({**US, "streetAddress": None, "street": "Main Street", "number": "123"}, "recipient")
    assert us.street_address == "123 Main Street"
    assert us.to_payload()["street"] == "Main Street"


def test_address_lines_without_country_use_a_last_line_naming_one() -> None:
    r = parse_recipient({"name": "A", "addressLines": ["Damrak 1", "1012 AB Amsterdam", "The Netherlands"]}, "r")
    assert r.country == "NL"
    with pytest.raises(InvalidRequest) as exc:
        parse_recipient({"name": "A", "addressLines": ["Damrak 1", "1012 AB Amsterdam"]}, "r")
    assert exc.value.field == "r.country"


# --- refusals --------------------------------------------------------------------------

Mutator = Callable[[dict[str, Any]], Any]


def _letter() -> dict[str, Any]:
    return copy.deepcopy(SEED_002_ORDERS["direct_letter"])


def _template() -> dict[str, Any]:
    return copy.deepcopy(SEED_002_ORDERS["bulk_template_letters"])


def _postcard() -> dict[str, Any]:
    return copy.deepcopy(SEED_002_ORDERS["postcard_checkout"])


def _set(path: list[Any], value: Any) -> Mutator:
    def apply(body: dict[str, Any]) -> None:
        target = body
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return apply


def _delete(path: list[Any]) -> Mutator:
    def apply(body: dict[str, Any]) -> None:
        target = body
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return apply


def _nl_recipient(body: dict[str, Any]) -> None:
    body["letters"].append(copy.deepcopy(body["letters"][0]))
    body["letters"][1]["recipient"].update(country="NL", postalCode="1012 AB", city="Amsterdam",
                                          state=None, streetAddress="Damrak 1")


REFUSALS: list[tuple[str, Callable[[], dict[str, Any]], Mutator, str]] = [
    # malformed JSON types
    ("body not an object", _letter, lambda b: b.clear(), "letters"),
    ("letters not array", _letter, _set(["letters"], {"message": "x"}), "letters"),
    ("letter not object", _letter, _set(["letters", 0], "hello"), "letters[0]"),
    ("recipient not object", _letter, _set(["letters", 0, "recipient"], "Pieter"), "letters[0].recipient"),
    ("postalCode number", _letter, _set(["letters", 0, "recipient", "postalCode"], 62704),
     "letters[0].recipient.postalCode"),
    ("message number", _letter, _set(["letters", 0, "message"], 5), "letters[0].message"),
    ("addressLines string", _letter, _set(["letters", 0, "recipient", "addressLines"], "Damrak 1"),
     "letters[0].recipient.addressLines"),
    ("customFields value number", _template, _set(["letters", 1, "recipient", "customFields", "gift_code"], 20),
     "letters[1].recipient.customFields.gift_code"),
    ("attachment number", _letter, _set(["letters", 0, "attachments"], [7]), "letters[0].attachments[0]"),
    ("attachment object without id", _letter, _set(["letters", 0, "attachments"], [{"id": "a"}]),
     "letters[0].attachments[0].assetId"),
    ("metadata array", _letter, _set(["metadata"], ["a"]), "metadata"),
    ("locale number", _letter, _set(["locale"], 1), "locale"),
    # recipients
    ("missing recipient name", _letter, _delete(["letters", 0, "recipient", "name"]), "letters[0].recipient.name"),
    ("blank recipient name", _letter, _set(["letters", 0, "recipient", "name"], "  "), "letters[0].recipient.name"),
    ("missing recipient", _letter, _delete(["letters", 0, "recipient"]), "letters[0].recipient"),
    ("no street", _letter, _delete(["letters", 0, "recipient", "streetAddress"]),
     "letters[0].recipient.streetAddress"),
    ("street without number", _letter,
     lambda b: b["letters"][0]["recipient"].update(street="Main", streetAddress=None),
     "letters[0].recipient.number"),
    ("missing country", _letter, _delete(["letters", 0, "recipient", "country"]), "letters[0].recipient.country"),
    ("unknown country", _letter, _set(["letters", 0, "recipient", "country"], "Narnia"),
     "letters[0].recipient.country"),
    ("wrong postal code for country", _letter, _set(["letters", 0, "recipient", "postalCode"], "1012 AB"),
     "letters[0].recipient.postalCode"),
    ("missing state for US", _letter, _delete(["letters", 0, "recipient", "state"]), "letters[0].recipient.state"),
    ("missing city", _letter, _delete(["letters", 0, "recipient", "city"]), "letters[0].recipient.city"),
    # letters
    ("26 letters", _letter, lambda b: b.update(letters=b["letters"] * 26), "letters"),
    ("no letters", _letter, _set(["letters"], []), "letters"),
    ("US and NL mixed", _letter, _nl_recipient, "letters[1].recipient.country"),
    ("empty letter", _letter, _set(["letters", 0, "message"], "   \n "), "letters[0].message"),
    ("message too long", _letter, _set(["letters", 0, "message"], "x" * 6001), "letters[0].message"),
    ("four attachments", _letter, _set(["letters", 0, "attachments"], ["a", "b", "c", "d"]),
     "letters[0].attachments"),
    ("unknown letter key", _letter, _set(["letters", 0, "subject"], "Hi"), "letters[0].subject"),
    ("stamp ids disagree", _template, _set(["stampImage"], {"assetId": "asset_other"}), "stampImage"),
    # templates
    ("unfillable placeholder", _template, _delete(["letters", 1, "recipient", "customFields"]),
     "letters[1].recipient.customFields.gift_code"),
    ("variableKeys entry missing", _template,
     lambda b: b.update(templateMessage="Hi {{name}}", variableKeys=["gift_code", "coupon"]),
     "letters[0].recipient.customFields.coupon"),
    ("malformed placeholder", _template, _set(["templateMessage"], "Hi {{first name}}"), "templateMessage"),
    ("templateMessage in personal mode", _template, _set(["composeMode"], "personal"), "templateMessage"),
    ("composeMode unknown", _template, _set(["composeMode"], "bulk"), "composeMode"),
    ("template too long once filled", _template,
     _set(["templateMessage"], "x" * 5990 + "{{gift_code}} {{name}}"), "templateMessage"),
    # postcards
    ("postcard recipient and recipients", _postcard, _set(["postcard", "recipients"], [dict(US)]),
     "postcard.recipients"),
    ("postcard without recipient", _postcard, _delete(["postcard", "recipient"]), "postcard.recipient"),
    ("postcard 26 recipients", _postcard,
     lambda b: b["postcard"].update(recipient=None, recipients=[dict(US)] * 26), "postcard.recipients"),
    ("postcard message too long", _postcard, _set(["postcard", "message"], "y" * 1201), "postcard.message"),
    ("postcard without message", _postcard, _delete(["postcard", "message"]), "postcard.message"),
    ("postcard unknown key", _postcard, _set(["postcard", "backImage"], "a"), "postcard.backImage"),
    ("postcard with stamp", _postcard, _set(["stampImageAssetId"], "asset_stamp_123"), "stampImageAssetId"),
    ("postcard recipient bad postal code", _postcard, _set(["postcard", "recipient", "postalCode"], "ABC"),
     "postcard.recipient.postalCode"),
    # top level
    ("letters and postcard", _letter, lambda b: b.update(postcard=_postcard()["postcard"]), "postcard"),
    ("requestType disagrees", _letter, _set(["requestType"], "postcard"), "requestType"),
    ("requestType unknown", _letter, _set(["requestType"], "parcel"), "requestType"),
    ("unknown top-level key", _letter, _set(["idempotencyKey"], "k1"), "idempotencyKey"),
    ("metadata 21 keys", _letter, _set(["metadata"], {f"k{i}": i for i in range(21)}), "metadata"),
    ("metadata nested object", _letter, _set(["metadata"], {"a": {"b": 1}}), "metadata.a"),
    ("metadata null value", _letter, _set(["metadata"], {"a": None}), "metadata.a"),
    ("metadata long key", _letter, _set(["metadata"], {"k" * 41: "v"}), f"metadata.{'k' * 41}"),
    ("metadata long value", _letter, _set(["metadata"], {"k": "v" * 501}), "metadata.k"),
    ("locale unknown", _letter, _set(["locale"], "pt"), "locale"),
    ("paymentMethod unknown", _letter, _set(["paymentMethod"], "paypal"), "paymentMethod"),
    ("senderEmail invalid", _letter, _set(["senderEmail"], "not-an-email"), "senderEmail"),
    ("externalId too long", _letter, _set(["externalId"], "e" * 201), "externalId"),
    ("returnUrl http", _letter, _set(["returnUrl"], "http://example.com/back"), "returnUrl"),
    ("returnUrl relative", _letter, _set(["returnUrl"], "/back"), "returnUrl"),
    ("returnUrl credentials", _letter, _set(["returnUrl"], "https://u:p@example.com/"), "returnUrl"),
    ("returnUrl javascript", _letter, _set(["returnUrl"], "javascript:alert(1)"), "returnUrl"),
    ("returnUrl with space", _letter, _set(["returnUrl"], "https://exa mple.com/"), "returnUrl"),
]


@pytest.mark.parametrize(("label", "base", "mutate", "field"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refusal_names_the_field(label: str, base: Callable[[], dict[str, Any]], mutate: Mutator,
                                 field: str) -> None:
    body = base()
    mutate(body)
    with pytest.raises(InvalidRequest) as exc:
        parse_order(body, mode="test")
    assert exc.value.code == ErrorCode.INVALID_REQUEST
    assert exc.value.field == field
    assert field in exc.value.message


@pytest.mark.parametrize("data", [None, [], "letters", 42])
def test_non_object_body_is_invalid_request(data: object) -> None:
    with pytest.raises(InvalidRequest) as exc:
        parse_order(data, mode="test")
    assert exc.value.field == "body"


def test_message_limit_error_names_limit_and_length() -> None:
    body = _letter()
    body["letters"][0]["message"] = "  " + "x" * 6001 + "\n"
    with pytest.raises(InvalidRequest) as exc:
        parse_order(body, mode="test")
    assert "6001" in exc.value.message and "6000" in exc.value.message


def test_message_is_trimmed_not_cut() -> None:
    body = _letter()
    body["letters"][0]["message"] = "\n  " + "x" * 6000 + "  \n\n"
    assert parse_order(body, mode="test").pieces[0].message == "x" * 6000


def test_return_url_http_localhost_only_in_test_mode() -> None:
    body = _letter()
    body["returnUrl"] = "http://localhost:3000/back"
    assert parse_order(body, mode="test").return_url == "http://localhost:3000/back"
    body["returnUrl"] = "http://127.0.0.1/back"
    assert parse_order(body, mode="test").return_url == "http://127.0.0.1/back"
    with pytest.raises(InvalidRequest) as exc:
        parse_order(body, mode="live")
    assert exc.value.field == "returnUrl"


def test_request_type_inferred_from_postcard() -> None:
    body = _postcard()
    del body["requestType"]
    assert parse_order(body, mode="test").request_type == "postcard"


def test_attachments_accept_ids_and_upload_objects() -> None:
    body = _letter()
    body["letters"][0]["attachments"] = ["asset_a", {"assetId": "asset_b", "kind": "letter-attachment"}]
    assert parse_order(body, mode="test").pieces[0].attachment_ids == ("asset_a", "asset_b")


def test_attachments_only_letter_needs_no_message() -> None:
    body = _letter()
    body["letters"][0] = {"recipient": dict(US), "attachments": ["asset_letter_pdf_123"]}
    piece = parse_order(body, mode="test").pieces[0]
    assert piece.message == "" and piece.attachment_ids == ("asset_letter_pdf_123",)


def test_stamp_image_object_and_front_image_object() -> None:
    body = _template()
    del body["stampImageAssetId"]
    body["stampImage"] = {"assetId": "asset_stamp_9"}
    assert parse_order(body, mode="test").stamp_image_asset_id == "asset_stamp_9"
    card = _postcard()
    card["postcard"]["frontImage"] = "asset_123"
    assert parse_order(card, mode="test").front_image_asset_id == "asset_123"


def test_postcard_template_mode_fills_each_recipient() -> None:
    card = copy.deepcopy(SEED_001_ORDERS["payment_link_postcard"]["postcard"])
    card["composeMode"] = "template"
    card["message"] = "Hi {{ first_name }}, code {{gift_code}}"
    card["variableKeys"] = ["gift_code"]
    second = copy.deepcopy(card["recipients"][0])
    second.update(name="Sam Example", customFields={"gift_code": "SPRING-20"})
    card["recipients"].append(second)
    draft = parse_order({"postcard": card}, mode="test")
    assert [p.message for p in draft.pieces] == ["Hi Pieter, code SPRING-10", "Hi Sam, code SPRING-20"]
    card["recipients"][1]["customFields"] = {}
    with pytest.raises(InvalidRequest) as exc:
        parse_order({"postcard": card}, mode="test")
    assert exc.value.field == "postcard.recipients[1].customFields.gift_code"


def test_personal_message_prints_braces_as_written() -> None:
    body = _letter()
    body["letters"][0]["message"] = "Use {{code}} literally"
    assert parse_order(body, mode="test").pieces[0].message == "Use {{code}} literally"


def test_metadata_accepts_scalars_up_to_twenty() -> None:
    metadata = {f"k{i}": v for i, v in enumerate(["s", 1, 2.5, True, False] * 4)}
    assert parse_metadata(metadata) == metadata
    assert parse_metadata(None) == {}


@pytest.mark.parametrize("value", [2**53 + 1, -(2**53) - 1, 10**1000])
def test_metadata_integers_stay_exact_in_json_clients(value: int) -> None:
    with pytest.raises(InvalidRequest) as raised:
        parse_metadata({"big": value})
    assert raised.value.field == "metadata.big"
    assert parse_metadata({"edge": 2**53}) == {"edge": 2**53}


def test_template_mode_inferred_and_letter_message_overrides_template() -> None:
    body = _template()
    del body["composeMode"]
    body["letters"][1]["message"] = "Dear {{name}}, your own letter."
    draft = parse_order(body, mode="test")
    assert draft.compose_mode == "template"
    assert [p.message for p in draft.pieces] == [
        "Hi Pieter,\nYour spring code is SPRING-10.", "Dear Sam Example, your own letter."]


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (_set(["variableKeys"], [1]), "variableKeys[0]"),
        (_set(["variableKeys"], "gift_code"), "variableKeys"),
        (_set(["templateMessage"], ["Hi"]), "templateMessage"),
    ],
)
def test_template_field_types(mutate: Mutator, field: str) -> None:
    body = _template()
    mutate(body)
    with pytest.raises(InvalidRequest) as exc:
        parse_order(body, mode="test")
    assert exc.value.field == field


def test_postcard_compose_mode_top_level_must_agree() -> None:
    card = _postcard()
    card["composeMode"] = "template"
    card["postcard"]["composeMode"] = "personal"
    with pytest.raises(InvalidRequest) as exc:
        parse_order(card, mode="test")
    assert exc.value.field == "composeMode"
