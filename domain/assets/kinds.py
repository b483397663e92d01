"""Asset kinds and the content types each accepts (docs/product.md § Assets)."""
from __future__ import annotations

from enum import StrEnum

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"

EXTENSIONS = {PDF: "pdf", PNG: "png", JPEG: "jpg"}
MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # docs/product.md § Limits


class AssetKind(StrEnum):
    POSTCARD_IMAGE = "postcard-image"
    LETTER_ATTACHMENT = "letter-attachment"
    LETTER_STAMP_IMAGE = "letter-stamp-image"


ALLOWED_TYPES: dict[AssetKind, frozenset[str]] = {
    AssetKind.POSTCARD_IMAGE: frozenset({PNG, JPEG}),
    AssetKind.LETTER_ATTACHMENT: frozenset({PDF, PNG, JPEG}),
    AssetKind.LETTER_STAMP_IMAGE: frozenset({PNG, JPEG}),
}

# Only postcard fronts get a public URL: the print flow fetches them later (docs/product.md § Assets).
PUBLIC_KINDS = frozenset({AssetKind.POSTCARD_IMAGE})
