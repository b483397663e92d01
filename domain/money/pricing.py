"""Prices per piece (docs/product.md § Pricing); the quote is the sum over pieces.

Defaults (``domain.core.settings.Settings.price_*``, EUR or USD cents): a letter is 200 including
one page, +50 per extra page (message or attachment), +30 when the order uses a custom
stamp; a postcard is 250. Page counts come from the print layout, never from here.
"""
from __future__ import annotations

from domain.core.errors import InvalidRequest
from domain.core.settings import Settings


def check_letter_pages(pages: int, settings: Settings, path: str) -> None:
    """Message pages + attachment pages <= ``letter_max_pages`` per letter."""
    if pages < 1:
        raise ValueError(f"a letter has at least one page, got {pages}")
    if pages > settings.letter_max_pages:
        raise InvalidRequest(
            f"{path} would print {pages} pages (message plus attachments); "
            f"the limit is {settings.letter_max_pages} pages per letter",
            field=path,
        )


def letter_price_cents(pages: int, custom_stamp: bool, settings: Settings) -> int:
    """Price of one letter with ``pages`` printed pages."""
    if pages < 1:
        raise ValueError(f"a letter has at least one page, got {pages}")
    price = settings.price_letter_cents + (pages - 1) * settings.price_letter_extra_page_cents
    if custom_stamp:
        price += settings.price_letter_custom_stamp_cents
    return price


def postcard_price_cents(settings: Settings) -> int:
    """Price of one postcard (one per recipient)."""
    return settings.price_postcard_cents
