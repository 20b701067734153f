"""The synthetic minutes the import benchmark reads: each layout the generator writes is a
minutes document the importer stores as the meeting it was written from."""

import functools
import random
import re

import pytest

from devtools.synthetic import (
    EGENDA,
    LAYOUTS,
    MODERNGOV_UNNUMBERED,
    ArchiveGenerator,
    minutes_document,
)
from ingest import services
from ingest.parsers.document import GUESSED_LAYOUT_WARNING
from meetings.models import Meeting


@functools.cache
def sample_meeting():
    """A meeting with a restricted item that is neither last nor titled "Restricted", an item
    with several decisions and one with none."""
    for meeting in ArchiveGenerator(seed=11).meetings(200, items=(6, 12)):
        items = meeting.items
        hidden = [
            item
            for item in items[:-1]
            if item.restricted and not item.title.startswith("Restricted")
        ]
        if (
            hidden
            and any(len(i.decisions) > 1 for i in items)
            and any(not i.decisions for i in items)
        ):
            return meeting
    raise AssertionError("no meeting of seed 11 has the items these tests need")


def reference(number: str) -> str:
    """An item number without its punctuation: "SSP 14/22", "SSP/14/22" and "SSP\\n14/22"."""
    return re.sub(r"[^0-9a-z]", "", number.casefold())


def meant(meeting, layout) -> list[tuple[str, str, bool]]:
    """(number, title, restricted) of each item, in the order a council prints them: the
    restricted items after the public ones."""
    ordered = sorted(meeting.items, key=lambda item: item.restricted)
    return [
        (
            "" if layout == MODERNGOV_UNNUMBERED else reference(item.number),
            item.title.casefold(),  # the egenda record prints titles in capitals
            item.restricted,
        )
        for item in ordered
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("layout", LAYOUTS)
def test_each_layout_is_imported_as_the_meeting_it_was_written_from(layout):
    meeting = sample_meeting()
    data = minutes_document(meeting, layout).encode()

    outcome = services.import_document(data, f"synthetic-{layout}.txt")

    assert outcome.status == services.CREATED, outcome.message
    assert GUESSED_LAYOUT_WARNING not in outcome.warnings
    stored = Meeting.objects.get()
    assert (stored.body, stored.date) == (meeting.body, meeting.date)
    items = stored.items.order_by("position")
    assert [
        (reference(item.number), item.title.casefold(), item.restricted) for item in items
    ] == meant(meeting, layout)


def test_the_egenda_preamble_repeats_the_public_items_and_no_restricted_text():
    meeting = sample_meeting()
    text = minutes_document(meeting, EGENDA)
    record, preamble = text.split("\nPreamble\n")
    public = [item for item in meeting.items if not item.restricted and item.minutes_text]
    for item in public:
        prefix, number = item.number.split(" ")
        assert f"\n{prefix}\n{number}\n{item.title.upper()}\n" in record
        assert f"\n{prefix}\n{number}\n{item.minutes_text}" in preamble
    for item in meeting.items:
        if item.restricted and item.minutes_text:
            assert item.minutes_text not in text
    assert record.index("\nConfidential\n") > max(
        record.index(f"\n{item.title.upper()}\n") for item in public
    )


def test_layouts_are_drawn_from_the_seed_and_leave_the_meetings_as_they_were():
    meetings = list(ArchiveGenerator(seed=5).meetings(40, items=(2, 3)))
    again = list(ArchiveGenerator(seed=5).meetings(40, items=(2, 3)))
    other_draw = ArchiveGenerator(seed=5)
    other_draw.layout_rng = random.Random("another draw of layouts")
    redrawn = list(other_draw.meetings(40, items=(2, 3)))

    assert [m.layout for m in meetings] == [m.layout for m in again]
    assert set(m.layout for m in meetings) == set(LAYOUTS)
    assert [m.layout for m in redrawn] != [m.layout for m in meetings]
    for meeting in redrawn:
        meeting.layout = "any"
    for meeting in meetings:
        meeting.layout = "any"
    assert redrawn == meetings


def test_a_meeting_is_written_in_its_own_layout_unless_another_is_asked_for():
    meeting = sample_meeting()
    assert minutes_document(meeting) == minutes_document(meeting, meeting.layout)
    assert len({minutes_document(meeting, layout) for layout in LAYOUTS}) == len(LAYOUTS)
