"""Turn an uploaded minutes file into the plain text the parser reads.

Plain text passes through; a saved ModernGov "Agenda and minutes" page (.html), a Word document
(.docx) and a PDF are turned into text that keeps their line and paragraph breaks, so the same
layouts are recognised whatever the file type. A PDF's lines and paragraphs are rebuilt from
where its text sits on the page, without the page's furniture (running headers, page numbers),
as the text exports print them. Nothing here touches the database.
"""

import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import PurePath

from .parsers.sections import SECTION_RESTRICTED

# Why a file is refused, in words for the person who imports it: what went wrong and what to
# do about it, never the name of the error the library raised.
PDF_UNREADABLE = (
    "this PDF could not be read; the file may be damaged or not really a PDF. Try saving it "
    "again from the original, or upload a Word or text version"
)
WORD_UNREADABLE = (
    "this Word document could not be read; the file may be damaged or not really a Word "
    "document. Try saving it again from Word, or upload a PDF or text version"
)
HTML_UNREADABLE = (
    "this web page could not be read; the file may be damaged. Try saving it again from the "
    "browser, or upload a Word, PDF or text version"
)


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
        raise ConversionError(HTML_UNREADABLE) from exc
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


def _tidy(text: str, blank_lines: int = 1) -> str:
    """Lines stripped, runs of spaces made one, at most ``blank_lines`` blank lines in a row."""
    lines = [line.strip() for line in text.replace("\xa0", " ").split("\n")]
    text = "\n".join(re.sub(r"[ \t]+", " ", line) for line in lines)
    most = "\n" * (blank_lines + 1)
    return re.sub(rf"\n{{{blank_lines + 2},}}", most, text).strip() + "\n"


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
        raise ConversionError(WORD_UNREADABLE) from exc
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
    """Paragraphs and table rows of a .docx in document order, a blank line between paragraphs.

    Headers and footers are not part of the body; page-number fields and page breaks inside
    it are dropped, so a paragraph that runs over a page stays one. Where the document leaves
    more empty paragraphs between two paragraphs than it usually does, the text has two blank
    lines there: some layouts use them to set items apart.
    """
    check_docx_size(data)
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise ConversionError(WORD_UNREADABLE) from exc
    blocks: list[str] = []
    empties: list[int] = []  # empty paragraphs before each block
    empty = 0
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            text = _docx_paragraph_text(block._p)
            if text is None or _PAGE_FURNITURE.match(text.strip()):
                continue
            if not text.strip():
                empty += 1
                continue
            blocks.append(text)
        elif isinstance(block, Table):
            for row in block.rows:
                blocks.append(_docx_row_text(row))
                empties.append(empty)
                empty = 0
            continue
        empties.append(empty)
        empty = 0
    usual = _usual(empties[1:])
    parts = []
    for index, block in enumerate(blocks):
        if index:
            parts.append("\n\n\n" if empties[index] > usual else "\n\n")
        parts.append(block)
    return _tidy("".join(parts), blank_lines=2)


def _docx_row_text(row) -> str:
    """A table row as the text exports have it: cells of a line each side by side on one line
    ("No. Item"), else each cell's paragraphs as paragraphs, the cells in order."""
    cells: list[list[str]] = []
    for cell in row.cells:
        paragraphs = [_docx_paragraph_text(paragraph._p) or "" for paragraph in cell.paragraphs]
        paragraphs = [text for text in paragraphs if text.strip()]
        if paragraphs and (not cells or paragraphs != cells[-1]):
            cells.append(paragraphs)  # merged cells repeat their text
    if all(len(paragraphs) == 1 and "\n" not in paragraphs[0] for paragraphs in cells):
        return "\t".join(paragraphs[0] for paragraphs in cells)
    return "\n\n".join(text for paragraphs in cells for text in paragraphs)


def _usual(counts: list[int]) -> int:
    """The smallest count that recurs (a one-off is not the document's habit), else the least."""
    if not counts:
        return 0
    tally = Counter(counts)
    return min([count for count, times in tally.items() if times > 1] or counts)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Page numbers and counts: Word's fields for them, whose last result is stored in the body.
_PAGE_FIELD = re.compile(r"^\s*(PAGE|NUMPAGES|SECTIONPAGES|SECTION)\b", re.IGNORECASE)
_PAGE_WORDS = re.compile(r"(?:page|of|/|-|–|\s)*", re.IGNORECASE)
# Not part of a paragraph's own text: drawings and text boxes, deleted and moved-away text.
_DOCX_SKIPPED = {
    f"{_W}{name}" for name in ("drawing", "pict", "del", "moveFrom", "rPr", "pPr", "object")
} | {"{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"}


_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_TEXT_BOX_HOLDERS = {f"{_W}drawing", f"{_W}pict", f"{_MC}AlternateContent"}
_WPS_TEXT_BOX = "{http://schemas.microsoft.com/office/word/2010/wordprocessingShape}txbx"


def _text_box_lines(element) -> list[str]:
    """The paragraphs of the text boxes in a drawing; of an alternative, its first choice only
    (the fallback repeats it)."""
    if element.tag == f"{_MC}AlternateContent":
        choice = next(iter(element), None)
        return _text_box_lines(choice) if choice is not None else []
    lines = []
    for box in element.iter(f"{_W}txbxContent"):
        for paragraph in box.iter(f"{_W}p"):
            text = "".join(t.text or "" for t in paragraph.iter(f"{_W}t")).strip()
            if text:
                lines.append(text)
    return lines


def _docx_paragraph_text(paragraph) -> str | None:
    """A paragraph's text, its line breaks kept, its page breaks and page-number fields dropped;
    None for a paragraph that only numbers the page."""
    parts: list[str] = []
    # Complex fields nest: a stack of [is a page field, past its "separate" mark].
    fields: list[list[bool]] = []
    page_fields: list = []

    def hidden() -> bool:
        return any(page and shown for page, shown in fields)

    def walk(element) -> None:
        for child in element:
            tag = child.tag
            if tag in _TEXT_BOX_HOLDERS:
                # A text box's words are kept on lines of their own: a "PART 2 - CONFIDENTIAL"
                # heading is sometimes set in one.
                boxed = _text_box_lines(child)
                if boxed:
                    parts.append("\n" + "\n".join(boxed) + "\n")
                continue
            if tag in _DOCX_SKIPPED:
                continue
            if tag == f"{_W}fldSimple":
                if not _PAGE_FIELD.match(child.get(f"{_W}instr") or ""):
                    walk(child)
                else:
                    page_fields.append(child)
            elif tag == f"{_W}fldChar":
                kind = child.get(f"{_W}fldCharType")
                if kind == "begin":
                    fields.append([False, False])
                elif kind == "separate" and fields:
                    fields[-1][1] = True
                elif kind == "end" and fields:
                    fields.pop()
            elif tag == f"{_W}instrText":
                if fields and _PAGE_FIELD.match(child.text or ""):
                    fields[-1][0] = True
                    page_fields.append(child)
            elif hidden():
                continue
            elif tag == f"{_W}t":
                parts.append(child.text or "")
            elif tag in (f"{_W}tab", f"{_W}ptab"):
                parts.append("\t")
            elif tag == f"{_W}br":
                # A page or column break inside a paragraph does not end it.
                parts.append("" if child.get(f"{_W}type") in ("page", "column") else "\n")
            elif tag == f"{_W}cr":
                parts.append("\n")
            elif tag == f"{_W}noBreakHyphen":
                parts.append("-")
            else:
                walk(child)

    walk(paragraph)
    text = "".join(parts)
    # What is left of "Page {PAGE} of {NUMPAGES}" once its fields are gone.
    return None if page_fields and _PAGE_WORDS.fullmatch(text) else text


# --- PDF ----------------------------------------------------------------------------------------


# A PDF's page count is read before its pages, and its text is measured as it is taken out: a
# small PDF can hold thousands of pages, or streams that unpack to far more text than minutes.
PDF_MAX_PAGES = 1_000
PDF_MAX_CHARS = 5_000_000
# Measuring each character takes some 30 µs, a second for minutes of 40,000 characters: past
# this much text the PDF's lines are read as they come, without rebuilding its layout.
PDF_LAYOUT_MAX_CHARS = 500_000
# No printed page of minutes holds more than some 6,000 characters. A page far denser than that
# (characters scattered one by one, a drawing's labels) would take pdfminer.six minutes to lay
# out: such a PDF is read as its lines come too.
PDF_LAYOUT_MAX_PAGE_CHARS = 15_000
_NO_TEXT_LAYER = (
    "this PDF holds pictures of its pages but no text to read (it may be a scan). Save it as "
    "text from the original, or upload a Word or text version"
)

# Page furniture that is never the minutes, on a page of its own too: "Page 2 of 5", "Page 2".
_PAGE_FURNITURE = re.compile(r"^(?:page\s*\d+(?:\s*(?:of|/)\s*\d+)?|\d+\s*of\s*\d+)$", re.I)


# The PDF standard's WinAnsiEncoding shows its unused codes as bullets, which some writers use
# for "•"; pdfminer.six leaves them unread, as "(cid:127)".
_WINANSI_BULLETS = re.compile(r"\(cid:(?:127|129|141|143|144|157)\)")


@dataclass
class _Line:
    page: int
    text: str
    x0: float
    x1: float
    y: float  # the baseline's height from the foot of the page
    height: float
    first_word: float  # how wide the line's first word is
    space: float  # how wide a space is in the line's font
    page_width: float


def pdf_to_text(data: bytes) -> str:
    """The text layer of a PDF as the lines and paragraphs it prints; a scan is refused.

    Lines are rebuilt from where each character sits on the page: a line the page's width
    wrapped is joined to the one before, a wider gap than the usual line spacing makes a blank
    line (two where it is clearly wider than the usual gap between paragraphs), a paragraph
    broken by a page break is joined again, and what repeats at the head or foot of most pages
    (running headers, page numbers, "Page N of M") is left out.
    """
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ConversionError("the PDF is password-protected")
        if len(reader.pages) > PDF_MAX_PAGES:
            raise ConversionError(
                f"the PDF has {len(reader.pages):,} pages, over the {PDF_MAX_PAGES:,} limit"
            )
        # pypdf reads text some twenty times faster than pdfminer.six, which measures every
        # character: the text is counted with it first, and only a PDF within the limits is
        # measured.
        texts, size = [], 0
        for page in reader.pages:
            texts.append(page.extract_text() or "")
            size += len(texts[-1])
            if size > PDF_MAX_CHARS:
                raise ConversionError(
                    f"the PDF holds more than {PDF_MAX_CHARS:,} characters of text"
                )
        if size > PDF_LAYOUT_MAX_CHARS or max(map(len, texts), default=0) > (
            PDF_LAYOUT_MAX_PAGE_CHARS
        ):
            if not "".join(texts).strip():
                raise ConversionError(_NO_TEXT_LAYER)
            return _tidy("\n\n".join(texts))
        pages = _pdf_lines(data)
    except ConversionError:
        raise
    except Exception as exc:
        raise ConversionError(PDF_UNREADABLE) from exc
    lines = _without_furniture(pages)
    if not any(line.text.strip() for line in lines):
        raise ConversionError(_NO_TEXT_LAYER)
    return _tidy(_paragraphs(lines), blank_lines=2)


def _pdf_lines(data: bytes) -> list[list[_Line]]:
    """Each page's lines, top to bottom, with where they sit; pdfminer.six measures each
    character, which the joining of wrapped lines needs."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTChar, LTTextContainer, LTTextLine

    pages = []
    # Lines only: grouping them into boxes (boxes_flow) costs time that grows with the square
    # of a page's lines, and the reading order is rebuilt here from where the lines sit.
    params = LAParams(line_overlap=0.5, char_margin=2.0, line_margin=0.5, boxes_flow=None)
    for number, page in enumerate(extract_pages(io.BytesIO(data), laparams=params)):
        lines = []
        for box in page:
            if not isinstance(box, LTTextContainer):
                continue
            for line in box if not isinstance(box, LTTextLine) else [box]:
                if not isinstance(line, LTTextLine):
                    continue
                text = _WINANSI_BULLETS.sub("•", line.get_text().rstrip("\n"))
                if not text.strip():
                    continue
                chars = [char for char in line if isinstance(char, LTChar)]
                lines.append(_measure(number, text, line, chars, page.width))
        lines.sort(key=lambda line: (-round(line.y), line.x0))
        pages.append(lines)
    return pages


def _measure(page: int, text: str, line, chars, page_width: float) -> _Line:
    first_word, space, started = 0.0, 0.0, None
    for char in chars:
        if char.get_text().isspace():
            space = space or char.width
            if started is not None:
                break
        elif started is None:
            started = char.x0
        if started is not None:
            first_word = char.x1 - started
    baseline = min((char.y0 for char in chars), default=line.y0)
    height = max((char.size for char in chars), default=line.height)
    return _Line(
        page,
        text.strip(),
        line.x0,
        line.x1,
        baseline,
        height,
        first_word,
        space or height / 4,
        page_width,
    )


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _without_furniture(pages: list[list[_Line]]) -> list[_Line]:
    """The lines in reading order, less what repeats at the head or foot of most pages."""
    edges: dict[str, list[_Line]] = {}
    for lines in pages:
        for line in {id(line): line for line in lines[:2] + lines[-2:]}.values():
            edges.setdefault(_furniture_key(line.text), []).append(line)
    furniture: set[int] = set()
    most = max(2, (len(pages) + 1) // 2)
    for found in edges.values():
        # The same text at about the same height: a title that happens to match the running
        # header but sits lower on the first page stays.
        heights = sorted(line.y for line in found)
        usual = heights[len(heights) // 2]
        repeated = [line for line in found if abs(line.y - usual) <= 6]
        # A heading that opens confidential business stays, even repeated on each page.
        if len({line.page for line in repeated}) >= most and not SECTION_RESTRICTED.match(
            found[0].text.strip()
        ):
            furniture.update(id(line) for line in repeated)
    return [
        line
        for lines in pages
        for line in lines
        if id(line) not in furniture
        and not ((line is lines[0] or line is lines[-1]) and _PAGE_FURNITURE.match(line.text))
    ]


def _paragraphs(lines: list[_Line]) -> str:
    """Text with lines wrapped by the page joined and paragraphs set apart by blank lines."""
    if not lines:
        return ""
    gaps = [a.y - b.y for a, b in zip(lines, lines[1:], strict=False) if a.page == b.page]
    pitch = _line_spacing(gaps, lines)
    left, right = min(line.x0 for line in lines), max(line.x1 for line in lines)
    if sum(line.x1 > right - (right - left) * 0.1 for line in lines) < 3:
        # Too few lines reach the widest for it to be the margin: take the margins to be even.
        right = max(right, max(line.page_width for line in lines) - left)
    width = right - left
    # Where the text starts on a page: the highest first line, as space kept above a paragraph
    # only ever pushes one down.
    top = max(
        line.y + line.height
        for before, line in zip([None, *lines], lines, strict=False)
        if before is None or before.page != line.page
    )
    threshold = pitch * 0.25
    # The space between each line and the one before beyond ordinary line spacing. After a page
    # break it is how far the space kept above a paragraph pushed the line down; where the
    # document shows no such space at the top of any page, it is not known (None).
    extras: list[float | None] = [None]
    for before, line in zip(lines, lines[1:], strict=False):
        if before.page == line.page:
            extras.append(before.y - line.y - max(pitch, line.height))
        else:
            extras.append(max(top - line.y - line.height, 0.0))
    if not any(
        extra > threshold
        for before, line, extra in zip(lines, lines[1:], extras[1:], strict=False)
        if before.page != line.page
    ):
        extras = [
            None if before is None or before.page != line.page else extra
            for before, line, extra in zip([None, *lines], lines, extras, strict=False)
        ]
    unit = _usual_gap([extra for extra in extras if extra is not None and extra > threshold])
    breaks = [
        "\n"
        if extra is None or extra <= threshold
        else "\n\n\n"
        if unit and extra > unit * 1.5
        else "\n\n"
        for extra in extras
    ]
    # A page break after a line that ended short hides the space after it: it is taken to be
    # what the document usually has after such a line on the same page.
    ends = [
        brk
        for before, line, brk, extra in zip(lines, lines[1:], breaks[1:], extras[1:], strict=False)
        if extra is not None and not _wrapped(before, line, right, width)
    ]
    hidden = "\n" if ends.count("\n") > len(ends) / 2 else "\n\n"
    out = [lines[0].text]
    for before, line, brk, extra in zip(lines, lines[1:], breaks[1:], extras[1:], strict=False):
        if brk != "\n":
            out.append(brk)
        elif _wrapped(before, line, right, width):
            out.append(" ")
        else:
            out.append(hidden if extra is None else "\n")
        out.append(line.text)
    return "".join(out)


def _wrapped(before: _Line, line: _Line, right: float, width: float) -> bool:
    """Whether ``line`` goes on from ``before`` because its first word had no room there.

    A line that ends a table's row ("… noted. |", as text exports of tables print) never goes
    on, however near the margin it ends.
    """
    if before.text.endswith("|"):
        return False
    room = right - before.x1
    return room < min(line.first_word + before.space + 1, width * 0.3)


def _line_spacing(gaps: list[float], lines: list[_Line]) -> float:
    """The distance between the lines of a paragraph: the narrowest gap the document keeps
    using (most gaps can be between paragraphs, where every line is one)."""
    height = sorted(line.height for line in lines)[len(lines) // 2]
    counts = Counter(round(gap * 2) / 2 for gap in gaps if gap >= height * 0.9)
    recurring = [gap for gap, count in counts.items() if count > 2]
    spacing = min(recurring or counts or [height * 1.2])
    # Wider than any single spacing: every line is a paragraph of its own.
    return spacing if spacing <= height * 1.6 else height * 1.2


def _most_common(values: list[float], recurring: bool = False) -> float | None:
    counts = Counter(round(value * 2) / 2 for value in values)
    if not counts:
        return None
    best = max(counts, key=lambda value: (counts[value], value))
    return None if recurring and counts[best] < 2 else best


def _usual_gap(extras: list[float]) -> float | None:
    """The space between paragraphs that the document uses most at its narrowest."""
    counts = Counter(round(extra) for extra in extras)
    recurring = [value for value, count in counts.items() if count > 1]
    return float(min(recurring or counts or [0])) or None
