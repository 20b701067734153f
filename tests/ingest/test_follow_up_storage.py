"""Follow-ups on import: stored with their items, read again on re-import, hand-set kept,
and matched again for the body whenever one of its meetings is imported or deleted."""

import datetime

import pytest

from ingest import batch, services
from ingest.parsers.followups import ACTION, DEFERRED, MONTH, NEXT_MEETING, ParsedFollowUp
from meetings.models import FollowUp, Meeting
from tests.conftest import _stub_parse

BODY = "Safer Stockton Partnership"


def _parse(text: str):
    """The tests' stub reader, with ``Follow: kind | what | due | due date`` lines giving the
    item above them a follow-up (the reader's own wording rules are not under test here)."""
    parsed = _stub_parse(text)
    items = iter(parsed.items)
    item = None
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key == "Item":
            item = next(items)
        elif key == "Follow":
            kind, what, due, due_date = (part.strip() for part in value.split("|"))
            item.follow_ups.append(
                ParsedFollowUp(
                    kind=kind,
                    what=what,
                    who="Police",
                    due=due,
                    due_date=datetime.date.fromisoformat(due_date) if due_date else None,
                    phrase=f"{what} to come back.",
                )
            )
    return parsed


@pytest.fixture
def reader(monkeypatch):
    monkeypatch.setattr("ingest.reading.parse_minutes", _parse)


def minutes(date, *lines, body=BODY) -> bytes:
    return "\n".join([f"Body: {body}", f"Date: {date}", *lines]).encode()


def store(name, data):
    outcome = services.import_document(data, name, imported_by_name="test")
    assert not outcome.failed, outcome.message
    return outcome


JUNE = minutes(
    "2025-06-04",
    "Item: SSP/1/25 | Police Update | Crime figures were noted.",
    f"Follow: {ACTION} | a report on knife crime in the town centre | {NEXT_MEETING} |",
    f"Follow: {DEFERRED} | Domestic Abuse Strategy | {MONTH} | 2025-09-01",
    "Item: SSP/2/25 | Any Other Business | None.",
)


KNIFE_JULY = minutes("2025-07-02", "Item: SSP/5/25 | Knife Crime in the Town Centre | x")


def follow_ups():
    return list(FollowUp.objects.order_by("item__meeting__date", "item__position", "position"))


@pytest.mark.django_db
class TestStoredOnImport:
    def test_each_items_follow_ups_are_stored_in_order(self, reader):
        store("june.txt", JUNE)
        stored = follow_ups()
        assert [(f.item.title, f.position, f.kind, f.what) for f in stored] == [
            ("Police Update", 1, ACTION, "a report on knife crime in the town centre"),
            ("Police Update", 2, DEFERRED, "Domestic Abuse Strategy"),
        ]
        assert stored[1].due == MONTH and stored[1].due_date == datetime.date(2025, 9, 1)
        assert stored[0].who == "Police" and stored[0].status == FollowUp.Status.OPEN

    def test_batch_import_stores_and_matches_once_at_the_end(self, reader):
        outcomes = batch.import_documents([("july.txt", KNIFE_JULY), ("june.txt", JUNE)])
        assert [o.status for o in outcomes] == ["created", "created"]
        first = follow_ups()[0]
        assert first.status == FollowUp.Status.POSSIBLY_RETURNED
        assert first.returned_item.title == "Knife Crime in the Town Centre"

    def test_reimport_reads_them_again(self, reader):
        store("june.txt", JUNE)
        changed = JUNE.replace(b"Domestic Abuse Strategy", b"Domestic Abuse Strategy refresh")
        store("june.txt", changed)
        assert [f.what for f in follow_ups()] == [
            "a report on knife crime in the town centre",
            "Domestic Abuse Strategy refresh",
        ]

    def test_reimport_keeps_hand_set_status_and_link(self, reader):
        store("june.txt", JUNE)
        store("july.txt", minutes("2025-07-02", "Item: SSP/5/25 | Youth Diversion | Noted."))
        youth = Meeting.objects.get(date="2025-07-02").items.get()
        first = follow_ups()[0]
        first.status, first.returned_item, first.set_by_hand = "returned", youth, True
        first.note = "Taken up under youth diversion"
        first.save()
        # A new follow-up read before it: found again by its wording, not its position.
        changed = JUNE.replace(
            b"Follow: action",
            b"Follow: promise | figures on theft | future_meeting |\nFollow: action",
            1,
        )
        store("june.txt", changed)
        stored = follow_ups()
        assert [(f.what, f.position) for f in stored] == [
            ("figures on theft", 1),
            ("a report on knife crime in the town centre", 2),
            ("Domestic Abuse Strategy", 3),
        ]
        kept = stored[1]
        assert kept.pk == first.pk and kept.set_by_hand
        assert (kept.status, kept.returned_item, kept.note) == (
            "returned",
            youth,
            "Taken up under youth diversion",
        )

    def test_hand_set_follow_up_the_minutes_no_longer_give_is_kept(self, reader):
        store("june.txt", JUNE)
        FollowUp.objects.filter(position=1).update(
            status="closed", set_by_hand=True, note="Dealt with by email"
        )
        store("june.txt", JUNE.replace(b"Follow: action | a report on knife crime", b"X: ", 1))
        stored = follow_ups()
        assert [(f.what, f.position, f.status) for f in stored] == [
            ("Domestic Abuse Strategy", 1, "open"),
            ("a report on knife crime in the town centre", 2, "closed"),
        ]


@pytest.mark.django_db
class TestMatchedOnImport:
    def test_out_of_order_import_matches_the_earlier_meeting(self, reader):
        store("july.txt", KNIFE_JULY)
        store("june.txt", JUNE)
        first = follow_ups()[0]
        assert first.status == FollowUp.Status.POSSIBLY_RETURNED
        assert first.returned_item.title == "Knife Crime in the Town Centre"

    def test_later_meeting_imported_afterwards_is_found(self, reader):
        store("june.txt", JUNE)
        assert follow_ups()[0].status == FollowUp.Status.OPEN
        store("july.txt", minutes("2025-07-02", "Item: SSP/5/25 | Knife crime: town centre | x"))
        assert follow_ups()[0].status == FollowUp.Status.POSSIBLY_RETURNED

    def test_deleting_the_returning_meeting_matches_again(self, reader):
        store("june.txt", JUNE)
        store("july.txt", KNIFE_JULY)
        Meeting.objects.get(date="2025-07-02").delete()
        first = follow_ups()[0]
        assert (first.status, first.returned_item) == (FollowUp.Status.OPEN, None)

    def test_deleting_a_meeting_makes_it_overdue_no_more(self, reader):
        store("june.txt", JUNE)
        store("july.txt", minutes("2025-07-02", "Item: SSP/5/25 | Youth Diversion | x"))
        assert follow_ups()[0].status == FollowUp.Status.OVERDUE  # the next meeting was held
        Meeting.objects.get(date="2025-07-02").delete()
        assert follow_ups()[0].status == FollowUp.Status.OPEN
