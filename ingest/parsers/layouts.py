"""Recognise the layout of a set of minutes and cut it into a header and raw items.

Each layout function takes normalised text and returns a ``Layout``: the header as printed and
the items with their number, title, agenda text and minutes text still as printed. Reading the
meaning (decisions, status, restricted) is left to ``items`` and ``header``.
"""

import re

from . import document as doc
from .egenda import egenda, looks_like_egenda
from .raw import Layout, RawItem
from .scheme import find_scheme, numbered_scheme
from .text import clean_block

# A council reference: "SSP 12/22", "SSP/47/24", "CAB/38/25", and "SSP/4724" where the page
# text lost a slash. The prefix is letters; the last part is the municipal year.
# Runs of spaces are taken whole (``*+``) throughout: two runs that can give way to one another
# are tried in every split, which on a long run takes minutes.
REFERENCE = (
    r"[A-Z][A-Za-z]{1,7}\s*+/?\s*+\d{1,3}[a-z]?\s*+/?\s*+\d{2,4}"
    r"|[A-Z][A-Za-z]{1,7}\s++\d{2}\s*+/\s*+\d{1,3}"  # "CSF 14/1": the year first
)
# A plain item number: "7", "4a", "4(a)", "12.", "4.1".
PLAIN_NUMBER = r"\d{1,3}(?:[a-z]|\([a-z]\)|\.\d{1,2})?\.?"
_REFERENCE_LINE = re.compile(rf"^(?:{REFERENCE}|{PLAIN_NUMBER})$")
_PLAIN_NUMBER_LINE = re.compile(rf"^{PLAIN_NUMBER}$")
_BARE_NUMBER = re.compile(r"^\d{1,3}\.?$")
# Past 999 a number is an item only where it follows on from the one before ("1000" after
# "999"): on its own, "2024" alone on a line is more likely a year than item 2024.
_LONG_NUMBER_LINE = re.compile(r"^\d{4,6}\.?$")
# "SSP/1000/24" or "1000", after "SSP/999/24" or "999" (the year after a slash, not run on).
_LONG_REFERENCE_LINE = re.compile(
    r"^(?:[A-Z][A-Za-z]{1,7}\s*+/?\s*+)?(?P<item>\d{4,6})[a-z]?(?:\s*+/\s*+\d{2,4})?\.?$"
)
_MINUTES_LABEL = re.compile(r"^Minutes:\s*(.*)$")
_ITEMS_HEADING = re.compile(
    r"^\|?\s*+(?:Items\s*+)?No\.?\s*+\|?\s*+Item\s*+\|?\s*+$", re.IGNORECASE
)
# "1. | Apologies Minutes: …": the number in a cell of its own.
_NUMBER_CELL = re.compile(r"^(?P<number>\d{1,3}[a-z]?)\.?\s*\|\s*")
# A markdown table's rule under its headings, "|---|---|", or a row with nothing in it.
_EMPTY_ROW = re.compile(r"^[\s|:-]*$")
_PIPE_ROW_END = re.compile(r"\|\s*+$")
_HELD_ON_LINE = re.compile(r"^A meeting of .+ was held on", re.MULTILINE | re.IGNORECASE)
# Bullets run on inside a cell; starts only where a run of spaces does.
_RUN_ON_BULLET = re.compile(r"(?<!\s)\s++•\s*+")
_MINUTES_LABEL_AT_LINE = re.compile(r"^(?:Minutes|Decisions?):[ \t]*", re.MULTILINE)
_UNNUMBERED_BREAK = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_LEADING_NUMBER = re.compile(r"(\d+)(.*)")


def detect_shape(text: str) -> str:
    lines = text.split("\n")
    stripped = [line.strip() for line in lines]
    if looks_like_egenda(stripped):
        return doc.SHAPE_EGENDA
    pipe_rows = sum(1 for line in stripped if "Minutes:" in line and _PIPE_ROW_END.search(line))
    if pipe_rows >= 2:
        return doc.SHAPE_PIPE_TABLE
    if _HELD_ON_LINE.search(text):
        if _formal_headings(text):
            return doc.SHAPE_FORMAL
        if sum(1 for line in stripped if _PLAIN_NUMBER_LINE.match(line)) >= 2:
            return doc.SHAPE_NUMBERED
    if any(_ITEMS_HEADING.match(line) for line in stripped):
        labels = sum(1 for line in stripped if _MINUTES_LABEL.match(line))
        numbers = sum(1 for line in stripped if _REFERENCE_LINE.match(line))
        if labels and numbers:
            return doc.SHAPE_MODERNGOV
        if not labels:
            return doc.SHAPE_MODERNGOV_UNNUMBERED
    if _formal_headings(text):
        return doc.SHAPE_FORMAL
    return doc.SHAPE_UNKNOWN


# An agenda printed before the minutes: "AGENDA", its list, then "MINUTES" and the minutes.
_AGENDA_HEADING = re.compile(r"^agenda$", re.IGNORECASE)
_MINUTES_HEADING = re.compile(r"^minutes$", re.IGNORECASE)


def split_layout(text: str) -> Layout:
    lines = text.split("\n")
    agenda = next((i for i, line in enumerate(lines) if _AGENDA_HEADING.match(line.strip())), None)
    if agenda is not None:
        minutes = next(
            (i for i in range(agenda + 1, len(lines)) if _MINUTES_HEADING.match(lines[i].strip())),
            None,
        )
        if minutes is not None:
            # The agenda's numbers are not items: it is read as part of the header.
            layout = _split_layout("\n".join(lines[minutes + 1 :]))
            before = "\n".join(lines[: minutes + 1]).strip()
            layout.header = f"{before}\n\n{layout.header}".strip()
            layout.notes.append("An agenda printed before the minutes was read as the header.")
            return layout
    return _split_layout(text)


def _split_layout(text: str) -> Layout:
    shape = detect_shape(text)
    if shape != doc.SHAPE_UNKNOWN:
        layout = LAYOUTS[shape](text)
        if layout.items:
            return layout
        # Recognised by its headings, with no item found under them: items found by their
        # numbering, if any.
        scheme = find_scheme([line.strip() for line in text.split("\n")])
        return numbered_scheme(text, scheme) if scheme else layout
    scheme = find_scheme([line.strip() for line in text.split("\n")])
    if scheme:
        return numbered_scheme(text, scheme)
    if _moderngov_header_end(text.split("\n")):
        layout = moderngov_unnumbered(text)
        layout.notes.append("Items were taken to be separated by blank lines.")
        return layout
    return unknown(text)


# "Venue:" and "Contact:" under a "Body - date" title: a ModernGov page whose "No. Item"
# headings were lost.
_MODERNGOV_LABEL = re.compile(r"^(?:Venue|Contact|Location)\s*:", re.IGNORECASE)


def _moderngov_header_end(lines: list[str]) -> int:
    """Index of the line after the ModernGov header's last label (0 when there is none)."""
    end = 0
    for index, line in enumerate(lines[:30]):
        if _MODERNGOV_LABEL.match(line.strip()):
            end = index + 1
    return end


# --- pipe-table export: "Title Minutes: text |" rows -------------------------------------------


def pipe_table(text: str) -> Layout:
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if _ITEMS_HEADING.match(line.strip())), None)
    if start is None:
        # No column headings: the header ends where the first row begins.
        start = next(i for i, line in enumerate(lines) if "Minutes:" in line) - 1
    layout = Layout(doc.SHAPE_PIPE_TABLE, header="\n".join(lines[: start + 1]).strip())
    row: list[str] = []
    for line in lines[start + 1 :]:
        if "Minutes:" in line and any("Minutes:" in earlier for earlier in row):
            # The row before lost its closing "|": it ends where this one begins.
            layout.items.append(_pipe_row("\n".join(row)))
            layout.warnings.append("A table row has no closing '|'; it was ended at the next row.")
            row = []
        row.append(line)
        if _PIPE_ROW_END.search(line):
            if not _EMPTY_ROW.match("".join(row)):
                layout.items.append(_pipe_row("\n".join(row)))
            row = []
    if not _EMPTY_ROW.match("".join(row)):
        layout.items.append(_pipe_row("\n".join(row)))
        layout.warnings.append("The last table row has no closing '|'.")
    return layout


def _pipe_row(row: str) -> RawItem:
    row = _PIPE_ROW_END.sub("", row.strip()).lstrip("|").strip()
    numbered = _NUMBER_CELL.match(row)
    number = numbered["number"] if numbered else ""
    if numbered:
        row = row[numbered.end() :]
    title, label, minutes = row.partition("Minutes:")
    if not label:
        return RawItem(number=number, title=" ".join(title.split()), labelled=False)
    # Bullets run on inside a cell: "…report. • Reported public order…" becomes one per line.
    minutes = _RUN_ON_BULLET.sub("\n• ", minutes.strip())
    return RawItem(
        number=number,
        title=" ".join(title.split()),
        minutes_text=clean_block(minutes),
        labelled=True,
    )


# --- ModernGov "Agenda and minutes" page with item numbers -------------------------------------


def moderngov(text: str) -> Layout:
    lines = text.split("\n")
    end = _items_heading_end(lines)
    layout = Layout(doc.SHAPE_MODERNGOV, header="\n".join(lines[:end]).strip())
    body = lines[end:]
    chunks: list[tuple[str, list[str]]] = []
    header = [layout.header]
    for index, line in enumerate(body):
        stripped = line.strip()
        if (_REFERENCE_LINE.match(stripped) or _follows_on(stripped, chunks)) and _next_is_title(
            body, index
        ):
            chunks.append((stripped, []))
        elif chunks:
            chunks[-1][1].append(line)
        elif stripped:
            header.append(stripped)
    layout.header = "\n".join(header)
    layout.items = [_labelled_item(number, chunk) for number, chunk in _one_kind(chunks)]
    return layout


def _one_kind(chunks: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """Keep the items numbered the way most are: where most are references ("CAB/41/25"), a
    bare "1." or "2." is a numbered line inside an item (a decision proforma's), not an item;
    a sub-item ("4a") is still one."""
    plain = [bool(_BARE_NUMBER.match(number)) for number, _ in chunks]
    if not any(plain) or all(plain) or sum(plain) * 2 >= len(plain):
        return chunks
    kept: list[tuple[str, list[str]]] = []
    for (number, lines), is_plain in zip(chunks, plain, strict=True):
        if is_plain and kept:
            kept[-1][1].extend(["", number, *lines])
        else:
            kept.append((number, lines))
    return kept


def _follows_on(line: str, chunks: list[tuple[str, list[str]]]) -> bool:
    """Whether ``line`` is an item number past 999 following on from the item before."""
    match = _LONG_REFERENCE_LINE.match(line)
    return bool(match and chunks and int(match["item"]) == _item_of(chunks[-1][0]) + 1)


def _item_of(number: str) -> int:
    """The item's own number in a reference: 999 in "SSP/999/24", "SSP/99924" or "999"."""
    squeezed = _squeeze(number).rstrip(".")
    digits = _FIRST_DIGITS.search(squeezed)
    if not digits:
        return -1
    if digits.end() == len(squeezed) and squeezed[: digits.start()].strip("/"):
        return int(digits[0][:-2] or -1)  # "SSP/99924": the year run on after the item
    return int(digits[0])


def _items_heading_end(lines: list[str]) -> int:
    """Index of the first line after the "No. Item" column headings (0 when there are none)."""
    for i, line in enumerate(lines):
        if _ITEMS_HEADING.match(line.strip()):
            return i + 1
    return 0


def _next_is_title(lines: list[str], index: int) -> bool:
    for following in range(index + 1, len(lines)):  # not a slice: a copy of the rest each time
        line = lines[following].strip()
        if line:
            return not _MINUTES_LABEL.match(line)
    return False


def _labelled_item(number: str, lines: list[str]) -> RawItem:
    block = "\n".join(lines).strip("\n")
    before, label, after = _partition_minutes_label(block)
    title, _, agenda = before.strip().partition("\n")
    return RawItem(
        number=number,
        title=title.strip(),
        agenda_text=clean_block(agenda),
        minutes_text=clean_block(after),
        labelled=bool(label),
    )


def _partition_minutes_label(block: str) -> tuple[str, str, str]:
    match = _MINUTES_LABEL_AT_LINE.search(block)
    if not match:
        return block, "", ""
    return block[: match.start()], match.group(), block[match.end() :]


# --- ModernGov page with no item numbers: items separated only by blank lines -----------------


def moderngov_unnumbered(text: str) -> Layout:
    lines = text.split("\n")
    end = _items_heading_end(lines) or _moderngov_header_end(lines)
    layout = Layout(doc.SHAPE_MODERNGOV_UNNUMBERED, header="\n".join(lines[:end]).strip())
    rest = "\n".join(lines[end:])
    # Two or more blank lines end a block; a block is either an item's heading (its title,
    # then any agenda text) or the item's minutes, so the blocks alternate. A block of prose
    # where a heading should be is the minutes of an item whose title was lost (a link).
    blocks = [block for block in _UNNUMBERED_BREAK.split(rest) if block.strip()]
    index = 0
    while index < len(blocks):
        heading = blocks[index].strip()
        if _is_prose(heading):
            layout.items.append(RawItem(minutes_text=clean_block(heading), labelled=True))
            index += 1
            continue
        title, _, agenda = heading.partition("\n")
        minutes = blocks[index + 1] if index + 1 < len(blocks) else ""
        layout.items.append(
            RawItem(
                title=title.strip(),
                agenda_text=clean_block(agenda),
                minutes_text=clean_block(minutes),
                labelled=True,
            )
        )
        index += 2
    if index > len(blocks):
        layout.warnings.append(
            "The last item has a heading but no minutes; check that items and minutes line up."
        )
    return layout


def _is_prose(block: str) -> bool:
    """A paragraph of minutes, not an item's heading: a sentence of more than a few words."""
    first = block.split("\n", 1)[0].strip()
    return len(first) > 150 or (first.endswith(".") and len(first.split()) > 5)


# --- formal minutes: "SSP 12/22 Title", headings sometimes split over lines and in ** ----------

_FORMAL_HEADING = re.compile(
    r"^(?P<prefix>[A-Z][A-Za-z]{1,7})\s*+(?P<number>/?\s*+\d{1,3}[a-z]?\s*+/\s*+\d{2,4})"
    r"(?:\s+(?P<title>.+))?$",
    re.DOTALL,
)
# "SSP 1000/22 Title": read only where it follows on from item 999 (see _LONG_NUMBER_LINE).
_FORMAL_LONG_HEADING = re.compile(
    r"^(?P<prefix>[A-Z][A-Za-z]{1,7})\s*+(?P<number>/?\s*+(?P<item>\d{4,6})[a-z]?\s*+/\s*+\d{2,4})"
    r"(?:\s+(?P<title>.+))?$",
    re.DOTALL,
)
# "SSP Community Safety Action Plan" with the number "17/22" on the next line.
_FORMAL_HEADING_NUMBER_BELOW = re.compile(
    r"^(?P<prefix>[A-Z][A-Za-z]{1,7})\s++(?P<title>[^\n]+)\n(?P<number>\d{1,3}[a-z]?\s*+/\s*+\d{2,4})"
    r"(?:\s+(?P<rest>.*))?$",
    re.DOTALL,
)


_SPACES = re.compile(r"\s+")
_FIRST_DIGITS = re.compile(r"\d+")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_OPEN_ENDING = re.compile(r"[.:;,|]$")


def _squeeze(text: str) -> str:
    return _SPACES.sub("", text)


def _formal_heading(paragraph: str, after: int | None = None) -> tuple[str, str] | None:
    """(number, title) when the paragraph is an item heading; one numbered past 999 only when
    the number of the item before it is ``after`` and it follows on."""
    plain = paragraph.replace("**", "").strip()
    if not _FORMAL_START.match(plain):
        return None
    if plain.count("\n") > 1:
        # A heading with its title, and the minute beginning on the lines under it.
        first, _, rest = plain.partition("\n")
        heading = _formal_heading(first, after)
        if heading and heading[1] and len(heading) == 2:
            return heading[0], heading[1], rest.strip()
        return None
    if len(plain) > 300:
        return None
    match = _FORMAL_HEADING.match(plain)
    if not match and after is not None:
        match = _FORMAL_LONG_HEADING.match(plain)
        match = match if match and int(match["item"]) == after + 1 else None
    if match and match["prefix"].isupper():
        number = f"{match['prefix']} {_squeeze(match['number'])}".replace(" /", "/")
        title, _, rest = (match["title"] or "").partition("\n")
        if title.strip() and _SENTENCE_LINE.match(rest.strip()):
            # "FC/19/01 Declarations of Interest" and "None." under it: the minute begins.
            return number, " ".join(title.split()), rest.strip()
        return number, " ".join((match["title"] or "").split())
    match = _FORMAL_HEADING_NUMBER_BELOW.match(plain)
    if match and match["prefix"].isupper():
        title = " ".join(f"{match['title']} {match['rest'] or ''}".split())
        return f"{match['prefix']} {_squeeze(match['number'])}", title
    return None


# What every formal heading starts with: a prefix, then a number ("SSP 12/22", "SSP/4/22",
# "SSP Title" with the number below): tried first, as most paragraphs are not headings.
_FORMAL_START = re.compile(r"^[A-Z]{1,8}\s*+(?:/|\d|[A-Z][a-z])")
# A line that is a sentence or a decision, not the rest of a title wrapped onto it.
_SENTENCE_LINE = re.compile(r"^(?:.*[.!?]|(?:RESOLVED|AGREED|NOTED|DECISION)\b.*)$")


def _paragraphs(text: str) -> list[str]:
    return [p for p in _BLANK_LINE.split(text) if p.strip()]


def _formal_headings(text: str) -> int:
    return sum(1 for paragraph in _paragraphs(text) if _formal_heading(paragraph))


def formal(text: str) -> Layout:
    paragraphs = _paragraphs(text)
    last = 0

    def heading_at(index: int, started: bool) -> tuple[str, str] | None:
        nonlocal last
        heading = _formal_heading(paragraphs[index], after=last)
        if heading:
            last = int(_FIRST_DIGITS.search(heading[0])[0])  # the prefix is letters
        return heading

    return _split_at_headings(Layout(doc.SHAPE_FORMAL, header=""), paragraphs, heading_at)


def _split_at_headings(layout: Layout, paragraphs: list[str], heading_at) -> Layout:
    """Cut paragraphs into the header and items.

    ``heading_at(index, started)`` gives (number, title) when paragraph ``index`` starts an
    item (``started`` tells whether an item has begun); the paragraphs up to the next heading
    are that item's minutes.
    """
    header: list[str] = []
    current: RawItem | None = None
    body: list[str] = []
    for index, paragraph in enumerate(paragraphs):
        heading = heading_at(index, current is not None)
        if heading:
            if current:
                current.minutes_text = clean_block("\n\n".join(body))
                layout.items.append(current)
            current, body = RawItem(number=heading[0], title=heading[1]), list(heading[2:])
        elif current:
            body.append(paragraph)
        else:
            header.append(paragraph)
    if current:
        current.minutes_text = clean_block("\n\n".join(body))
        layout.items.append(current)
    layout.header = "\n\n".join(header).strip()
    return layout


# --- 2011-style numbered minutes: the number alone on a line, then the title -------------------


def _number_value(number: str) -> tuple[int, str]:
    match = _LEADING_NUMBER.match(number)
    return (int(match[1]), match[2].strip(".()")) if match else (0, "")


def numbered(text: str) -> Layout:
    lines = text.split("\n")
    layout = Layout(doc.SHAPE_NUMBERED, header="")
    starts: list[int] = []
    last = (0, "")
    for index, line in enumerate(lines):
        stripped = line.strip()
        if _LONG_NUMBER_LINE.match(stripped):
            if _number_value(stripped)[0] != last[0] + 1 or not _next_is_title(lines, index):
                continue
        elif not _PLAIN_NUMBER_LINE.match(stripped) or not _next_is_title(lines, index):
            continue
        # Numbers only go up: a stray figure on a line of its own is not an item.
        value = _number_value(stripped)
        if value > last:
            starts.append(index)
            last = value
    if not starts:
        layout.header = text.strip()
        return layout
    layout.header = "\n".join(lines[: starts[0]]).strip()
    for begin, end in zip(starts, [*starts[1:], len(lines)], strict=True):
        number = lines[begin].strip().rstrip(".")
        block = "\n".join(lines[begin + 1 : end]).strip("\n")
        title_block, _, minutes = block.strip().partition("\n\n")
        title, _, agenda = title_block.partition("\n")
        layout.items.append(
            RawItem(
                number=number,
                title=title.strip(),
                agenda_text=clean_block(agenda),
                minutes_text=clean_block(minutes),
            )
        )
    return layout


# --- anything else: headings guessed from short lines, with a warning --------------------------


def unknown(text: str) -> Layout:
    """Best effort for a layout we do not know: a short line without closing punctuation that
    stands alone as a paragraph starts an item; what follows it is its minutes."""
    layout = Layout(doc.SHAPE_UNKNOWN, header="")
    layout.warnings.append(doc.GUESSED_LAYOUT_WARNING)
    paragraphs = _paragraphs(text)
    header_end = _header_end(paragraphs)

    def heading_at(index: int, started: bool) -> tuple[str, str] | None:
        if index < header_end:
            return None
        paragraph = paragraphs[index]
        following = paragraphs[index + 1] if index + 1 < len(paragraphs) else ""
        # Before the first item, a heading followed by another heading is the document's title.
        if not _looks_like_heading(paragraph) or not (
            started or not _looks_like_heading(following)
        ):
            return None
        title = paragraph.strip()
        match = _NUMBERED_HEADING.match(title)
        return (match[1], match[2]) if match else ("", title)

    return _split_at_headings(layout, paragraphs, heading_at)


_NUMBERED_HEADING = re.compile(rf"^({REFERENCE}|{PLAIN_NUMBER})\s+(.+)$")


# What only a header holds: the opening sentence, attendance lists, venue and contact.
_HEADER_PARAGRAPH = re.compile(
    r"^(?:A meeting of .+ was held on\b|(?:Draft\s+)?Minutes?\s+of\b.{0,200}\bheld\b"
    r"|(?:(?:members |officers )?present|officers|"
    r"(?:also )?in attendance|also present|apologies(?: for absence)?|venue|contact|place|"
    r"location)\s*+:)",
    re.IGNORECASE,
)


def _header_end(paragraphs: list[str]) -> int:
    """How many paragraphs the header takes at least: up to the last of its own kind in the
    opening run of such paragraphs and short lines. Its lines are not items, so a document
    holding only a header has none."""
    end = 0
    for index, paragraph in enumerate(paragraphs):
        if _HEADER_PARAGRAPH.match(paragraph.strip()):
            end = index + 1
        elif not _looks_like_heading(paragraph):
            break
    return end


def _looks_like_heading(paragraph: str) -> bool:
    stripped = paragraph.strip()
    return (
        bool(stripped)
        and "\n" not in stripped
        and len(stripped) <= 120
        and not _OPEN_ENDING.search(stripped)
    )


LAYOUTS = {
    doc.SHAPE_EGENDA: egenda,
    doc.SHAPE_PIPE_TABLE: pipe_table,
    doc.SHAPE_MODERNGOV: moderngov,
    doc.SHAPE_MODERNGOV_UNNUMBERED: moderngov_unnumbered,
    doc.SHAPE_FORMAL: formal,
    doc.SHAPE_NUMBERED: numbered,
    doc.SHAPE_UNKNOWN: unknown,
}
