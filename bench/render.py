"""Print-file rendering speed: pieces/s for a 25-letter template order and 25-postcard orders,
plus peak memory (Python heap via tracemalloc, and the process's peak RSS).

    python bench/render.py [--rounds 5]

Rendering is pure CPU (reportlab + Pillow + pypdf); this measures ``render_pieces`` on plain
inputs, the same call ``GET /v1/orders/{id}/proof`` and the fulfillment hand-off make.
"""
from __future__ import annotations

import argparse
import io
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from domain.printing import LetterPiece, PostcardPiece, count_message_pages, render_pieces  # noqa: E402
from domain.orders.recipients import parse_recipient  # noqa: E402
from domain.orders.templates import render as fill_template  # noqa: E402

TEMPLATE = (
    "Liebe(r) {{first_name}},\n\n"
    "vielen Dank für Ihre Bestellung bei der Bäckerei Müller in {{city}}. Ihr Gutscheincode lautet {{code}}; "
    "er gilt bis Ende März für alle Brötchen, Brezeln und Kuchen. Wir freuen uns über Ihren Besuch!\n\n"
    + "Öffnungszeiten: Montag bis Freitag 7–18 Uhr, Samstag 7–13 Uhr. Sonntags geschlossen. " * 8
    + "\n\nHerzliche Grüße\nIhr Team der Bäckerei Müller"
)
POSTCARD_TEXT = ("Groeten uit Amsterdam! Het weer is prachtig, de grachten glinsteren en de stroopwafels "
                 "zijn nog warm. Tot snel, liefs van ons allemaal.\n\nΓειά σας · Привет · ¡Hola!")


def recipients(count: int, country: str = "DE") -> list:
    cities = {"DE": ("10115", "Berlin"), "NL": ("1012 AB", "Amsterdam")}
    postal, city = cities[country]
    return [parse_recipient({"name": f"Erika Mustermann {i}", "street": "Hauptstraße", "number": str(i + 1),
                             "postalCode": postal, "city": city, "country": country,
                             "customFields": {"code": f"SPRING-{i:03d}"}}) for i in range(count)]


def photo(side: int) -> bytes:
    """A smooth gradient photo stand-in (JPEG), the size of a typical uploaded front."""
    image = Image.linear_gradient("L").resize((side, side)).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def stamp() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (400, 300), (200, 30, 60, 255)).save(out, "PNG")
    return out.getvalue()


def template_letters() -> list[LetterPiece]:
    sticker = stamp()
    pieces = []
    for index, recipient in enumerate(recipients(25)):
        message = fill_template(TEMPLATE, recipient, template_path="templateMessage", recipient_path=f"letters[{index}]")
        pieces.append(LetterPiece(recipient.print_lines, message, us=recipient.is_us, stamp=sticker))
    return pieces


def postcards(front: bytes | None) -> list[PostcardPiece]:
    return [PostcardPiece(r.print_lines, POSTCARD_TEXT, front=front) for r in recipients(25, "NL")]


def bare_reportlab(pieces: list) -> bytes:
    """Baseline: the same pages drawn with plain reportlab calls — built-in font, lines as given,
    no wrapping, fitting or address layout, the same page count — so the ratio shows what our
    layout costs on top (the plain version embeds a postcard photo once per card; ours once per PDF)."""
    from reportlab.lib.pagesizes import A4, A6, landscape
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    for piece in pieces:
        if isinstance(piece, PostcardPiece):
            canvas.setPageSize(landscape(A6))
            if piece.front:
                canvas.drawImage(ImageReader(io.BytesIO(piece.front)), 0, 0, *landscape(A6))
            canvas.showPage()
        pages = count_message_pages(piece.message, us=False) if isinstance(piece, LetterPiece) else 1
        lines = [*piece.recipient_lines, *piece.message.split("\n")]
        for page in range(pages):
            canvas.setFont("Helvetica", 10)
            for row, line in enumerate(lines[page * 60:(page + 1) * 60]):
                canvas.drawString(40, 800 - row * 12, line[:120])
            canvas.showPage()
    canvas.save()
    return out.getvalue()


def timed(render: Callable[[list], bytes], pieces: list, rounds: int) -> tuple[float, bytes, int]:
    render(pieces)  # warm-up: font registration, imports
    tracemalloc.start()
    started = time.perf_counter()
    for _ in range(rounds):
        pdf = render(pieces)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return len(pieces) * rounds / seconds, pdf, peak


def measure(name: str, pieces: list, rounds: int) -> None:
    rate, pdf, peak = timed(render_pieces, pieces, rounds)
    base, _, _ = timed(bare_reportlab, pieces, rounds)
    print(f"{name:<44} {rate:8.1f} pieces/s  {len(pieces) / rate * 1000:7.0f} ms/order  "
          f"PDF {len(pdf) / 1024:7.0f} KiB  heap peak {peak / 2**20:6.1f} MiB  "
          f"bare reportlab {base:7.1f} pieces/s  ratio {rate / base:5.2f}")


def calls_per_second(call: Callable[[], object], seconds: float = 1.0) -> float:
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        call()
        count += 1
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    letters = template_letters()
    print(f"template letter: {len(letters[0].message)} chars, "
          f"{count_message_pages(letters[0].message, us=False)} page(s); {rounds} rounds per row")
    measure("25-letter template order (A4, custom stamp)", letters, rounds)
    long_letters = [LetterPiece(p.recipient_lines, ((p.message + " ") * 7)[:6000].rstrip(), stamp=p.stamp) for p in letters]
    measure(f"25 long letters ({len(long_letters[0].message)} chars, "
            f"{count_message_pages(long_letters[0].message, us=False)} pages)", long_letters, rounds)
    measure("25-postcard order (2000 px uploaded front)", postcards(photo(2000)), rounds)
    measure("25-postcard order (default front)", postcards(None), rounds)
    long_message = ("Grüße aus Köln – " * 400)[:6000]
    rate = calls_per_second(lambda: count_message_pages(long_message, us=False))
    print(f"count_message_pages, 6,000-char message: {rate:8.0f} calls/s (quote cost per letter)")
    print(f"process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
