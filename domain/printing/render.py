"""Print-ready PDFs for letters and postcards, drawn from plain inputs.

Letters: message pages (address in the envelope window on page 1, optional stamp image
in the stamp box), then attachment pages in the order given (PDF pages fitted to the
paper, images placed on a page of their own). Postcards: A6 landscape, front = uploaded
image or the shipped default, back = message, address and stamp box. Where things go is
decided by ``layout.py``; this module only draws.
"""
from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from reportlab import rl_config
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from domain.assets.kinds import PDF
from domain.assets.sniff import sniff_content_type
from domain.core.errors import InvalidRequest
from domain.printing import layout
from domain.printing.fonts import REGULAR, register_fonts
from domain.printing.images import ImageCache
from domain.printing.pdfpages import append_fitted_pages

rl_config.useA85 = 0  # binary streams: ASCII85 makes image data 25 % larger and slower to write
DEFAULT_FRONT = Path(__file__).with_name("default_front.png")
ATTACHMENT_MARGIN = 10 * mm


@dataclass(frozen=True)
class LetterPiece:
    recipient_lines: Sequence[str]
    message: str
    us: bool = False
    attachments: Sequence[bytes] = ()  # PDF, PNG or JPEG bytes, already validated as assets
    stamp: bytes | None = None


@dataclass(frozen=True)
class PostcardPiece:
    recipient_lines: Sequence[str]
    message: str
    front: bytes | None = None
    stamp: bytes | None = None


Piece = LetterPiece | PostcardPiece


@lru_cache(maxsize=1)
def default_front() -> bytes:
    return DEFAULT_FRONT.read_bytes()


class _Document:
    """A reportlab canvas plus the running list of pages, some filled in later by pypdf."""

    def __init__(self) -> None:
        register_fonts()
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pageCompression=1)
        self.canvas.setTitle("PieterPost print file")
        self.canvas.setCreator("PieterPost")
        self.images = ImageCache()
        self._forms: dict[tuple[bytes, float, float], str] = {}
        self.plan: list[int | tuple[bytes, tuple[float, float]]] = []
        self._own_pages = 0

    def begin(self, size: tuple[float, float]) -> Canvas:
        self.canvas.setPageSize(size)
        return self.canvas

    def end(self) -> None:
        self.canvas.showPage()
        self.plan.append(self._own_pages)
        self._own_pages += 1

    def external(self, pdf: bytes, paper: tuple[float, float]) -> None:
        self.plan.append((pdf, paper))

    def image(self, data: bytes, box: layout.Box) -> None:
        """Place ``data`` fitted into ``box``. Each distinct image becomes one form XObject,
        drawn by reference afterwards: reportlab would otherwise hash the decoded pixels on
        every ``drawImage`` (25 postcards with one front = 25 x 6 MB hashed)."""
        key = (hashlib.sha256(data).digest(), round(box.width, 2), round(box.height, 2))
        form = self._forms.get(key)
        if form is None:
            form = self._forms[key] = f"img{len(self._forms)}"
            reader = self.images.get(data, box.width, box.height)
            self.canvas.beginForm(form, 0, 0, box.width, box.height)
            self.canvas.drawImage(reader, 0, 0, box.width, box.height, preserveAspectRatio=True, anchor="c",
                                  mask="auto")
            self.canvas.endForm()
        self.canvas.saveState()
        self.canvas.translate(box.x, box.bottom)
        self.canvas.doForm(form)
        self.canvas.restoreState()

    def finish(self) -> bytes:
        self.canvas.save()
        own = self.buffer.getvalue()
        if all(isinstance(entry, int) for entry in self.plan):
            return own
        own_pages = PdfReader(io.BytesIO(own)).pages
        writer = PdfWriter()
        for entry in self.plan:
            if isinstance(entry, int):
                writer.add_page(own_pages[entry])
            else:
                append_fitted_pages(writer, *entry)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()


def _text(canvas: Canvas, lines: Sequence[str], box: layout.Box, size: float, leading: float) -> None:
    canvas.setFont(REGULAR, size)
    y = box.top - size
    for line in lines:
        canvas.drawString(box.x, y, line)
        y -= leading


def _address(canvas: Canvas, lines: Sequence[str], box: layout.Box) -> None:
    fitted = layout.fit_lines(list(lines), box, layout.ADDRESS_SIZES)
    size, wrapped = fitted or (layout.ADDRESS_SIZES[-1], list(lines))
    _text(canvas, wrapped, box, size, size * 1.25)


def _draw_letter(doc: _Document, piece: LetterPiece) -> None:
    fmt = layout.letter_format(us=piece.us)
    for number, lines in enumerate(layout.paginate_message(piece.message, us=piece.us)):
        canvas = doc.begin(fmt.page)
        if number == 0:
            _address(canvas, piece.recipient_lines, fmt.address)
            if piece.stamp:
                doc.image(piece.stamp, fmt.stamp)
            canvas.setLineWidth(0.3)
            for y in fmt.fold_marks:
                canvas.line(4 * mm, y, 9 * mm, y)
        body = fmt.first_body if number == 0 else fmt.next_body
        _text(canvas, lines, body, layout.BODY_SIZE, layout.BODY_LEADING)
        doc.end()
    width, height = fmt.page
    for attachment in piece.attachments:
        if sniff_content_type(attachment[:1024]) == PDF:
            doc.external(attachment, fmt.page)
            continue
        doc.begin(fmt.page)
        margin = ATTACHMENT_MARGIN
        doc.image(attachment, layout.Box(margin, height - margin, width - 2 * margin, height - 2 * margin))
        doc.end()


def _draw_postcard(doc: _Document, piece: PostcardPiece) -> None:
    fmt = layout.POSTCARD
    fitted = layout.fit_postcard_message(piece.message)
    if fitted is None:
        raise InvalidRequest("postcard.message: the text does not fit on the card", field="postcard.message")
    width, height = fmt.page
    doc.begin(fmt.page)
    doc.image(piece.front or default_front(), layout.Box(0, height, width, height))
    doc.end()
    canvas = doc.begin(fmt.page)
    size, lines = fitted
    _text(canvas, lines, fmt.message, size, size * 1.25)
    canvas.setLineWidth(0.4)
    canvas.line(fmt.divider_x, 12 * mm, fmt.divider_x, height - 12 * mm)
    if piece.stamp:
        doc.image(piece.stamp, fmt.stamp)
    else:
        canvas.setDash(2, 2)
        canvas.rect(fmt.stamp.x, fmt.stamp.bottom, fmt.stamp.width, fmt.stamp.height)
        canvas.setDash()
    _address(canvas, piece.recipient_lines, fmt.address)
    doc.end()


def render_pieces(pieces: Sequence[Piece]) -> bytes:
    """One PDF with every piece in order: an order's proof, or a single piece's print file."""
    doc = _Document()
    for piece in pieces:
        if isinstance(piece, LetterPiece):
            _draw_letter(doc, piece)
        else:
            _draw_postcard(doc, piece)
    return doc.finish()
