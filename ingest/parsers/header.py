"""Read what a document's header says: the body, date, time, venue, contact and attendance."""

import datetime as dt
import re
from dataclasses import dataclass, field

from . import document as doc
from .text import DATE_NUMERIC, DATE_WORDS, find_dates, find_time, first_date

# ModernGov: "Safer Stockton Partnership - Wednesday 2nd October, 2024 9.00 am". The body ends
# at the first dash between spaces; what follows it must hold a year (checked after matching,
# as a pattern looking for both at once backtracks over every dash of a long line).
_MODERNGOV_TITLE = re.compile(r"^(?P<body>[^\n]*?\S)\s++[-–]\s++(?P<when>[^\n]*)$", re.M)
_YEAR = re.compile(r"\d{4}")
_TITLE_DASH = re.compile(r"\s[-–]\s")
_ATTENDANCE_LABELS = {
    "present": doc.PRESENT,
    "members present": doc.PRESENT,
    "officers": doc.OFFICER,
    "officers present": doc.OFFICER,
    "also in attendance": doc.IN_ATTENDANCE,
    "in attendance": doc.IN_ATTENDANCE,
    "also present": doc.IN_ATTENDANCE,
    "members in attendance": doc.PRESENT,
    "those attending": doc.PRESENT,
    "sederunt": doc.PRESENT,
    "those present": doc.PRESENT,
    "attendees": doc.PRESENT,
    "officers in attendance": doc.OFFICER,
    "officers attending": doc.OFFICER,
    "apologies": doc.APOLOGIES,
    "apologies for absence": doc.APOLOGIES,
    "apologies received": doc.APOLOGIES,
    # Absent without apologies: a label that ends the list before it, and no one's apologies.
    "absent": "",
    "members absent": "",
}
_ATTENDANCE_LINE = re.compile(
    r"^(?P<label>"
    + "|".join(
        label.replace(" ", r"\s+") for label in sorted(_ATTENDANCE_LABELS, key=len, reverse=True)
    )
    + r")\s*:\s*(?:[-–]\s*)?",
    re.IGNORECASE,
)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_NOT_A_BODY = re.compile(
    r"^(?:agendas?(?:,| and)?\s*(?:(?:decisions|reports)(?:,| and)?\s*)*(?:and\s+)?minutes|minutes|"
    r"agenda|decisions|items?|no\.?\s*item|public|confidential|meeting documents|"
    r"record\s+of\s+(?:decisions?|executive\s+decisions)|decision\s+(?:notice|record|sheet))$",
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
_MAYOR = re.compile(
    r"^(?P<office>(?:The\s+|His\s+|Her\s+)?(?:(?:Right\s+)?Worship(?:ful)?\s+)?(?:the\s+)?"
    r"(?:Deputy\s+)?(?:Lord\s+)?(?:Town\s+|City\s+)?Mayor(?:ess)?)\s*\((?P<name>[^()]+)\)",
    re.IGNORECASE,
)
_ROLE_ALONE = re.compile(
    r"^(?:(?:Vice|Deputy)[\s-])?(?:Chair(?:man|person|woman)?|Convener|Convenor|Provost|Leader|"
    r"Mayor|Clerk|Secretary)$",
    re.IGNORECASE,
)
_LEADING_ROLE = re.compile(
    rf"^(?P<role>(?:Vice[\s-]|Deputy\s)?Chair(?:man|person)?)\s+(?={TITLES}\b)", re.IGNORECASE
)
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
    titled = _moderngov_title(text)
    if titled and not DATE_WORDS.search(titled["when"]):
        titled = None
    held = _held_line(lines)
    dated_line = _date_line(lines)[1]
    # The date: the opening sentence's, the title's, after "Date:", a line of its own, or the
    # first in the header's text that is not an earlier meeting's.
    for found, when, note in (
        (held, held, "Date read from the opening sentence."),
        (titled and titled["when"], titled and titled["when"], ""),
        (labelled.get("date"), labelled.get("date"), "Date read after the “Date:” label."),
        (dated_line, dated_line, "Date read from a line of its own near the top."),
    ):
        if found and (value := first_date(found)):
            header.date, header.start_time = value, _time_only(when[:120])
            if note:
                notes.append(note)
            break
    if not header.date:
        header.date = _date_in_prose(text)
        if header.date:
            notes.append("Date read from the text of the header; check it.")
    if not header.start_time and labelled.get("time"):
        header.start_time = find_time(labelled["time"])
    header.body = _body(lines, held, titled)
    header.contact = labelled.get("contact", "")
    header.venue = labelled.get("venue") or labelled.get("place") or labelled.get("location", "")
    header.attendees = read_attendance(text)
    if not any(attendee.attendance == doc.PRESENT for attendee in header.attendees):
        header.attendees = _unlabelled_present(lines) + header.attendees
    return header


# "Councillors E Tanner (Chairman), F Ullyett …" on a line of its own, or the line after
# "Attendance Details": a list of those present without a label.
_COUNCILLORS_LINE = re.compile(r"^(?:Councillors?|Cllrs?\.?)\s+[A-Z][^:]*,")
_ATTENDANCE_DETAILS = re.compile(r"^attendance(?:\s+details)?$", re.IGNORECASE)


def _unlabelled_present(lines: list[str]) -> list[doc.ParsedAttendee]:
    filled = [line for line in lines if line]
    for index, line in enumerate(filled[:25]):
        after_details = index and _ATTENDANCE_DETAILS.match(filled[index - 1])
        if (after_details and not _is_label(line)) or _COUNCILLORS_LINE.match(line):
            return _Attendance().add(_split_people(_councillors(line)), doc.PRESENT).people
    return []


# A line of the opening that says when the meeting was held: "A meeting of … was held on …",
# "Minutes of the meeting held in the Chamber … on Monday 4 June 2018".
_HELD = re.compile(r"\bheld\b", re.IGNORECASE)
_NOT_THIS_MEETING = re.compile(r"\b(?:previous|last|earlier|preceding|rearranged|moved)\b", re.I)


def _held_line(lines: list[str]) -> str:
    for line in [line for line in lines if line][:20]:
        held = _HELD.search(line)
        if (
            held
            and not _NOT_THIS_MEETING.search(line[: held.start()])
            and (DATE_WORDS.search(line, held.end()) or DATE_NUMERIC.search(line, held.end()))
        ):
            return line[held.end() :]
    return ""


# The body in the opening sentence: "A meeting of the Licensing Committee was held …",
# "MINUTE of Meeting of the CIVIC GOVERNMENT LICENSING COMMITTEE held …", "Minutes of the
# Policy and Resources Committee held at …".
_MEETING_OF = re.compile(
    r"(?:^|(?<=\s))(?:(?:Draft\s+)?Minutes?\s+of\s+|At\s+)?(?:an?\s+|the\s+)?(?:\w+\s+){0,2}?meeting\s+of\s+"
    r"(?:the\s+)?(?P<body>[^.\n]+?)(?:\s+(?:was\s+|were\s+)?held\b|\s*$)",
    re.IGNORECASE,
)
_MINUTES_OF_BODY = re.compile(
    r"^(?:Draft\s+)?Minutes?\s+of\s+(?:the\s+)?(?P<body>[^.\n]+?)(?:\s+(?:held|on|at)\b.*)?$",
    re.IGNORECASE,
)
_MEETING_WORD = re.compile(r"\bmeeting\b", re.IGNORECASE)


def _body(lines: list[str], held: str, titled: dict | None) -> str:
    if titled:
        return _tidy_body(titled["body"])
    headings = _heading_lines(lines)
    named = _named_in_sentence(lines)
    bodies = [line for line in headings if not _COUNCIL.match(line)]
    if bodies and not (named and not _same_body(named, bodies[-1])):
        return bodies[-1]
    if named:
        # "Minutes of the meeting of the Community Council": the heading names it in full.
        whole = next((line for line in headings if line.lower().endswith(named.lower())), "")
        return whole or named
    return _minutes_title_body(lines) or (headings[0] if headings else "")


_WORDS = re.compile(r"[a-z]+")
_FILLER = {"the", "of", "and", "for", "a", "an", "&"}


def _same_body(named: str, heading: str) -> bool:
    """Whether a sentence's body is the heading's in other words ("Combined Fire Authority for
    Wendle and Brayford" under "WENDLE AND BRAYFORD COMBINED FIRE AUTHORITY")."""
    words = set(_WORDS.findall(named.lower())) - _FILLER
    return words <= set(_WORDS.findall(heading.lower()))


def _named_in_sentence(lines: list[str]) -> str:
    for line in [line for line in lines if line][:12]:
        match = _MEETING_OF.search(line)
        if not match:
            match = _MINUTES_OF_BODY.match(line)
            if match and _MEETING_WORD.search(match["body"]):
                continue
        if match and match["body"][:1].isupper():
            return _tidy_body(_DATED_BRACKET.sub("", match["body"]))
    return ""


_BODYLESS_MINUTES = re.compile(
    r"^(?:draft\s+)?minutes?\s+of\s+(?:the\s+|a\s+|an\s+)?(?:\w+\s+){0,2}?meeting$", re.IGNORECASE
)


def _heading_lines(lines: list[str]) -> list[str]:
    """The lines that head the document, before its opening sentence, labels or first date:
    the council's name, the body's, a slogan."""
    found = []
    for line in lines[:15]:
        if not line or _NOT_A_BODY.match(line):
            continue
        if (
            ":" in line
            or len(line) > 80
            or re.search(r"[.|]$", line)
            or DATE_WORDS.search(line)
            or _HELD.search(line)
            or re.match(r"^agenda\b|^at\s", line, re.IGNORECASE)
            or re.search(r"\bminutes$", line, re.IGNORECASE)
            or _ATTENDANCE_LINE.match(line)
            or re.match(r"^\W*\d", line)
        ):
            break
        if "," in line or _BODYLESS_MINUTES.match(line):
            continue  # a slogan: "Big plans, bright future"; "MINUTE OF MEETING"
        if re.match(r"^(?:draft\s+)?minutes?\b", line, re.IGNORECASE):
            break
        found.append(_DATED_BRACKET.sub("", line).strip())
    return found


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
        label, value = match["label"].lower().replace("held on", "date"), match["value"].strip()
        if not value:
            following = next((later for later in lines[index + 1 : index + 3] if later), "")
            value = "" if _ANY_LABEL.match(following) else following
        if value and label not in values:
            values[label] = " ".join(value.split())
    return values


# The date of an earlier meeting, not this one: "minutes of the meeting held on 5 May".
_EARLIER = re.compile(r"(?:minutes|previous|last|earlier|held)\W+(?:\w+\W+){0,6}$", re.IGNORECASE)
# "Safer Stockton Partnership Minutes", "Licensing Committee (ceased to operate 10/04/2017)
# Minutes": the body named before the word "Minutes".
_MINUTES_TITLE = re.compile(r"^(?P<body>[A-Z][^:|]{2,100}?)\s+Minutes$")
_BRACKETED = re.compile(r"\s*\([^()]*\)")
# "(2005-2015)", "(ceased to operate 10/04/2017)": a note on the body, not its name.
_DATED_BRACKET = re.compile(r"\s*\([^()]*\d[^()]*\)")


def _tidy_body(body: str) -> str:
    body = " ".join(body.split())
    body = re.sub(r"^(?:the)\s+", "", body, flags=re.IGNORECASE)
    return body.strip(" ,.-–")


def _minutes_title_body(lines: list[str]) -> str:
    for line in lines[:15]:
        match = _MINUTES_TITLE.match(line)
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


def _moderngov_title(text: str) -> dict | None:
    """The first line that reads "Body - date" with a year after the dash. The body runs to
    the dash before the date: "Fire Authority - Policy Committee - Tuesday 5 May 2015"."""
    for match in _MODERNGOV_TITLE.finditer(text):
        if not _YEAR.search(match["when"]):
            continue
        line = match.group()
        date = DATE_WORDS.search(line)
        dashes = list(_TITLE_DASH.finditer(line, 0, date.start())) if date else []
        if dashes and line[: dashes[-1].start()].strip():
            body, when = line[: dashes[-1].start()].strip(), line[dashes[-1].end() :]
            return {"body": body, "when": when}
        return {"body": match["body"], "when": match["when"]}
    return None


def _time_only(text: str) -> dt.time | None:
    # The date's own digits ("2nd October, 2024") must not be read as a time.
    return find_time(DATE_WORDS.sub(" ", text))


# A council's name or slogan above the body's: "Stockton-on-Tees Borough Council".
_COUNCIL = re.compile(r"^[A-Z][\w'&,. -]*\bCouncil$", re.IGNORECASE)


_APOLOGIES_SENTENCE = re.compile(
    r"^(?:\d{1,3}\.?\s+)?Apologies(?:\s+for\s+(?:absence|non-attendance))?\s+(?:were|was|had\s+been|"
    r"have\s+been)\s+(?:received|submitted|given|tendered|reported|noted|made|intimated)"
    r"(?:\s+and\s+accepted)?\s+"
    r"(?:from|on\s+behalf\s+of|by|for)\b\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_SUBMITTED = re.compile(
    r"^(?:were\s+|was\s+)?(?:submitted|received|given)\s+(?:on behalf of|from|by)\s+", re.IGNORECASE
)
_THE_FOLLOWING = re.compile(r"^(?:the\s+following(?:\s+\w+)?)?\s*[:.]?\s*$", re.IGNORECASE)
_NONE = re.compile(r"^(?:none|nil|n/?a|no\s+apologies.*)\.?$", re.IGNORECASE)
# Headings and labels that end a list of names given one a line.
_NOT_A_NAME = re.compile(
    r"^(?:items?|no\.?|public|confidential|minutes|agenda|part\b|declarations?|apologies|"
    r"welcome|chair|item\s+description|attendance|present|officers|absent|in\s+attendance)\b"
    r"|.*\b(?:items|business|matters)$",
    re.IGNORECASE,
)
_NAME_WORD = re.compile(r"^(?:[A-Z][\w'’.-]*|[A-Z]\.?|de|van|der|von|la|le|di|da|du|of|and|&)$")
_SUBSTITUTE_NOTE = re.compile(r"\s{2,}|\s[-–]\s")
_COUNCILLORS = re.compile(r"^(?:Councillors|Cllrs\.?)\s+", re.IGNORECASE)


_ATTENDANCE_LABEL_PATTERNS = [
    (re.compile(label.replace(" ", r"\s+"), re.IGNORECASE), attendance)
    for label, attendance in _ATTENDANCE_LABELS.items()
]


def _attendance_for(label: str) -> str:
    """What an attendance label found ignoring case says: "Present", "PRESENT", "Preſent"."""
    found = _ATTENDANCE_LABELS.get(" ".join(label.lower().split()))
    if found is not None:
        return found
    # A letter that matches one of the label's only when case is ignored (the long s, the
    # dotted capital I): the label it matched.
    return next(found for pattern, found in _ATTENDANCE_LABEL_PATTERNS if pattern.fullmatch(label))


def read_attendance(text: str) -> list[doc.ParsedAttendee]:
    """Names under each attendance label, in a sentence of apologies, or one a line."""
    attendance_list = _Attendance()
    lines = [line.strip() for line in text.split("\n")]
    index = 0
    while index < len(lines):
        line = lines[index]
        label = _ATTENDANCE_LINE.match(line)
        sentence = None if label else _APOLOGIES_SENTENCE.match(line)
        if not label and not sentence:
            index += 1
            continue
        if label:
            attendance = _attendance_for(label["label"])
            value = _SUBMITTED.sub("", line[label.end() :].strip())
            if _NONE.match(value):
                index += 1
                continue
        else:
            attendance, value = doc.APOLOGIES, sentence["rest"].strip()
        index += 1
        if value and not _THE_FOLLOWING.match(value):
            # The list runs on to the end of its paragraph, and stops at a sentence after it.
            while index < len(lines) and lines[index] and not _is_label(lines[index]):
                value = f"{value} {lines[index]}"
                index += 1
            value = _end_of_list(value)
            entries = _split_people(_councillors(value))
        else:
            entries, index = _listed_below(lines, index)
        if attendance:
            attendance_list.add(entries, attendance)
    return attendance_list.people


# "Cllr. L Owen sent his apologies."
_SENT_APOLOGIES = re.compile(
    r"^(?P<names>[A-Z][^.]*?(?:\.\s*[A-Z][^.]*?)*)\s+(?:sent|gave|tendered|offered|submitted)\s+"
    r"(?:his|her|their)\s+apologies\b"
)


def apologies_in_item(text: str) -> list[doc.ParsedAttendee]:
    """The names under an item of apologies that has no label: one a line, a list, or
    "Cllr A sent his apologies"."""
    lines = [line.strip() for line in text.split("\n")]
    first = next((line for line in lines if line), "")
    sent = _SENT_APOLOGIES.match(first)
    if sent:
        entries = _split_people(_councillors(sent["names"]))
    else:
        entries, _ = _listed_below(lines, 0)
    # Without a label to say so, the entries are names only if each reads as one.
    if not all(_single_name(entry) and len(entry.split()) >= 2 for entry in entries):
        return []
    return _Attendance().add(entries, doc.APOLOGIES).people


_FULL_STOP = re.compile(r"(?<=[a-z]{2})\.\s+(?=[A-Z])")
_NOT_AN_END = {"mrs", "mr", "ms", "dr", "cllr", "cllrs", "rev", "revd", "prof", "supt", "insp"}


def _end_of_list(value: str) -> str:
    """A list of names up to the sentence after it: "… Saltmarsh and Tebbutt. County
    Councillor Vane was in attendance." ends at "Tebbutt"."""
    for match in _FULL_STOP.finditer(value):
        word = value[: match.start()].rsplit(None, 1)[-1].lower()
        if word not in _NOT_AN_END:
            return value[: match.start()]
    return value


class _Attendance:
    """The people read so far, in order, each once for each kind of attendance."""

    def __init__(self):
        self.people: list[doc.ParsedAttendee] = []
        self._seen: dict[tuple[str, str], doc.ParsedAttendee] = {}

    def add(self, entries: list[str], attendance: str) -> "_Attendance":
        for entry in entries:
            person = parse_person(entry, attendance)
            if not person:
                continue
            key = (person.name.lower(), attendance)
            if key in self._seen:
                # Listed twice: keep one entry, with whatever detail either gives.
                first = self._seen[key]
                first.role = first.role or person.role
                first.organisation = first.organisation or person.organisation
                first.title = first.title or person.title
                continue
            self._seen[key] = person
            self.people.append(person)
        return self


def _is_label(line: str) -> bool:
    return bool(_ATTENDANCE_LINE.match(line) or _APOLOGIES_SENTENCE.match(line))


# Runs of spaces are taken whole and only from their start: tried at each space of a long
# run, a pattern beginning with \s+ scans the rest of the run every time.
_FROM_AGAIN = re.compile(r"(?:,|(?<!\s))\s++(?:and\s++)?from\s++|;\s*+", re.IGNORECASE)
# "Councillor A, for whom Councillor B was substitute": the substitute attended instead.
_SUBSTITUTED_BY = re.compile(
    r"\bfor\s++whom\b[^;,.\n]{0,120}?\b(?:was|were|had\s++been)\s++(?:a\s++|the\s++)?substitut\w*",
    re.IGNORECASE,
)


def _councillors(value: str) -> str:
    """The list with "Councillors Ames and Brook, and from Jo Cole" as "Councillor Ames,
    Councillor Brook, Jo Cole"."""
    parts = []
    value = _SUBSTITUTED_BY.sub("", value)
    for part in _FROM_AGAIN.split(value):
        if _COUNCILLORS.match(part):
            entries = _split_people(_COUNCILLORS.sub("", part))
            part = ", ".join(f"Councillor {entry}" for entry in entries)
        parts.append(part)
    return ", ".join(parts)


def _listed_below(lines: list[str], index: int) -> tuple[list[str], int]:
    """The names on the lines after a label: a list on one line (running on while it ends in a
    comma), or one name a line, blank lines between allowed; "None" gives none."""
    while index < len(lines) and not lines[index]:
        index += 1
    if index >= len(lines) or _is_label(lines[index]):
        return [], index
    first = lines[index]
    if _NONE.match(first):
        return [], index + 1
    if "," in first or ";" in first or re.search(r"\s(?:and|&)\s", first):
        value, index = _councillors(first), index + 1
        while value.rstrip()[-1:] in (",", ";") and index < len(lines) and lines[index]:
            if _is_label(lines[index]):
                break
            value, index = f"{value} {lines[index]}", index + 1
        return _split_people(_councillors(value)), index
    names = []
    while index < len(lines):
        line = lines[index]
        if not line:
            if index + 1 < len(lines) and not lines[index + 1]:
                break  # two blank lines end the list
            index += 1
            continue
        name = _single_name(line)
        if not name:
            break
        names.append(name)
        index += 1
    return names, index


def _single_name(line: str) -> str:
    """The name on a line that holds one ("Peter Lewis   - Jennifer James substituted")."""
    if _NOT_A_NAME.match(line) or _is_label(line) or line.endswith(":"):
        return ""
    name = _SUBSTITUTE_NOTE.split(line, maxsplit=1)[0].strip().rstrip(".,;")
    words = _BRACKETED.sub("", name).split()
    if not words or len(words) > 7 or any(char.isdigit() for char in name):
        return ""
    if name.isupper() and len(words) > 3:
        return ""  # a heading in capitals
    if not all(_NAME_WORD.match(word) for word in words):
        return ""
    return name


_PEOPLE_SEPARATOR = re.compile(r"([();,]|(?<!\s)\s++(?:and|&)\s++)")


def _split_people(listed: str) -> list[str]:
    """Split "A (Chair), B (SBC – Housing); C and D." at commas, semicolons and "and" outside
    brackets, and where a bracket closes before the next name without a comma."""
    entries, depth, current = [], 0, []
    tokens = _PEOPLE_SEPARATOR.split(listed.strip())
    for position, token in enumerate(tokens):
        if token == "(":
            depth += 1
        elif token == ")":
            depth = max(depth - 1, 0)
        if depth == 0 and (token in (",", ";") or re.fullmatch(r"\s+(?:and|&)\s+", token or "")):
            entries.append("".join(current))
            current = []
            continue
        if token:
            current.append(token)
        following = tokens[position + 1] if position + 1 < len(tokens) else ""
        if token == ")" and depth == 0 and re.match(r"\s+[A-Z]", following):
            # "Richard Phelan (HMP Holme House) Paul Green": a comma left out.
            entries.append("".join(current))
            current = []
    entries.append("".join(current))
    entries = [entry.strip().rstrip(".;").strip() for entry in entries if entry.strip(" .;")]
    # "Councillor Lorna Allan, Convener;": a role after a comma is not a person.
    return [entry for entry in entries if not _ROLE_ALONE.match(entry)]


_ROLE_SEPARATOR = re.compile(r"(?<!\s)\s++[-–]\s++|,\s*+")


def _last_bracket(name: str) -> tuple[str, str] | None:
    """(the name before it, what is inside) for a bracket closing the name; None without one.
    Found by hand: a pattern ending in ``$`` is tried from every bracket of a long name."""
    stripped = name.rstrip()
    if not stripped.endswith(")"):
        return None
    opening = stripped.rfind("(")
    inside = stripped[opening + 1 : -1]
    if opening < 0 or ")" in inside:
        return None
    return stripped[:opening].rstrip(), inside


def parse_person(entry: str, attendance: str) -> doc.ParsedAttendee | None:
    printed = entry.strip()
    name, role, organisation = printed, "", ""
    mayor = _MAYOR.match(name)
    if mayor:
        # "The Worshipful the Mayor (Cllr Mrs S Fletcher)": the person is in the brackets.
        name, role = mayor["name"], mayor["office"].strip()
    # "Geoff Lee (Chairman) (Tristar Homes)": each bracket from the end is a role or a body.
    while (bracket := _last_bracket(name)) is not None:
        name, inside = bracket
        parts = [p.strip() for p in _ROLE_SEPARATOR.split(inside, maxsplit=1)]
        if _ROLE.match(parts[0]) and not role:
            role = parts[0]
            organisation = organisation or (parts[1] if len(parts) > 1 else "")
        elif not organisation:
            organisation = inside.strip()
    # "Chair Cllr. D Hopkin": the role before the name.
    leading = _LEADING_ROLE.match(name)
    if leading:
        role, name = role or leading["role"], name[leading.end() :]
    # "Steve Johnson (Cleveland Fire Brigade.": a bracket never closed.
    unclosed = name.find("(")
    if unclosed > 0:
        organisation = organisation or name[unclosed + 1 :].strip(" .)")
        name = name[:unclosed]
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
