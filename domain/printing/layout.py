"""The one place that decides where text goes on a letter or postcard.

Rendering (``render.py``) and pricing (``count_message_pages``) both call
``paginate_message`` / ``fit_postcard_message``, so the page count a customer pays for
is the page count that is printed (docs/product.md § Fulfillment and print files).

Coordinates are PDF points with the origin at the bottom left, as reportlab uses them.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib.pagesizes import A4, A6, LETTER, landscape
from reportlab.lib.units import inch, mm

from domain.printing.fonts import REGULAR, text_width


@dataclass(frozen=True)
class Box:
    """A rectangle given by its left edge, its top edge (from the page bottom) and size."""

    x: float
    top: float
    width: float
    height: float

    @property
    def bottom(self) -> float:
        return self.top - self.height


@dataclass(frozen=True)
class LetterFormat:
    page: tuple[float, float]
    window: Box          # envelope window, for the proof outline
    address: Box         # recipient lines, inside the window
    stamp: Box           # custom stamp image, inside the window
    first_body: Box      # message on page 1, below the window
    next_body: Box       # message on pages 2..n
    fold_marks: tuple[float, ...]  # y positions of fold marks (from the page bottom)


def _from_top(page_h: float, x: float, top: float, w: float, h: float) -> Box:
    return Box(x, page_h - top, w, h)


def _a4_din5008() -> LetterFormat:
    # DIN 5008 form B: address field 20 mm from the left, 45 mm from the top, 85 x 45 mm;
    # its upper 17.7 mm is the remark zone (we put the stamp there), the lower 27.3 mm the address.
    w, h = A4
    return LetterFormat(
        page=A4,
        window=_from_top(h, 20 * mm, 45 * mm, 85 * mm, 45 * mm),
        address=_from_top(h, 25 * mm, 62.7 * mm, 75 * mm, 27.3 * mm),
        stamp=_from_top(h, 73 * mm, 46.3 * mm, 30 * mm, 15 * mm),
        first_body=_from_top(h, 25 * mm, 100 * mm, w - 45 * mm, 172 * mm),
        next_body=_from_top(h, 25 * mm, 25 * mm, w - 45 * mm, 247 * mm),
        fold_marks=(h - 105 * mm, h - 210 * mm),
    )


def _us_letter_no10() -> LetterFormat:
    # #10 window envelope: window 4.5 x 1.125 in, 7/8 in from the left and 1/2 in from the
    # bottom; a tri-folded Letter sheet shows roughly 2.0-3.2 in from its top edge there.
    w, h = LETTER
    return LetterFormat(
        page=LETTER,
        window=_from_top(h, 0.875 * inch, 2.0 * inch, 4.5 * inch, 1.125 * inch),
        address=_from_top(h, 1.0 * inch, 2.1 * inch, 3.05 * inch, 0.95 * inch),
        stamp=_from_top(h, 4.15 * inch, 2.1 * inch, 1.1 * inch, 0.9 * inch),
        first_body=_from_top(h, 1.0 * inch, 3.75 * inch, w - 2.0 * inch, 6.5 * inch),
        next_body=_from_top(h, 1.0 * inch, 1.0 * inch, w - 2.0 * inch, 9.25 * inch),
        fold_marks=(h - 11 * inch / 3, h - 22 * inch / 3),
    )


A4_LETTER = _a4_din5008()
US_LETTER = _us_letter_no10()

BODY_SIZE = 10.5
BODY_LEADING = 14.0
ADDRESS_SIZES = (10.0, 9.0, 8.0, 7.0, 6.0)


def letter_format(*, us: bool) -> LetterFormat:
    return US_LETTER if us else A4_LETTER


@dataclass(frozen=True)
class PostcardFormat:
    page: tuple[float, float]
    message: Box
    address: Box
    stamp: Box
    divider_x: float


_PC_W, _PC_H = landscape(A6)
POSTCARD = PostcardFormat(
    page=(_PC_W, _PC_H),
    message=_from_top(_PC_H, 8 * mm, 10 * mm, 66 * mm, 87 * mm),
    address=_from_top(_PC_H, 82 * mm, 50 * mm, 58 * mm, 40 * mm),
    stamp=_from_top(_PC_H, 115 * mm, 8 * mm, 25 * mm, 30 * mm),
    divider_x=77 * mm,
)
POSTCARD_SIZES = (10.0, 9.0, 8.0, 7.0, 6.5, 6.0)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TOKENS = re.compile(r"\S+|\s+")


def normalize_text(text: str) -> str:
    """Unify line endings and drop characters that cannot print; tabs become four spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    return _CONTROL.sub("", text.replace("\t", "    "))


def wrap_text(text: str, width: float, *, size: float, font: str = REGULAR) -> list[str]:
    """Greedy word wrap that keeps every hard line break (and blank line) of ``text``.

    Soft breaks happen at spaces, which are consumed; a word wider than the line is
    split between characters. Leading spaces of a hard line are kept (indentation).
    """
    lines: list[str] = []
    for hard in normalize_text(text).split("\n"):
        lines.extend(_wrap_line(hard, width, size, font))
    return lines


@lru_cache(maxsize=8192)
def _width(token: str, font: str, size: float) -> float:
    return text_width(token, font, size)


def _wrap_line(line: str, width: float, size: float, font: str) -> list[str]:
    # Widths add up (reportlab sets TrueType text without kerning), so each token is measured
    # once and the line's width is kept as a running sum: linear in the message length.
    out: list[str] = []
    current, current_w = "", 0.0
    for token in _TOKENS.findall(line):
        token_w = _width(token, font, size)
        if token.isspace():
            if current == "" and out:
                continue  # spaces right after a soft break are the break itself
            current, current_w = current + token, current_w + token_w
            continue
        if current_w + token_w <= width:
            current, current_w = current + token, current_w + token_w
            continue
        if current.strip():
            out.append(current.rstrip())
            current, current_w = "", 0.0
        while len(token) > 1 and current_w + token_w > width:
            cut = _longest_prefix(current, token, width, size, font)
            out.append(current + token[:cut])
            current, current_w, token = "", 0.0, token[cut:]
            token_w = _width(token, font, size)
        current, current_w = current + token, current_w + token_w
    out.append(current.rstrip())
    return out


def _longest_prefix(lead: str, word: str, width: float, size: float, font: str) -> int:
    """How many characters of ``word`` fit after ``lead`` (always at least one)."""
    cut = 1
    while cut < len(word) and text_width(lead + word[: cut + 1], font, size) <= width:
        cut += 1
    return cut


def paginate_message(message: str, *, us: bool) -> list[list[str]]:
    """Split a letter message into pages of lines; page 1 is shorter (address window)."""
    fmt = letter_format(us=us)
    lines = wrap_text(message, fmt.first_body.width, size=BODY_SIZE) if message.strip() else []
    first_cap = int(fmt.first_body.height // BODY_LEADING)
    next_cap = int(fmt.next_body.height // BODY_LEADING)
    pages = [lines[:first_cap]]
    rest = lines[first_cap:]
    while rest:
        pages.append(rest[:next_cap])
        rest = rest[next_cap:]
    return pages


def count_message_pages(message: str, *, us: bool) -> int:
    """Printed pages the message needs (at least 1: page 1 carries the address)."""
    return len(paginate_message(message, us=us))


def fit_lines(lines: list[str], box: Box, sizes: tuple[float, ...]) -> tuple[float, list[str]] | None:
    """Largest size in ``sizes`` at which ``lines`` wrap into ``box``; None if none does."""
    for size in sizes:
        wrapped = wrap_text("\n".join(lines), box.width, size=size)
        if len(wrapped) * size * 1.25 <= box.height:
            return size, wrapped
    return None


def fit_postcard_message(message: str) -> tuple[float, list[str]] | None:
    """Font size and lines for a postcard back, or None when the text cannot fit."""
    return fit_lines([message], POSTCARD.message, POSTCARD_SIZES)


def address_fits(lines: Sequence[str], *, postcard: bool = False, us: bool = False) -> bool:
    """Order validation: the recipient block wraps into the envelope window (or the card's
    address box) at some size in ``ADDRESS_SIZES``, so nothing is printed outside it."""
    box = POSTCARD.address if postcard else letter_format(us=us).address
    return fit_lines(list(lines), box, ADDRESS_SIZES) is not None


def postcard_message_fits(message: str) -> bool:
    """Order validation asks this so a postcard never prints a cut-off message."""
    return fit_postcard_message(message) is not None
