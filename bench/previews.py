"""Preview speed: what a compose-editor keystroke or an MCP quote costs, against drawing the PDF alone.

    python bench/previews.py [--rounds 5]

Rows: the baseline ``render_pieces`` (the print PDF, measured in the same run), a fresh preview
document (PDF + page count), rasterising one page at 480 / 800 / 1600 px with PDFium, a full cold
preview (document + page 1 at 480 px, what an uncached MCP quote adds) and a cached page lookup.
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from domain.orders.recipients import parse_recipient  # noqa: E402
from domain.printing import LetterPiece, PostcardPiece, render_pieces  # noqa: E402
from domain.printing import previews  # noqa: E402

MESSAGE = "\n".join(f"Line {n}: a letter long enough for two pages, as people write them." for n in range(60))


def pieces() -> dict[str, list]:
    to = parse_recipient({"name": "Erika Mustermann", "street": "Hauptstraße", "number": "1", "postalCode": "10115",
                          "city": "Berlin", "country": "DE"}).print_lines
    photo = io.BytesIO()
    Image.linear_gradient("L").resize((1500, 1500)).convert("RGB").save(photo, "JPEG", quality=90)
    return {"letter, 2 pages": [LetterPiece(to, MESSAGE)],
            "postcard, photo front": [PostcardPiece(to, "Groeten uit Amsterdam!", front=photo.getvalue())]}


def timed(fn: Callable[[], object], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    print(f"| input | step | median ms (of {rounds}) | vs baseline |")
    print("|---|---|---:|---:|")
    for name, items in pieces().items():
        base = timed(lambda: render_pieces(items), rounds)
        doc = previews.render_document("bench", items)
        rows = [("baseline: render_pieces (print PDF)", base),
                ("preview document (PDF + page count)", timed(lambda: previews.render_document("bench", items), rounds))]
        for width in (480, 800, 1600):
            rows.append((f"rasterise page 1 at {width} px", timed(lambda: previews.rasterise(doc.pdf, 1, width), rounds)))

        def cold() -> None:
            cache = previews.PreviewCache()
            fresh = cache.put_document(previews.render_document("cold", items))
            previews.page_png(fresh, 1, 480, cache)

        rows.append(("cold preview: document + page 1 at 480 px", timed(cold, rounds)))
        cache = previews.PreviewCache()
        cached = cache.put_document(doc)
        previews.page_png(cached, 1, 480, cache)
        rows.append(("cached page lookup", timed(lambda: previews.page_png(cached, 1, 480, cache), rounds)))
        for step, ms in rows:
            print(f"| {name} | {step} | {ms:.2f} | {ms / base:.2f}x |")


if __name__ == "__main__":
    main()
