"""A value longer than its column is cut, with a warning: the document is never refused for it.

PostgreSQL refuses a value longer than its column and SQLite keeps it whole; the import cuts it
the same way on both, says what it cut, and lists the meeting for review. The documents are
tiny minutes written here in the layouts the reader knows.
"""

import pytest

from ingest.services import import_document
from meetings.models import AgendaItem, Attendee, Meeting

pytestmark = pytest.mark.django_db

# 305 characters, no comma: one attendee's name.
LONG_NAME = "Bartholomew-" * 25 + "Smith"
# 386 characters.
LONG_BODY = "Safer Stockton " * 25 + "Partnership"
# 1,190 characters.
LONG_TITLE = "Community safety " * 70


def formal(*, body="Safer Stockton Partnership", attendee="Ann McCoy") -> bytes:
    """Formal minutes: a sentence naming the body and date, attendance, numbered items."""
    return f"""{body}

A meeting of {body} was held on Wednesday, 28th September, 2022.

Present: Cllr Steve Nelson (Chair), Cllr {attendee}, Cllr Norma Stephenson

Apologies: Alex Sinclair

SSP 12/22 Introductions/Apologies

Introductions and apologies for absence were given.

SSP 13/22 Minutes of Last Meeting

AGREED that the minutes be approved.
""".encode()


def pipe_table(title: str) -> bytes:
    """An exported table of items: one row each, the title before "Minutes:"."""
    return f"""Venue: Municipal Buildings
No. | Item |
Apologies for Absence Minutes: Introductions and apologies were given. |
{title}Minutes: Members AGREED to note the update. |
""".encode()


def limit(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def reviewed_for_cut(admin_client, meeting) -> bool:
    """Whether the admin's meeting list, filtered to values cut to length, lists ``meeting``."""
    response = admin_client.get("/admin/meetings/meeting/?review=cut")
    return meeting in response.context["cl"].result_list


def test_an_overlong_attendee_name_is_cut_and_the_meeting_listed_for_review(admin_client):
    outcome = import_document(formal(attendee=LONG_NAME), "long-name.txt")

    assert not outcome.failed, outcome.message
    meeting = Meeting.objects.get()
    names = list(meeting.attendees.values_list("name", flat=True))
    cut = LONG_NAME[: limit(Attendee, "name")]
    assert names == ["Steve Nelson", cut, "Norma Stephenson", "Alex Sinclair"]
    assert meeting.warnings == [
        "Attendee name cut to 200 characters: “Bartholomew-Bartholomew-Bartholomew-Bart…”"
    ]
    assert meeting.needs_review
    assert meeting.review_reasons() == ["Fields cut to length"]
    assert outcome.review_reasons == ["fields cut to length"]
    assert reviewed_for_cut(admin_client, meeting)


def test_an_overlong_body_is_cut(admin_client):
    outcome = import_document(formal(body=LONG_BODY), "long-body.txt")

    assert not outcome.failed, outcome.message
    meeting = Meeting.objects.get()
    assert meeting.body == LONG_BODY[: limit(Meeting, "body")]
    assert meeting.warnings == [
        "Meeting body cut to 300 characters: “Safer Stockton Safer Stockton Safer Stoc…”"
    ]
    assert reviewed_for_cut(admin_client, meeting)


def test_an_overlong_item_title_is_cut(admin_client):
    outcome = import_document(pipe_table(LONG_TITLE), "long-title.txt")

    assert not outcome.failed, outcome.message
    titles = list(AgendaItem.objects.values_list("title", flat=True))
    assert titles == ["Apologies for Absence", LONG_TITLE[: limit(AgendaItem, "title")]]
    meeting = Meeting.objects.get()
    assert "Item 2 title cut to 1000 characters: “Community safety Community safety Commun…”" in (
        meeting.warnings
    )
    assert "Fields cut to length" in meeting.review_reasons()
    assert reviewed_for_cut(admin_client, meeting)


def test_the_same_document_again_changes_nothing(admin_client):
    import_document(formal(attendee=LONG_NAME), "long-name.txt")
    again = import_document(formal(attendee=LONG_NAME), "long-name.txt")
    assert again.status == "unchanged"
    assert again.review_reasons == ["fields cut to length"]


def test_a_document_without_overlong_values_is_not_listed(admin_client):
    import_document(formal(), "fine.txt")
    meeting = Meeting.objects.get()
    assert meeting.warnings == []
    assert not meeting.needs_review
    assert not reviewed_for_cut(admin_client, meeting)
