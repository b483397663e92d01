"""The country list for address forms: ISO 3166-1 codes with names in the page's language.

Names come from ``pycountry`` and its shipped translations (the same data the address rules
use), so the form can only send a country the recipient parser knows.
"""
from __future__ import annotations

import gettext
from functools import lru_cache

import pycountry

from domain.orders.addresses import lookup_country


@lru_cache(maxsize=8)
def _choices(locale: str) -> tuple[tuple[str, str], ...]:
    tr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale], fallback=True)
    names = [(c.alpha_2, tr.gettext(getattr(c, "common_name", None) or c.name)) for c in pycountry.countries]
    return tuple(sorted(names, key=lambda pair: pair[1].casefold()))


def country_options(locale: str, current: str | None) -> list[dict[str, object]]:
    """``[{code, name, selected}]`` sorted by name; ``current`` (a name or code) is preselected.
    An unknown current value stays as the first option so the form never silently changes it."""
    code = lookup_country(current) if current else None
    options: list[dict[str, object]] = [{"code": c, "name": n, "selected": c == code} for c, n in _choices(locale)]
    if current and code is None:
        options.insert(0, {"code": current, "name": current, "selected": True})
    return options
