"""Read what a document's header says: the body, date, time, venue, contact and attendance."""

import datetime as dt
import re
from dataclasses import dataclass, field

from . import document as doc
from .text import DATE_WORDS, find_time, first_date

_HELD_ON = re.compile(r"^A meeting of (?P<body>.+?) was held on (?P<when>.+?)\.?$", re.I | re.M)
# ModernGov: "Safer Stockton Partnership - Wednesday 2nd October, 2024 9.00 am". The body ends
# at the first dash between spaces; what follows it must hold a year (checked after matching,
# as a pattern looking for both at once backtracks over every dash of a long line).
_MODERNGOV_TITLE = re.compile(r"^(?P<body>[^\n]*?\S)\s++[-–]\s++(?P<when>[^\n]*)$", re.M)
_YEAR = re.compile(r"\d{4}")
_LABELLED = re.compile(
    r"^(?P<label>Venue|Contact|Place|Location)\s*:\s*(?P<value>.*)$", re.I | re.M
)
_ATTENDANCE_LABELS = {
    "present": doc.PRESENT,
    "members present": doc.PRESENT,
    "officers": doc.OFFICER,
    "officers present": doc.OFFICER,
    "also in attendance": doc.IN_ATTENDANCE,
    "in attendance": doc.IN_ATTENDANCE,
    "also present": doc.IN_ATTENDANCE,
    "apologies": doc.APOLOGIES,
    "apologies for absence": doc.APOLOGIES,
}
_ATTENDANCE_LINE = re.compile(
    r"^(?P<label>" + "|".join(sorted(_ATTENDANCE_LABELS, key=len, reverse=True)) + r")\s*:\s*",
    re.IGNORECASE,
)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_NOT_A_BODY = re.compile(r"^(agenda and minutes|minutes|agenda|items?|no\.?\s*item)$", re.I)

TITLES = r"(?:Cllrs?|Councillors?|Mr|Mrs|Ms|Miss|Mx|Dr|Prof(?:essor)?|Sir|Dame|Revd?|Rev)"
_TITLE = re.compile(rf"^(?P<title>{TITLES})\.?\s+")
# Honours end the name, so they are looked for in its last characters only: searched for in a
# whole long name, the pattern would try every word and run on to the end from each.
_HONOURS = re.compile(
    r"(?<!\s)\s++(?P<honours>(?:(?:[A-Z]\.){2,}[A-Z]?\.?|O\.?B\.?E|M\.?B\.?E|C\.?B\.?E|QPM|JP|DL)"
    r"(?:\s+(?:(?:[A-Z]\.){2,}|OBE|MBE|CBE|QPM|JP|DL))*)$"
)
_HONOURS_SPAN = 80
_ROLE = re.compile(
    r"^(?:Vice[\s-]Chair(?:man|person)?|Deputy Chair(?:man|person)?|Chair(?:man|person)?)$",
    re.IGNORECASE,
)


@dataclass
class Header:
    body: str = ""
    date: dt.date | None = None
    start_time: dt.time | None = None
    venue: str = ""
    contact: str = ""
    attendees: list[doc.ParsedAttendee] = field(default_factory=list)


def read_header(text: str) -> Header:
    header = Header()
    held = _HELD_ON.search(text)
    if held:
        header.body = " ".join(held["body"].split())
        header.date = first_date(held["when"])
        header.start_time = _time_only(held["when"])
    else:
        titled = _moderngov_title(text)
        if titled and DATE_WORDS.search(titled["when"]):
            header.body = titled["body"].strip()
            header.date = first_date(titled["when"])
            header.start_time = _time_only(titled["when"])
    if not header.body:
        header.body = _first_line_body(text)
    for match in _LABELLED.finditer(text):
        value = " ".join(match["value"].split())
        if match["label"].lower() == "contact":
            header.contact = value
        else:
            header.venue = value
    header.attendees = read_attendance(text)
    return header


def _moderngov_title(text: str) -> re.Match | None:
    """The first line that reads "Body - date" with a year after the dash."""
    return next((m for m in _MODERNGOV_TITLE.finditer(text) if _YEAR.search(m["when"])), None)


def _time_only(text: str) -> dt.time | None:
    # The date's own digits ("2nd October, 2024") must not be read as a time.
    return find_time(DATE_WORDS.sub(" ", text))


def _first_line_body(text: str) -> str:
    """A body named alone on the first line, as in "Safer Stockton Partnership"."""
    for line in text.split("\n"):
        line = line.strip()
        if not line or _NOT_A_BODY.match(line):
            continue
        if ":" in line or len(line) > 80 or re.search(r"[.|]$", line) or DATE_WORDS.search(line):
            return ""
        return line
    return ""


def read_attendance(text: str) -> list[doc.ParsedAttendee]:
    attendees: list[doc.ParsedAttendee] = []
    seen: dict[tuple[str, str], doc.ParsedAttendee] = {}
    for paragraph in _PARAGRAPH_BREAK.split(text):
        paragraph = " ".join(paragraph.split())
        match = _ATTENDANCE_LINE.match(paragraph)
        if not match:
            continue
        attendance = _ATTENDANCE_LABELS[match["label"].lower()]
        listed = paragraph[match.end() :]
        listed = re.sub(
            r"^(?:were\s+|was\s+)?(?:submitted|received|given)\s+(?:on behalf of|from|by)\s+",
            "",
            listed,
            flags=re.IGNORECASE,
        )
        for entry in _split_people(listed):
            person = parse_person(entry, attendance)
            if not person:
                continue
            key = (person.name.lower(), attendance)
            if key in seen:
                # Listed twice: keep one entry, with whatever detail either gives.
                first = seen[key]
                first.role = first.role or person.role
                first.organisation = first.organisation or person.organisation
                first.title = first.title or person.title
                continue
            seen[key] = person
            attendees.append(person)
    return attendees


def _split_people(listed: str) -> list[str]:
    """Split "A (Chair), B (SBC – Housing) and C." at commas and "and" outside brackets."""
    entries, depth, current = [], 0, []
    tokens = re.split(r"([(),]|\s+and\s+|\s+&\s+)", listed.strip())
    for token in tokens:
        if token == "(":
            depth += 1
        elif token == ")":
            depth = max(depth - 1, 0)
        if depth == 0 and (token == "," or re.fullmatch(r"\s+(?:and|&)\s+", token or "")):
            entries.append("".join(current))
            current = []
        elif token:
            current.append(token)
    entries.append("".join(current))
    return [entry.strip().rstrip(".;").strip() for entry in entries if entry.strip(" .;")]


def parse_person(entry: str, attendance: str) -> doc.ParsedAttendee | None:
    printed = entry.strip()
    name, role, organisation = printed, "", ""
    bracket = re.search(r"\s*\((?P<inside>[^()]*)\)\s*$", name)
    if bracket:
        name = name[: bracket.start()]
        parts = [p.strip() for p in re.split(r"\s+[-–]\s+|,\s*", bracket["inside"], maxsplit=1)]
        if _ROLE.match(parts[0]):
            role = parts[0]
            organisation = parts[1] if len(parts) > 1 else ""
        else:
            organisation = bracket["inside"].strip()
    title = ""
    titled = _TITLE.match(name)
    if titled:
        title = titled["title"]
        name = name[titled.end() :]
    honours = ""
    tail = max(len(name) - _HONOURS_SPAN, 0)
    honoured = _HONOURS.search(name, tail)
    if honoured:
        honours = honoured["honours"]
        name = name[: honoured.start()]
    name = " ".join(name.split())
    if not name or not re.search(r"[A-Za-z]", name):
        return None
    return doc.ParsedAttendee(
        name=name,
        printed=printed,
        attendance=attendance,
        title=title,
        honours=honours,
        role=role,
        organisation=organisation,
    )
