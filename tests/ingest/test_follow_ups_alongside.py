"""Follow-ups matched beside the import (``ingest.batch._Matcher``): each stored batch is
matched in a thread of its own while the next ones are stored, and the statuses come out as
matching the whole archive afresh gives. Outside a transaction only, so these tests commit."""

import random
import re
import threading
import time

import pytest

from devtools import synthetic
from ingest import batch
from meetings import followups
from meetings.models import FollowUp, Meeting

pytestmark = pytest.mark.django_db(transaction=True)


def _documents(seed: int, count: int, monkeypatch) -> list[tuple[str, bytes]]:
    """Minutes of two bodies meeting often over two years, in a shuffled order: many
    follow-ups return at a later meeting, some never do."""
    monkeypatch.setattr(synthetic, "FIRST_YEAR", 2024)
    monkeypatch.setattr(synthetic, "LAST_YEAR", 2025)
    generator = synthetic.ArchiveGenerator(seed=seed)
    generator.bodies = generator.bodies[:2]
    meetings = list(generator.meetings(count, items=(4, 8)))
    random.Random(seed).shuffle(meetings)
    return [
        (f"minutes-{seed}-{n}.txt", synthetic.minutes_document(meeting).encode())
        for n, meeting in enumerate(meetings)
    ]


def _statuses():
    return sorted(FollowUp.objects.values_list("pk", "status", "returned_item"))


def _afresh():
    FollowUp.objects.update(status=FollowUp.Status.OPEN, returned_item=None)
    followups.rematch_places(Meeting.objects.values_list("body", "date"))
    return _statuses()


@pytest.mark.parametrize("seed", range(3))
def test_batches_matched_beside_the_import_match_as_afresh(seed, monkeypatch):
    matched = []
    match = batch._Matcher._match
    monkeypatch.setattr(
        batch._Matcher, "_match", staticmethod(lambda outcomes: matched.append(match(outcomes)))
    )
    documents = _documents(seed, 40, monkeypatch)
    outcomes = batch.import_documents(documents[:30], batch_size=4, writers=2)
    # A second import, into the meetings of the first, and one re-read with other bytes.
    name, data = documents[0]
    outcomes += batch.import_documents(
        [*documents[30:], (name, data.replace(b"Committee Room", b"Council Chamber"))],
        batch_size=3,
        writers=2,
    )
    assert not [outcome for outcome in outcomes if outcome.failed]
    assert len(matched) == 8 + 4  # each batch beside the storing, none at the end

    as_imported = _statuses()
    assert as_imported == _afresh()
    assert {status for _pk, status, _item in as_imported} >= {
        FollowUp.Status.POSSIBLY_RETURNED,
        FollowUp.Status.OVERDUE,
    }


def test_matching_that_fails_beside_the_import_is_done_at_its_end(monkeypatch):
    def fail(outcomes):
        raise RuntimeError("lost connection")

    monkeypatch.setattr(batch._Matcher, "_match", staticmethod(fail))
    outcomes = batch.import_documents(_documents(7, 20, monkeypatch), batch_size=4)

    assert not [outcome for outcome in outcomes if outcome.failed]
    as_imported = _statuses()
    assert {status for _pk, status, _item in as_imported} != {FollowUp.Status.OPEN}
    assert as_imported == _afresh()


@pytest.mark.parametrize("again", ["same bytes", "other bytes"])
def test_a_file_read_again_in_the_next_batch_finds_its_meeting(again, monkeypatch):
    """Whether a document is one stored already is only known once the batches before it
    that share its file or name are stored (parallel writers finish them first)."""
    first, *others = _documents(3, 3, monkeypatch)
    name, data = first
    undated = re.sub(rb"\n[^\n]*\b20(?:24|25)\b[^\n]*", b"", data)  # every line with a year
    read_again = (
        undated
        if again == "same bytes"
        else undated.replace(b"Apologies: ", b"Apologies: Ann Lee, ")
    )
    outcomes = batch.import_documents(
        [(name, undated), *others, (name, read_again)], batch_size=2, writers=2
    )

    assert [outcome.status for outcome in outcomes][-1] == (
        "unchanged" if again == "same bytes" else "updated"
    )
    assert Meeting.objects.count() == 3


def test_a_batch_read_again_waits_for_the_matching_under_way(monkeypatch):
    """A re-import rewrites its meeting's follow-ups: it is stored with no matching under
    way, which reads and writes them too."""
    documents = _documents(1, 12, monkeypatch)
    batch.import_documents(documents[:2], batch_size=2)
    events, matching = [], threading.Event()
    match = batch._Matcher._match

    def slow_match(outcomes):
        matching.set()
        time.sleep(0.5)
        match(outcomes)
        matching.clear()

    store = batch._store_or_each_alone

    def watched(documents, options, alone=None):
        if not (alone and any(alone)):
            return store(documents, options, alone)
        events.append(matching.is_set())
        try:
            return store(documents, options, alone)
        finally:
            events.append(matching.is_set())

    monkeypatch.setattr(batch._Matcher, "_match", staticmethod(slow_match))
    monkeypatch.setattr(batch, "_store_or_each_alone", watched)
    name, data = documents[0]
    batch.import_documents(
        [*documents[2:8], (name, data.replace(b"Committee Room", b"Council Chamber"))],
        batch_size=2,
        writers=2,
    )

    assert events == [False, False]
    assert _statuses() == _afresh()
