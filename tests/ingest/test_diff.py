"""What a re-import or an upload would change, told without revealing any text."""

import pytest

from ingest.diff import change_lines, compare
from ingest.parsers import parse_minutes
from ingest.services import import_document
from meetings.models import ImportEvent
from tests.conftest import MINUTES_DIR, make_user

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


def test_each_change_says_what_the_field_was_and_becomes(stored):
    corrected = (
        text()
        .replace("Update on DHRs", "Update on Domestic Homicide Reviews")
        .replace("Democratic Services Meeting Room", "Council Chamber")
    )
    changes = compare(stored, parse_minutes(corrected))
    lines = change_lines(changes.entries(), show_restricted=False)
    assert "Item 4 title: 'Update on DHRs' → 'Update on Domestic Homicide Reviews'" in lines
    assert any(
        line.startswith("Meeting venue: 'Democratic Services Meeting Room") for line in lines
    )
    assert any("Church Road…' → 'Council Chamber, First Floor" in line for line in lines), lines


def test_a_restricted_items_text_is_shown_only_to_those_who_may_read_it(stored):
    stored.items.filter(position=6).update(restricted=True)
    corrected = text().replace("over a hundred patrols", "over two hundred patrols")
    entries = compare(stored, parse_minutes(corrected)).entries()
    # The history keeps only what is shown of a long text, not the whole of it twice.
    assert all(len(entry.get(key, "")) <= 80 for entry in entries for key in ("old", "new"))

    hidden = change_lines(entries, show_restricted=False)
    assert "Item 6 minutes text: (restricted)" in hidden
    assert "Item 6 restricted: 'yes' → 'no'" in hidden  # the flag itself is not secret
    assert not any("patrols" in line for line in hidden)

    shown = change_lines(entries, show_restricted=True)
    [line] = [line for line in shown if line.startswith("Item 6 minutes text: ")]
    # From a little before the first difference, so the change is seen in a long text.
    assert "'…in January 2024 over a hundred patrols" in line
    assert "→ '…in January 2024 over two hundred patrols" in line


def test_long_values_are_cut_and_empty_ones_named():
    entries = [{"what": "Meeting venue", "old": "", "new": "x" * 200, "restricted": False}]
    [line] = change_lines(entries, show_restricted=False)
    assert line.startswith("Meeting venue: (empty) → 'xxx")
    assert line.endswith("…'") and len(line) < 120


def test_a_choice_is_named_by_its_label_not_its_stored_value(stored):
    stored.items.filter(position=6).update(status="not_heard")
    entries = compare(stored, parse_minutes(text())).entries()
    lines = change_lines(entries, show_restricted=False)
    assert "Item 6 status: 'Not heard' → 'Heard'" in lines
    assert not any("not_heard" in line for line in lines)


def test_choices_kept_before_entries_named_their_field_are_labelled_too():
    entries = [
        {"what": "Item 3 status", "old": "deferred", "new": "no_minutes", "restricted": False},
        # Only a choice field's values are labels: a title that reads like a value stays.
        {"what": "Item 4 title", "field": "title", "old": "heard", "new": "x", "restricted": False},
        {"what": "Meeting venue", "old": "not_heard", "new": "Hall", "restricted": False},
    ]
    assert change_lines(entries, show_restricted=False) == [
        "Item 3 status: 'Deferred' → 'No minutes recorded'",
        "Item 4 title: 'heard' → 'x'",
        "Meeting venue: 'not_heard' → 'Hall'",
    ]


def test_the_history_page_shows_labels_and_keeps_restricted_text_from_those_who_may_not_read_it(
    stored, client, django_user_model
):
    stored.items.filter(position=6).update(status="deferred", restricted=True)
    corrected = text().replace("over a hundred patrols", "over two hundred patrols")
    entries = compare(stored, parse_minutes(corrected)).entries()
    event = ImportEvent.objects.create(
        meeting=stored, file_name=NAME, action="reimport", outcome="updated", changes=entries
    )
    url = f"/admin/meetings/importevent/{event.pk}/change/"

    client.force_login(make_user(django_user_model, "importer", "import_minutes"))
    page = client.get(url).content.decode()
    assert "Item 6 status: &#x27;Deferred&#x27; → &#x27;Heard&#x27;" in page
    assert "Item 6 minutes text: (restricted)" in page
    assert "two hundred patrols" not in page

    client.force_login(make_user(django_user_model, "officer", "import_minutes", "view_restricted"))
    page = client.get(url).content.decode()
    assert "Item 6 status: &#x27;Deferred&#x27; → &#x27;Heard&#x27;" in page
    assert "two hundred patrols" in page
