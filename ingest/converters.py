"""Turn an uploaded minutes file into the plain text the parser reads.

Plain text passes through; a saved ModernGov "Agenda and minutes" page (.html), a Word document
(.docx) and a PDF are turned into text that keeps their line and paragraph breaks, so the same
layouts are recognised whatever the file type. Nothing here touches the database.
"""

import io
import re
import zipfile
from html.parser import HTMLParser
from pathlib import PurePath


class ConversionError(Exception):
    """The file cannot be turned into text; the message says why."""


TEXT = "text"
HTML = "html"
DOCX = "docx"
PDF = "pdf"

_KINDS_BY_SUFFIX = {
    ".txt": TEXT,
    ".text": TEXT,
    ".htm": HTML,
    ".html": HTML,
    ".docx": DOCX,
    ".pdf": PDF,
}
ACCEPTED_SUFFIXES = tuple(_KINDS_BY_SUFFIX)


def kind_of(file_name: str, data: bytes) -> str:
    """What a file is, from its content where that is certain, else from its name."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return DOCX if _is_docx(data) else "zip"
    suffix = PurePath(file_name).suffix.lower()
    if suffix in (".htm", ".html") or re.match(rb"\s*(<!doctype html|<html)", data[:512], re.I):
        return HTML
    return _KINDS_BY_SUFFIX.get(suffix, TEXT)


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def convert(kind: str, data: bytes, text: str | None = None) -> str:
    """Text of a file of ``kind``; ``text`` is the decoded file for the text-based kinds."""
    if kind == TEXT:
        return text if text is not None else data.decode("utf-8")
    if kind == HTML:
        return html_to_text(text if text is not None else data.decode("utf-8"))
    if kind == DOCX:
        return docx_to_text(data)
    if kind == PDF:
        return pdf_to_text(data)
    raise ConversionError("a zip archive, not a Word document or minutes text")


# --- HTML ---------------------------------------------------------------------------------------

_BLOCKS = {
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "tfoot",
    "thead", "tr", "ul", "caption",
}  # fmt: skip
_PARAGRAPHS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "ul", "ol", "blockquote"}
_SKIPPED = {"script", "style", "noscript", "template", "head", "svg", "button", "select"}


class _TextExtractor(HTMLParser):
    """Text in reading order: blocks on lines of their own, paragraphs apart, images by alt."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED:
            self.skipping += 1
        elif self.skipping:
            return
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "img":
            alt = dict(attrs).get("alt") or ""
            if alt.strip():
                self.parts.append(f" {alt.strip()} ")
        elif tag in ("td", "th"):
            self.parts.append("\t")  # cells of a row side by side, as copied page text has them
        elif tag in _BLOCKS:
            self.parts.append("\n\n" if tag in _PARAGRAPHS else "\n")
            if tag == "li":
                self.parts.append("- ")

    def handle_endtag(self, tag):
        if tag in _SKIPPED:
            self.skipping = max(self.skipping - 1, 0)
        elif not self.skipping and tag in _BLOCKS:
            self.parts.append("\n\n" if tag in _PARAGRAPHS else "\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(re.sub(r"[ \t\r\n\f]+", " ", data))


# HTMLParser takes some 20 µs a tag: a saved minutes page has a few thousand, and 5 MB of
# nothing but tags would take a minute.
HTML_MAX_TAGS = 200_000


def html_to_text(html: str) -> str:
    tags = html.count("<")
    if tags > HTML_MAX_TAGS:
        raise ConversionError(f"the web page holds {tags:,} tags, over the {HTML_MAX_TAGS:,} limit")
    extractor = _TextExtractor()
    try:
        extractor.feed(_escape_unclosed(html))
        extractor.close()
    except Exception as exc:  # HTMLParser is lenient; anything it raises means broken input
        raise ConversionError(f"the HTML cannot be read ({exc})") from exc
    return _tidy("".join(extractor.parts))


def _escape_unclosed(html: str) -> str:
    """``html`` with each "<" that opens nothing (no ">" before the next "<", or a comment that
    never ends) written as "&lt;", as a browser shows it.

    HTMLParser looks for the end of such a "<" all the way to the end of the page, and again
    from the next one: 60 KB of "<a " took minutes.
    """
    parts, start, comments_end = [], 0, True
    position = html.find("<")
    while position != -1:
        following = html.find("<", position + 1)
        if html.startswith("<!--", position):
            end = html.find("-->", position + 4) if comments_end else -1
            if end != -1:
                position = html.find("<", end + 3)
                continue
            comments_end = False  # none after this one ends either
        elif html.find(">", position + 1, len(html) if following == -1 else following) != -1:
            position = following
            continue
        parts += [html[start:position], "&lt;"]
        start = position + 1
        position = following
    parts.append(html[start:])
    return "".join(parts)


def _tidy(text: str) -> str:
    lines = [line.strip() for line in text.replace("\xa0", " ").split("\n")]
    text = "\n".join(re.sub(r"[ \t]+", " ", line) for line in lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


# --- Word ---------------------------------------------------------------------------------------


# A Word document is a zip archive: a few hundred KB of it can unpack to gigabytes of XML, which
# python-docx reads whole. Its contents are measured from the archive's directory, before
# anything is unpacked; the sizes are those the archive declares, and zipfile never unpacks more
# than a part declares. Minutes run to a few MB of XML at most.
DOCX_MAX_PARTS = 1_000
DOCX_MAX_PART_BYTES = 20 * 1024 * 1024
DOCX_MAX_TOTAL_BYTES = 50 * 1024 * 1024


def check_docx_size(data: bytes) -> None:
    """Raise ConversionError when a Word document unpacks to more than it may."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ConversionError(f"not a readable Word document ({exc.__class__.__name__})") from exc
    if len(parts) > DOCX_MAX_PARTS:
        raise ConversionError(
            f"the Word document holds {len(parts):,} parts, over the {DOCX_MAX_PARTS:,} limit"
        )
    largest = max(parts, key=lambda part: part.file_size, default=None)
    if largest is not None and largest.file_size > DOCX_MAX_PART_BYTES:
        raise ConversionError(
            f"the Word document's part {largest.filename} unpacks to "
            f"{_megabytes(largest.file_size)}, over the {_megabytes(DOCX_MAX_PART_BYTES)} limit"
        )
    total = sum(part.file_size for part in parts)
    if total > DOCX_MAX_TOTAL_BYTES:
        raise ConversionError(
            f"the Word document unpacks to {_megabytes(total)}, "
            f"over the {_megabytes(DOCX_MAX_TOTAL_BYTES)} limit"
        )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def docx_to_text(data: bytes) -> str:
    """Paragraphs and table rows of a .docx in document order, a blank line between paragraphs."""
    check_docx_size(data)
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise ConversionError(f"not a readable Word document ({exc.__class__.__name__})") from exc
    blocks = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            blocks.append(block.text)
        elif isinstance(block, Table):
            for row in block.rows:
                cells = []
                for cell in row.cells:
                    if cell.text.strip() and (not cells or cell.text != cells[-1]):
                        cells.append(cell.text)  # merged cells repeat their text
                blocks.append("\n".join(cells))
    return _tidy("\n\n".join(blocks))


# --- PDF ----------------------------------------------------------------------------------------


# A PDF's page count is read before its pages, and its text is measured as it is taken out: a
# small PDF can hold thousands of pages, or streams that unpack to far more text than minutes.
PDF_MAX_PAGES = 1_000
PDF_MAX_CHARS = 5_000_000


def pdf_to_text(data: bytes) -> str:
    """The text layer of a PDF, page by page; a scanned PDF without one is refused."""
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ConversionError("the PDF is password-protected")
        if len(reader.pages) > PDF_MAX_PAGES:
            raise ConversionError(
                f"the PDF has {len(reader.pages):,} pages, over the {PDF_MAX_PAGES:,} limit"
            )
        pages, size = [], 0
        for page in reader.pages:
            pages.append(page.extract_text() or "")
            size += len(pages[-1])
            if size > PDF_MAX_CHARS:
                raise ConversionError(
                    f"the PDF holds more than {PDF_MAX_CHARS:,} characters of text"
                )
    except ConversionError:
        raise
    except Exception as exc:
        raise ConversionError(f"not a readable PDF ({exc.__class__.__name__})") from exc
    text = "\n\n".join(pages)
    if not text.strip():
        raise ConversionError("the PDF has no text layer (a scan?); save it as text first")
    return _tidy(text)
