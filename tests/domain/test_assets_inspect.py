"""Per-kind validation of uploads from their bytes (docs/product.md § Assets)."""
from __future__ import annotations

from pathlib import Path

import pytest

from domain.assets.inspect import inspect_file
from domain.assets.kinds import JPEG, PDF, PNG, AssetKind
from domain.core.errors import ErrorCode, InvalidRequest
from tests.domain.filemakers import encrypted_pdf, image_bytes, pdf_bytes, png_bomb, zero_page_pdf

POSTCARD, ATTACHMENT, STAMP = AssetKind.POSTCARD_IMAGE, AssetKind.LETTER_ATTACHMENT, AssetKind.LETTER_STAMP_IMAGE


def stored(tmp_path: Path, data: bytes, name: str = "upload.bin") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def refused(tmp_path: Path, data: bytes, kind: AssetKind) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as caught:
        inspect_file(stored(tmp_path, data), kind)
    assert caught.value.code is ErrorCode.INVALID_REQUEST and caught.value.field == "file"
    return caught.value


def test_square_png_is_a_valid_postcard_front(tmp_path):
    facts = inspect_file(stored(tmp_path, image_bytes((1000, 1000))), POSTCARD)
    assert (facts.content_type, facts.width, facts.height, facts.page_count) == (PNG, 1000, 1000, 1)


@pytest.mark.parametrize("size", [(1000, 1100), (1100, 1000), (1000, 1011)])
def test_postcard_front_that_is_not_square_within_one_percent_is_refused(tmp_path, size):
    assert "square" in refused(tmp_path, image_bytes(size), POSTCARD).message


def test_postcard_front_within_one_percent_of_square_is_accepted(tmp_path):
    assert inspect_file(stored(tmp_path, image_bytes((1010, 1000), "JPEG")), POSTCARD).content_type == JPEG


def test_postcard_front_below_1000_px_is_refused(tmp_path):
    assert "1000 px" in refused(tmp_path, image_bytes((999, 999)), POSTCARD).message


def test_jpeg_named_png_is_recognised_as_jpeg(tmp_path):
    path = stored(tmp_path, image_bytes((1200, 1200), "JPEG"), "front.png")
    assert inspect_file(path, POSTCARD).content_type == JPEG


@pytest.mark.parametrize("kind", [POSTCARD, STAMP])
def test_image_kinds_refuse_pdfs(tmp_path, kind):
    assert "PNG" in refused(tmp_path, pdf_bytes(1), kind).message


def test_unknown_content_is_refused_whatever_the_kind(tmp_path):
    for kind in AssetKind:
        refused(tmp_path, b"<svg xmlns='http://www.w3.org/2000/svg'/>", kind)


def test_letter_attachment_pdf_pages_are_counted(tmp_path):
    facts = inspect_file(stored(tmp_path, pdf_bytes(3)), ATTACHMENT)
    assert (facts.content_type, facts.page_count) == (PDF, 3)


def test_letter_attachment_image_counts_as_one_page(tmp_path):
    facts = inspect_file(stored(tmp_path, image_bytes((640, 480), "JPEG")), ATTACHMENT)
    assert (facts.content_type, facts.page_count) == (JPEG, 1)


def test_encrypted_pdf_is_refused(tmp_path):
    assert "encrypted" in refused(tmp_path, encrypted_pdf(), ATTACHMENT).message


def test_pdf_without_pages_is_refused(tmp_path):
    assert "no pages" in refused(tmp_path, zero_page_pdf(), ATTACHMENT).message


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_broken_pdf_is_refused(tmp_path, damage):
    good = pdf_bytes(2)
    data = good[: len(good) // 3] if damage == "truncated" else b"%PDF-1.7\n" + b"\x00garbage" * 200
    assert "could not be read" in refused(tmp_path, data, ATTACHMENT).message


def test_truncated_jpeg_is_refused(tmp_path):
    from PIL import Image
    import io
    import random

    noisy = Image.frombytes("RGB", (600, 600), random.Random(4).randbytes(600 * 600 * 3))
    out = io.BytesIO()
    noisy.save(out, "JPEG")
    assert "damaged" in refused(tmp_path, out.getvalue()[:-5000], ATTACHMENT).message


@pytest.mark.parametrize("side", [8_000, 20_000])  # 64 MP (Pillow warning) and 400 MP (Pillow error)
def test_decompression_bomb_is_refused(tmp_path, side):
    bomb = png_bomb(side)
    assert len(bomb) < 1_000_000
    assert "decompression bomb" in refused(tmp_path, bomb, ATTACHMENT).message


def test_exif_orientation_decides_width_and_height(tmp_path):
    facts = inspect_file(stored(tmp_path, image_bytes((1200, 1000), "JPEG", orientation=6)), STAMP)
    assert (facts.width, facts.height) == (1000, 1200)


def test_stamp_accepts_png_with_transparency(tmp_path):
    facts = inspect_file(stored(tmp_path, image_bytes((200, 120), mode="RGBA")), STAMP)
    assert facts.content_type == PNG
