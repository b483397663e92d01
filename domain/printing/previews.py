"""Preview images: PNG pages rasterised from the print PDF that ``render.py`` draws.

There is no second layout: a preview is the print file itself, turned into pixels by PDFium
(``pypdfium2``, Chrome's PDF engine, shipped inside the wheel). PDFium runs in-process, renders
just the page asked for, and needs no system package, subprocess or temp file (``pdftoppm``
would need all three). PDFium is not thread-safe, so rasterising is serialised by one lock.

Results are kept in a process-wide LRU in memory, bounded by bytes: documents by the content
hash of their inputs (``content_key``), PNGs by (hash, page, width). Nothing is written to the
asset store, so an order's previews vanish with the process and never outlive its assets.
"""
from __future__ import annotations

import hashlib
import io
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pypdfium2 as pdfium
from PIL import Image, ImageChops
from pypdf import PdfReader

from domain.assets.kinds import PDF
from domain.assets.sniff import sniff_content_type
from domain.core.errors import InvalidRequest
from domain.printing import layout
from domain.printing.render import LetterPiece, Piece, PostcardPiece, render_pieces

RENDER_VERSION = "1"  # bump when render.py draws differently, so old cached pages are not served
MIN_WIDTH = 120
MAX_WIDTH = 1600  # A4 at 1600 px is 1600 x 2263: the largest picture one request can cost
DEFAULT_WIDTH = 800
THUMB_WIDTH = 240
MCP_WIDTH = 480  # MCP image item: far below the hosts' 1 MB image limits
MAX_PAGES = 64  # pages one preview document may have; larger orders are previewed piece by piece
CACHE_BYTES = 64 * 1024 * 1024

_PDFIUM = threading.Lock()


@dataclass(frozen=True)
class Overlay:
    """A print area to outline on a page image, in percent of the page (origin top left)."""

    page: int  # 1-based
    kind: str  # "window" | "stamp" | "address" | "front"
    left: float
    top: float
    width: float
    height: float

    def as_dict(self) -> dict[str, Any]:
        return {"page": self.page, "kind": self.kind, "left": self.left, "top": self.top,
                "width": self.width, "height": self.height}


@dataclass(frozen=True)
class PreviewDocument:
    key: str
    pdf: bytes
    page_count: int
    overlays: tuple[Overlay, ...] = ()


def content_key(parts: object) -> str:
    """Stable hash of everything a render depends on (texts, asset hashes, render version)."""
    text = json.dumps([RENDER_VERSION, parts], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def piece_parts(piece: Piece) -> dict[str, Any]:
    """``content_key`` input for a piece whose asset bytes are already loaded."""
    digest = lambda data: hashlib.sha256(data).hexdigest() if data else None  # noqa: E731
    if isinstance(piece, LetterPiece):
        return {"kind": "letter", "to": list(piece.recipient_lines), "message": piece.message, "us": piece.us,
                "attachments": [digest(a) for a in piece.attachments], "stamp": digest(piece.stamp)}
    return {"kind": "postcard", "to": list(piece.recipient_lines), "message": piece.message,
            "front": digest(piece.front), "stamp": digest(piece.stamp)}


def check_width(width: object) -> int:
    if width is None or width == "":
        return DEFAULT_WIDTH
    try:
        value = int(str(width))
    except ValueError:
        raise InvalidRequest(f"width must be a whole number of pixels ({MIN_WIDTH}-{MAX_WIDTH}).",
                             field="width") from None
    if not MIN_WIDTH <= value <= MAX_WIDTH:
        raise InvalidRequest(f"width must be between {MIN_WIDTH} and {MAX_WIDTH} pixels.", field="width")
    return value


def check_page(page: object) -> int:
    if page is None or page == "":
        return 1
    try:
        value = int(str(page))
    except ValueError:
        raise InvalidRequest("page must be a page number starting at 1.", field="page") from None
    if not 1 <= value <= MAX_PAGES:
        raise InvalidRequest(f"page must be between 1 and {MAX_PAGES}.", field="page")
    return value


def _pct(box: layout.Box, page: tuple[float, float]) -> tuple[float, float, float, float]:
    width, height = page
    return (round(100 * box.x / width, 2), round(100 * (height - box.top) / height, 2),
            round(100 * box.width / width, 2), round(100 * box.height / height, 2))


def overlays_for(pieces: Sequence[Piece], page_counts: Sequence[int]) -> tuple[Overlay, ...]:
    """Where the envelope window, stamp area and postcard sides sit on each piece's pages."""
    found: list[Overlay] = []
    first = 1
    for piece, count in zip(pieces, page_counts, strict=True):
        if isinstance(piece, LetterPiece):
            fmt = layout.letter_format(us=piece.us)
            found.append(Overlay(first, "window", *_pct(fmt.window, fmt.page)))
            found.append(Overlay(first, "stamp", *_pct(fmt.stamp, fmt.page)))
        else:
            card = layout.POSTCARD
            found.append(Overlay(first, "front", 0, 0, 100, 100))
            found.append(Overlay(first + 1, "stamp", *_pct(card.stamp, card.page)))
            found.append(Overlay(first + 1, "address", *_pct(card.address, card.page)))
        first += count
    return tuple(found)


def _page_count(pdf: bytes) -> int:
    with _PDFIUM:
        doc = pdfium.PdfDocument(pdf)
        try:
            return len(doc)
        finally:
            doc.close()


def _piece_pages(piece: Piece) -> int:
    """Pages ``render.py`` draws for ``piece``: message pages (from the layout) plus attachments."""
    if isinstance(piece, PostcardPiece):
        return 2
    pages = len(layout.paginate_message(piece.message, us=piece.us))
    for attachment in piece.attachments:
        pages += len(PdfReader(io.BytesIO(attachment)).pages) if sniff_content_type(attachment[:1024]) == PDF else 1
    return pages


def render_document(key: str, pieces: Sequence[Piece]) -> PreviewDocument:
    """Draw the print PDF of ``pieces`` (the same ``render_pieces`` fulfillment uses)."""
    counts = [_piece_pages(piece) for piece in pieces]
    total = sum(counts)
    if total > MAX_PAGES:
        raise InvalidRequest(f"A preview shows at most {MAX_PAGES} pages; this one has {total}. "
                             "Preview one piece at a time.", field="piece")
    pdf = render_pieces(pieces)
    drawn = _page_count(pdf)
    if drawn != total:  # the overlays would land on the wrong pages; fall back to none
        return PreviewDocument(key, pdf, drawn)
    return PreviewDocument(key, pdf, total, overlays_for(pieces, counts))


def rasterise(pdf: bytes, page: int, width: int) -> bytes:
    """PNG of 1-based ``page`` of ``pdf``, ``width`` pixels wide (height keeps the page's shape)."""
    with _PDFIUM:
        doc = pdfium.PdfDocument(pdf)
        try:
            if not 1 <= page <= len(doc):
                raise InvalidRequest(f"page {page} does not exist; this preview has {len(doc)} page(s).",
                                     field="page")
            sheet = doc[page - 1]
            scale = width / sheet.get_width()
            image = sheet.render(scale=scale).to_pil()
            sheet.close()
        finally:
            doc.close()
    out = io.BytesIO()
    _grey_if_colourless(image.convert("RGB")).save(out, format="PNG", compress_level=3)  # zlib 3: as small as 6 here
    return out.getvalue()


def _grey_if_colourless(image: Image.Image) -> Image.Image:
    """A page with no colour (text on paper, the usual letter) as 8-bit grey: the same picture in
    about a third of the bytes, which every MCP result and preview response carries."""
    red, green, blue = image.split()
    if ImageChops.difference(red, green).getbbox() is None and ImageChops.difference(green, blue).getbbox() is None:
        return image.convert("L")
    return image


def small_image(png: bytes, limit: int = 600_000) -> tuple[bytes, str]:
    """The PNG if it is under ``limit`` bytes, else a JPEG of the same pixels (photos on cards)."""
    if len(png) <= limit:
        return png, "image/png"
    out = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").save(out, format="JPEG", quality=80)
    return out.getvalue(), "image/jpeg"


class PreviewCache:
    """Byte-bounded LRU for preview documents and their PNG pages (thread-safe)."""

    def __init__(self, max_bytes: int = CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[str, ...], Any] = OrderedDict()
        self._sizes: dict[tuple[str, ...], int] = {}
        self._used = 0
        self._lock = threading.Lock()

    def _get(self, key: tuple[str, ...]) -> Any:
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def _put(self, key: tuple[str, ...], value: Any, size: int) -> None:
        with self._lock:
            if key in self._items:
                self._used -= self._sizes[key]
            self._items[key] = value
            self._sizes[key] = size
            self._items.move_to_end(key)
            self._used += size
            while self._used > self.max_bytes and len(self._items) > 1:
                old, _ = self._items.popitem(last=False)
                self._used -= self._sizes.pop(old)

    def document(self, key: str) -> PreviewDocument | None:
        return self._get(("doc", key))

    def put_document(self, doc: PreviewDocument) -> PreviewDocument:
        self._put(("doc", doc.key), doc, len(doc.pdf))
        return doc

    def png(self, key: str, page: int, width: int) -> bytes | None:
        return self._get(("png", key, str(page), str(width)))

    def put_png(self, key: str, page: int, width: int, png: bytes) -> bytes:
        self._put(("png", key, str(page), str(width)), png, len(png))
        return png

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._sizes.clear()
            self._used = 0


CACHE = PreviewCache()


def cached_page_png(doc: PreviewDocument, page: int, width: int, cache: PreviewCache = CACHE) -> bytes | None:
    """The page's PNG if it was rasterised before (cheap: callers skip the thread hop), else None."""
    if not 1 <= page <= doc.page_count:
        raise InvalidRequest(f"page {page} does not exist; this preview has {doc.page_count} page(s).",
                             field="page")
    return cache.png(doc.key, page, width)


def page_png(doc: PreviewDocument, page: int, width: int, cache: PreviewCache = CACHE) -> bytes:
    """One page of a cached document as PNG, rasterised once per (document, page, width)."""
    return cached_page_png(doc, page, width, cache) or cache.put_png(doc.key, page, width,
                                                                     rasterise(doc.pdf, page, width))


def etag(doc: PreviewDocument, page: int, width: int) -> str:
    return '"' + hashlib.sha256(f"{doc.key}:{page}:{width}".encode()).hexdigest()[:32] + '"'


__all__ = ["CACHE", "DEFAULT_WIDTH", "MCP_WIDTH", "THUMB_WIDTH", "Overlay", "PreviewCache",
           "PreviewDocument", "cached_page_png", "check_page", "check_width", "content_key", "etag",
           "overlays_for", "page_png",
           "piece_parts", "rasterise", "render_document", "small_image"]
