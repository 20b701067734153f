"""Read the meaning of one agenda item: its number, decisions, status and restricted flag."""

import re

from . import document as doc
from .raw import RawItem
from .text import split_sentences

# ModernGov prints attached papers after the title: "Minutes pdf icon PDF 69 KB".
# The pattern starts only where a run of spaces does: tried at each space of a long run, its
# leading \s* would scan the rest of the run every time.
_ATTACHMENT = re.compile(
    r"(?<!\s)\s*+(?:\b(?:pdf|docx?|xlsx?|pptx?|html?|rtf|odt)\s+icon\s+)?"
    r"\b(?P<label>(?:PDF|DOCX?|XLSX?|PPTX?|RTF|ODT)\s+\d+(?:\.\d+)?\s*[KMG]B)\b",
    re.IGNORECASE,
)

_RESTRICTED_TITLE = re.compile(
    r"^\W*(?P<word>restricted|confidential|exempt|not for publication|part\s+(?:2|ii|b))\b"
    r"\s*(?:[-–:]|item)",
    re.IGNORECASE,
)
_RESTRICTED_TEXT = re.compile(
    r"\b(?:a|an|the|this)\s+(?:restricted|confidential)\s+(?:report|document|item|paper|update|"
    r"briefing|presentation|appendix|annex)\b"
    r"|\b(?:this|the)\s+(?:item|report|update|presentation|document)\s+(?:was|is)\s+restricted\b"
    r"|\brestricted\s+(?:document|item|report)\b"
    r"|\bnot\s+for\s+publication\b",
    re.IGNORECASE,
)
_DEFERRED = re.compile(
    r"\b(?:was|were|be|been|is|are)\s+deferred\b|\bto\s+defer\b|\bdeferred\s+(?:to|until|for)\b",
    re.IGNORECASE,
)
_NOT_HEARD = re.compile(
    r"\bunable\s+to\s+(?:give|present|deliver|provide)\b|\b(?:was|were)\s+not\s+"
    r"(?:heard|considered|discussed|taken|presented)\b|\b(?:was|were)\s+withdrawn\b",
    re.IGNORECASE,
)
# What a match of ``_NOT_HEARD`` holds besides "unable" or "withdrawn", in lowered text: looked
# for first, as a pattern opening with a plain word is found far faster than one opening with
# \b, and "not" alone is in most minutes ("note", "nothing").
_NOT_DONE = re.compile(r"not\s+(?:heard|considered|discussed|taken|presented)\b")
_NEXT_MEETING_TITLE = re.compile(r"\bnext meeting\b", re.IGNORECASE)
# A word without which ``_DEFERRED`` cannot match: looked for first, as a plain word is found
# far faster than a pattern starting with \b.
_DEFER_WORDS = ("defer",)
_DEFER = re.compile("defer", re.IGNORECASE)

# Sentences that record what the meeting decided.
_AGREED_OPENING = re.compile(
    r"^(?:It\s+was\s+)?(?:(?:UNANIMOUSLY|[Uu]nanimously)\s+)?(?:AGREED|RESOLVED|RECOMMENDED)\b"
)
_SUBJECT_DECIDED = re.compile(
    r"^(?:Mem\w*|The\s+(?:Partnership|Committee|Board|Panel|Cabinet|Group|Council))\s+"
    r"(?:agreed\s+to|resolved|approved|endorsed|noted(?!\s+that))\b",
    re.IGNORECASE,
)
_PASSIVE_DECIDED = re.compile(
    r"^The\b[^.]*?\b(?:was|were)\s+(?:noted|agreed|approved|accepted|endorsed)\b", re.IGNORECASE
)
# "AGREED that: -" followed by "1. …", "2. …". Every run of spaces is taken whole (``*+``):
# with runs that can give way to one another, a long run after "that" was tried in every
# split, and took seconds.
_AGREED_LIST = re.compile(
    r"^(?:It\s++was\s++)?(?:AGREED|RESOLVED)\s++that(?:\s*+:)?(?:\s*+[-–])?[^\S\n]*+\n"
    r"(?P<list>(?:\s*+\d++[.)]\s++.+\n*+)++)",
    re.MULTILINE,
)
_LIST_ENTRY = re.compile(r"^[^\S\n]*+\d++[.)]\s++(?P<text>.+)$", re.MULTILINE)
# Each of the three patterns above needs one of these words: a line with none of them holds
# no decision, and need not be split into sentences.
_DECISION_WORDS = ("agreed", "resolved", "recommended", "approved", "endorsed", "noted", "accepted")
_DECISION_VERB = re.compile("|".join(_DECISION_WORDS), re.IGNORECASE)
# ``_AGREED_LIST`` needs one of these, as written.
_AGREED_LIST_WORDS = ("AGREED", "RESOLVED")


def normalise_number(printed: str) -> str:
    """The council's form of an item number: "SSP/4724" (a slash lost) becomes "SSP/47/24"."""
    number = " ".join(printed.replace("**", "").split()).rstrip(".")
    lost_slash = re.fullmatch(
        r"(?P<prefix>[A-Z][A-Za-z]{1,7})\s*/\s*(?P<item>\d{1,3})(?P<year>\d{2})", number
    )
    if lost_slash:
        return f"{lost_slash['prefix']}/{lost_slash['item']}/{lost_slash['year']}"
    return number


def split_attachments(title: str) -> tuple[str, list[str]]:
    attachments = [match["label"] for match in _ATTACHMENT.finditer(title)]
    if attachments:
        title = _ATTACHMENT.sub("", title)
    return " ".join(title.replace("**", "").split()), attachments


# Words without one of which ``_RESTRICTED_TEXT`` cannot match: a plain word is found far
# faster than a pattern starting with \b (in ASCII text, whose lowering changes no letter's
# case-insensitive match).
_RESTRICTED_WORDS = (
    "restricted", "confidential", "exempt", "schedule", "excluded", "exclusion", "publication"
)  # fmt: skip


def _may_hold(text: str, words, pattern: re.Pattern | None = None) -> bool:
    """Whether ``text`` may hold one of ``words`` in any case: in ASCII text, whose lowering
    changes no letter's case-insensitive match, exactly whether it does; in other text,
    whether ``pattern`` (the words, case-insensitive) is found, or, without it, True."""
    if not text.isascii():
        return pattern is None or bool(pattern.search(text))
    lowered = text.lower()
    return any(word in lowered for word in words)


def restricted_reason(title: str, text: str) -> str:
    if _RESTRICTED_TITLE.match(title or ""):
        return f"Marked “{_RESTRICTED_TITLE.match(title)['word']}” in its title."
    if not _may_hold(text or "", _RESTRICTED_WORDS):
        return ""
    match = _RESTRICTED_TEXT.search(text or "")
    if match:
        return f"The minutes say “{' '.join(match.group().split())}”."
    return ""


def read_status(title: str, minutes: str, labelled: bool) -> str:
    if _may_hold(minutes, _DEFER_WORDS, _DEFER) and _DEFERRED.search(minutes):
        return doc.DEFERRED
    if _not_heard(minutes):
        return doc.NOT_HEARD
    if not minutes.strip() and (labelled or not _NEXT_MEETING_TITLE.search(title)):
        # An empty "Minutes:" label, or an item with nothing under it; a "date of next
        # meeting" item says all it has to say in its title.
        return doc.NO_MINUTES
    return doc.HEARD


def _not_heard(minutes: str) -> bool:
    """Whether ``_NOT_HEARD`` is found in ``minutes``. In ASCII text, whose lowering changes no
    letter's case-insensitive match, it is run only on text holding what a match holds."""
    if minutes.isascii():
        lowered = minutes.lower()
        if not ("unable" in lowered or "withdrawn" in lowered or _NOT_DONE.search(lowered)):
            return False
    return bool(_NOT_HEARD.search(minutes))


_DEFERRAL = re.compile(r"\bdefer", re.IGNORECASE)
_APPROVAL = re.compile(r"\b(?:approved?|true record|correct record)\b", re.IGNORECASE)
_ACTION = re.compile(
    r"\band that\b|\bbe\s+(?:sent|brought|invited|provided|referred|made|forwarded|added|"
    r"circulated|submitted|established|appointed|written)\b",
    re.IGNORECASE,
)
_NOTING = re.compile(r"\bnoted?\b", re.IGNORECASE)
_AGREED_WORD = re.compile(r"\bagreed\b", re.IGNORECASE)


def resolution_kind(text: str, in_agreed_list: bool = False) -> str:
    if _DEFERRAL.search(text):
        return doc.DEFERRAL
    if _APPROVAL.search(text):
        return doc.APPROVED
    action = _ACTION.search(text)
    if _NOTING.search(text) and not action:
        return doc.NOTED
    if in_agreed_list or _AGREED_OPENING.match(text) or _AGREED_WORD.search(text):
        return doc.AGREED_ACTION
    return doc.OTHER


def is_resolution(sentence: str) -> bool:
    return bool(
        _AGREED_OPENING.match(sentence)
        or _SUBJECT_DECIDED.match(sentence)
        or _PASSIVE_DECIDED.match(sentence)
    )


# "RESOLVED:" or "The Committee resolved:-" on a line of its own, the decision on the next.
_MARKER_ALONE = re.compile(
    r"^(?P<marker>[^\n]{0,60}?\b(?:RESOLVED|AGREED|DECIDED|resolved|agreed|decided)"
    r"[ \t]*+(?::[ \t]*+-?|[-–])?)[ \t]*+\n(?:[ \t]*+\n)*+(?=[^\s\d])",
    re.MULTILINE,
)


# Found before ``_MARKER_ALONE`` is tried at every line: a marker ending its line is rare.
_MARKER_AT_LINE_END = re.compile(
    r"(?:RESOLVED|AGREED|DECIDED|resolved|agreed|decided)[ \t]*+(?::[ \t]*+-?|[-–])?[ \t]*+\n"
)


def read_resolutions(minutes: str) -> list[doc.ParsedResolution]:
    if _MARKER_AT_LINE_END.search(minutes):
        minutes = _MARKER_ALONE.sub(r"\g<marker> ", minutes)
    resolutions = []
    listed_spans: list[tuple[int, int]] = []  # in order, apart
    agreed_lists = any(word in minutes for word in _AGREED_LIST_WORDS)
    for match in _AGREED_LIST.finditer(minutes) if agreed_lists else ():
        listed_spans.append(match.span())
        for entry in _LIST_ENTRY.finditer(match["list"]):
            text = entry["text"].strip()
            resolutions.append(
                (match.start(), doc.ParsedResolution(text, resolution_kind(text, True)))
            )
    offset, span = 0, 0
    for paragraph in minutes.split("\n\n"):
        start = minutes.find(paragraph, offset)
        offset = start + len(paragraph)
        while span < len(listed_spans) and listed_spans[span][1] <= start:
            span += 1
        if span < len(listed_spans) and listed_spans[span][0] <= start:
            continue
        for line in paragraph.split("\n"):
            if not _may_hold(line, _DECISION_WORDS, _DECISION_VERB):
                continue
            for sentence in split_sentences(line.lstrip("•-– ").strip()):
                if is_resolution(sentence):
                    resolutions.append(
                        (start, doc.ParsedResolution(sentence, resolution_kind(sentence)))
                    )
    resolutions.sort(key=lambda pair: pair[0])
    return [resolution for _, resolution in resolutions]


def read_item(position: int, raw: RawItem) -> doc.ParsedItem:
    title, attachments = split_attachments(raw.title)
    minutes = raw.minutes_text
    text = f"{raw.agenda_text}\n\n{minutes}"
    return doc.ParsedItem(
        position=position,
        number=normalise_number(raw.number) if raw.number else "",
        number_printed=" ".join(raw.number.split()),
        title=title,
        agenda_text=raw.agenda_text,
        minutes_text=minutes,
        restricted=bool(reason := restricted_reason(title, text)),
        restricted_reason=reason,
        status=read_status(title, minutes, raw.labelled),
        attachments=attachments,
        resolutions=read_resolutions(minutes),
    )
