"""Order payloads: raw JSON body -> validated, template-resolved ``OrderDraft``.

One parser for REST ``/v1`` bodies and MCP tool arguments (the MCP adapter strips its own
keys ``mode``, ``idempotencyKey``, ``confirmLiveSend``, ``maxAmountCents`` first), so both
faces accept and refuse exactly the same payloads (docs/product.md § Letters and postcards). Pure: no
database, no asset lookups, no page counting; those happen in ``domain.orders.orders``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from domain.core.errors import InvalidRequest
from domain.orders.fields import (
    EXTERNAL_ID_MAX, LOCALES, PAYMENT_METHODS, asset_ref, check_strings, expect_object, opt_choice, opt_list,
    opt_str, parse_email, parse_metadata, parse_return_url, reject_unknown, str_list, type_error,
)
from domain.orders.recipients import Recipient, parse_recipient
from domain.orders.templates import check_variable_keys, placeholders, render

__all__ = [
    "OrderDraft", "PieceDraft", "Recipient", "parse_metadata", "parse_order", "parse_recipient",
]

RequestType = Literal["letter", "postcard"]
REQUEST_TYPES: tuple[RequestType, ...] = ("letter", "postcard")
COMPOSE_MODES = ("personal", "template")
ComposeMode = Literal["personal", "template"]
MAX_PIECES = 25
LETTER_MESSAGE_MAX = 6000
POSTCARD_MESSAGE_MAX = 1200  # one limit for REST and MCP (docs/product.md § Limits)
ATTACHMENTS_MAX = 3
VARIABLE_KEYS_MAX = 50

_COMMON = {"requestType", "letters", "postcard", "externalId", "senderEmail", "locale",
           "metadata", "returnUrl", "paymentMethod", "composeMode", "variableKeys"}
_LETTER_ONLY = {"templateMessage", "stampImageAssetId", "stampImage"}
_LETTER_KEYS = ("recipient", "message", "attachments")
_POSTCARD_KEYS = ("recipient", "recipients", "message", "frontImageAssetId", "frontImage",
                  "composeMode", "variableKeys")


@dataclass(frozen=True)
class PieceDraft:
    """One letter or postcard for one recipient; ``message`` is final print text."""

    recipient: Recipient
    message: str
    attachment_ids: tuple[str, ...] = ()
    recipient_path: str = "recipient"  # where the caller sent it, for errors found later (print fit)

    def to_payload(self) -> dict[str, Any]:
        return {"recipient": self.recipient.to_payload(), "message": self.message,
                "attachments": list(self.attachment_ids)}


@dataclass(frozen=True)
class OrderDraft:
    """A validated order request, ready for pricing and storage."""

    request_type: RequestType
    pieces: tuple[PieceDraft, ...]
    compose_mode: ComposeMode = "personal"
    stamp_image_asset_id: str | None = None
    front_image_asset_id: str | None = None
    external_id: str | None = None
    sender_email: str | None = None
    locale: str = "en"
    metadata: dict[str, str | int | float | bool] = field(default_factory=dict)
    return_url: str | None = None
    payment_method: str = "auto"
    template_message: str | None = None  # letters: templateMessage; postcards: the template
    variable_keys: tuple[str, ...] = ()

    @property
    def recipient_count(self) -> int:
        return len(self.pieces)

    @property
    def names_assets(self) -> bool:
        """Whether pricing must look anything up (a stamp, a card front, an attachment)."""
        return bool(self.stamp_image_asset_id or self.front_image_asset_id
                    or any(piece.attachment_ids for piece in self.pieces))


def _same_asset(obj: dict[str, Any], id_key: str, ref_key: str, path: str) -> str | None:
    """``fooAssetId`` and ``foo`` are synonyms (as upload_asset returns them); both given must agree."""
    prefix = f"{path}." if path else ""
    by_id = asset_ref(obj[id_key], prefix + id_key) if obj.get(id_key) is not None else None
    by_ref = asset_ref(obj[ref_key], prefix + ref_key) if obj.get(ref_key) is not None else None
    if by_id and by_ref and by_id != by_ref:
        raise InvalidRequest(f"{prefix}{id_key} and {prefix}{ref_key} name different assets",
                             field=prefix + ref_key)
    return by_id or by_ref


def _variable_keys(obj: dict[str, Any], path: str) -> tuple[str, ...]:
    where = f"{path}.variableKeys" if path else "variableKeys"
    keys = tuple(k for k in str_list(opt_list(obj, "variableKeys", path) or [], where, max_len=40) if k)
    if len(keys) > VARIABLE_KEYS_MAX:
        raise InvalidRequest(f"{where} has {len(keys)} entries; at most {VARIABLE_KEYS_MAX}", field=where)
    return keys


def _items(value: object, path: str, noun: str) -> list[Any]:
    if not isinstance(value, list):
        raise type_error(path, "an array", value)
    if not 1 <= len(value) <= MAX_PIECES:
        raise InvalidRequest(
            f"{path} has {len(value)} {noun}; 1 to {MAX_PIECES} are allowed per order", field=path
        )
    return value


def _final_text(text: str, limit: int, path: str, recipient_path: str, templated: bool) -> str:
    """docs/product.md § Limits: trim, then refuse (never cut) what is still too long."""
    text = text.strip()
    if len(text) > limit:
        detail = f" once filled in for {recipient_path}" if templated else " after trimming"
        raise InvalidRequest(
            f"{path} is {len(text)} characters{detail}; the limit is {limit}", field=path
        )
    return text


def _compose(text: str | None, template: bool, keys: tuple[str, ...], recipient: Recipient,
             text_path: str, recipient_path: str, limit: int) -> str:
    if template:
        check_variable_keys(keys, recipient, recipient_path)
    if text is None:
        return ""
    if template:
        text = render(text, recipient, template_path=text_path, recipient_path=recipient_path)
    return _final_text(text, limit, text_path, recipient_path, template)


def _compose_mode(value: str | None, template_text: str | None, path: str) -> ComposeMode:
    if value is None:
        return "template" if template_text is not None else "personal"
    if value == "personal" and template_text is not None:
        raise InvalidRequest(f"templateMessage needs {path} \"template\"", field="templateMessage")
    return "template" if value == "template" else "personal"


def _parse_letters(body: dict[str, Any]) -> dict[str, Any]:
    """Letters; in template mode a letter's own ``message`` is its template, else templateMessage."""
    letters = _items(body["letters"], "letters", "letters")
    template_text = opt_str(body, "templateMessage", "")
    mode = _compose_mode(opt_choice(body, "composeMode", "", ("personal", "template")),
                         template_text, "composeMode")
    keys = _variable_keys(body, "")
    if template_text is not None:
        placeholders(template_text, "templateMessage")
    pieces: list[PieceDraft] = []
    for i, raw in enumerate(letters):
        path = f"letters[{i}]"
        letter = expect_object(raw, path)
        reject_unknown(letter, _LETTER_KEYS, path)
        if letter.get("recipient") is None:
            raise InvalidRequest(f"{path}.recipient is required", field=f"{path}.recipient")
        recipient = parse_recipient(letter["recipient"], f"{path}.recipient")
        attachments = opt_list(letter, "attachments", path) or []
        if len(attachments) > ATTACHMENTS_MAX:
            raise InvalidRequest(
                f"{path}.attachments has {len(attachments)} items; at most {ATTACHMENTS_MAX}",
                field=f"{path}.attachments",
            )
        ids = tuple(asset_ref(a, f"{path}.attachments[{j}]") for j, a in enumerate(attachments))
        own = opt_str(letter, "message", path)
        text_path = f"{path}.message" if own is not None or mode == "personal" else "templateMessage"
        source = own if own is not None or mode == "personal" else template_text
        message = _compose(source, mode == "template", keys, recipient, text_path,
                           f"{path}.recipient", LETTER_MESSAGE_MAX)
        if not message and not ids:
            raise InvalidRequest(f"{path}.message is required when a letter has no attachments",
                                 field=f"{path}.message")
        pieces.append(PieceDraft(recipient, message, ids, f"{path}.recipient"))
    first = pieces[0].recipient
    for i, piece in enumerate(pieces):
        if piece.recipient.is_us != first.is_us:
            raise InvalidRequest(
                f"letters[{i}].recipient.country is {piece.recipient.country} but letters[0] goes to "
                f"{first.country}: US and non-US recipients cannot be combined in one letter order; "
                "send two orders",
                field=f"letters[{i}].recipient.country",
            )
    return dict(request_type="letter", pieces=tuple(pieces), compose_mode=mode,
                stamp_image_asset_id=_same_asset(body, "stampImageAssetId", "stampImage", ""),
                template_message=template_text, variable_keys=keys)


def _parse_postcard(body: dict[str, Any]) -> dict[str, Any]:
    for key in _LETTER_ONLY:
        if body.get(key) is not None:
            raise InvalidRequest(f"{key} applies to letters only", field=key)
    card = expect_object(body["postcard"], "postcard")
    reject_unknown(card, _POSTCARD_KEYS, "postcard")
    one, many = card.get("recipient"), card.get("recipients")
    if (one is None) == (many is None):
        raise InvalidRequest("Provide exactly one of postcard.recipient or postcard.recipients",
                             field="postcard.recipients" if one is not None else "postcard.recipient")
    raws = [("postcard.recipient", one)] if one is not None else [
        (f"postcard.recipients[{i}]", r) for i, r in enumerate(_items(many, "postcard.recipients", "recipients"))
    ]
    mode_value = opt_choice(card, "composeMode", "postcard", ("personal", "template"))
    top_mode = opt_choice(body, "composeMode", "", ("personal", "template"))
    if mode_value and top_mode and mode_value != top_mode:
        raise InvalidRequest("composeMode and postcard.composeMode disagree", field="composeMode")
    mode: ComposeMode = "template" if (mode_value or top_mode) == "template" else "personal"
    keys = _variable_keys(card, "postcard") or _variable_keys(body, "")
    text = opt_str(card, "message", "postcard")
    if text is None:
        raise InvalidRequest("postcard.message is required", field="postcard.message")
    pieces = []
    for path, raw in raws:
        recipient = parse_recipient(raw, path)
        message = _compose(text, mode == "template", keys, recipient, "postcard.message", path,
                           POSTCARD_MESSAGE_MAX)
        pieces.append(PieceDraft(recipient, message, recipient_path=path))
    return dict(request_type="postcard", pieces=tuple(pieces), compose_mode=mode,
                front_image_asset_id=_same_asset(card, "frontImageAssetId", "frontImage", "postcard"),
                template_message=text if mode == "template" else None, variable_keys=keys)


def parse_order(data: object, *, mode: Literal["test", "live"]) -> OrderDraft:
    """Validate a letter or postcard order body; every failure is ``InvalidRequest`` with a path."""
    body = expect_object(data, "body")
    check_strings(body)
    reject_unknown(body, _COMMON | _LETTER_ONLY, "")
    has_letters, has_postcard = body.get("letters") is not None, body.get("postcard") is not None
    if has_letters == has_postcard:
        raise InvalidRequest("Provide exactly one of letters or postcard",
                             field="postcard" if has_letters else "letters")
    request_type = opt_choice(body, "requestType", "", REQUEST_TYPES)
    implied = "letter" if has_letters else "postcard"
    if request_type is not None and request_type != implied:
        raise InvalidRequest(
            f"requestType {request_type!r} needs {'letters' if request_type == 'letter' else 'postcard'}",
            field="requestType",
        )
    common = dict(  # cheap top-level checks first, before per-recipient address work
        external_id=opt_str(body, "externalId", "", max_len=EXTERNAL_ID_MAX),
        sender_email=parse_email(body, "senderEmail"),
        locale=opt_choice(body, "locale", "", LOCALES) or "en",
        metadata=parse_metadata(body.get("metadata")),
        return_url=parse_return_url(body, "returnUrl", mode),
        payment_method=opt_choice(body, "paymentMethod", "", PAYMENT_METHODS) or "auto",
    )
    parts = _parse_letters(body) if has_letters else _parse_postcard(body)
    return OrderDraft(**common, **parts)
