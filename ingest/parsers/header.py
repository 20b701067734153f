"""Read what a document's header says: the body, date, time, venue, contact and attendance."""

import datetime as dt
import re
from dataclasses import dataclass, field

from . import document as doc
from .text import DATE_NUMERIC, DATE_WORDS, find_dates, find_time, first_date

_HELD_ON = re.compile(r"^A meeting of (?P<body>.+?) was held on (?P<when>.+?)\.?$", re.I | re.M)
# ModernGov: "Safer Stockton Partnership - Wednesday 2nd October, 2024 9.00 am". The body ends
# at the first dash between spaces; what follows it must hold a year (checked after matching,
# as a pattern looking for both at once backtracks over every dash of a long line).
_MODERNGOV_TITLE = re.compile(r"^(?P<body>[^\n]*?\S)\s++[-–]\s++(?P<when>[^\n]*)$", re.M)
_YEAR = re.compile(r"\d{4}")
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
_NOT_A_BODY = re.compile(
    r"^(?:agendas?(?:,| and)?\s*(?:(?:decisions|reports)(?:,| and)?\s*)*(?:and\s+)?minutes|minutes|"
    r"agenda|decisions|items?|no\.?\s*item|public|confidential)$",
    re.I,
)

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


def read_header(text: str, notes: list[str] | None = None) -> Header:
    """What the header says; ``notes`` collects where the date and body were found."""
    notes = notes if notes is not None else []
    header = Header()
    lines = [line.strip() for line in text.split("\n")]
    labelled = _labelled_values(lines)
    held = _HELD_ON.search(text) or _HELD_SENTENCE.search(text)
    if held:
        header.body = _tidy_body(held["body"])
        header.date = first_date(held["when"])
        header.start_time = _time_only(held["when"][:80])
        if header.date:
            notes.append("Date read from the opening sentence.")
    titled = _moderngov_title(text)
    if titled and DATE_WORDS.search(titled["when"]):
        header.body = header.body or _tidy_body(titled["body"])
        if not header.date:
            header.date = first_date(titled["when"])
            header.start_time = _time_only(titled["when"])
    if not header.date and labelled.get("date"):
        header.date = first_date(labelled["date"])
        if header.date:
            notes.append("Date read after the “Date:” label.")
    if not header.date:
        header.date, when = _date_line(lines)
        if header.date:
            header.start_time = header.start_time or _time_only(when)
            notes.append("Date read from a line of its own near the top.")
    if not header.date:
        header.date = _date_in_prose(text)
        if header.date:
            notes.append("Date read from the text of the header; check it.")
    if not header.start_time and labelled.get("time"):
        header.start_time = find_time(labelled["time"])
    if not header.body:
        header.body = _minutes_title_body(lines) or _first_line_body(lines)
    header.contact = labelled.get("contact", "")
    header.venue = labelled.get("venue") or labelled.get("place") or labelled.get("location", "")
    header.attendees = read_attendance(text)
    return header


# "Venue:", "Date:" with their value on the same line or, in decision records, the next one.
_LABEL = re.compile(
    r"^(?P<label>Date|Time|Venue|Place|Location|Contact)\s*:\s*(?P<value>.*)$", re.I
)
_ANY_LABEL = re.compile(r"^[A-Z][A-Za-z ]{1,30}:")


def _labelled_values(lines: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for index, line in enumerate(lines):
        match = _LABEL.match(line)
        if not match:
            continue
        label, value = match["label"].lower(), match["value"].strip()
        if not value:
            following = next((later for later in lines[index + 1 : index + 3] if later), "")
            value = "" if _ANY_LABEL.match(following) else following
        if value and label not in values:
            values[label] = " ".join(value.split())
    return values


# "The meeting of the Licensing Sub-Committee held via Zoom on Wednesday 5 May 2021", "Minutes
# of a meeting of the Police and Crime Panel held at 7.00pm on Monday 4 February 2008".
_HELD_SENTENCE = re.compile(
    r"\b(?:a|the)\s++(?:\w++\s++){0,2}?meeting\s++of\s++(?P<body>[^\n.]{3,120}?)\s++"
    r"(?:was\s++|were\s++)?held\b(?P<when>[^\n]{0,200})",
    re.IGNORECASE,
)
# The date of an earlier meeting, not this one: "minutes of the meeting held on 5 May".
_EARLIER = re.compile(r"(?:minutes|previous|last|earlier|held)\W+(?:\w+\W+){0,6}$", re.IGNORECASE)
# "Safer Stockton Partnership Minutes", "Licensing Committee (ceased to operate 10/04/2017)
# Minutes": the body named before the word "Minutes".
_MINUTES_TITLE = re.compile(r"^(?P<body>[A-Z][^:|]{2,100}?)\s+Minutes$")
_MINUTES_OF_TITLE = re.compile(
    r"^Minutes\s+of\s+(?:(?:a|the)\s+)?(?:\w+\s+)?(?:meeting\s+of\s+(?:the\s+)?)?"
    r"(?P<body>[A-Z][^:|]{2,100}?)(?:\s+(?:held|on|at)\b.*)?$",
    re.IGNORECASE,
)
_BRACKETED = re.compile(r"\s*\([^()]*\)")


def _tidy_body(body: str) -> str:
    body = " ".join(body.split())
    body = re.sub(r"^(?:the)\s+", "", body, flags=re.IGNORECASE)
    return body.strip(" ,.-–")


def _minutes_title_body(lines: list[str]) -> str:
    for line in lines[:15]:
        match = _MINUTES_TITLE.match(line) or _MINUTES_OF_TITLE.match(line)
        if match and not DATE_WORDS.search(match["body"]):
            body = _tidy_body(_BRACKETED.sub("", match["body"]))
            if body and not _NOT_A_BODY.match(body):
                return body
    return ""


def _date_line(lines: list[str]) -> tuple[dt.date | None, str]:
    """A date standing on a line of its own near the top (perhaps with a weekday and time)."""
    for line in [line for line in lines if line][:15]:
        match = DATE_WORDS.search(line) or DATE_NUMERIC.search(line)
        if not match:
            continue
        rest = (line[: match.start()] + line[match.end() :]).strip(" ,.-–")
        if len(rest) <= 25 and not re.search(
            r"[a-z]{4,}", DATE_WORDS.sub("", rest).replace("at", "")
        ):
            found = first_date(line)
            if found:
                return found, line
    return None, ""


def _date_in_prose(text: str) -> dt.date | None:
    """The first full date in the header that is not an earlier meeting's."""
    for offset, found in find_dates(text):
        before = text[max(0, offset - 80) : offset]
        if not _EARLIER.search(before):
            return found
    return None


def _moderngov_title(text: str) -> re.Match | None:
    """The first line that reads "Body - date" with a year after the dash."""
    return next((m for m in _MODERNGOV_TITLE.finditer(text) if _YEAR.search(m["when"])), None)


def _time_only(text: str) -> dt.time | None:
    # The date's own digits ("2nd October, 2024") must not be read as a time.
    return find_time(DATE_WORDS.sub(" ", text))


# A council's name or slogan above the body's: "Stockton-on-Tees Borough Council".
_COUNCIL = re.compile(
    r"^[A-Z][\w'&,. -]*\b(?:Borough|County|District|City|Town|Parish|Metropolitan|Community)?"
    r"\s*Council$"
)


def _first_line_body(lines: list[str]) -> str:
    """A body named alone on one of the first lines, as in "Safer Stockton Partnership"."""
    candidates = [line for line in lines if line and not _NOT_A_BODY.match(line)][:3]
    for index, line in enumerate(candidates):
        if ":" in line or len(line) > 80 or re.search(r"[.|]$", line) or DATE_WORDS.search(line):
            return ""
        if _COUNCIL.match(line) and index + 1 < len(candidates):
            following = candidates[index + 1]
            if not (DATE_WORDS.search(following) or ":" in following):
                continue
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
