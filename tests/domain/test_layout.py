"""Layout and rendering of print files: page counts, line breaks, proofs read back with pdftotext."""
from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, A6, LETTER, landscape

from domain.core.errors import InvalidRequest
from domain.printing import LetterPiece, PostcardPiece, count_message_pages, postcard_message_fits, render_pieces
from domain.printing.fonts import REGULAR, text_width
from domain.printing.layout import BODY_LEADING, BODY_SIZE, letter_format, paginate_message, wrap_text
from tests.domain.filemakers import image_bytes, image_sizes, landscape_letter_pdf, pdf_bytes, pdftotext

GREEK = ["Γιώργος Παπαδόπουλος", "Οδός Ερμού 25", "105 63 Αθήνα", "GREECE"]
CYRILLIC = ["Анна Иванова", "ул. Тверская, д. 7", "125009 Москва", "RUSSIA"]
SENTENCES = [
    "Liebe Frau Größmann, über Ihren Brief aus Köln habe ich mich sehr gefreut.",
    "Die Bäume vor dem Fenster tragen schon Äpfel, und die Straße ist ruhig.",
    "Übermorgen fahren wir an den Bodensee; der Zug fährt um 7:45 Uhr ab.",
    "Grüßen Sie bitte auch Jürgen und Ölmühlen-Käthe von mir – „herzlich“!",
    "Für die Reparatur des Daches zahlten wir 1.250 € (inkl. Mwst.).",
]


def german_message(length: int = 6000) -> str:
    """A message of exactly ``length`` characters with paragraphs and single line breaks."""
    parts: list[str] = []
    i = 0
    while sum(len(p) for p in parts) < length + 200:
        sep = "\n\n" if i % 7 == 6 else ("\n" if i % 5 == 4 else " ")
        parts.append(SENTENCES[i % len(SENTENCES)] + sep)
        i += 1
    text = "".join(parts)[:length]
    return text[:-1] + "." if text[-1].isspace() else text


def non_empty_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_empty_and_short_messages_take_one_page():
    assert count_message_pages("", us=False) == 1
    assert count_message_pages("Hallo!", us=True) == 1


def test_page_count_follows_line_capacity_of_each_format():
    fmt = letter_format(us=False)
    first = int(fmt.first_body.height // BODY_LEADING)
    following = int(fmt.next_body.height // BODY_LEADING)
    assert count_message_pages("x\n" * (first - 1) + "x", us=False) == 1
    assert count_message_pages("x\n" * first + "x", us=False) == 2
    assert count_message_pages("x\n" * (first + following) + "x", us=False) == 3
    us = letter_format(us=True)
    us_first = int(us.first_body.height // BODY_LEADING)
    assert count_message_pages("x\n" * us_first + "x", us=True) == 2


def test_wrap_keeps_hard_breaks_and_blank_lines_and_splits_overlong_words():
    lines = wrap_text("Zeile eins\n\nZeile drei\n" + "W" * 300, 200, size=BODY_SIZE)
    assert lines[:3] == ["Zeile eins", "", "Zeile drei"]
    assert "".join(lines[3:]) == "W" * 300
    assert all(text_width(line, REGULAR, BODY_SIZE) <= 200 for line in lines)


def test_soft_breaks_only_consume_single_spaces():
    message = german_message()
    width = letter_format(us=False).first_body.width
    for hard_line in message.split("\n"):
        pieces = wrap_text(hard_line, width, size=BODY_SIZE)
        assert " ".join(pieces) == hard_line.rstrip()
        assert all(text_width(p, REGULAR, BODY_SIZE) <= width for p in pieces)


def test_proof_of_long_german_letter_with_greek_and_cyrillic_recipients():
    message = german_message()
    assert len(message) == 6000 and "ä" in message and "Ü" in message
    pieces = [LetterPiece(GREEK, message), LetterPiece(CYRILLIC, message)]
    pdf = render_pieces(pieces)

    expected_pages = 2 * count_message_pages(message, us=False)
    assert expected_pages >= 4
    assert len(PdfReader(io.BytesIO(pdf)).pages) == expected_pages

    text = pdftotext(pdf)
    lines = non_empty_lines(text)
    for block in (GREEK, CYRILLIC):
        start = lines.index(block[0])
        assert lines[start : start + len(block)] == block
    flat = re.sub(r"\s+", " ", text)
    assert flat.count(re.sub(r"\s+", " ", message)) == 2
    printed = [line for page in paginate_message(message, us=False) for line in page if line.strip()]
    first_body = lines.index(printed[0])
    assert lines[first_body : first_body + len(printed)] == [line.strip() for line in printed]


def test_us_letters_use_us_letter_paper_and_others_a4():
    us = PdfReader(io.BytesIO(render_pieces([LetterPiece(["Pieter Post", "123 Main St", "Springfield IL 62704"], "Hi", us=True)])))
    eu = PdfReader(io.BytesIO(render_pieces([LetterPiece(["Pieter Post", "Dam 1", "1012 JS Amsterdam"], "Hoi")])))
    assert [round(float(v)) for v in us.pages[0].mediabox[2:]] == [round(LETTER[0]), round(LETTER[1])]
    assert [round(float(v)) for v in eu.pages[0].mediabox[2:]] == [round(A4[0]), round(A4[1])]


def test_attachments_follow_message_pages_in_order_on_letter_paper():
    attachments = [pdf_bytes(3), image_bytes((800, 600)), landscape_letter_pdf()]
    pdf = render_pieces([LetterPiece(["Ada", "Dam 1", "Amsterdam"], "Siehe Anlage.", attachments=attachments)])
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1 + 3 + 1 + 1
    assert all([round(float(v)) for v in p.mediabox[2:]] == [round(A4[0]), round(A4[1])] for p in reader.pages)
    lines = non_empty_lines(pdftotext(pdf))
    order = [lines.index(f"Attachment page {n}") for n in (1, 2, 3)] + [lines.index("Landscape page 1")]
    assert order == sorted(order) and lines.index("Siehe Anlage.") < order[0]
    assert image_sizes(reader.pages[4]) == [(800, 600)]  # the image attachment has its own page


def test_stamp_image_is_placed_only_when_given():
    recipient = ["Ada", "Dam 1", "Amsterdam"]
    plain = PdfReader(io.BytesIO(render_pieces([LetterPiece(recipient, "Hallo")])))
    stamped = PdfReader(io.BytesIO(render_pieces([LetterPiece(recipient, "Hallo", stamp=image_bytes((150, 100)))])))
    assert image_sizes(plain.pages[0]) == []
    assert image_sizes(stamped.pages[0]) == [(150, 100)]


def test_exif_orientation_is_applied_when_images_are_placed():
    sideways = image_bytes((400, 200), "JPEG", orientation=6)  # stored landscape, shown portrait
    reader = PdfReader(io.BytesIO(render_pieces([LetterPiece(["Ada"], "x", attachments=[sideways])])))
    assert image_sizes(reader.pages[1]) == [(200, 400)]


def test_postcard_has_a6_front_and_back_with_default_front():
    pdf = render_pieces([PostcardPiece(CYRILLIC, "Привет!\nΓειά σου από την Αθήνα.")])
    reader = PdfReader(io.BytesIO(pdf))
    size = [round(float(v)) for v in reader.pages[0].mediabox[2:]]
    assert len(reader.pages) == 2 and size == [round(v) for v in landscape(A6)]
    assert image_sizes(reader.pages[0]) == [(1748, 1240)]  # the shipped default front
    lines = non_empty_lines(pdftotext(pdf))
    assert lines[:2] == ["Привет!", "Γειά σου από την Αθήνα."]
    start = lines.index(CYRILLIC[0])
    assert lines[start : start + 4] == CYRILLIC


def test_postcard_uses_uploaded_front_scaled_to_print_resolution():
    front = image_bytes((3000, 3000), "JPEG", color=(200, 50, 50))
    reader = PdfReader(io.BytesIO(render_pieces([PostcardPiece(["Ada"], "Hi", front=front)])))
    assert image_sizes(reader.pages[0]) == [(1240, 1240)]  # 105 mm at 300 dpi


def test_a_front_shared_by_many_postcards_is_embedded_once():
    front = image_bytes((1200, 1200), "JPEG")
    reader = PdfReader(io.BytesIO(render_pieces([PostcardPiece(["Ada"], "Hi", front=front)] * 3)))
    forms = {ref.idnum for page in reader.pages[::2] for ref in page["/Resources"]["/XObject"].values()}
    assert len(forms) == 1


def test_postcard_message_that_cannot_fit_is_refused_not_cut():
    assert postcard_message_fits("Schöne Grüße! " * 85)  # 1,190 characters of prose fits
    crowded = "\n".join(["x"] * 1200)
    assert not postcard_message_fits(crowded)
    with pytest.raises(InvalidRequest):
        render_pieces([PostcardPiece(["Ada"], crowded)])
