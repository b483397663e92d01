"""The recipient shape shared by letters, postcards, compose links and Mailbook contacts.

SPEC "Domain rules" > Recipient: ``name`` plus either ``addressLines`` (printed as given)
or structured fields (``streetAddress``, or ``street`` + ``number``, with ``postalCode``,
``city``, ``country`` and ``state`` where the destination needs one). No free-form address
parsing: the only thing read out of ``addressLines`` is a last line that names a country,
when ``country`` itself is absent.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain.orders.addresses import check_address, lookup_country, normalize_country
from domain.core.errors import InvalidRequest
from domain.orders.fields import check_single_line, expect_object, opt_list, opt_str, str_list, type_error

TEXT_MAX = 200
ADDRESS_LINES_MAX = 8
CUSTOM_FIELDS_MAX = 50
CUSTOM_KEY_MAX = 40
CUSTOM_VALUE_MAX = 500

# Countries that write the house number before the street name ("123 Main Street").
# Hand-written: neither pycountry nor the i18n address data records this convention.
_NUMBER_FIRST = frozenset({"US", "CA", "AU", "NZ", "GB", "IE", "FR", "LU", "MC", "ZA", "IN", "SG", "PH", "MY", "IL"})


@dataclass(frozen=True)
class Recipient:
    """A validated recipient; ``address_lines`` are the lines printed under the name."""

    name: str
    country: str  # ISO 3166-1 alpha-2
    address_lines: tuple[str, ...]
    street_address: str | None = None
    street: str | None = None
    number: str | None = None
    postal_code: str | None = None
    city: str | None = None
    state: str | None = None
    extra: str | None = None
    id: str | None = None
    custom_fields: dict[str, str] = field(default_factory=dict)

    @property
    def is_us(self) -> bool:
        """US letters print on US Letter paper (others on A4), so orders never mix them."""
        return self.country == "US"

    @property
    def print_lines(self) -> tuple[str, ...]:
        """Name then address lines: what goes in the envelope window / postcard address box."""
        return (self.name, *self.address_lines)

    def to_payload(self) -> dict[str, Any]:
        """Normalised camelCase form; parsing it again gives an equal ``Recipient``."""
        out: dict[str, Any] = {"name": self.name, "addressLines": list(self.address_lines)}
        for key, value in (
            ("streetAddress", self.street_address), ("street", self.street),
            ("number", self.number), ("postalCode", self.postal_code), ("city", self.city),
            ("state", self.state), ("country", self.country), ("extra", self.extra),
            ("id", self.id),
        ):
            if value is not None:
                out[key] = value
        if self.custom_fields:
            out["customFields"] = dict(self.custom_fields)
        return out


def _custom_fields(value: object, path: str) -> dict[str, str]:
    if value is None:
        return {}
    obj = expect_object(value, path)
    if len(obj) > CUSTOM_FIELDS_MAX:
        raise InvalidRequest(f"{path} has {len(obj)} keys; at most {CUSTOM_FIELDS_MAX}", field=path)
    out: dict[str, str] = {}
    for key, item in obj.items():
        where = f"{path}.{key}"
        if not isinstance(key, str) or not key.strip() or len(key) > CUSTOM_KEY_MAX:
            raise InvalidRequest(f"{where}: customFields keys must be 1 to {CUSTOM_KEY_MAX} characters",
                                 field=where)
        if not isinstance(item, str):
            raise type_error(where, "a string", item)
        if len(item) > CUSTOM_VALUE_MAX:
            raise InvalidRequest(f"{where} is longer than {CUSTOM_VALUE_MAX} characters", field=where)
        out[key] = item
    return out


def _street_line(country: str, street: str, number: str) -> str:
    return f"{number} {street}" if country in _NUMBER_FIRST else f"{street} {number}"


def parse_recipient(data: object, path: str = "recipient") -> Recipient:
    """Validate one recipient object; unknown keys are ignored (schema allows them)."""
    obj = expect_object(data, path)
    name = opt_str(obj, "name", path, max_len=TEXT_MAX)
    if name is None:
        raise InvalidRequest(f"{path}.name is required", field=f"{path}.name")
    check_single_line(name, f"{path}.name")
    text = {key: opt_str(obj, key, path, max_len=TEXT_MAX) for key in (
        "streetAddress", "street", "number", "postalCode", "city", "state", "extra", "id", "country"
    )}
    for key, value in text.items():
        if value is not None:
            check_single_line(value, f"{path}.{key}")
    custom = _custom_fields(obj.get("customFields"), f"{path}.customFields")
    raw_lines = opt_list(obj, "addressLines", path)
    lines = tuple(x for x in str_list(raw_lines or [], f"{path}.addressLines", max_len=TEXT_MAX) if x)
    for i, line in enumerate(str_list(raw_lines or [], f"{path}.addressLines", max_len=TEXT_MAX)):
        check_single_line(line, f"{path}.addressLines[{i}]")
    if len(lines) > ADDRESS_LINES_MAX:
        raise InvalidRequest(
            f"{path}.addressLines has {len(lines)} lines; at most {ADDRESS_LINES_MAX}",
            field=f"{path}.addressLines",
        )
    street_address = text["streetAddress"]
    if lines:
        country_text = text["country"]
        if country_text is not None:
            country = normalize_country(country_text, f"{path}.country")
        else:
            guessed = lookup_country(lines[-1])
            if guessed is None:
                raise InvalidRequest(
                    f"{path}.country is required (the last of addressLines does not name a country)",
                    field=f"{path}.country",
                )
            country = guessed
        checked = check_address(
            country, path=path, city=text["city"], postal_code=text["postalCode"],
            state=text["state"], complete=False,
        )
    else:
        if text["country"] is None:
            raise InvalidRequest(f"{path}.country is required", field=f"{path}.country")
        country = normalize_country(text["country"], f"{path}.country")
        if street_address is None:
            if text["street"] and text["number"]:
                street_address = _street_line(country, text["street"], text["number"])
            elif text["street"]:
                raise InvalidRequest(f"{path}.number is required with street", field=f"{path}.number")
            else:
                raise InvalidRequest(
                    f"{path}.streetAddress is required (or addressLines, or street plus number)",
                    field=f"{path}.streetAddress",
                )
        street_lines = (street_address,) + ((text["extra"],) if text["extra"] else ())
        checked = check_address(
            country, path=path, street_lines=street_lines, city=text["city"],
            postal_code=text["postalCode"], state=text["state"], complete=True,
        )
        lines = checked.lines
    return Recipient(
        name=name, country=country, address_lines=lines, street_address=street_address,
        street=text["street"], number=text["number"], postal_code=checked.postal_code,
        city=text["city"], state=checked.state, extra=text["extra"], id=text["id"],
        custom_fields=custom,
    )
