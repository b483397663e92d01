"""Fit the pages of an uploaded PDF onto the letter's paper size with pypdf.

Each source page is turned upright (its /Rotate folded into the placement), given a
quarter turn when it is landscape on portrait paper, scaled to fit and centred, so the
print partner receives uniform A4 / US Letter pages.
"""
from __future__ import annotations

import io

from pypdf import PageObject, PdfReader, PdfWriter, Transformation


def _upright(page: PageObject) -> tuple[Transformation, float, float]:
    """Transformation that moves the visible box to the origin as a viewer shows it."""
    box = page.cropbox
    width, height = float(box.width), float(box.height)
    move = Transformation().translate(-float(box.left), -float(box.bottom))
    rotation = page.rotation % 360  # /Rotate turns the page clockwise on display
    if rotation == 90:
        return move.rotate(-90).translate(0, width), height, width
    if rotation == 180:
        return move.rotate(180).translate(width, height), width, height
    if rotation == 270:
        return move.rotate(90).translate(height, 0), height, width
    return move, width, height


def append_fitted_pages(writer: PdfWriter, data: bytes, paper: tuple[float, float]) -> None:
    """Append each page of the PDF ``data`` to ``writer``, placed on a page of size ``paper``."""
    paper_w, paper_h = paper
    for source in PdfReader(io.BytesIO(data)).pages:
        move, width, height = _upright(source)
        if (width > height) != (paper_w > paper_h):
            move = move.rotate(90).translate(height, 0)
            width, height = height, width
        scale = min(paper_w / width, paper_h / height)
        offset_x = (paper_w - width * scale) / 2
        offset_y = (paper_h - height * scale) / 2
        target = writer.add_blank_page(width=paper_w, height=paper_h)
        target.merge_transformed_page(source, move.scale(scale).translate(offset_x, offset_y))
