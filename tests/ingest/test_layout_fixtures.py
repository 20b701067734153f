"""The reader against one-pattern layouts of real council minutes.

Each ``tests/fixtures/layouts/<slug>.txt`` is a short set of minutes written for the project in
one layout seen in published minutes (a numbering scheme, a way of giving the date or the
attendance, a way of marking confidential business), and ``<slug>.json`` is its exact reading.
A null in the JSON means the document gives none, and matches an empty reading.
"""

import json
import re
from pathlib import Path

import pytest

from ingest.parsers import document as doc
from ingest.parsers import parse_minutes

LAYOUTS = Path(__file__).resolve().parent.parent / "fixtures" / "layouts"
CASES = sorted(path.stem for path in LAYOUTS.glob("*.txt"))
KEYS = {"pattern", "body", "date", "present", "apologies", "items"}

# Names are compared without honorifics, roles and punctuation, as the corpus scorer compares
# them: the reader keeps "Cllr" in the attendee's title, the expected reading keeps it in the name.
# The scorer's list, with the two ranks these fixtures add (chief superintendent, area manager).
HONORIFICS = (
    r"^(?:(?:cllr|cll|councillor|cllrs|mr|mrs|ms|miss|dr|the worshipful the mayor|supt"
    r"|superintendent|supertintendent|chief inspector|ch insp|insp|inspector|sgt|pc"
    r"|chief superintendent|area manager)\.?\s+)+"
)


def norm_name(name):
    name = re.sub(r"\(.*?\)", " ", name.lower())
    name = re.sub(r"\b(o\.?b\.?e\.?|mbe|qpm)\b", " ", name)
    name = re.sub(HONORIFICS, "", name.strip())
    return re.sub(r"[^a-z]+", "", name)


def printed(value):
    """A number or title as printed, with runs of whitespace collapsed; None when absent."""
    value = " ".join((value or "").split())
    return value or None


def reading(meeting):
    def names(attendance):
        return [norm_name(a.name) for a in meeting.attendees if a.attendance == attendance]

    return {
        "body": meeting.body or None,
        "date": meeting.date.isoformat() if meeting.date else None,
        "items": [
            (printed(item.number_printed.rstrip(". ")), printed(item.title), item.restricted)
            for item in meeting.items
        ],
        "present": names(doc.PRESENT),
        "apologies": names(doc.APOLOGIES),
    }


def expected_reading(expected):
    return {
        "body": expected["body"],
        "date": expected["date"],
        "items": [
            (item["number"], item["title"], item["restricted"]) for item in expected["items"]
        ],
        "present": [norm_name(name) for name in expected["present"] or []],
        "apologies": [norm_name(name) for name in expected["apologies"] or []],
    }


def load(name):
    text = (LAYOUTS / f"{name}.txt").read_text(encoding="utf-8")
    expected = json.loads((LAYOUTS / f"{name}.json").read_text(encoding="utf-8"))
    return text, expected


@pytest.mark.parametrize("name", CASES)
def test_layout_is_read_exactly(name):
    text, expected = load(name)

    assert reading(parse_minutes(text)) == expected_reading(expected)


@pytest.mark.parametrize("name", CASES)
def test_layout_fixture_states_its_pattern_and_reading(name):
    text, expected = load(name)

    assert set(expected) == KEYS
    assert expected["pattern"].strip()
    assert 15 <= len(text.splitlines()) <= 80 or len(text.splitlines()) <= 3  # a flattened PDF
    for item in expected["items"]:
        assert set(item) == {"number", "title", "restricted"}
