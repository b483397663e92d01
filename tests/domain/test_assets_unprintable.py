"""Uploads that pass a header check but cannot be printed are refused at upload time.

Before: a PNG whose pixel data is not valid zlib (chunk CRCs correct) or a PDF page with an
empty box was accepted, priced and paid for, then the proof and the print hand-off failed
with a 500.
"""
from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.generic import RectangleObject

from domain.assets.inspect import inspect_file
from domain.assets.kinds import AssetKind
from domain.core.errors import InvalidRequest
from tests.domain.filemakers import image_bytes


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_with_idat(side: int, idat: bytes) -> bytes:
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def pdf_with_box(box: list[float]) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842).mediabox = RectangleObject(box)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _refused(tmp_path: Path, data: bytes, kind: AssetKind) -> InvalidRequest:
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    with pytest.raises(InvalidRequest) as caught:
        inspect_file(path, kind)
    assert caught.value.field == "file"
    return caught.value


@pytest.mark.parametrize("idat", [b"not zlib at all" * 8, zlib.compress(b"\x00" * 100)],
                         ids=["garbage", "too-short"])
@pytest.mark.parametrize("kind", list(AssetKind))
def test_png_whose_pixels_do_not_decode_is_refused(tmp_path: Path, idat: bytes, kind: AssetKind) -> None:
    assert "damaged" in _refused(tmp_path, png_with_idat(1000, idat), kind).message


def test_truncated_jpeg_is_refused(tmp_path: Path) -> None:
    data = image_bytes((1000, 1000), "JPEG")
    _refused(tmp_path, data[: len(data) // 2], AssetKind.POSTCARD_IMAGE)


@pytest.mark.parametrize("box", [[0, 0, 0, 0], [0, 0, 595, 0], [0, 0, -595, -842]])
def test_pdf_page_with_an_empty_or_inverted_box_is_refused(tmp_path: Path, box: list[float]) -> None:
    assert "page 1" in _refused(tmp_path, pdf_with_box(box), AssetKind.LETTER_ATTACHMENT).message
