"""Minutes text printed the way a council's template prints it, as PDF and as Word.

A running header (the body's name) and a "Page N of M" footer on every page, A4 with margins,
each line wrapped at the page width, paragraphs set apart by space rather than blank lines, and
pages that break wherever the text runs out of room, mid-paragraph included. Built in the tests
from the sample texts; nothing generated is kept in the repository.
"""

import io
import re

A4_WIDTH, A4_HEIGHT = 595.27, 841.89
MARGIN = 72
FONT, FONT_SIZE, LEADING = "Helvetica", 11, 14
# Space a blank line of the text becomes: a paragraph's spacing, not a line's height.
PARAGRAPH_SPACE = 8
_BLANK_RUNS = re.compile(r"\n(?:[ \t]*\n)+")


def printed_lines(text: str, width: float) -> list[tuple[str, float]]:
    """Each line of ``text`` wrapped at ``width``, with the space above it."""
    from reportlab.lib.utils import simpleSplit

    lines, space = [], 0.0
    for line in text.split("\n"):
        if not line.strip():
            space += PARAGRAPH_SPACE
            continue
        for piece in simpleSplit(line, FONT, FONT_SIZE, width):
            lines.append((piece, space))
            space = 0.0
    return lines


def council_pdf(text: str, header: str, paragraph_space_at_top: bool = True) -> bytes:
    """``text`` as a PDF: lines as printed, pages numbered "Page N of M" at the foot."""
    from reportlab.pdfgen import canvas

    width = A4_WIDTH - 2 * MARGIN
    top, bottom = A4_HEIGHT - MARGIN, MARGIN
    pages: list[list[tuple[str, float]]] = [[]]
    y = top
    for line, space in printed_lines(text, width):
        y -= LEADING + space
        if y < bottom:
            pages.append([])
            # Where a page break falls between paragraphs the space above the next one is kept
            # (or not, as some templates do) at the top of the new page.
            y = top - LEADING - (space if paragraph_space_at_top else 0)
        pages[-1].append((line, y))
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(A4_WIDTH, A4_HEIGHT))
    for number, page in enumerate(pages, start=1):
        pdf.setFont(FONT, 9)
        pdf.drawString(MARGIN, A4_HEIGHT - 40, header)
        pdf.drawCentredString(A4_WIDTH / 2, 36, f"Page {number} of {len(pages)}")
        pdf.setFont(FONT, FONT_SIZE)
        for line, y in page:
            pdf.drawString(MARGIN, y, line)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def council_docx(text: str, header: str) -> bytes:
    """``text`` as a Word document.

    A paragraph for each run of lines between blank lines, its lines kept apart by line breaks;
    where the text has more than one blank line, empty paragraphs. The header holds the body's
    name, the footer "Page N of M" as Word's PAGE and NUMPAGES fields; every fifth long
    paragraph has a page break in its middle.
    """
    import docx
    from docx.enum.text import WD_BREAK
    from docx.oxml import OxmlElement
    from docx.shared import Pt

    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Pt(A4_WIDTH), Pt(A4_HEIGHT)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Pt(MARGIN))
    section.header.paragraphs[0].text = header
    footer = section.footer.paragraphs[0]
    footer.add_run("Page ")
    add_field(footer, "PAGE", "1", OxmlElement)
    footer.add_run(" of ")
    add_field(footer, "NUMPAGES", "1", OxmlElement)

    blocks = _BLANK_RUNS.split(text.strip("\n"))
    separators = [run.count("\n") - 1 for run in _BLANK_RUNS.findall(text.strip("\n"))]
    long_paragraphs = 0
    for index, block in enumerate(blocks):
        paragraph = document.add_paragraph()
        for number, line in enumerate(block.split("\n")):
            if number:
                paragraph.add_run().add_break()
            words = line.split(" ")
            if len(line) > 300 and long_paragraphs % 5 == 0:
                half = len(words) // 2
                paragraph.add_run(" ".join(words[:half]) + " ")
                paragraph.add_run().add_break(WD_BREAK.PAGE)
                paragraph.add_run(" ".join(words[half:]))
            else:
                paragraph.add_run(line)
            long_paragraphs += len(line) > 300
        if index < len(separators):
            for _ in range(max(separators[index] - 1, 0)):
                document.add_paragraph()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def add_field(paragraph, instruction: str, shown: str, element) -> None:
    """A complex field, as Word writes one: begin, instruction, separate, its last result, end."""
    from docx.oxml.ns import qn

    def char(kind):
        run = paragraph.add_run()._r
        fld = element("w:fldChar")
        fld.set(qn("w:fldCharType"), kind)
        run.append(fld)

    char("begin")
    run = paragraph.add_run()._r
    instr = element("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run.append(instr)
    char("separate")
    paragraph.add_run(shown)
    char("end")
