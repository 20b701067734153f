"""Minutes of a layout not known in advance: find the numbering scheme, then cut.

Every line that could head an item is a candidate: a reference or number alone on its line
(the title on the next), a number or reference with the title on the same line (a title run on
into its minute is cut where a sentence begins), "Minute 12", a title with "(Item 4)" under it,
a number run into its title ("A1Declarations"), a paragraph numbered without a title.
Candidates are grouped by their pattern, and in each group the longest run of numbers going up
through the document is kept: the group with the longest run is the document's scheme (untitled
paragraphs only where no titled scheme is found). Other numbered lines (a proforma's "1." and
"2.", paragraphs numbered inside an item, a repeat of the numbers further down) are text;
"(a)", "(b)" … in order under an item are its sub-items.

Before the reading, ``drop_furniture`` leaves out page marks ("Page 2 of 7") and the running
header or footer printed beside them, and ``unflatten`` cuts a document flattened into one long
line at its references again.
"""

import bisect
import re
from dataclasses import dataclass

from . import document as doc
from .raw import Layout, RawItem
from .sections import SECTION_RESTRICTED
from .text import clean_block

# "SSP/12/25", "SSP 12/25", "CSF 14/1", "Cou/285/07-08", "C048/23".
_REFERENCE = (
    r"(?:(?P<prefix>[A-Z][A-Za-z]{0,7})\s*+(?P<slash>/)?\s*+)?(?P<first>\d{1,4})[a-z]?"
    r"(?:\s*+/\s*+(?P<second>\d{1,4})(?:[-/]\d{2,4})?)?"
)
_REFERENCE_ALONE = re.compile(rf"^{_REFERENCE}\.?$")
_REFERENCE_AND_TITLE = re.compile(
    rf"^{_REFERENCE}\.?\s++(?:(?P<local>\d{{1,3}})[.)]?\s++)?(?P<title>\S.*)$"
)
# "4", "4.", "4a", "4(a)", "4.1", "(4)"; "59.    Title", "1 ELECTION OF CHAIRMAN", "21.44 TITLE".
_NUMBER = r"\(?(?P<number>\d{1,4})(?P<sub>[a-z]|\([a-z]\)|\.\d{1,2})?\)?\.?"
_NUMBER_ALONE = re.compile(rf"^{_NUMBER}$")
_NUMBER_AND_TITLE = re.compile(
    rf"^{_NUMBER}\s++(?P<title>(?:[A-Z‘'\"(]|\d{{1,2}}(?:st|nd|rd|th)\b)[^\n]*)$", re.IGNORECASE
)
# "A1Declarations of interest": a letter and number run into the title.
_GLUED = re.compile(r"^(?P<prefix>[A-Z])(?P<number>\d{1,3})(?P<title>[A-Z][a-z][^\n]*)$")
_MINUTE = re.compile(r"^Minute\s++(?:No\.?\s*+)?(?P<number>\d{1,4})[a-z]?\b[.:]?\s*+(?P<title>.*)$")
_ITEM_BELOW = re.compile(r"^\(\s*Item\s++(?P<number>\d{1,3})(?P<sub>[a-z])?\s*\)$", re.IGNORECASE)
_MINUTES_LABEL = re.compile(r"^Minutes:\s*+(.*)$")
_SENTENCE_END = re.compile(r"[.;,]$")
_SMALL_WORDS = {"of", "and", "the", "for", "to", "in", "on", "at", "a", "an", "by", "with", "or"}
# Words that open a sentence, not a title: "1. That the report be noted."
_SENTENCE_OPENING = re.compile(r"^(?:That|The|It|This|Members|Resolved|Agreed)\b")


@dataclass
class Candidate:
    index: int  # the line the item starts on
    key: tuple[str, ...]  # the pattern: ("ref", "SSP"), ("number",), ...
    value: tuple[int, str]  # for the order: (item number, sub-item)
    number: str  # as printed
    title: str  # on the same line; "" when the title is on the next line
    width: int = 1  # lines taken by the number and title
    rest: str = ""  # the text run on after the title on its line


def _plausible_title(title: str) -> bool:
    title = _title_and_text(title.strip())[0]
    if not title or len(title) > 200:
        return False
    words = title.split()
    if _SENTENCE_END.search(title) and len(words) > 8:
        return False
    # "There were no apologies.": a sentence, most of its words in lower case.
    lower = sum(1 for word in words[1:] if word[:1].islower() and word not in _SMALL_WORDS)
    if title.endswith(".") and len(words) >= 3 and lower * 2 > len(words) - 1:
        return False
    return not _SENTENCE_OPENING.match(title) or len(title.split()) <= 6


def _next_line(lines: list[str], index: int) -> tuple[int, str]:
    for following in range(index + 1, min(len(lines), index + 6)):
        if lines[following]:
            return following, lines[following]
    return -1, ""


def candidates(lines: list[str]) -> list[Candidate]:
    found = []
    for index, line in enumerate(lines):
        # Every heading starts with a digit, a bracket or a capital: other lines are passed
        # over at once, as a long document has tens of thousands of them.
        if not line or not (line[0].isdigit() or line[0].isupper() or line[0] == "("):
            continue
        candidate = _candidate(lines, index, line)
        if candidate:
            found.append(candidate)
    return found


def _candidate(lines: list[str], index: int, line: str) -> Candidate | None:
    _, following = _next_line(lines, index)

    def title_below() -> bool:
        return _plausible_title(following) and not _MINUTES_LABEL.match(following)

    if line[0].isdigit():
        return _numbered_candidate(index, line, following, title_below)
    candidate = _reference_candidate(index, line, title_below)
    if candidate:
        return candidate
    match = _MINUTE.match(line)
    if match and (match["title"] or title_below()):
        value = (int(match["number"]), "")
        return Candidate(index, ("minute",), value, match["number"], match["title"])
    match = _GLUED.match(line)
    if match and _plausible_title(match["title"]):
        value = (int(match["number"]), "")
        number = f"{match['prefix']}{match['number']}"
        return Candidate(index, ("glued", match["prefix"]), value, number, match["title"])
    match = _ITEM_BELOW.match(following) if following.startswith("(") else None
    if match and _plausible_title(line) and not _ITEM_BELOW.match(line):
        value = (int(match["number"]), match["sub"] or "")
        number = match["number"] + (match["sub"] or "")
        return Candidate(index, ("item-below",), value, number, line, width=2)
    if line[0] == "(":
        return _numbered_candidate(index, line, following, title_below)
    return None


def _reference_candidate(index: int, line: str, title_below) -> Candidate | None:
    """A reference alone with the title below ("SSP/12/25"), or with the title on its line (a
    title run on into its minute cut where the minute begins)."""
    match = _valid_reference(_REFERENCE_ALONE.match(line))
    if match and title_below():
        return _reference(index, match, "")
    match = _valid_reference(_REFERENCE_AND_TITLE.match(line))
    if not match:
        return None
    title = match["title"]
    if not _plausible_title(title):
        title = _run_on_title(title)
    if not _plausible_title(title):
        return None
    candidate = _reference(index, match, title)
    candidate.rest = match["title"][len(title) :].strip()
    return candidate


def _numbered_candidate(index: int, line: str, following: str, title_below) -> Candidate | None:
    """A heading that starts with its number: "4", "4a", "59.  Title", "82/23 Title"."""
    candidate = _reference_candidate(index, line, title_below)
    if candidate:
        return candidate
    match = _NUMBER_ALONE.match(line)
    if match and title_below() and not _NUMBER_ALONE.match(following):
        return _numbered(index, ("number",), match, "")
    match = _NUMBER_AND_TITLE.match(line)
    if match and _plausible_title(match["title"]):
        return _numbered(index, ("number-title",), match, match["title"])
    match = _NUMBERED_PARAGRAPH.match(line)
    if match:
        # "2. The minutes of the 2010 meeting were agreed.": a minute with no title.
        value = (int(match["number"]), "")
        said = line[match.end("number") + 1 :].strip()
        return Candidate(index, ("paragraph",), value, match["number"], "", rest=said)
    return None


# Words that open a sentence in minutes: where a run-on title ends.
_OPENERS = {
    "The", "It", "There", "This", "These", "Members", "Cllr", "Cllrs", "Councillor",
    "Councillors", "Mr", "Mrs", "Ms", "Dr", "PCSO", "PC", "RESOLVED", "AGREED", "Resolved",
    "Agreed", "A", "An", "Following", "He", "She", "They", "We", "Apologies", "No", "Noted",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
}  # fmt: skip


def _run_on_title(title: str) -> str:
    """The title of a minute run on into its text on one line ("Police Report PCSO Dean
    reported …"): up to the first word that opens a sentence, or the capitals before the first
    word in lower case."""
    words = title.split()
    for index, word in enumerate(words[1:40], start=1):
        if word in _OPENERS:
            return " ".join(words[:index])
    for index, word in enumerate(words[2:40], start=2):
        if word[:1].islower() and word not in _SMALL_WORDS:
            return " ".join(words[: index - 1])
    return title


def _valid_reference(match: re.Match | None) -> re.Match | None:
    """A reference has a year ("12/25") or a prefix joined by a slash ("FA/41"): a bare
    number is a number, and "Room 3" is not a reference."""
    if match and (match["second"] or match["slash"]):
        return match
    return None


def _reference(index: int, match: re.Match, title: str) -> Candidate:
    number = " ".join(match.group(0).split()) if not title else _printed_reference(match)
    return Candidate(
        index,
        ("ref", (match["prefix"] or "").upper()),
        (int(match["first"]), match["second"] or ""),
        number.rstrip("."),
        title.strip(),
    )


_REFERENCE_ONLY = re.compile(_REFERENCE)


def _printed_reference(match: re.Match) -> str:
    reference = _REFERENCE_ONLY.match(match.string, match.start())
    return " ".join(reference.group().split())


def _numbered(index: int, key: tuple[str, ...], match: re.Match, title: str) -> Candidate:
    sub = (match["sub"] or "").strip("().")
    if match["sub"] and match["sub"].startswith("."):
        sub = f"{int(sub):03d}"  # 4.2 before 4.10
    printed = match.group(0) if not title else match.group(0)[: match.start("title")]
    return Candidate(
        index, key, (int(match["number"]), sub), printed.strip().rstrip("."), title.strip()
    )


def _rising(group: list[Candidate]) -> list[Candidate]:
    """The longest run of candidates whose numbers go up (not necessarily one by one)."""
    if group and group[0].key[0] == "ref":
        group = _by_changing_part(group)
    tails: list[tuple[int, str]] = []
    tail_at: list[int] = []
    before: list[int] = [-1] * len(group)
    for position, candidate in enumerate(group):
        slot = bisect.bisect_left(tails, candidate.value)
        if slot == len(tails):
            tails.append(candidate.value)
            tail_at.append(position)
        else:
            tails[slot] = candidate.value
            tail_at[slot] = position
        before[position] = tail_at[slot - 1] if slot else -1
    run, position = [], tail_at[-1] if tail_at else -1
    while position >= 0:
        run.append(group[position])
        position = before[position]
    return run[::-1]


def _by_changing_part(group: list[Candidate]) -> list[Candidate]:
    """References give the item's number first ("SSP 12/25") or the year first ("CSF 14/1"):
    the part that stays the same is the year."""
    firsts = {candidate.value[0] for candidate in group}
    seconds = {candidate.value[1] for candidate in group}
    if len(firsts) == 1 and len(seconds) > 1:
        for candidate in group:
            candidate.value = (int(candidate.value[1]), "")
    else:
        for candidate in group:
            candidate.value = (candidate.value[0], "")
    return group


_PREFERENCE = ("ref", "minute", "glued", "number-title", "number", "item-below", "paragraph")
_NUMBERED_PARAGRAPH = re.compile(r"^(?P<number>\d{1,3})\.\s++[A-Z][^\n]{20,}$")


def find_scheme(lines: list[str]) -> list[Candidate]:
    """The candidates of the document's own numbering scheme, in order; [] when there is none."""
    groups: dict[tuple[str, ...], list[Candidate]] = {}
    for candidate in candidates(lines):
        groups.setdefault(candidate.key, []).append(candidate)
    best: list[Candidate] = []
    for key in sorted(groups, key=lambda key: _PREFERENCE.index(key[0])):
        run = _rising(groups[key])
        # Untitled paragraphs are the scheme only where nothing else is: a titled item's
        # decisions are numbered too.
        if len(run) > len(best) and (key[0] != "paragraph" or len(best) < 2):
            best = run
    if len(best) < 2:
        return []
    return _with_lettered_sub_items(lines, best)


# "(a) Declarations of Substitutes" under "1 PROCEDURAL BUSINESS".
_LETTERED = re.compile(r"^\((?P<letter>[a-z])\)\s*+(?P<title>[A-Z][^\n]{1,150})?$")


def _with_lettered_sub_items(lines: list[str], scheme: list[Candidate]) -> list[Candidate]:
    """Add "(a)", "(b)" … sub-items that run in order, from (a), inside an item."""
    result: list[Candidate] = []
    ends = [candidate.index for candidate in scheme[1:]] + [len(lines)]
    for candidate, end in zip(scheme, ends, strict=True):
        result.append(candidate)
        expected = "a"
        for index in range(candidate.index + candidate.width, end):
            match = _LETTERED.match(lines[index])
            if not match or match["letter"] != expected:
                continue
            title = match["title"] or ""
            _, following = _next_line(lines, index)
            if not (title and _plausible_title(title)) and not (
                not title and _plausible_title(following)
            ):
                continue
            value = (candidate.value[0], expected)
            printed = f"({expected})"
            result.append(Candidate(index, candidate.key, value, printed, title.strip()))
            expected = chr(ord(expected) + 1)
    return result


# Page furniture: "Page 5 of 7", "- 5 -".
_PAGE_MARK = re.compile(r"^(?:Page\s+\d{1,4}(?:\s+of\s+\d{1,4})?|[-–]\s*\d{1,4}\s*[-–])$", re.I)
# "Chairman's initials .........", "Signed ______ (Chair)": the line left for a signature.
_SIGNATURE_LINE = re.compile(
    r"^(?:Chair(?:man|person)?(?:['’]s)?\s+(?:initials|signature)|Signed|Initials)\b"
    r"[^a-z]{0,20}(?:\.{4,}|_{4,}|…{2,})[^a-z]*(?:\(?chair(?:man|person)?\)?)?$",
    re.IGNORECASE,
)
_PAGE_MARK_INLINE = re.compile(r"\s*\bPage\s+\d{1,4}\s+of\s+\d{1,4}\b\s*", re.IGNORECASE)
# Inline references in a flattened document: "… noted. Cou/285/07-08 Apologies …".
_INLINE_REFERENCE = re.compile(r"(?<=\S)\s++(?=[A-Z][A-Za-z]{0,7}/\d{1,4}/\d{2}(?:-\d{2})?\s)")


def drop_furniture(text: str) -> str:
    """Page numbers, "Page N of M" and the running header or footer printed beside them on
    every page; a page mark inside a line is taken out of it."""
    lines = text.split("\n")
    marks = [index for index, line in enumerate(lines) if _PAGE_MARK.match(line.strip())]
    if not marks and "Page " not in text:
        return text
    # Each printed line near a page mark, counted once however many marks it is near: a line
    # between two marks close together is not a running header.
    beside: set[int] = set()
    for mark in marks:
        beside.update(range(max(0, mark - 3), min(len(lines), mark + 4)))
    near: dict[str, int] = {}
    for index in beside - set(marks):
        line = lines[index].strip()
        if line and len(line) <= 120:
            near[line] = near.get(line, 0) + 1
    # A running header or footer: printed beside most page marks, so more than once. A heading
    # that opens confidential business is kept even when it is repeated on each page.
    running = {
        line
        for line, count in near.items()
        if count >= max(2, len(marks) - 1) and not SECTION_RESTRICTED.match(line)
    }
    kept = [
        _PAGE_MARK_INLINE.sub(" ", line).rstrip() if "Page " in line else line
        for index, line in enumerate(lines)
        if not (
            _PAGE_MARK.match(line.strip())
            or line.strip() in running
            or _SIGNATURE_LINE.match(line.strip())
        )
    ]
    return "\n".join(kept)


def unflatten(text: str) -> str:
    """A document flattened into one long line: each inline reference, and each attendance
    label, starts a line again."""
    lines = text.split("\n")
    if max((len(line) for line in lines), default=0) < _FLATTENED:
        return text
    return "\n".join(_unflatten_line(line) if len(line) >= _FLATTENED else line for line in lines)


_FLATTENED = 500
_INLINE_LABEL = re.compile(r"(?<=\S)\s++(?=(?:Present|Apologies|In\s+attendance|Officers)\s*:)")


def _unflatten_line(line: str) -> str:
    if len(_INLINE_REFERENCE.findall(line)) < 2:
        return line
    return _INLINE_LABEL.sub("\n", _INLINE_REFERENCE.sub("\n", line))


# "Apologies: Cllr. L Owen sent his apologies." The title ends at the colon where a sentence
# follows it on the same line.
_TITLE_THEN_TEXT = re.compile(r"^(?P<title>[^:\n]{2,100}?):\s++(?P<text>\S.*[.!?])$")


# "CHAIRMAN - Resolved - That …": a title in capitals, a dash, then the minute.
_CAPITALS_THEN_TEXT = re.compile(
    r"^(?P<title>[^a-z]{3,200})(?<!\s)\s++[-–]\s++(?P<text>[A-Z][a-z].*)$"
)


def _title_and_text(title: str) -> tuple[str, str]:
    match = _TITLE_THEN_TEXT.match(title) or _CAPITALS_THEN_TEXT.match(title)
    if match and len(match["text"].split()) >= 3:
        return match["title"].strip(), match["text"].strip()
    return title, ""


def numbered_scheme(text: str, scheme: list[Candidate]) -> Layout:
    lines = [line.strip() for line in text.split("\n")]
    layout = Layout(doc.SHAPE_NUMBERED, header="\n".join(lines[: scheme[0].index]).strip())
    layout.notes.append(
        f"Items found by their numbering, “{scheme[0].number}” to “{scheme[-1].number}”."
    )
    ends = [candidate.index for candidate in scheme[1:]] + [len(lines)]
    for candidate, end in zip(scheme, ends, strict=True):
        body = lines[candidate.index + candidate.width : end]
        title = candidate.title
        if candidate.rest:
            body = [candidate.rest, "", *body]
        elif not title:
            while body and not body[0]:
                body = body[1:]
            title, body = (body[0], body[1:]) if body else ("", [])
        if body and _ITEM_BELOW.match(next((line for line in body if line), "")):
            first = next(index for index, line in enumerate(body) if line)
            body = body[first + 1 :]
        title, said = _title_and_text(title)
        title = title.rstrip(":").rstrip()
        if said:
            body = [said, "", *body]
        block = "\n".join(body)
        before, label, after = block.partition("\nMinutes:")
        if not label and block.lstrip().startswith("Minutes:"):
            before, label, after = "", "Minutes:", block.lstrip()[len("Minutes:") :]
        layout.items.append(
            RawItem(
                number=candidate.number,
                title=title,
                agenda_text=clean_block(before) if label else "",
                minutes_text=clean_block(after if label else before),
                labelled=bool(label),
            )
        )
    return layout
