"""Per-kind validation of an uploaded file, reading it from disk (never whole into memory).

Rules from docs/product.md § Assets: postcard images PNG/JPEG, square within 1 % and >= 1000 px a
side; letter attachments PDF/PNG/JPEG with the PDF parsed and its pages counted; stamps
PNG/JPEG. Image sizes are judged after EXIF orientation (a portrait photo stored sideways
is portrait). Files stay byte-for-byte as uploaded; the renderer applies the orientation.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader

from domain.assets.kinds import ALLOWED_TYPES, JPEG, PDF, PNG, AssetKind
from domain.assets.sniff import SNIFF_BYTES, sniff_content_type
from domain.core.errors import InvalidRequest

# Decompression-bomb guard: far above print needs (A4 at 300 dpi is 8.7 MP) and phone
# cameras (48 MP), far below what would exhaust memory. Pillow's own guard uses it too.
MAX_IMAGE_PIXELS = 50_000_000
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS

POSTCARD_MIN_SIDE = 1000
SQUARE_TOLERANCE = 0.01
_EXIF_ORIENTATION = 0x0112
_SWAPS_SIDES = {5, 6, 7, 8}


@dataclass(frozen=True)
class AssetFacts:
    content_type: str
    page_count: int  # pages it adds to a letter: PDF pages, 1 for an image
    width: int | None = None  # pixels after EXIF orientation (images only)
    height: int | None = None


def inspect_file(path: Path, kind: AssetKind, *, field: str = "file") -> AssetFacts:
    """Sniff, parse and check a stored upload against the rules of ``kind``."""
    with path.open("rb") as fp:
        head = fp.read(SNIFF_BYTES)
        fp.seek(0)
        content_type = sniff_content_type(head)
        allowed = ALLOWED_TYPES[kind]
        if content_type not in allowed:
            names = ", ".join(sorted(t.split("/")[1].upper() for t in allowed))
            raise InvalidRequest(f"{field}: content is not an accepted {kind} file (expected {names})", field=field)
        if content_type == PDF:
            return AssetFacts(PDF, _count_pdf_pages(fp, field))
        width, height = _image_size(fp, content_type, field)
    if kind is AssetKind.POSTCARD_IMAGE:
        _check_postcard_front(width, height, field)
    return AssetFacts(content_type, 1, width, height)


def _count_pdf_pages(fp: BinaryIO, field: str) -> int:
    try:
        reader = PdfReader(fp)
        if reader.is_encrypted:
            raise InvalidRequest(f"{field}: encrypted PDFs cannot be printed", field=field)
        pages = len(reader.pages)
        for number, page in enumerate(reader.pages, start=1):
            # The renderer scales the visible (crop) box onto the paper: an empty or inverted
            # box cannot be placed (ISO 32000-1 §14.11.2), so refuse it now, not at print time.
            box = page.cropbox
            if not (float(box.width) > 0 and float(box.height) > 0):
                raise InvalidRequest(f"{field}: page {number} of the PDF has an empty or inverted page box",
                                     field=field)
    except InvalidRequest:
        raise
    except Exception as exc:  # pypdf raises many types on hostile input; all mean "broken"
        raise InvalidRequest(f"{field}: the PDF could not be read ({type(exc).__name__})", field=field) from None
    if pages == 0:
        raise InvalidRequest(f"{field}: the PDF has no pages", field=field)
    return pages


def _image_size(fp: BinaryIO, content_type: str, field: str) -> tuple[int, int]:
    fmt = {PNG: "PNG", JPEG: "JPEG"}[content_type]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(fp, formats=[fmt]) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise Image.DecompressionBombError("too many pixels")
                orientation = _orientation(image)
                _decode_check(image, fmt)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidRequest(
            f"{field}: image exceeds {MAX_IMAGE_PIXELS // 1_000_000} megapixels (decompression bomb guard)",
            field=field,
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise InvalidRequest(f"{field}: the {fmt} image is damaged or truncated", field=field) from None
    if orientation in _SWAPS_SIDES:
        width, height = height, width
    return width, height


def _orientation(image: Image.Image) -> int:
    # A PNG keeps EXIF in an eXIf chunk; Pillow would decode the whole image to look for
    # one after the pixel data, so only a chunk placed before it (the usual case) counts.
    if image.format == "PNG" and "exif" not in image.info:
        return 1
    return int(image.getexif().get(_EXIF_ORIENTATION, 1))


def _decode_check(image: Image.Image, fmt: str) -> None:
    """Prove the pixel data decodes (JPEG at 1/8 scale; PNG has no reduced decode)."""
    if fmt == "JPEG":
        image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
        image.load()  # decodes every scan at 1/8 scale; a truncated file raises OSError
    else:
        # verify() only checks chunk CRCs; the pixel stream itself (zlib) must decode too, or the
        # renderer fails after the order is paid. This costs the same bitmap rendering will need.
        image.load()


def _check_postcard_front(width: int, height: int, field: str) -> None:
    if min(width, height) < POSTCARD_MIN_SIDE:
        raise InvalidRequest(
            f"{field}: postcard images need at least {POSTCARD_MIN_SIDE} px a side (got {width}x{height})",
            field=field,
        )
    if abs(width - height) > SQUARE_TOLERANCE * max(width, height):
        raise InvalidRequest(f"{field}: postcard images must be square 1:1 (got {width}x{height})", field=field)

