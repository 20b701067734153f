"""The check of a meeting's original file for publication: set in the admin by someone who may
read restricted items, and cleared when an import brings the meeting a file with other bytes."""

import pytest
from django.contrib.admin.models import LogEntry

from ingest import reading, reimport, services
from ingest.services import import_document
from meetings.models import Meeting, SourceDocument
from tests.conftest import make_user
from tests.ingest.test_overrides import post_data

pytestmark = pytest.mark.django_db

JANUARY = b"""Body: Safer Stockton Partnership
Date: 2025-01-22
Item: SSP/47/24 | Evacuation Procedure | A fire drill was held.
"""
# The same meeting, from a corrected file.
JANUARY_CORRECTED = JANUARY.replace(b"fire drill", b"fire drill and a roll call")


def checked_meeting():
    meeting = import_document(JANUARY, "jan.txt").meeting
    meeting.original_checked_for_publication = True
    meeting.save()
    return meeting


def is_checked(meeting) -> bool:
    return Meeting.objects.get(pk=meeting.pk).original_checked_for_publication


class TestClearedWhenTheOriginalChanges:
    def test_a_file_with_other_content_clears_the_check(self, stub_parser):
        meeting = checked_meeting()

        outcome = import_document(JANUARY_CORRECTED, "jan-corrected.txt")

        assert outcome.status == services.UPDATED and outcome.meeting.pk == meeting.pk
        assert Meeting.objects.get().source.file_name == "jan-corrected.txt"
        assert not is_checked(meeting)

    def test_other_bytes_clear_it_even_when_the_minutes_read_the_same(self, stub_parser):
        # The check was of the file: a byte anywhere may be text the reader does not show.
        meeting = checked_meeting()
        import_document(JANUARY + b"\n", "jan-again.txt")
        assert Meeting.objects.get().source.file_name == "jan-again.txt"
        assert not is_checked(meeting)

    def test_the_same_bytes_again_keep_it(self, stub_parser):
        meeting = checked_meeting()
        assert import_document(JANUARY, "copy of jan.txt").status == services.UNCHANGED
        assert is_checked(meeting)

    def test_reading_the_same_original_again_keeps_it(self, stub_parser, monkeypatch):
        meeting = checked_meeting()
        parse = reading.parse_minutes  # the stub parser

        def improved(text):
            parsed = parse(text)
            parsed.items[0].minutes_text += " Members asked questions."
            return parsed

        monkeypatch.setattr(reading, "parse_minutes", improved)

        assert reimport.reimport_meeting(meeting).status == services.UPDATED
        assert SourceDocument.objects.count() == 1
        assert is_checked(meeting)


@pytest.fixture
def checker(django_user_model):
    """Staff who may edit meetings and read restricted items."""
    return make_user(
        django_user_model, "checker", "view_meeting", "change_meeting", "view_restricted"
    )


@pytest.fixture
def editor(django_user_model):
    """Staff who may edit meetings but not read restricted items."""
    return make_user(django_user_model, "editor", "view_meeting", "change_meeting")


def change_url(meeting):
    return f"/admin/meetings/meeting/{meeting.pk}/change/"


class TestSetInTheAdmin:
    def test_someone_who_may_read_restricted_items_marks_the_original_checked(
        self, client, checker, stub_parser
    ):
        meeting = import_document(JANUARY, "jan.txt").meeting
        client.force_login(checker)
        form = client.get(change_url(meeting))
        assert b'name="original_checked_for_publication"' in form.content
        data = post_data(form) | {"original_checked_for_publication": "on"}

        response = client.post(change_url(meeting), data)

        assert response.status_code == 302, response.context["adminform"].errors
        assert is_checked(meeting)
        # Who checked it and when: the meeting's history in the admin.
        entry = LogEntry.objects.get(object_id=str(meeting.pk))
        assert entry.user == checker
        assert "Original checked for publication" in entry.get_change_message()

    def test_staff_who_may_not_read_restricted_items_cannot_mark_it(
        self, client, editor, stub_parser
    ):
        meeting = import_document(JANUARY, "jan.txt").meeting
        client.force_login(editor)
        form = client.get(change_url(meeting))
        assert b'name="original_checked_for_publication"' not in form.content
        assert b"Original checked for publication" in form.content  # shown, read-only
        data = post_data(form) | {"original_checked_for_publication": "on"}

        assert client.post(change_url(meeting), data).status_code == 302
        assert not is_checked(meeting)
