"""Real files for asset and print tests, made on the spot with Pillow, reportlab and pypdf."""
from __future__ import annotations

import io
import os
import shutil
import subprocess

import pytest
from PIL import Image
from pypdf import PdfWriter
from reportlab.lib.pagesizes import A4, LETTER, landscape
from reportlab.pdfgen.canvas import Canvas


def image_bytes(size: tuple[int, int], fmt: str = "PNG", *, color=(40, 90, 160), orientation: int | None = None,
                mode: str = "RGB") -> bytes:
    image = Image.new(mode, size, color if mode == "RGB" else None)
    out = io.BytesIO()
    kwargs = {}
    if orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = orientation
        kwargs["exif"] = exif.tobytes()
    image.save(out, fmt, **kwargs)
    return out.getvalue()


def pdf_bytes(pages: int, *, pagesize=A4, label: str = "Attachment page") -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=pagesize)
    for number in range(1, pages + 1):
        canvas.drawString(72, pagesize[1] - 100, f"{label} {number}")
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def landscape_letter_pdf() -> bytes:
    return pdf_bytes(1, pagesize=landscape(LETTER), label="Landscape page")


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(pdf_bytes(1)))
    writer.encrypt(user_password="", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def zero_page_pdf() -> bytes:
    out = io.BytesIO()
    PdfWriter().write(out)
    return out.getvalue()


def require_tool(name: str) -> str:
    """Path of a system tool; skip when absent, but fail under PIETERPOST_CI_STRICT=1."""
    path = shutil.which(name)
    if path is None:
        reason = f"{name} not installed (Debian poppler-utils)"
        if os.environ.get("PIETERPOST_CI_STRICT") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def pdftotext(pdf: bytes) -> str:
    tool = require_tool("pdftotext")
    done = subprocess.run([tool, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def png_bomb(side: int) -> bytes:
    """A valid 1-bit PNG of side x side pixels whose all-zero rows compress ~1000:1."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" * (1 + (side + 7) // 8)  # filter byte + packed pixels
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def image_sizes(page) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    """Pixel sizes of the images a PDF page shows, looking inside form XObjects too."""
    found: list[tuple[int, int]] = []

    def walk(resources) -> None:  # type: ignore[no-untyped-def]
        for ref in (resources or {}).get("/XObject", {}).values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                found.append((int(obj["/Width"]), int(obj["/Height"])))
            elif obj.get("/Subtype") == "/Form":
                walk(obj.get("/Resources"))

    walk(page.get("/Resources"))
    return found
