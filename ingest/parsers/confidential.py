"""Confidential business as a state of the document.

Items under a "Confidential" / "Part 2" / "Part B" / "Exempt" / "Not for publication" heading
(a short line of its own), and items taken after the public were excluded or the meeting went
into private session, are restricted until the public is readmitted, a public section begins,
or the document ends. The motion that excludes the public is itself public business: the
restriction starts at the next item, unless the item's own business follows the motion in its
text. An exclusion that names its items ("during consideration of item 5") restricts those.
Where the minutes mention exempt information, Schedule 12A or a private session and do not say
which items that covers, every item from there on is restricted and the document is listed for
review: a wrongly hidden item costs a click, a wrongly published one cannot be taken back.
"""

import re
from dataclasses import dataclass

from . import document as doc
from .raw import RawItem
from .sections import SECTION_PUBLIC, SECTION_RESTRICTED
from .text import NeedingWords

# "RESOLVED that the public be excluded from the meeting …", "the Committee resolved to
# exclude the press and public", "Exclusion of the Press and Public".
_EXCLUDED = NeedingWords(
    re.compile(
        r"\b(?:press|public)\b[^.;]{0,60}?\b(?:be|are|were|was|being|is)\s+(?:excluded|asked"
        r"\s+to\s+leave|required\s+to\s+leave)\b"
        r"|\bexclu(?:de|ded|ding|sion\s+of)\s+(?:the\s+)?(?:press|public|members\s+of\s+the"
        r"\s+public)\b"
        r"|\bpublic\s+gallery\s+(?:was|were|be|being)\s+cleared\b|\bin\s+camera\b"
        r"|\b(?:press|public)\b[^.;]{0,30}?\b(?:having\s+)?(?:withdrawn|withdrew|left\s+the\s+"
        r"(?:meeting|room|chamber))\b",
        re.IGNORECASE,
    ),
    ("exclu",),
    ("camera",),
    *((who, what) for who in ("press", "public") for what in ("leave", "withdr", "left")),
    ("public", "cleared"),
)
_PRIVATE_SESSION = NeedingWords(
    re.compile(
        r"\b(?:continued|went|moved|proceeded|sat|met)\s+(?:in(?:to)?\s+)?(?:private|closed)"
        r"(?:\s+session)?\b|\bin\s+private\s+session\b",
        re.IGNORECASE,
    ),
    ("private",),
    ("closed",),
)
# Only the public coming back ends it: "a patient readmitted to hospital" in an exempt item
# does not.
_READMITTED = re.compile(
    r"\b(?:press|public)\b[^.;]{0,30}?\b(?:were|was|be|being|are|is)\s+(?:re-?admitted|"
    r"invited\s+back|allowed\s+back|returned\s+to\s+the\s+(?:meeting|room|chamber))\b"
    r"|\bre-?admit(?:ted|ting)?\s+(?:the\s+)?(?:press|public|members\s+of\s+the\s+public)\b"
    r"|\b(?:resumed|returned\s+to)\s+(?:in\s+)?(?:public|open)\s+session\b",
    re.IGNORECASE,
)
# Words that say some business was confidential, without saying which.
_EXEMPT_MENTION = NeedingWords(
    re.compile(
        r"\bexempt\s+information\b|\bschedule\s+(?:12|7)\s*a\b"
        r"|\bexcluded\s+from\s+the\s+meeting\b|\bprivate\s+session\b",
        re.IGNORECASE,
    ),
    ("exempt", "information"),
    ("schedule",),
    ("excluded", "meeting"),
    ("private", "session"),
)
# The motion itself: "Exclusion of the Public", "Private Business", "Exempt Business".
_MOTION_TITLE = re.compile(
    r"\b(?:exclusion\s+of\s+(?:the\s+)?(?:press|public)|private\s+business|exempt\s+business|"
    r"(?:local\s+government\s+act\s+1972\W+)?exclusion\b|resolution\s+to\s+exclude)",
    re.IGNORECASE,
)
# An exclusion that looks ahead: "for the following items", "for the remaining business".
_FORWARD = re.compile(
    r"\b(?:following|next|remaining|subsequent|undermentioned)\s+(?:\w+\s+){0,2}?"
    r"(?:items?|business|reports?|matters?)\b",
    re.IGNORECASE,
)
_PARAGRAPHS = re.compile(
    r"paragraphs?\s+(?P<paragraphs>\d{1,2}[A-Z]?(?:\s*(?:,|and|&|or|to|-|–)\s*\d{1,2}[A-Z]?)*)"
    r"(?:\s+of\s+Part\s+(?:\d|[IV]{1,3}))?\s+(?:of|to)\s+Schedule\s+(?P<schedule>12\s*A|7\s*A)",
    re.IGNORECASE,
)
_SCHEDULE = re.compile(r"\bSchedule\s+(?P<schedule>12\s*A|7\s*A)\b", re.IGNORECASE)


# A word without which none of the patterns above can match: most items hold none, and a
# plain word is found far faster than a pattern (lowering changes no ASCII letter's match).
_KEYWORDS = ("exclu", "private", "closed", "admit", "returned", "rejoined", "resumed", "exempt",
             "schedule", "leave", "cleared", "camera", "withdr", "left the")  # fmt: skip


def _may_say_so(text: str) -> bool:
    lowered = text.lower()
    return not text.isascii() or any(word in lowered for word in _KEYWORDS)


@dataclass
class Marked:
    raw: RawItem
    reason: str  # why the item is restricted by its place in the document; "" when it is not


def legal_ground(text: str) -> str:
    """ "Schedule 12A, paragraph 1" from the exclusion's wording; "" when it cites none."""
    match = _PARAGRAPHS.search(text)
    if match:
        schedule = "".join(match["schedule"].split()).upper()
        paragraphs = " ".join(match["paragraphs"].split())
        plural = "s" if re.search(r"\d\D+\d", paragraphs) else ""
        return f"Schedule {schedule}, paragraph{plural} {paragraphs}"
    match = _SCHEDULE.search(text)
    return f"Schedule {''.join(match['schedule'].split()).upper()}" if match else ""


def _paragraphs(text: str) -> list[str]:
    return [part for part in re.split(r"\n\s*\n", text) if part.strip()]


def mark(items: list[RawItem], header: str, warnings: list[str]) -> list[Marked]:
    """Each item with the reason its place in the document restricts it."""
    state = _section_after("", header)[1] or ""
    marked: list[Marked] = []
    doubt = _Doubt(warnings)
    named: dict[str, str] = {}  # items the exclusion names, with the reason
    # The header (an agenda printed before the minutes, say) speaks of excluding the public,
    # and no item does: which items it meant cannot be told.
    mention = (
        None
        if state or not _may_say_so(header)
        else (_EXEMPT_MENTION.search(header) or _EXCLUDED.search(header))
    )
    if mention and not any(_speaks_of_exclusion(raw) for raw in items):
        state = doubt.start(mention.group(), "the header", "every item was restricted")
    for position, raw in enumerate(items):
        has_text = bool(raw.agenda_text.strip() or raw.minutes_text.strip())
        heading_kind = section_heading(raw.title)
        if not has_text and heading_kind == "restricted":
            state = f"In the section headed “{raw.title.strip()}”."
            continue
        if not has_text and heading_kind == "public":
            state = ""
            continue
        field = "minutes_text" if raw.minutes_text.strip() else "agenda_text"
        kept, heading = _section_after(field, getattr(raw, field))
        if heading is not None:
            setattr(raw, field, kept)
        reason, after = _place(items, position, state, named, doubt)
        marked.append(Marked(raw, reason))
        state = heading if heading is not None else after
    return marked


def _place(
    items: list[RawItem], position: int, state: str, named: dict[str, str], doubt: "_Doubt"
) -> tuple[str, str]:
    """For the item at ``position``: (why it is restricted, the state after it), "" where it
    is not, or not any more. ``named`` holds the items an earlier exclusion named, and takes
    those this one names."""
    raw = items[position]
    text = f"{raw.agenda_text}\n\n{raw.minutes_text}"
    number = _item_number(raw.number)
    if raw.doubt and not state:
        # The layout could not tell where some of this item's text belongs.
        doubt.warn(f"{raw.doubt} Item {raw.number or raw.title} was restricted; check it.")
        return f"{doc.RESTRICTED_IN_DOUBT_WARNING} {raw.doubt}", state
    if not _may_say_so(f"{raw.title}\n{text}"):
        # Nothing here can exclude or readmit the public: the state goes on unchanged.
        return named.pop(number, state), state
    paragraphs = _paragraphs(text)
    first = paragraphs[0] if paragraphs else ""
    if state and _READMITTED.search(first):
        state = ""  # the public came back for this item
    if number in named:
        return named.pop(number), state
    exclusions = [*_EXCLUDED.finditer(text), *_PRIVATE_SESSION.finditer(text)]
    motion_title = bool(_MOTION_TITLE.search(raw.title))
    after = None
    if exclusions or motion_title:
        why = _why(text)
        listed = _named_items(text, items[position + 1 :])
        if listed:
            # "during consideration of item 5": that item, wherever it comes.
            named.update(dict.fromkeys(listed, why))
        elif _business_follows(text, exclusions):
            state = state or why  # this item's own business was taken in private
        elif motion_title or len(paragraphs) > 1 or _FORWARD.search(text) or not raw.title:
            after = why  # the motion: from the next item on
        else:
            state = state or why  # said of this item alone: fail closed
    elif not state and (mention := _EXEMPT_MENTION.search(text)):
        state = doubt.start(
            mention.group(),
            f"item {raw.number or raw.title or position + 1}",
            "that item and every item after it were restricted",
        )
    reason = state
    state = after if after is not None else state
    if state and _READMITTED.search(text) and not _READMITTED.search(first):
        state = ""  # readmitted at the end of this item
    return reason, state


class _Doubt:
    """Restricting in doubt: the reason each such item gives, and one warning a document."""

    def __init__(self, warnings: list[str]):
        self.warnings = warnings

    def start(self, what: str, where: str, which: str) -> str:
        what = " ".join(what.split())
        self.warn(
            f"the minutes mention “{what}” at {where} without saying which items it covers, "
            f"so {which}; check them and lift what is public."
        )
        return f"{doc.RESTRICTED_IN_DOUBT_WARNING} the minutes mention “{what}” here."

    def warn(self, message: str) -> None:
        if not any(w.startswith(doc.RESTRICTED_IN_DOUBT_WARNING) for w in self.warnings):
            self.warnings.append(f"{doc.RESTRICTED_IN_DOUBT_WARNING} {message}")


def _speaks_of_exclusion(raw: RawItem) -> bool:
    text = f"{raw.title}\n{raw.agenda_text}\n{raw.minutes_text}"
    if not _may_say_so(text) and not section_heading(raw.title):
        return any(section_heading(line) == "restricted" for line in text.split("\n")[-3:])
    return bool(
        _MOTION_TITLE.search(raw.title)
        or section_heading(raw.title) == "restricted"
        or _EXCLUDED.search(text)
        or _PRIVATE_SESSION.search(text)
        or any(section_heading(line) == "restricted" for line in text.split("\n")[-3:])
    )


def _why(text: str) -> str:
    ground = legal_ground(text)
    if ground:
        return f"Taken after the public were excluded ({ground})."
    if _EXCLUDED.search(text):
        return "Taken after the public were excluded."
    if _PRIVATE_SESSION.search(text):
        return "Taken in private session."
    return "Taken after the motion to exclude the public."


_SENTENCE_END = re.compile(r"[.;!?](?:\s|$)")


def _business_follows(text: str, exclusions: list[re.Match]) -> bool:
    """Whether the item goes on, after the sentence that excludes the public, with business of
    its own (more than a few words): then that business was taken in private."""
    if not exclusions:
        return False
    end = max(match.end() for match in exclusions)
    stop = _SENTENCE_END.search(text, end)
    after = text[stop.end() :] if stop else ""
    # The grounds cited after the motion ("(by virtue of paragraph 3 of Part 1 of Schedule
    # 12A …)") are not business.
    after = _LEGAL_NOTE.sub(" ", _BRACKETS.sub(" ", after))
    return len(after.split()) > 8 and not _READMITTED.search(after[:200])


_BRACKETS = re.compile(r"\([^()]{0,400}\)")
_LEGAL_NOTE = re.compile(
    r"[^.\n]{0,200}\b(?:Schedule\s+(?:12|7)\s*A|Local\s+Government\s+(?:\(Scotland\)\s+)?Act|"
    r"Section\s+100\s*A|paragraphs?\s+\d)[^.\n]{0,200}\.?",
    re.IGNORECASE,
)


# A section heading is a short line of its own, not a sentence: "Part 1 of the report set out
# the posts at risk." and "Confidential information from the GP showed …" are text.
def section_heading(line: str) -> str | None:
    """ "restricted" or "public" for a section heading line; None for anything else."""
    line = line.strip()
    if not line or len(line) > 80 or (line.endswith(".") and len(line.split()) > 3):
        return None
    if SECTION_RESTRICTED.match(line):
        return "restricted"
    if SECTION_PUBLIC.match(line):
        return "public"
    return None


_NAMED = re.compile(
    r"\bitems?\s+(?:No\.?\s*)?(?P<list>\d{1,3}[a-z]?(?:\s*(?:,|and|&)\s*\d{1,3}[a-z]?)*)\b",
    re.IGNORECASE,
)


def _item_number(number: str) -> str:
    return "".join(number.split()).rstrip(".").lower()


def _named_items(text: str, later: list[RawItem]) -> list[str]:
    """The later items an exclusion names ("consideration of item 5"), when every one it names
    is in the document after it; [] otherwise."""
    numbers = {_item_number(item.number) for item in later if item.number}
    listed: list[str] = []
    for match in _NAMED.finditer(text):
        listed += [_item_number(n) for n in re.split(r"\s*(?:,|and|&)\s*", match["list"]) if n]
    if listed and all(number in numbers for number in listed):
        return listed
    return []


def _section_after(field: str, text: str) -> tuple[str, str | None]:
    """Split a section heading off the end of a text: (text, reason or "" for a public
    section); (text, None) when there is none."""
    lines = text.rstrip().split("\n")
    filled = [index for index, line in enumerate(lines) if line.strip()]
    # The heading is the last line, or followed only by a line or two saying why
    # ("(by virtue of paragraph 3 of Part 1 of Schedule 12A …)"), which stay in the text.
    for index in reversed(filled[-3:]):
        line = lines[index].strip()
        kind = section_heading(line)
        rest = "\n".join(lines[index + 1 :])
        if kind == "restricted":
            heading = line.replace("**", "").strip()
            ground = legal_ground(rest)
            reason = f"In the section headed “{heading}”" + (f" ({ground})." if ground else ".")
            return "\n".join(lines[:index] + lines[index + 1 :]).rstrip(), reason
        if kind == "public" and field:
            return "\n".join(lines[:index] + lines[index + 1 :]).rstrip(), ""
    return text, None
