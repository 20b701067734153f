"""Minutes printed as PDF and Word by a council's template read the same as their text.

Each sample is printed here, in the test (see ``council_print``): a running header and a
"Page N of M" footer on every page, lines wrapped at the page width, paragraphs apart by space,
pages breaking mid-paragraph. Small hand-made PDFs and Word documents then pin the rules.
"""

import io
import re

import pytest

from ingest import converters
from ingest.parsers import parse_minutes
from tests.conftest import MINUTES_DIR
from tests.ingest.council_print import A4_HEIGHT, A4_WIDTH, MARGIN, council_docx, council_pdf

pytest.importorskip("reportlab")
docx = pytest.importorskip("docx")

SAMPLES = sorted(path.stem for path in MINUTES_DIR.glob("*.txt"))
RUNNING_HEADER = "Safer Stockton Partnership"
PAGE_FOOTER = re.compile(r"Page \d+ of \d+")


def sample_text(name):
    return (MINUTES_DIR / f"{name}.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def printed():
    """Each sample printed as PDF and as Word: {(name, kind): (file bytes, converted text)}."""
    out = {}
    for name in SAMPLES:
        text = sample_text(name)
        for kind, make in ((converters.PDF, council_pdf), (converters.DOCX, council_docx)):
            data = make(text, RUNNING_HEADER)
            out[name, kind] = data, converters.convert(kind, data)
    return out


def reading(meeting):
    return {
        "body": meeting.body,
        "date": meeting.date,
        "attendees": [(a.name, a.attendance) for a in meeting.attendees],
        "items": [
            (item.number, item.title, item.restricted, len(item.resolutions))
            for item in meeting.items
        ],
    }


@pytest.mark.parametrize("kind", [converters.PDF, converters.DOCX])
@pytest.mark.parametrize("name", SAMPLES)
def test_a_printed_sample_reads_the_same_as_its_text(printed, name, kind):
    _, text = printed[name, kind]
    from_text = parse_minutes(sample_text(name))
    assert from_text.items, "the sample itself must read"
    assert reading(parse_minutes(text)) == reading(from_text)


@pytest.mark.parametrize("kind", [converters.PDF, converters.DOCX])
@pytest.mark.parametrize("name", SAMPLES)
def test_no_page_furniture_reaches_the_items(printed, name, kind):
    _, text = printed[name, kind]
    meeting = parse_minutes(text)
    for item in meeting.items:
        for field in (item.title, item.agenda_text, item.minutes_text):
            assert not PAGE_FOOTER.search(field or ""), item.title
        assert item.title != RUNNING_HEADER
    # The body's name is in the minutes too: the running header adds no copy of it.
    assert text.count(RUNNING_HEADER) == sample_text(name).count(RUNNING_HEADER)


def test_the_printed_pdfs_carry_furniture_and_break_pages_mid_paragraph(printed):
    """The printing is what the other tests claim: several pages, each with the header and its
    footer, and paragraphs that a page break cuts, which the converted text joins again."""
    from pypdf import PdfReader

    cut_paragraphs = 0
    for name in SAMPLES:
        data, text = printed[name, converters.PDF]
        pages = [page.extract_text().split("\n") for page in PdfReader(io.BytesIO(data)).pages]
        assert len(pages) >= 2, name
        for number, lines in enumerate(pages, start=1):
            assert RUNNING_HEADER in lines and f"Page {number} of {len(pages)}" in lines
        original = " ".join(sample_text(name).split())
        body = [
            [
                line.strip()
                for line in lines
                if line.strip() not in ("", RUNNING_HEADER) and not PAGE_FOOTER.fullmatch(line)
            ]
            for lines in pages
        ]
        for before, after in zip(body, body[1:], strict=False):
            last, first = before[-1], after[0]
            if f"{last} {first}" in original:  # one line of the text, wrapped over two pages
                cut_paragraphs += 1
                assert f"{last} {first}" in " ".join(text.split()), name
    assert cut_paragraphs >= 3


# --- hand-made PDFs -------------------------------------------------------------------------------


def pdf_of(pages, font_size=11, header=None):
    """A PDF of ``pages``, each a list of (text, baseline height) drawn at the left margin."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(A4_WIDTH, A4_HEIGHT))
    for number, lines in enumerate(pages, start=1):
        if header:
            pdf.setFont("Helvetica", 9)
            pdf.drawString(MARGIN, A4_HEIGHT - 40, header)
            pdf.drawString(A4_WIDTH - MARGIN - 20, 36, str(number))
        pdf.setFont("Helvetica", font_size)
        for text, y in lines:
            pdf.drawString(MARGIN, y, text)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def column(lines, top=700, leading=14):
    """(text, baseline) for lines drawn one under the other; None is a gap of ``leading``."""
    placed, y = [], top
    for line in lines:
        if line is not None:
            placed.append((line, y))
        y -= leading
    return placed


FULL = "The Partnership noted the report on anti-social behaviour across the Borough and also the"
SHORT = "work of the wardens."


def test_a_line_wrapped_at_the_margin_is_joined_to_the_next():
    from reportlab.pdfbase.pdfmetrics import stringWidth

    # The widest line sets the margin; FULL reaches it.
    assert 451 - 18 < stringWidth(FULL, "Helvetica", 11) < 451
    text = converters.pdf_to_text(
        pdf_of([column([FULL, SHORT, "AGREED that the report be noted."])])
    )
    assert text == f"{FULL} {SHORT}\nAGREED that the report be noted.\n"


def test_a_short_line_is_not_joined_even_when_the_next_is_long():
    lines = ["Present:", FULL, "- Cleveland Police", "- Cleveland Fire Brigade"]
    text = converters.pdf_to_text(pdf_of([column(lines)]))
    # "-" had room at the end of FULL: the list item starts a line of its own.
    assert text == "Present:\n" + FULL + "\n- Cleveland Police\n- Cleveland Fire Brigade\n"


def test_gaps_between_lines_become_one_or_two_blank_lines():
    lines = ["Evacuation Procedure", None, "Noted.", None, "Minutes", None, "Approved."]
    lines += [None, None, "Knife Crime", None, "Noted."]
    text = converters.pdf_to_text(pdf_of([column(lines, leading=14)]))
    # The usual space between paragraphs is one blank line; twice as much is two.
    assert text == (
        "Evacuation Procedure\n\nNoted.\n\nMinutes\n\nApproved.\n\n\nKnife Crime\n\nNoted.\n"
    )


def test_running_headers_and_page_numbers_are_left_out_and_page_breaks_rejoined():
    page_one = column([RUNNING_HEADER, None, "1", None, "Minutes of the last meeting", FULL])
    page_two = column([SHORT, None, "2", None, "Any other business"], top=A4_HEIGHT - MARGIN)
    page_three = column(["None."], top=A4_HEIGHT - MARGIN)
    data = pdf_of([page_one, page_two, page_three], header=RUNNING_HEADER)
    text = converters.pdf_to_text(data)
    # The title printed on the first page, lower than the running header, stays.
    assert text == (
        f"{RUNNING_HEADER}\n\n1\n\nMinutes of the last meeting\n{FULL} {SHORT}\n\n2\n\n"
        "Any other business\n\nNone.\n"
    )


def test_page_n_of_m_is_left_out_of_a_single_page():
    lines = column(["Declarations of Interest", None, "None.", None, None, None, "Page 1 of 1"])
    assert converters.pdf_to_text(pdf_of([lines])) == "Declarations of Interest\n\nNone.\n"


# --- hand-made Word documents ---------------------------------------------------------------------


def docx_data(document):
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_word_page_numbers_and_page_breaks_do_not_reach_the_text():
    from docx.enum.text import WD_BREAK
    from docx.oxml import OxmlElement

    from tests.ingest.council_print import add_field

    document = docx.Document()
    document.add_heading("Safer Stockton Partnership", level=1)
    paragraph = document.add_paragraph("The report was presented to")
    paragraph.add_run().add_break(WD_BREAK.PAGE)
    paragraph.add_run(" members of the Partnership.")
    numbers = document.add_paragraph("Page ")
    add_field(numbers, "PAGE", "2", OxmlElement)
    numbers.add_run(" of ")
    add_field(numbers, "NUMPAGES", "5", OxmlElement)
    document.add_paragraph("AGREED that the report be noted.")
    text = converters.docx_to_text(docx_data(document))
    assert text == (
        "Safer Stockton Partnership\n\n"
        "The report was presented to members of the Partnership.\n\n"
        "AGREED that the report be noted.\n"
    )


def test_word_table_rows_read_as_the_text_exports_print_them():
    document = docx.Document()
    table = document.add_table(rows=3, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "No.", "Item"
    items = [("SSP/47/24", "Fire"), ("SSP/48/24", "AOB")]
    for row, (number, title) in zip(table.rows[1:], items, strict=True):
        row.cells[0].text = number
        row.cells[1].text = title
        row.cells[1].add_paragraph("Minutes:")
    text = converters.docx_to_text(docx_data(document))
    # A row of one-line cells is one line; a row with paragraphs in it keeps them apart.
    assert text == ("No. Item\n\nSSP/47/24\n\nFire\n\nMinutes:\n\nSSP/48/24\n\nAOB\n\nMinutes:\n")


def test_moderngov_minutes_as_a_word_table_read_the_same_as_their_text():
    """The items in a table, as ModernGov's page has them: the number, then the item's cell."""
    text = sample_text("ssp-2025-01-22-moderngov")
    head, _, items = text.partition("No. Item")
    rows: list[list[str]] = []
    for block in items.strip().split("\n\n"):
        if block.startswith("SSP/") or not rows:
            rows.append([])
        rows[-1].append(block)
    document = docx.Document()
    for paragraph in head.strip().split("\n\n"):
        document.add_paragraph(paragraph)
    table = document.add_table(rows=len(rows) + 1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "No.", "Item"
    for row, (number, first, *rest) in zip(table.rows[1:], rows, strict=True):
        row.cells[0].text = number
        row.cells[1].text = first
        for paragraph in rest:
            row.cells[1].add_paragraph(paragraph)
    converted = converters.docx_to_text(docx_data(document))
    assert reading(parse_minutes(converted)) == reading(parse_minutes(text))


def test_extra_empty_word_paragraphs_become_a_second_blank_line():
    document = docx.Document()
    for paragraph in ["Evacuation Procedure", "Noted.", "", "Minutes", "Approved."]:
        document.add_paragraph(paragraph)
    text = converters.docx_to_text(docx_data(document))
    assert text == "Evacuation Procedure\n\nNoted.\n\n\nMinutes\n\nApproved.\n"


def test_a_pdf_with_more_text_than_is_measured_is_read_line_by_line(monkeypatch):
    data = pdf_of([column([FULL, SHORT])])
    assert converters.pdf_to_text(data) == f"{FULL} {SHORT}\n"
    monkeypatch.setattr(converters, "PDF_LAYOUT_MAX_CHARS", 20)
    assert converters.pdf_to_text(data) == f"{FULL}\n{SHORT}\n"


def test_a_page_denser_than_any_printed_minutes_is_read_line_by_line(monkeypatch):
    data = pdf_of([column([FULL, SHORT])])
    monkeypatch.setattr(converters, "PDF_LAYOUT_MAX_PAGE_CHARS", 20)

    assert converters.pdf_to_text(data) == f"{FULL}\n{SHORT}\n"
