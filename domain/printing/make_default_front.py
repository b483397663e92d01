"""Draws ``default_front.png``, the postcard front used when no image is uploaded.

Run once by hand (``python -m domain.printing.make_default_front``); the PNG is committed.
A6 landscape at 300 dpi: 1748 x 1240 px. Flat shapes and a small palette keep it small.
"""
from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

from domain.printing.fonts import FONT_DIR
from domain.printing.render import DEFAULT_FRONT

WIDTH, HEIGHT = 1748, 1240
TOP, BOTTOM = (18, 52, 86), (44, 122, 123)
CREAM = (250, 243, 224)
ACCENT = (233, 160, 74)


def _gradient() -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    for y in range(HEIGHT):
        t = y / (HEIGHT - 1)
        draw.line([(0, y), (WIDTH, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(TOP, BOTTOM)))
    return image


def _stamp(image: Image.Image, left: int, top: int, size: int) -> None:
    """A perforated stamp with a simple envelope drawn inside."""
    draw = ImageDraw.Draw(image)
    draw.rectangle([left, top, left + size, top + size], fill=CREAM)
    step = size // 12
    for i in range(13):
        for x, y in ((left + i * step, top), (left + i * step, top + size), (left, top + i * step), (left + size, top + i * step)):
            hole = image.getpixel((WIDTH - 1, y))  # the background colour at that height
            draw.ellipse([x - step // 4, y - step // 4, x + step // 4, y + step // 4], fill=hole)
    pad = size // 5
    box = [left + pad, top + pad + size // 10, left + size - pad, top + size - pad]
    draw.rectangle(box, outline=TOP, width=10)
    draw.line([(box[0], box[1]), ((box[0] + box[2]) // 2, (box[1] + box[3]) // 2), (box[2], box[1])], fill=TOP, width=10)


def main() -> None:
    image = _gradient()
    draw = ImageDraw.Draw(image)
    for i, radius in enumerate(range(660, 150, -110)):
        box = [WIDTH - radius, HEIGHT - radius, WIDTH + radius, HEIGHT + radius]
        draw.ellipse(box, outline=ACCENT if i % 2 else CREAM, width=6)
    _stamp(image, 1220, 150, 380)
    bold = ImageFont.truetype(str(FONT_DIR / "DejaVuSans-Bold.ttf"), 150)
    regular = ImageFont.truetype(str(FONT_DIR / "DejaVuSans.ttf"), 64)
    draw.text((140, 260), "Greetings", font=bold, fill=CREAM)
    draw.text((146, 450), "sent with PieterPost", font=regular, fill=ACCENT)
    image.quantize(colors=96, dither=Image.Dither.NONE).save(DEFAULT_FRONT, optimize=True)


if __name__ == "__main__":
    main()
