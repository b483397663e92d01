"""Turn uploaded image bytes into something reportlab can place at print resolution.

EXIF orientation is applied here (uploads are stored untouched). Images are scaled down
to 300 dpi of the box they fill, so a 48 MP photo does not make a 40 MB print file;
opaque images are re-encoded as JPEG (embedded as-is by reportlab), images with
transparency keep their alpha channel.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field

from PIL import Image, ImageOps
from reportlab.lib.utils import ImageReader

import domain.assets.inspect  # noqa: F401  (sets Pillow's decompression-bomb limit)

PRINT_DPI = 300
JPEG_QUALITY = 90


def _target_pixels(width_pt: float, height_pt: float) -> tuple[int, int]:
    return max(1, round(width_pt / 72 * PRINT_DPI)), max(1, round(height_pt / 72 * PRINT_DPI))


def prepare_image(data: bytes, width_pt: float, height_pt: float) -> ImageReader:
    """Decode, orient and downscale ``data`` to fit a box of the given size in points."""
    target = _target_pixels(width_pt, height_pt)
    with Image.open(io.BytesIO(data), formats=["PNG", "JPEG"]) as image:
        side = max(target)
        image.draft("RGB", (side, side))  # JPEG: decode at a reduced scale when possible
        upright = ImageOps.exif_transpose(image) or image
        upright.thumbnail(target, Image.Resampling.LANCZOS)
        if _has_alpha(upright):
            return ImageReader(upright.convert("RGBA"))
        buffer = io.BytesIO()
        upright.convert("RGB").save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
    buffer.seek(0)
    return ImageReader(buffer)


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)


@dataclass
class ImageCache:
    """Prepared images for one rendering run, so 25 postcards share one decoded front."""

    _items: dict[tuple[bytes, int, int], ImageReader] = field(default_factory=dict)

    def get(self, data: bytes, width_pt: float, height_pt: float) -> ImageReader:
        key = (hashlib.sha256(data).digest(), *_target_pixels(width_pt, height_pt))
        reader = self._items.get(key)
        if reader is None:
            reader = self._items[key] = prepare_image(data, width_pt, height_pt)
        return reader
