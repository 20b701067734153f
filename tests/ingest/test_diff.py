"""What a re-import or an upload would change, told without revealing any text."""

import pytest

from ingest.diff import compare
from ingest.parsers import parse_minutes
from ingest.services import import_document
from tests.conftest import MINUTES_DIR

NAME = "ssp-2025-01-22-moderngov.txt"


@pytest.fixture
def stored(db):
    return import_document((MINUTES_DIR / NAME).read_bytes(), NAME).meeting


def text():
    return (MINUTES_DIR / NAME).read_text(encoding="utf-8")


def test_the_same_document_changes_nothing(stored):
    changes = compare(stored, parse_minutes(text()))
    assert not changes.has_changes
    assert changes.summary() == "no changes"


def test_a_new_meeting_adds_every_item():
    changes = compare(None, parse_minutes(text()))
    assert [change.position for change in changes.added] == list(range(1, 14))
    assert changes.added[5].title == "Operation Nightfall"


def test_changed_text_decisions_and_venue_are_named_by_field(stored):
    corrected = (
        text()
        .replace("over a hundred patrols", "over two hundred patrols")
        .replace("Members Noted the Update.", "Members AGREED to note the update.")
        .replace("Democratic Services Meeting Room", "Council Chamber")
    )
    changes = compare(stored, parse_minutes(corrected))
    assert changes.fields == ["venue"]
    assert [(c.position, c.fields) for c in changes.changed] == [
        (4, ["minutes_text", "decisions"]),
        (6, ["minutes_text"]),
    ]
    assert changes.summary() == "2 items changed; venue changed"


def test_items_added_and_removed_at_the_end(stored):
    shorter = text().split("SSP/5924")[0]
    changes = compare(stored, parse_minutes(shorter))
    assert [(c.position, c.number, c.title) for c in changes.removed] == [
        (13, "SSP/59/24", "SC Performance")
    ]
    longer = text() + "\n\nSSP/6024\n\nNew Item\n\nMinutes:\n\nMembers noted the update.\n"
    assert [c.title for c in compare(stored, parse_minutes(longer)).added] == ["New Item"]


def test_a_document_that_states_no_date_does_not_count_as_clearing_it(stored):
    parsed = parse_minutes(text())
    parsed.date, parsed.body = None, ""
    assert "date" not in compare(stored, parsed).fields
    assert "body" not in compare(stored, parsed).fields
