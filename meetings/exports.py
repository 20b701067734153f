"""The open-data form of a meeting, shared by ``export_archive`` and any JSON page.

Schema, one object per meeting (dates ISO 8601, times "HH:MM", unknown values null)::

    {"body", "date", "start_time", "venue", "previous_meeting", "next_meeting", "source_name",
     "attendees": [{"name", "title", "role", "organisation", "attendance"}],
     "items": [{"number", "title", "restricted", "status", "agenda_text", "minutes_text",
                "resolutions": [{"text", "kind"}], "topics": [name, ...]}]}

Text that is absent is "" for ``agenda_text`` / ``minutes_text`` and null elsewhere. Unless the
export includes restricted items, a restricted item keeps its number, title and status but its
agenda text, minutes text and resolutions are withheld ("" and []), and its topics are only those
named in its title.
"""

from .models import Meeting
from .selectors import meetings_with_content


def export_meetings(*, include_restricted: bool = False):
    """Meetings ready for ``meeting_to_dict``, oldest first, with a fixed number of queries."""
    return meetings_with_content(include_restricted).oldest_first()


def meeting_to_dict(meeting: Meeting) -> dict:
    """One meeting in the export schema; ``meeting`` must come from ``export_meetings``."""
    return {
        "body": meeting.body or None,
        "date": _iso(meeting.date),
        "start_time": meeting.start_time.strftime("%H:%M") if meeting.start_time else None,
        "venue": meeting.venue or None,
        "previous_meeting": _iso(meeting.previous_meeting),
        "next_meeting": _iso(meeting.next_meeting),
        "source_name": meeting.source.file_name if meeting.source else None,
        "attendees": [
            {
                "name": attendee.name,
                "title": attendee.title or None,
                "role": attendee.role or None,
                "organisation": attendee.organisation or None,
                "attendance": attendee.attendance,
            }
            for attendee in meeting.attendees.all()
        ],
        "items": [
            {
                "number": item.number or None,
                "title": item.title or None,
                "restricted": item.restricted,
                "status": item.status,
                "agenda_text": item.agenda_text_shown,
                "minutes_text": item.minutes_text_shown,
                "resolutions": [
                    {"text": resolution.text, "kind": resolution.kind}
                    for resolution in item.resolutions.all()
                ],
                "topics": [link.topic.name for link in item.shown_topics],
            }
            for item in meeting.items.all()
        ],
    }


def _iso(value):
    return value.isoformat() if value else None
