"""Fonts shipped inside the package so print files look the same on every host.

DejaVu Sans covers Latin, Greek, Cyrillic and the common symbols (EUR sign, dashes,
quotes, arrows); its licence is in ``fonts/LICENSE.txt``. Emoji are not covered and
print as the font's empty-box glyph.
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


def text_width(text: str, font: str, size: float) -> float:
    """Width in points of ``text`` set in one of the shipped fonts."""
    register_fonts()
    return pdfmetrics.stringWidth(text, font, size)
