"""Confidential business as a state of the document.

Items under a "Confidential" / "Part 2" / "Part B" / "Exempt" heading, and items taken after the
public were excluded or the meeting went into private session, are restricted until the public
is readmitted, a public section begins, or the document ends. The motion that excludes the
public is itself public business: the restriction starts at the next item. Where the minutes
mention exempt information, Schedule 12A or a private session and do not say which items that
covers, every item from there on is restricted and the document is listed for review: a wrongly
hidden item costs a click, a wrongly published one cannot be taken back.
"""

import re
from dataclasses import dataclass

from . import document as doc
from .items import SECTION_PUBLIC, SECTION_RESTRICTED
from .layouts import RawItem

# "RESOLVED that the public be excluded from the meeting …", "the Committee resolved to
# exclude the press and public", "Exclusion of the Press and Public".
_EXCLUDED = re.compile(
    r"\b(?:press|public)\b[^.;]{0,60}?\b(?:be|are|were|was|being|is)\s+excluded\b"
    r"|\bexclu(?:de|ded|ding|sion\s+of)\s+(?:the\s+)?(?:press|public|members\s+of\s+the\s+public)\b",
    re.IGNORECASE,
)
_PRIVATE_SESSION = re.compile(
    r"\b(?:continued|went|moved|proceeded|sat|met)\s+(?:in(?:to)?\s+)?(?:private|closed)"
    r"(?:\s+session)?\b|\bin\s+private\s+session\b",
    re.IGNORECASE,
)
# Only the public coming back ends it: "a patient readmitted to hospital" in an exempt item
# does not.
_READMITTED = re.compile(
    r"\b(?:press|public)\b[^.;]{0,40}?\b(?:re-?admitted|returned|rejoined)\b"
    r"|\bre-?admit(?:ted|ting)?\s+(?:the\s+)?(?:press|public|members\s+of\s+the\s+public)\b"
    r"|\b(?:resumed|returned\s+to)\s+(?:in\s+)?(?:public|open)\s+session\b",
    re.IGNORECASE,
)
# Words that say some business was confidential, without saying which.
_EXEMPT_MENTION = re.compile(
    r"\bexempt\s+information\b|\bschedule\s+(?:12|7)\s*a\b|\bin\s+private\b"
    r"|\bexcluded\s+from\s+the\s+meeting\b|\bprivate\s+session\b",
    re.IGNORECASE,
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
             "schedule")  # fmt: skip


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
    doubt_warned = False
    named: dict[str, str] = {}  # items the exclusion names, with the reason
    for position, raw in enumerate(items):
        has_text = bool(raw.agenda_text.strip() or raw.minutes_text.strip())
        if not has_text and SECTION_RESTRICTED.match(raw.title):
            state = f"In the section headed “{raw.title.strip()}”."
            continue
        if not has_text and SECTION_PUBLIC.match(raw.title):
            state = ""
            continue
        field = "minutes_text" if raw.minutes_text.strip() else "agenda_text"
        kept, heading = _section_after(field, getattr(raw, field))
        if heading is not None:
            setattr(raw, field, kept)
        text = f"{raw.agenda_text}\n\n{raw.minutes_text}"
        if not _may_say_so(text):
            # Nothing here can exclude or readmit the public: the state goes on unchanged.
            marked.append(Marked(raw, named.pop(_item_number(raw.number), state)))
            if heading is not None:
                state = heading
            continue
        paragraphs = _paragraphs(text)
        first = paragraphs[0] if paragraphs else ""
        last = paragraphs[-1] if paragraphs else ""
        if state and _READMITTED.search(first):
            state = ""  # the public came back for this item
        if _item_number(raw.number) in named:
            marked.append(Marked(raw, named.pop(_item_number(raw.number))))
            if heading is not None:
                state = heading
            continue
        starts_here = _EXCLUDED.search(text) or _PRIVATE_SESSION.search(text)
        is_motion = bool(_MOTION_TITLE.search(raw.title)) or bool(
            starts_here and len(paragraphs) <= 2 and not raw.title.strip()
        )
        # Where the exclusion stands in the item: at its end, it is for the items after; at
        # its start with the business after it, it was for this item. Alone, it looks ahead
        # only if it says so ("for the following items"); otherwise this item is restricted.
        at_end = bool(starts_here) and starts_here.start() >= len(text) - len(last)
        looks_ahead = at_end and (len(paragraphs) > 1 or bool(_FORWARD.search(last)))
        reason_after = ""
        if starts_here:
            ground = legal_ground(text)
            why = (
                f"Taken after the public were excluded ({ground})."
                if ground
                else (
                    "Taken after the public were excluded."
                    if _EXCLUDED.search(text)
                    else "Taken in private session."
                )
            )
            listed = _named_items(text, items[position + 1 :])
            if listed:
                # "during consideration of item 5": that item, wherever it comes.
                named.update(dict.fromkeys(listed, why))
            elif is_motion or looks_ahead:
                reason_after = why  # from the next item on
            else:
                state = state or why  # this item is the business taken in private
        elif not state and _EXEMPT_MENTION.search(text) and not is_motion:
            what = " ".join(_EXEMPT_MENTION.search(text).group().split())
            state = f"{doc.RESTRICTED_IN_DOUBT_WARNING} the minutes mention “{what}” here."
            if not doubt_warned:
                number = raw.number or raw.title or f"{len(marked) + 1}"
                warnings.append(
                    f"{doc.RESTRICTED_IN_DOUBT_WARNING} the minutes mention “{what}” at item "
                    f"{number} without saying which items it covers, so that item and every "
                    "item after it were restricted; check them and lift what is public."
                )
                doubt_warned = True
        marked.append(Marked(raw, state))
        if reason_after:
            state = reason_after
        if state and _READMITTED.search(text) and not _READMITTED.search(first):
            state = ""  # readmitted at the end of this item
        if heading is not None:
            state = heading
    return marked


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
        rest = "\n".join(lines[index + 1 :])
        if SECTION_RESTRICTED.match(line):
            heading = line.replace("**", "").strip()
            ground = legal_ground(rest)
            reason = f"In the section headed “{heading}”" + (f" ({ground})." if ground else ".")
            return "\n".join(lines[:index] + lines[index + 1 :]).rstrip(), reason
        if SECTION_PUBLIC.match(line) and field:
            return "\n".join(lines[:index] + lines[index + 1 :]).rstrip(), ""
    return text, None
