"""Fonts shipped inside the package so print files look the same on every host.

DejaVu Sans covers Latin, Greek, Cyrillic and the common symbols (EUR sign, dashes,
quotes, arrows, many emoticons); its licence is in ``fonts/LICENSE.txt``. Scripts it lacks
(CJK, for one) would print as empty boxes, so orders with such characters are refused
(``missing_glyphs``, checked when an order is priced).
"""
from __future__ import annotations

import threading
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).with_name("fonts")
REGULAR = "PPSans"
BOLD = "PPSans-Bold"

_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Register the shipped TTFs with reportlab once per process (idempotent, thread-safe)."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        for name, filename in _FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
        _registered = True


def missing_glyphs(text: str, font: str = REGULAR) -> list[str]:
    """Characters of ``text`` the shipped font has no glyph for (they would print as empty
    boxes), in order of first appearance; whitespace and control characters never count."""
    register_fonts()
    covered = pdfmetrics.getFont(font).face.charToGlyph
    seen: dict[str, None] = {}
    for char in text:
        if ord(char) not in covered and not char.isspace() and char.isprintable():
            seen.setdefault(char, None)
    return list(seen)


def text_width(text: str, font: str, size: float) -> float:
    """Width in points of ``text`` set in one of the shipped fonts."""
    register_fonts()
    return pdfmetrics.stringWidth(text, font, size)
