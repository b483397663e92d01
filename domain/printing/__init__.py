"""Print files: one layout (``layout``) drawn by one renderer (``render``).

Public entry points: ``count_message_pages`` (pricing), ``postcard_message_fits``,
``address_fits`` and ``missing_glyphs`` (validation), ``render_pieces`` (a piece's print
file or an order's proof).
"""
from domain.printing.fonts import missing_glyphs
from domain.printing.layout import address_fits, count_message_pages, postcard_message_fits
from domain.printing.render import LetterPiece, PostcardPiece, render_pieces

__all__ = ["LetterPiece", "PostcardPiece", "address_fits", "count_message_pages", "missing_glyphs",
           "postcard_message_fits", "render_pieces"]
