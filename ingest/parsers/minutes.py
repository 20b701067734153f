"""Parse a whole set of minutes: detect the layout, then read header and items."""

import re
from datetime import date

from . import confidential
from . import document as doc
from .followups import read_follow_ups
from .header import apologies_in_item, read_attendance, read_header
from .items import read_item
from .layouts import split_layout
from .scheme import drop_furniture, unflatten
from .text import find_dates, normalise

_HELD_ON_DATE = re.compile(r"\bheld\s+on\b", re.IGNORECASE)
_MINUTES_ITEM = re.compile(r"^minutes\b|\bminutes of (?:the )?(?:last|previous)?\s*meeting", re.I)
# "Date and time of next meeting", "Next meeting": looked for in two steps, as ``.*`` between
# the two would run on from every "date" of a long title.
_DATE_OR_TIME = re.compile(r"\b(?:date|time)\b", re.I)
_NEXT_MEETING = re.compile(r"\bnext meeting\b", re.I)


def parse_minutes(text: str) -> doc.ParsedMeeting:
    """Read a set of minutes in any of the layouts we know; never raises on odd input.

    A layout we do not know is read as well as it can be, with a warning.
    """
    text = normalise(text)
    notes: list[str] = []
    unfurnished = drop_furniture(text)
    if unfurnished != text:
        notes.append("Page numbers and running headers or footers were left out.")
    text = unflatten(unfurnished)
    if text != unfurnished:
        notes.append("The text was run together on long lines; minutes were cut at their numbers.")
    layout = split_layout(text)
    notes = [f"Layout: {doc.SHAPE_LABELS[layout.shape]}.", *layout.notes, *notes]
    header = read_header(layout.header, notes)
    meeting = doc.ParsedMeeting(
        shape=layout.shape,
        body=header.body,
        date=header.date,
        start_time=header.start_time,
        venue=header.venue,
        contact=header.contact,
        header_text=layout.header,
        attendees=header.attendees,
        warnings=list(layout.warnings),
        notes=notes,
    )
    for position, marked in enumerate(
        confidential.mark(layout.items, layout.header, meeting.warnings), start=1
    ):
        item = read_item(position, marked.raw)
        if marked.reason and not item.restricted:
            item.restricted = True
            item.restricted_reason = marked.reason
        # Restricted items' follow-ups are read too: what may be shown of them is the
        # archive's business, not the reader's.
        item.follow_ups = read_follow_ups(
            item.title,
            item.minutes_text,
            [resolution.text for resolution in item.resolutions],
            meeting.date,
        )
        meeting.items.append(item)
    _attendance_in_items(meeting)
    meeting.previous_meeting = _previous_meeting(meeting.items, meeting.date)
    meeting.next_meeting = _next_meeting(meeting.items, meeting.date)
    if not meeting.date:
        meeting.warnings.append(doc.NO_DATE_WARNING)
    if not meeting.body:
        meeting.warnings.append(doc.NO_BODY_WARNING)
    if not meeting.items:
        meeting.warnings.append("No agenda items were found.")
    untitled = [item.position for item in meeting.items if not item.title]
    if untitled:
        listed = ", ".join(str(position) for position in untitled)
        meeting.warnings.append(f"Item(s) at position {listed} have no title.")
    return meeting


_APOLOGIES_ITEM = re.compile(r"^\W*apolog", re.IGNORECASE)
_ATTENDANCE_ITEM = re.compile(r"\b(?:apolog\w*|attendance|present|introductions)\b", re.IGNORECASE)


def _attendance_in_items(meeting: doc.ParsedMeeting) -> None:
    """Apologies (or those present) recorded under an item of their own, where the header has
    none: "1. Apologies" with "Apologies were received from …" as its minutes."""
    given = {attendee.attendance for attendee in meeting.attendees}
    for item in meeting.items[:3]:
        # A restricted item's names are its own business, never the meeting's attendance.
        if item.restricted or not _ATTENDANCE_ITEM.search(item.title):
            continue
        for attendee in read_attendance(f"{item.agenda_text}\n\n{item.minutes_text}") or (
            apologies_in_item(item.minutes_text) if _APOLOGIES_ITEM.search(item.title) else []
        ):
            if attendee.attendance not in given:
                meeting.attendees.append(attendee)
                note = f"Attendance read from the item “{item.title}”."
                if note not in meeting.notes:
                    meeting.notes.append(note)
        given = {attendee.attendance for attendee in meeting.attendees}


def _previous_meeting(items: list[doc.ParsedItem], meeting_date: date | None) -> date | None:
    """The date of the meeting whose minutes this one approved.

    The agenda text ("To approve the minutes for the last meeting held on …") is preferred to
    the minutes, which sometimes repeat the wrong date.
    """
    for item in items:
        if not _MINUTES_ITEM.search(item.title):
            continue
        for text in (item.agenda_text, item.title, item.minutes_text):
            found = _date_after_held_on(text) or _earlier_date(text, meeting_date)
            if found:
                return found
    return None


def _date_after_held_on(text: str) -> date | None:
    match = _HELD_ON_DATE.search(text or "")
    if not match:
        return None
    dates = find_dates(text[match.end() : match.end() + 60])
    return dates[0][1] if dates else None


def _earlier_date(text: str, meeting_date: date | None) -> date | None:
    for _, found in find_dates(text or ""):
        if meeting_date is None or found < meeting_date:
            return found
    return None


def _is_next_meeting_item(title: str) -> bool:
    if title[:12].lower() == "next meeting" and _NEXT_MEETING.match(title):
        return True
    for line in title.split("\n"):
        first = _DATE_OR_TIME.search(line)
        if first and _NEXT_MEETING.search(line, first.end()):
            return True
    return False


def _next_meeting(items: list[doc.ParsedItem], meeting_date: date | None) -> date | None:
    year = meeting_date.year if meeting_date else None
    for item in items:
        if not _is_next_meeting_item(item.title):
            continue
        for text in (item.title, item.agenda_text, item.minutes_text):
            dates = find_dates(text, default_year=year)
            if not dates:
                continue
            found = dates[0][1]
            if meeting_date and found < meeting_date and found.year == meeting_date.year:
                # "Tuesday 16 January" printed in December's minutes means next year.
                found = found.replace(year=found.year + 1)
            return found
    return None
