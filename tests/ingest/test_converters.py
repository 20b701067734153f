"""Uploaded HTML, Word and PDF minutes are read as the same text layouts."""

import html
import io
import re
import zipfile

import pytest

from ingest import converters
from ingest.parsers import parse_minutes
from tests.conftest import MINUTES_DIR

MODERNGOV = (MINUTES_DIR / "ssp-2025-01-22-moderngov.txt").read_text(encoding="utf-8")
FORMAL = (MINUTES_DIR / "ssp-2022-09-28-formal.txt").read_text(encoding="utf-8")


def moderngov_page(text: str) -> str:
    """A saved ModernGov page: site chrome, then the items in a table, papers as icon images."""
    head, _, items = text.partition("No. Item")
    rows, chunk = [], []
    for block in items.strip().split("\n\n"):
        if block.startswith("SSP/") and chunk:
            rows.append(chunk)
            chunk = []
        chunk.append(block)
    rows.append(chunk)
    cells = []
    for number, title, *rest in rows:
        title = html.escape(title).replace(
            " pdf icon PDF", ' <img src="pdf.png" alt="pdf icon"> PDF'
        )
        paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in rest)
        cells.append(
            f'<tr><td class="mgItemNumberCell"><p>{number}</p></td>'
            f'<td><p class="mgAiTitleTxt">{title}</p>{paragraphs}</td></tr>'
        )
    header = "".join(f"<p>{html.escape(p)}</p>" for p in head.strip().split("\n\n"))
    return (
        "<!DOCTYPE html><html><head><title>Agenda</title><style>p{}</style>"
        "<script>var x = '<p>not text</p>';</script></head><body>"
        '<nav><a href="/">Home</a></nav>'
        f"<h1>Agenda and minutes</h1>{header}"
        '<table class="mgItemTable"><tr><th>No.</th><th>Item</th></tr>'
        f"{''.join(cells)}</table></body></html>"
    )


def titles(meeting):
    return [(item.number, item.title, item.restricted, item.status) for item in meeting.items]


def test_a_saved_moderngov_page_reads_like_its_page_text():
    page = moderngov_page(MODERNGOV)
    text = converters.convert(converters.HTML, page.encode(), page)
    from_html, from_text = parse_minutes(text), parse_minutes(MODERNGOV)
    assert from_html.shape == from_text.shape
    assert titles(from_html) == titles(from_text)
    assert from_html.items[2].attachments == ["PDF 69 KB"]
    assert (from_html.date, from_html.venue) == (from_text.date, from_text.venue)
    assert "not text" not in text


def test_html_entities_and_markup_become_plain_text():
    text = converters.html_to_text("<p>Fish &amp; Chips<br>next line</p><ul><li>one</li></ul>")
    assert text == "Fish & Chips\nnext line\n\n- one\n"


def docx_bytes(paragraphs):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_word_document_reads_like_the_text_it_holds():
    paragraphs = [p for p in FORMAL.split("\n\n") if p.strip()]
    data = docx_bytes(paragraphs)
    assert converters.kind_of("minutes.docx", data) == converters.DOCX
    meeting = parse_minutes(converters.convert(converters.DOCX, data))
    assert titles(meeting) == titles(parse_minutes(FORMAL))
    assert len(meeting.attendees) == len(parse_minutes(FORMAL).attendees)


def minimal_pdf(lines):
    """A one-page PDF whose text layer holds ``lines``, in the built-in Helvetica font."""

    def escape(line):
        return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    body = " T* ".join(f"({escape(line)}) Tj" for line in lines)
    stream = f"BT /F1 9 Tf 11 TL 36 800 Td {body} ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 9000] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO(b"%PDF-1.4\n")
    offsets = []
    for number, body_bytes in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body_bytes + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def test_a_pdf_reads_like_the_text_it_holds():
    # ModernGov's layout is read line by line, so a PDF's lines are enough.
    lines = [line for line in MODERNGOV.split("\n") if line.strip()]
    ascii_lines = [line.encode("latin-1", "replace").decode("latin-1") for line in lines]
    data = minimal_pdf(ascii_lines[:60])
    assert converters.kind_of("minutes.pdf", data) == converters.PDF
    meeting = parse_minutes(converters.convert(converters.PDF, data))
    assert meeting.body == "Safer Stockton Partnership"
    assert [item.number for item in meeting.items][:4] == [
        "SSP/47/24",
        "SSP/48/24",
        "SSP/49/24",
        "SSP/50/24",
    ]


def test_a_pdf_without_text_is_refused_with_a_reason():
    with pytest.raises(converters.ConversionError, match="no text to read"):
        converters.convert(converters.PDF, minimal_pdf([]))


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("broken.pdf", b"%PDF-1.4 garbage", "this PDF could not be read"),
        ("broken.docx", b"PK\x03\x04garbage", "zip archive"),
    ],
)
def test_broken_files_are_refused_with_a_reason(name, data, reason):
    with pytest.raises(converters.ConversionError, match=reason):
        converters.convert(converters.kind_of(name, data), data)


def test_a_zip_that_is_not_a_word_document_is_not_mistaken_for_one():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "hello")
    assert converters.kind_of("minutes.docx", out.getvalue()) == "zip"


@pytest.mark.parametrize(
    ("name", "data", "advice"),
    [
        ("broken.pdf", b"%PDF-1.4 garbage", "upload a Word or text version"),
        ("broken.docx", "word/document.xml", "upload a PDF or text version"),
    ],
)
def test_an_unreadable_file_is_explained_in_words_not_by_the_error_raised(name, data, advice):
    if name.endswith(".docx"):  # a zip holding a document that is not one
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(data, "not XML")
        data = buffer.getvalue()
    with pytest.raises(converters.ConversionError) as raised:
        converters.convert(converters.kind_of(name, data), data)
    message = str(raised.value)
    assert advice in message and "could not be read" in message
    assert not re.search(r"[A-Z][a-z]+(Error|Exception)\b|BadZipFile|\(\w+\)$", message)
