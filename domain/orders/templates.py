"""Template messages: ``{{placeholder}}`` substitution per recipient (docs/product.md § Letters and postcards).

Built-in placeholders come from the recipient's address; any other key must be in the
recipient's ``customFields``. A placeholder the recipient cannot fill is refused with the
recipient path and the key, so nothing is ever printed with a blank. Substitution is one
pass with a small regex rather than a template engine (Jinja etc.): values are never
re-evaluated, so a ``customFields`` value containing ``{{...}}`` prints literally, and no
logic or attribute access is reachable from user text. Line breaks are left untouched.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from domain.orders.addresses import country_name
from domain.core.errors import InvalidRequest
from domain.orders.recipients import Recipient

_PLACEHOLDER = re.compile(r"\{\{([^{}]*)\}\}")
_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")

# placeholder -> the recipient field that feeds it (used to name the field in errors)
BUILTINS: dict[str, str] = {
    "name": "name",
    "first_name": "name",
    "address": "addressLines",
    "street": "streetAddress",
    "city": "city",
    "postal_code": "postalCode",
    "country": "country",
}


def placeholders(template: str, path: str) -> tuple[str, ...]:
    """Keys used in ``template`` in order of first use; malformed ``{{ }}`` is refused."""
    keys: list[str] = []
    for match in _PLACEHOLDER.finditer(template):
        key = match.group(1).strip()
        if not _KEY.fullmatch(key):
            raise InvalidRequest(
                f"{path} has a malformed placeholder {match.group(0)[:60]!r}; use {{{{key}}}} "
                "with letters, digits, '_', '-' or '.'",
                field=path,
            )
        if key not in keys:
            keys.append(key)
    return tuple(keys)


def builtin_values(recipient: Recipient) -> dict[str, str]:
    """Built-in placeholder values this recipient can fill (missing ones are left out)."""
    first = recipient.name.split()[0] if recipient.name.split() else ""
    values = {
        "name": recipient.name,
        "first_name": first,
        "address": ", ".join(recipient.address_lines),
        "street": recipient.street_address or "",
        "city": recipient.city or "",
        "postal_code": recipient.postal_code or "",
        "country": country_name(recipient.country) if recipient.country else "",
    }
    return {key: value for key, value in values.items() if value.strip()}


def _values(recipient: Recipient) -> dict[str, str]:
    # customFields win over built-ins: a caller's explicit first_name beats our guess.
    values = builtin_values(recipient)
    values.update({k: v for k, v in recipient.custom_fields.items() if v.strip()})
    return values


def _unfillable(key: str, recipient_path: str, where: str) -> InvalidRequest:
    if key in BUILTINS:
        field = f"{recipient_path}.{BUILTINS[key]}"
        return InvalidRequest(
            f"{{{{{key}}}}} in {where} cannot be filled for {recipient_path}: {field} is missing",
            field=field,
        )
    field = f"{recipient_path}.customFields.{key}"
    return InvalidRequest(
        f"{{{{{key}}}}} in {where} cannot be filled for {recipient_path}: {field} is missing or empty",
        field=field,
    )


def check_variable_keys(keys: Iterable[str], recipient: Recipient, recipient_path: str) -> None:
    """Every declared ``variableKeys`` entry must have a non-empty value for this recipient."""
    values = _values(recipient)
    for key in keys:
        if key not in values:
            raise _unfillable(key, recipient_path, "variableKeys")


def render(template: str, recipient: Recipient, *, template_path: str, recipient_path: str) -> str:
    """Fill every placeholder for one recipient or raise naming the recipient and the key."""
    placeholders(template, template_path)  # syntax first, with the template's own path
    values = _values(recipient)

    def fill(match: re.Match[str]) -> str:
        key = match.group(1).strip()
        if key not in values:
            raise _unfillable(key, recipient_path, template_path)
        return values[key]

    return _PLACEHOLDER.sub(fill, template)
