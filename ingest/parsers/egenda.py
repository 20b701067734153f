"""The partnership's 2008–2018 "egenda" decision records.

A header of labels, each with its value on the next line (``Date:``, ``Time:``, ``Place:``,
``Present:``, ``Officers:``, ``Apologies for absence:``), then a table flattened to lines under
"Item Description Decision": a ``Public`` or ``Confidential`` section line, and for each item
its prefix and number on lines of their own (``SSP`` / ``136/13``; in older records the number
and title share a line, ``1264 MINUTES``), the title in capitals over one or more lines, any
enumerated sub-lines, and the decision. A trailing "Preamble" section repeats the item numbers
with the narrative of each item: it belongs to those items and is not a new set of items.
"""

import re

from . import document as doc
from .raw import Layout, RawItem
from .text import clean_block

# "Item Description Decision": the table's column headings, where the header ends.
TABLE_HEADINGS = re.compile(r"^Item\s*+Description\s*+Decision$", re.IGNORECASE)
_PREFIX = re.compile(r"^[A-Z][A-Za-z]{0,7}$")
_NUMBER = re.compile(r"^\d{1,4}\s*+/\s*+\d{1,4}$")
# "1264 MINUTES": a number and a title in capitals on one line.
_NUMBER_AND_TITLE = re.compile(r"^(?P<number>\d{1,5})\s++(?P<title>[A-Z0-9][^a-z]*)$")
_PREAMBLE = re.compile(r"^(?:Item\s*+)?Preamble$", re.IGNORECASE)
# "(A) SUPPLY OF DATA…", "A. DOMESTIC ABUSE…", "• Report": parts of an item, not its title.
_SUB_LINE = re.compile(r"^(?:\(\s*[A-Za-z0-9]{1,4}\s*\)|[A-Z]\.\s|[ivx]{1,4}\.\s|[•·\-–*]\s*)")
_DECISION_START = re.compile(r"^(?:It\s+was\s+)?(?:UNANIMOUSLY\s+)?(?:RESOLVED|AGREED|NOTED)\b")
# "EF=": debris of the page, not part of the title.
_DEBRIS = re.compile(r"^[A-Z]{1,3}=$")
# "10.00am/10.25am": when the meeting started and ended, printed after the last item.
_TIMES_ONLY = re.compile(
    r"^(?:\d{1,2}[.:]\d{2}\s*(?:[ap]\.?m\.?)?\s*(?:[/–-]\s*)?)+$", re.IGNORECASE
)
_SECTION = re.compile(r"^(?:Public|Confidential)$", re.IGNORECASE)


def looks_like_egenda(lines: list[str]) -> bool:
    """Whether the lines hold the record's column headings and at least one prefixed item."""
    if not any(TABLE_HEADINGS.match(line) for line in lines):
        return False
    return any(
        _PREFIX.match(line) and index + 1 < len(lines) and _NUMBER.match(lines[index + 1])
        for index, line in enumerate(lines)
    ) or any(_NUMBER_AND_TITLE.match(line) for line in lines)


def _is_title_line(line: str) -> bool:
    """A line of a title in capitals: most of its letters are capitals."""
    letters = [char for char in line if char.isalpha()]
    if not letters or _DECISION_START.match(line) or _SUB_LINE.match(line):
        return False
    return sum(char.isupper() for char in letters) >= 0.8 * len(letters)


def egenda(text: str) -> Layout:
    lines = [line.strip() for line in text.split("\n")]
    start = next(i for i, line in enumerate(lines) if TABLE_HEADINGS.match(line))
    layout = Layout(doc.SHAPE_EGENDA, header="\n".join(lines[:start]).strip())
    starts = _item_starts(lines, start + 1)
    preamble = next(
        (i for i in range(start + 1, len(lines)) if _PREAMBLE.match(lines[i])), len(lines)
    )
    starts = [(index, width, number) for index, width, number in starts if index < preamble]
    if not starts:
        # The headings and no item under them: everything is kept, as the header.
        layout.header = "\n".join(lines).strip()
        return layout
    # A section line before the first item (normally "Public") is kept at the start of the
    # header's end, where the section reader finds it.
    leading = [line for line in lines[start + 1 : starts[0][0] if starts else preamble] if line]
    if leading:
        layout.header = f"{layout.header}\n\n" + "\n".join(leading)
    for (begin, width, number), (end, _, _) in zip(
        starts, [*starts[1:], (preamble, 0, "")], strict=True
    ):
        layout.items.append(_item(number, lines[begin:end], width))
    if preamble < len(lines):
        _attach_preamble(layout, lines[preamble + 1 :])
    return layout


def _item_starts(lines: list[str], begin: int) -> list[tuple[int, int, str]]:
    """(line index, lines taken by the number, number) of each item, in order."""
    starts = []
    index = begin
    while index < len(lines):
        line = lines[index]
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if _PREFIX.match(line) and _NUMBER.match(following) and not _SECTION.match(line):
            starts.append((index, 2, f"{line} {''.join(following.split())}"))
            index += 2
            continue
        match = _NUMBER_AND_TITLE.match(line)
        # Numbers only go up: "2014 REVIEW" inside a decision is not item 2014.
        if match and (
            not starts or (starts[-1][1] == 1 and int(match["number"]) > int(starts[-1][2]))
        ):
            starts.append((index, 1, match["number"]))
        index += 1
    return starts


def _item(number: str, lines: list[str], width: int) -> RawItem:
    if width == 1:
        match = _NUMBER_AND_TITLE.match(lines[0])
        title_lines, rest = [match["title"]], lines[1:]
    else:
        title_lines, rest = [], lines[width:]
        while rest and (_DEBRIS.match(rest[0]) or (not title_lines and not rest[0])):
            rest = rest[1:]
        while rest and rest[0] and _is_title_line(rest[0]) and not _DEBRIS.match(rest[0]):
            title_lines.append(rest[0])
            rest = rest[1:]
    sub_lines = []
    while rest and (not rest[0] or _SUB_LINE.match(rest[0])):
        if rest[0]:
            sub_lines.append(rest[0])
        rest = rest[1:]
    rest = [line for line in rest if not _TIMES_ONLY.match(line)]
    # A section line ending the item belongs to the next one: left as the last line of the
    # text, where the section reader finds it.
    return RawItem(
        number=number,
        title=" ".join(" ".join(title_lines).split()),
        agenda_text=clean_block("\n".join(sub_lines)),
        minutes_text=clean_block("\n".join(rest)),
        labelled=True,
    )


def _attach_preamble(layout: Layout, lines: list[str]) -> None:
    """Put each item's narrative from the "Preamble" section before its decision."""
    by_number = {_squeezed(item.number): item for item in layout.items}
    current: RawItem | None = layout.items[0] if layout.items else None
    narrative: list[str] = []

    def flush():
        if current is not None and "".join(narrative).strip():
            told = clean_block("\n".join(narrative))
            current.minutes_text = f"{told}\n\n{current.minutes_text}".strip()

    index = 0
    while index < len(lines):
        line = lines[index]
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if _PREFIX.match(line) and _NUMBER.match(following):
            flush()
            number = _squeezed(f"{line} {following}")
            # A number not in the table: its narrative goes with the item before it, as text
            # read out of place is safer kept together with its neighbour than lost.
            current, narrative = by_number.get(number, current), []
            if number not in by_number and current is not None:
                # Its narrative is kept with the item before it, which is restricted for
                # review: it may be a confidential item's.
                current.doubt = (
                    f"The Preamble section names item {line} {following}, which is not in the "
                    "table; its text was kept with the item before it."
                )
            index += 2
            continue
        if not _PREAMBLE.match(line):
            narrative.append(line)
        index += 1
    flush()


def _squeezed(number: str) -> str:
    return "".join(number.split()).upper()
