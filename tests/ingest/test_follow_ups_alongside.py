"""Follow-ups matched beside the import (``ingest.batch._Matcher``): each stored batch is
matched in a thread of its own while the next ones are stored, and the statuses come out as
matching the whole archive afresh gives. Outside a transaction only, so these tests commit."""

import random

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
