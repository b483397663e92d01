"""Pricing (docs/product.md § Pricing): the documented example amounts come out of the defaults."""
from __future__ import annotations

import pytest

from domain.core.errors import InvalidRequest
from domain.orders.payloads import OrderDraft, parse_order
from domain.money.pricing import check_letter_pages, letter_price_cents, postcard_price_cents
from domain.core.settings import Settings
from tests.domain.seed_examples import SEED_002_ORDERS

SETTINGS = Settings()
ATTACHMENT_PAGES = {"asset_letter_pdf_123": 1}  # the seed's receipt.pdf: one page


def _quote(draft: OrderDraft, settings: Settings = SETTINGS) -> int:
    """Sum over pieces with one message page each, as the seed's short messages print."""
    if draft.request_type == "postcard":
        return postcard_price_cents(settings) * draft.recipient_count
    total = 0
    for piece in draft.pieces:
        pages = (1 if piece.message else 0) + sum(ATTACHMENT_PAGES[a] for a in piece.attachment_ids)
        total += letter_price_cents(pages, draft.stamp_image_asset_id is not None, settings)
    return total


@pytest.mark.parametrize(
    ("example", "amount"),
    [
        ("direct_letter", 200),            # single letter
        ("letter_checkout", 200),
        ("postcard_checkout", 250),        # postcard
        ("bulk_template_letters", 460),    # 2 template letters with a custom stamp
        ("letter_with_attachment", 250),   # letter + 1-page PDF attachment
    ],
)
def test_seed_examples_price_as_documented(example: str, amount: int) -> None:
    assert _quote(parse_order(SEED_002_ORDERS[example], mode="test")) == amount


@pytest.mark.parametrize(
    ("pages", "stamp", "cents"),
    [(1, False, 200), (2, False, 250), (8, False, 550), (1, True, 230), (3, True, 330)],
)
def test_letter_price(pages: int, stamp: bool, cents: int) -> None:
    assert letter_price_cents(pages, stamp, SETTINGS) == cents


def test_prices_follow_settings() -> None:
    custom = Settings(price_letter_cents=100, price_letter_extra_page_cents=10,
                      price_letter_custom_stamp_cents=5, price_postcard_cents=99)
    assert letter_price_cents(3, True, custom) == 125
    assert postcard_price_cents(custom) == 99


def test_postcard_price_default() -> None:
    assert postcard_price_cents(SETTINGS) == 250


def test_zero_pages_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        letter_price_cents(0, False, SETTINGS)


@pytest.mark.parametrize("pages", [1, 8])
def test_page_limit_allows_up_to_max(pages: int) -> None:
    check_letter_pages(pages, SETTINGS, "letters[0]")


def test_page_limit_refuses_more_and_names_the_letter() -> None:
    with pytest.raises(InvalidRequest) as exc:
        check_letter_pages(9, SETTINGS, "letters[4]")
    assert exc.value.field == "letters[4]"
    assert "letters[4]" in exc.value.message and "9" in exc.value.message and "8" in exc.value.message


def test_page_limit_is_configurable() -> None:
    with pytest.raises(InvalidRequest):
        check_letter_pages(3, Settings(letter_max_pages=2), "letters[0]")


@pytest.mark.parametrize("pages", [0, -1])
def test_page_check_refuses_a_letter_without_pages(pages: int) -> None:
    with pytest.raises(ValueError, match="at least one page"):
        check_letter_pages(pages, SETTINGS, "letters[0]")
