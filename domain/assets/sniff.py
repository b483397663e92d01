"""Content-type detection from the file's own bytes.

The upload's name and its Content-Type header are never trusted (docs/product.md § Assets); the
magic numbers below are the formats' own signatures (PNG spec 5.2, JPEG SOI marker,
PDF 32000-1 7.5.2 header, which readers accept within the first 1024 bytes).
"""
from __future__ import annotations

from domain.assets.kinds import JPEG, PDF, PNG

SNIFF_BYTES = 1024
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SOI = b"\xff\xd8\xff"


def sniff_content_type(head: bytes) -> str | None:
    """Content type named by the leading bytes, or None for anything else."""
    if head.startswith(_PNG_SIGNATURE):
        return PNG
    if head.startswith(_JPEG_SOI):
        return JPEG
    if b"%PDF-" in head[:SNIFF_BYTES]:
        return PDF
    return None
