"""The currencies wallets, orders and top-ups are kept in; prices are in euro cents."""
from __future__ import annotations

from domain.core.errors import InvalidRequest

DEFAULT_CURRENCY = "eur"  # orders are priced in it; the first wallet of every account holds it
CURRENCIES = (DEFAULT_CURRENCY, "usd")
SYMBOLS = {"eur": "€", "usd": "$"}  # how pages write amounts in each currency


def parse_currency(value: object, field: str = "currency") -> str:
    """A known currency code in lower case; missing means ``DEFAULT_CURRENCY``."""
    if value is None:
        return DEFAULT_CURRENCY
    if not isinstance(value, str) or value.lower() not in CURRENCIES:
        raise InvalidRequest(f"{field} must be {' or '.join(f'{c!r}' for c in CURRENCIES)}.".replace("'", '"'),
                             field=field)
    return value.lower()
