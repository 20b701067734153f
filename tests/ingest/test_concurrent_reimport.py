"""While a meeting is being re-imported, readers see the old version or the new one, never a mix.

The re-import runs in a thread of its own, with its own database connection, and is held in the
middle of its transaction: after its items, decisions and attendance are written and before it
tags topics and commits. Meanwhile this thread reads the meeting on its connection, as a page
would. Runs on SQLite (WAL: readers read the last committed version while a write is under way)
and on PostgreSQL.
"""

import threading

import pytest
from django.db import connection

from ingest import reading, reimport, services
from ingest.services import import_document
from meetings.models import AgendaItem, Meeting, Resolution
from tests.conftest import _stub_parse

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 30  # seconds; a broken test fails instead of hanging

MINUTES = b"""Body: Safer Stockton Partnership
Date: 2025-01-22
Item: SSP/47/24 | Evacuation Procedure | The Evacuation Procedure was noted.
Item: SSP/48/24 | Knife Crime | The knife crime figures were noted.
"""


def improved_parse(text):
    """The parser after a fix: it now reads a third item and tidies the decisions."""
    parsed = _stub_parse(text)
    for item in parsed.items:
        item.title = f"{item.title} (revised)"
        item.minutes_text = item.minutes_text.replace("was noted", "was duly noted")
        item.minutes_text = item.minutes_text.replace("were noted", "were duly noted")
        for resolution in item.resolutions:
            resolution.text = item.minutes_text
    extra = _stub_parse("Item: SSP/49/24 | Any Other Business | Bonfire patrols were planned.\n")
    parsed.items.extend(extra.items)
    return parsed


def snapshot(meeting_id):
    """What a reader sees of the meeting: its details, items, decisions and search results."""
    meeting = Meeting.objects.get(pk=meeting_id)
    items = AgendaItem.objects.filter(meeting_id=meeting_id).order_by("position")
    decisions = Resolution.objects.filter(item__meeting_id=meeting_id).order_by(
        "item__position", "order"
    )
    return {
        "meeting": (meeting.body, meeting.date, meeting.source_id),
        "items": list(items.values_list("position", "number", "title", "minutes_text")),
        "decisions": list(decisions.values_list("text", flat=True)),
        "found by a new word": list(AgendaItem.objects.search("duly").values_list("pk", flat=True)),
    }


def test_readers_see_the_old_meeting_until_the_reimport_commits(monkeypatch):
    monkeypatch.setattr(reading, "parse_minutes", _stub_parse)
    meeting = import_document(MINUTES, "jan.txt").meeting
    before = snapshot(meeting.pk)
    assert len(before["items"]) == 2
    assert before["decisions"] == [
        "The Evacuation Procedure was noted.",
        "The knife crime figures were noted.",
    ]

    written, release = threading.Event(), threading.Event()
    link_topics = services.link_topics

    def held_link_topics(items, matches, **kwargs):
        # Items, decisions and attendance are written; topic links and the commit are to come.
        written.set()
        assert release.wait(WAIT), "the reader never released the re-import"
        link_topics(items, matches, **kwargs)

    monkeypatch.setattr(services, "link_topics", held_link_topics)
    monkeypatch.setattr(reading, "parse_minutes", improved_parse)
    outcomes, errors = [], []

    def run_reimport():
        try:
            outcomes.append(reimport.reimport_meeting(Meeting.objects.get(pk=meeting.pk)))
        except Exception as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            written.set()
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=run_reimport)
    thread.start()
    try:
        assert written.wait(WAIT), "the re-import never reached its items"
        assert not errors, errors
        during = snapshot(meeting.pk)
    finally:
        release.set()
        thread.join(WAIT)
    assert not thread.is_alive()
    assert not errors, errors

    assert during == before
    assert outcomes[0].status == services.UPDATED, outcomes[0].message
    after = snapshot(meeting.pk)
    assert after["meeting"] == before["meeting"]
    assert [item[:3] for item in after["items"]] == [
        (1, "SSP/47/24", "Evacuation Procedure (revised)"),
        (2, "SSP/48/24", "Knife Crime (revised)"),
        (3, "SSP/49/24", "Any Other Business"),
    ]
    assert after["decisions"] == [
        "The Evacuation Procedure was duly noted.",
        "The knife crime figures were duly noted.",
    ]
    assert len(after["found by a new word"]) == 2
