"""Why a meeting needs review: one list of reasons, the same on the import's report, the
needs-review flag, the admin's filter and the meeting's admin page. And the reader's notes on
how a document was read, stored with the meeting and shown on its admin page."""

import datetime
import re

import pytest

from ingest import reimport
from ingest.parsers import document
from ingest.parsers.document import ParsedItem, ParsedMeeting
from ingest.services import import_document

pytestmark = pytest.mark.django_db

GUESSED = document.GUESSED_LAYOUT_WARNING
IN_DOUBT = f"{document.RESTRICTED_IN_DOUBT_WARNING} items 4 to 6, after “the public be excluded”."
CUT = "Attendee name cut to 200 characters: “Bartholomew-Bartholomew-Bartholomew-Bart…”"
OTHER = "An item was read twice."


@pytest.fixture
def meetings(make_meeting):
    day = iter(datetime.date(2025, 1, n) for n in range(1, 31))
    made = {
        "undated": make_meeting(body="Undated", date=None),
        "no body": make_meeting(body="", date=next(day)),
        "guessed": make_meeting(body="Guessed", date=next(day), warnings=[GUESSED]),
        "in doubt": make_meeting(
            body="In doubt",
            date=next(day),
            warnings=[IN_DOUBT],
            items=[{"title": "Licence review", "restricted": True, "restricted_reason": IN_DOUBT}],
        ),
        "cut": make_meeting(body="Cut", date=next(day), warnings=[CUT]),
        "other": make_meeting(body="Other", date=next(day), warnings=[OTHER]),
        "mixed": make_meeting(body="Mixed", date=next(day), warnings=[GUESSED, OTHER]),
        "fine": make_meeting(body="Fine", date=next(day)),
    }
    return made


def listed(client, query):
    response = client.get(f"/admin/meetings/meeting/?{query}")
    assert response.status_code == 200
    return sorted(str(meeting.body) for meeting in response.context["cl"].result_list)


@pytest.mark.parametrize(
    "code, expected",
    [
        ("date", ["Undated"]),
        ("body", [""]),
        ("layout", ["Guessed", "Mixed"]),
        ("restricted", ["In doubt"]),
        ("cut", ["Cut"]),
        ("warnings", ["Mixed", "Other"]),
    ],
)
def test_the_meeting_list_filters_by_each_reason(admin_client, meetings, code, expected):
    assert listed(admin_client, f"review={code}") == expected


def test_the_filter_offers_every_reason_by_its_plain_label(admin_client, meetings):
    page = admin_client.get("/admin/meetings/meeting/").content.decode()
    offered = {
        "date": "Date unknown",
        "body": "Body unknown",
        "layout": "Layout guessed",
        "restricted": "Restricted in doubt",
        "cut": "Fields cut to length",
        "warnings": "Other parse warnings",
        "unplaced": "Hand corrections to place",
    }
    for code, label in offered.items():
        assert re.search(rf'<a href="\?review={code}"[^>]*>{label}</a>', page), label


def test_only_meetings_with_a_reason_are_flagged(meetings):
    flagged = {name for name, meeting in meetings.items() if meeting.needs_review}
    assert flagged == set(meetings) - {"fine"}


def test_the_meeting_page_lists_the_plain_reasons(admin_client, meetings):
    page = admin_client.get(f"/admin/meetings/meeting/{meetings['mixed'].pk}/change/")
    content = page.content.decode()
    assert "<li>Layout guessed</li><li>Other parse warnings</li>" in content
    fine = admin_client.get(f"/admin/meetings/meeting/{meetings['fine'].pk}/change/")
    assert "None: it does not need review." in fine.content.decode()


@pytest.fixture
def read_with(monkeypatch):
    """Import with a reader that gives ``notes`` and ``warnings`` for any document."""

    def use(notes, warnings=()):
        def parse(text):
            parsed = ParsedMeeting(
                shape=document.SHAPE_UNKNOWN,
                body="Safer Stockton Partnership",
                date=datetime.date(2025, 1, 22),
                notes=list(notes),
                warnings=list(warnings),
            )
            doubt = next((w for w in warnings if w.startswith(IN_DOUBT[:20])), "")
            parsed.items.append(
                ParsedItem(
                    position=1,
                    number="",
                    number_printed="",
                    title=text,
                    restricted=bool(doubt),
                    restricted_reason=doubt,
                )
            )
            return parsed

        monkeypatch.setattr("ingest.reading.parse_minutes", parse)

    return use


def test_the_import_reports_the_reasons_the_meeting_is_listed_for(read_with):
    read_with(["Layout: unknown, items guessed from headings"], [GUESSED, IN_DOUBT])
    outcome = import_document(b"Community safety", "guessed.txt")
    assert outcome.review_reasons == ["layout guessed", "restricted in doubt"]
    assert outcome.meeting.review_reasons() == ["Layout guessed", "Restricted in doubt"]


def test_the_reading_notes_are_stored_shown_and_updated(admin_client, read_with):
    read_with(["Layout: formal minutes", "Date read from the opening sentence"])
    meeting = import_document(b"Community safety", "notes.txt").meeting
    meeting.refresh_from_db()
    assert meeting.reading_notes == [
        "Layout: formal minutes",
        "Date read from the opening sentence",
    ]
    assert not meeting.needs_review  # notes are not warnings
    page = admin_client.get(f"/admin/meetings/meeting/{meeting.pk}/change/").content.decode()
    assert "How this document was read" in page
    assert "<li>Date read from the opening sentence</li>" in page

    # The same bytes read again by a reader that reads them differently.
    read_with(["Layout: formal minutes", "Date read from the page heading"])
    assert reimport.reimport_meeting(meeting).status == "updated"
    meeting.refresh_from_db()
    assert meeting.reading_notes == ["Layout: formal minutes", "Date read from the page heading"]

    # A corrected document.
    read_with(["Layout: numbered minutes"])
    assert import_document(b"Community safety!", "notes.txt").status == "updated"
    meeting.refresh_from_db()
    assert meeting.reading_notes == ["Layout: numbered minutes"]


def test_lifting_a_restriction_made_in_doubt_takes_the_meeting_off_the_list(admin_client, meetings):
    meeting = meetings["in doubt"]
    item = meeting.items.get()
    page = f"/admin/meetings/agendaitem/{item.pk}/change/"
    form = admin_client.get(page).context["adminform"].form
    data = {
        **{name: value for name, value in form.initial.items() if value is not None},
        "meeting": meeting.pk,
        "attachments": "[]",
        "resolutions-TOTAL_FORMS": "0",
        "resolutions-INITIAL_FORMS": "0",
        "item_topics-TOTAL_FORMS": "0",
        "item_topics-INITIAL_FORMS": "0",
    }
    del data["restricted"]  # the box unticked

    response = admin_client.post(page, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    meeting.refresh_from_db()
    assert "Restricted in doubt" not in meeting.review_reasons()
    assert listed(admin_client, "review=restricted") == []
