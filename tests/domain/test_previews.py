"""domain.printing.previews: page counts and print-area outlines match the PDF; the cache is byte-bounded."""
from __future__ import annotations

import pytest

from domain.core.errors import InvalidRequest
from domain.orders.recipients import parse_recipient
from domain.printing import LetterPiece, PostcardPiece
from domain.printing import previews
from tests.domain.filemakers import image_bytes, pdf_bytes

TO = parse_recipient({"name": "Erika Mustermann", "street": "Hauptstraße", "number": "1", "postalCode": "10115",
                      "city": "Berlin", "country": "DE"}).print_lines


def test_letter_with_attachment_and_postcard_count_their_pages_and_outline_the_print_areas() -> None:
    pieces = [LetterPiece(TO, "Hallo Erika", attachments=[pdf_bytes(2)]), PostcardPiece(TO, "Grüße!")]
    doc = previews.render_document("k", pieces)
    assert doc.page_count == 5  # letter page + 2 attachment pages, card front + back
    kinds = [(o.page, o.kind) for o in doc.overlays]
    assert kinds == [(1, "window"), (1, "stamp"), (4, "front"), (5, "stamp"), (5, "address")]
    window = doc.overlays[0]  # DIN 5008 window: 20 mm from the left, 45 mm from the top of 210 x 297 mm
    assert window.left == pytest.approx(100 * 20 / 210, abs=0.01)
    assert window.top == pytest.approx(100 * 45 / 297, abs=0.01)
    assert previews.rasterise(doc.pdf, 5, 300).startswith(b"\x89PNG")
    with pytest.raises(InvalidRequest) as missing:
        previews.page_png(doc, 6, 300, previews.PreviewCache())
    assert missing.value.field == "page"


def test_a_page_without_colour_is_grey_and_a_coloured_page_keeps_its_colour() -> None:
    import io

    from PIL import Image

    blue = (40, 90, 160)
    doc = previews.render_document("colour", [PostcardPiece(TO, "Grüße!", front=image_bytes((1800, 1240), color=blue))])
    letter = previews.render_document("grey", [LetterPiece(TO, "Hallo Erika")])
    grey = Image.open(io.BytesIO(previews.rasterise(letter.pdf, 1, 300)))
    card = Image.open(io.BytesIO(previews.rasterise(doc.pdf, 1, 300)))
    assert grey.mode == "L"
    assert card.mode == "RGB"
    assert card.getpixel((card.width // 2, card.height // 2)) == pytest.approx(blue, abs=2)


def test_content_key_changes_with_any_input() -> None:
    base = previews.piece_parts(LetterPiece(TO, "Hallo"))
    assert previews.content_key([base]) == previews.content_key([dict(base)])
    assert previews.content_key([base]) != previews.content_key([{**base, "message": "Hallo!"}])
    assert previews.content_key([base]) != previews.content_key([{**base, "us": True}])


def test_cache_drops_the_least_recently_used_beyond_its_byte_budget() -> None:
    cache = previews.PreviewCache(max_bytes=250)
    for n in range(3):
        cache.put_png("k", n, 100, bytes(100))
    assert cache.png("k", 0, 100) is None and cache.png("k", 2, 100) is not None
    cache.png("k", 1, 100)  # recently used: kept over page 2
    cache.put_png("k", 3, 100, bytes(100))
    assert cache.png("k", 1, 100) is not None and cache.png("k", 2, 100) is None


@pytest.mark.parametrize(("width", "ok"), [(None, 800), ("", 800), ("120", 120), ("1600", 1600)])
def test_width_bounds(width, ok) -> None:  # type: ignore[no-untyped-def]
    assert previews.check_width(width) == ok


@pytest.mark.parametrize("width", ["119", "1601", "wide", "-5"])
def test_width_outside_bounds_names_the_field(width) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidRequest) as bad:
        previews.check_width(width)
    assert bad.value.field == "width"


@pytest.mark.parametrize("page", ["0", "65", "x"])
def test_page_outside_bounds_names_the_field(page) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidRequest) as bad:
        previews.check_page(page)
    assert bad.value.field == "page"
