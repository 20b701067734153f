"""Inputs that once stalled the reader or were imported as something they are not.

Each fixture in ``tests/fixtures/hostile/`` shows one such input; the larger ones are built
here. Each is read in well under a second, or refused with its reason.
"""

import io
import time
import zipfile
from contextlib import contextmanager

import pytest

from ingest import converters, services
from ingest.parsers import parse_minutes
from meetings.models import Meeting, SourceDocument
from tests.conftest import FIXTURES

HOSTILE = FIXTURES / "hostile"
# Each of these took from several seconds to minutes before; read properly they take a few
# milliseconds, so a bound this loose still tells the two apart on a busy machine. Timed in
# processor time, not by the clock: a reader that backtracks spends its seconds on the
# processor, while a test paused by the machine (another suite beside it) spends none.
QUICK = 1.0


@contextmanager
def quickly():
    """Fail unless what runs inside takes under ``QUICK`` seconds of processor time."""
    started = time.process_time()
    yield
    seconds = time.process_time() - started
    assert seconds < QUICK, f"took {seconds:.2f} s"


def read_quickly(text: str):
    with quickly():
        return parse_minutes(text)


def test_a_long_run_of_spaces_after_agreed_that_is_read_quickly():
    text = (HOSTILE / "agreed-that-long-run.txt").read_text(encoding="utf-8")
    assert " " * 4000 in text
    meeting = read_quickly(text)
    [item] = meeting.items
    assert item.number == "SSP 13/22"
    [decision] = item.resolutions
    assert decision.text.startswith("AGREED that")
    assert decision.text.endswith("the minutes be approved.")


def test_a_long_run_of_spaces_in_a_moderngov_header_is_read_quickly():
    text = (HOSTILE / "moderngov-title-long-run.txt").read_text(encoding="utf-8")
    meeting = read_quickly(text)
    assert meeting.body == "Safer Stockton Partnership"
    assert str(meeting.date) == "2025-01-22"
    assert [item.number for item in meeting.items] == ["SSP/47/24"]


@pytest.mark.parametrize("run", [" ", "\t", " \n", ".", "-", "\n\n"])
@pytest.mark.parametrize(
    "after",
    ["AGREED that", "RESOLVED that:", "Present:", "SSP", "SSP 12/22", "12", "pdf icon", " - "],
)
def test_a_long_run_after_a_keyword_is_read_quickly(after, run):
    sample = (FIXTURES / "minutes" / "ssp-2022-09-28-formal.txt").read_text(encoding="utf-8")
    text = f"{after}{run * 20_000}x\n\n{sample}"
    titles = [item.title for item in parse_minutes(sample).items]
    assert [item.title for item in read_quickly(text).items][-len(titles) :] == titles


def test_a_file_holding_only_a_header_has_no_items():
    text = (HOSTILE / "header-only.txt").read_text(encoding="utf-8")
    meeting = read_quickly(text)
    assert meeting.items == []
    # What the header says is still read.
    assert meeting.body == "Safer Stockton Partnership"
    assert str(meeting.date) == "2022-09-28"
    assert {attendee.name for attendee in meeting.attendees} >= {"Steve Nelson", "Alex Sinclair"}


@pytest.mark.django_db
def test_a_file_holding_only_a_header_fails_to_import_and_is_kept():
    data = (HOSTILE / "header-only.txt").read_bytes()
    outcome = services.import_document(data, "header-only.txt")
    assert outcome.status == services.FAILED
    assert outcome.message == "no agenda items found"
    assert not Meeting.objects.exists()
    document = SourceDocument.objects.get()
    assert document.status == SourceDocument.Status.FAILED
    assert bytes(document.original_bytes) == data


HEADER = "A meeting of Safer Stockton Partnership was held on Wednesday, 28th September, 2022.\n\n"
MODERNGOV = (
    "Safer Stockton Partnership - Wednesday 22nd January, 2025 9.00 am\n\nItems\nNo. Item\n\n"
)


@pytest.mark.parametrize(
    ("text", "last_number"),
    [
        (HEADER + "".join(f"{n}\n\nItem {n}\n\nNoted.\n\n" for n in range(1, 1201)), "1200"),
        (
            HEADER + "".join(f"SSP {n}/22 Item {n}\n\nNoted.\n\n" for n in range(1, 1201)),
            "SSP 1200/22",
        ),
        (
            MODERNGOV
            + "".join(f"SSP/{n}/24\n\nItem {n}\n\nMinutes:\n\nNoted.\n\n" for n in range(1, 1201)),
            "SSP/1200/24",
        ),
    ],
    ids=["numbered", "formal", "moderngov"],
)
def test_items_past_999_are_items_of_their_own(text, last_number):
    meeting = read_quickly(text)
    assert len(meeting.items) == 1200
    assert meeting.items[-1].number == last_number
    assert meeting.items[-1].title == "Item 1200"
    assert meeting.items[998].minutes_text == "Noted."  # item 999 holds only its own minutes


def test_a_year_alone_on_a_line_is_not_an_item():
    text = (
        HEADER + "1\n\nWelcome\n\nHeld in\n\n2024\n\nthe new building.\n\n2\n\nBudget\n\nNoted.\n"
    )
    meeting = read_quickly(text)
    assert [item.number for item in meeting.items] == ["1", "2"]


# --- Web pages -------------------------------------------------------------------------------


@pytest.mark.parametrize("opening", ["<a ", "<!--", "</", "<!x", "<"])
def test_a_web_page_of_tags_that_never_close_is_read_quickly(opening):
    page = "<p>Safer Stockton Partnership</p>" + opening * 20_000 + "<p>Welcome</p>"
    with quickly():
        text = converters.html_to_text(page)
    assert text.startswith("Safer Stockton Partnership\n")
    assert text.rstrip().endswith("Welcome")


def test_a_web_page_of_too_many_tags_is_refused(monkeypatch):
    monkeypatch.setattr(converters, "HTML_MAX_TAGS", 10)
    with pytest.raises(converters.ConversionError, match=r"holds 11 tags, over the 10 limit"):
        converters.html_to_text("<p>x</p>" * 5 + "<br>")


# --- Word documents that unpack to far more than they hold ----------------------------------------


def docx_with(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def docx_bomb() -> bytes:
    paragraph = b"<w:p><w:r><w:t>Noted.</w:t></w:r></w:p>"
    xml = b"<w:document><w:body>" + paragraph * (25 * 1024 * 1024 // len(paragraph)) + b"</w:body>"
    return docx_with({"word/document.xml": xml + b"</w:document>"})


def test_a_docx_bomb_is_refused_before_it_is_unpacked():
    data = docx_bomb()
    assert len(data) < 200 * 1024
    assert converters.kind_of("minutes.docx", data) == converters.DOCX
    with (
        quickly(),
        pytest.raises(
            converters.ConversionError,
            match=r"part word/document\.xml unpacks to 25 MB, over the 20 MB limit",
        ),
    ):
        converters.convert(converters.DOCX, data)


def test_a_docx_of_too_many_parts_is_refused():
    parts = {f"word/media/image{n}.png": b"x" for n in range(1001)}
    data = docx_with({"word/document.xml": b"<w:document/>", **parts})
    with pytest.raises(converters.ConversionError, match=r"1,003 parts, over the 1,000 limit"):
        converters.convert(converters.DOCX, data)


def test_a_docx_unpacking_to_too_much_in_all_is_refused(monkeypatch):
    monkeypatch.setattr(converters, "DOCX_MAX_TOTAL_BYTES", 1000)
    data = docx_with({"word/document.xml": b" " * 600, "word/styles.xml": b" " * 600})
    with pytest.raises(
        converters.ConversionError, match=r"unpacks to 1,208 bytes, over the 1,000 bytes limit"
    ):
        converters.convert(converters.DOCX, data)


@pytest.mark.django_db
def test_a_docx_bomb_fails_to_import_with_its_reason_and_is_kept():
    data = docx_bomb()
    outcome = services.import_document(data, "bomb.docx")
    assert outcome.status == services.FAILED
    assert outcome.file_name == "bomb.docx"
    assert "unpacks to 25 MB, over the 20 MB limit" in outcome.message
    assert not Meeting.objects.exists()
    document = SourceDocument.objects.get()
    assert document.status == SourceDocument.Status.FAILED
    assert document.file_name == "bomb.docx"
    assert "over the 20 MB limit" in document.error
    assert bytes(document.original_bytes) == data


# --- PDFs with too many pages or too much text ----------------------------------------------------


def test_a_pdf_with_too_many_pages_is_refused(monkeypatch):
    from tests.ingest.test_converters import minimal_pdf

    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter()
    for _ in range(3):
        writer.add_page(pypdf.PdfReader(io.BytesIO(minimal_pdf(["Minutes"]))).pages[0])
    out = io.BytesIO()
    writer.write(out)
    monkeypatch.setattr(converters, "PDF_MAX_PAGES", 2)
    with pytest.raises(converters.ConversionError, match=r"the PDF has 3 pages, over the 2 limit"):
        converters.convert(converters.PDF, out.getvalue())


def test_a_pdf_holding_too_much_text_is_refused(monkeypatch):
    from tests.ingest.test_converters import minimal_pdf

    monkeypatch.setattr(converters, "PDF_MAX_CHARS", 20)
    data = minimal_pdf(["Safer Stockton Partnership minutes, held on 22nd January 2025"])
    with pytest.raises(converters.ConversionError, match=r"more than 20 characters of text"):
        converters.convert(converters.PDF, data)
