"""Importing many documents together: ``services.import_documents``.

A batch is stored in one transaction, each document in a savepoint of its own; these tests
check that a document that fails is rolled back alone, that nothing is half-written, that the
stored items are indexed for search with their topics, and that the work per batch stays fixed.
"""

import pytest
from django.db import OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext

from ingest import overrides, services
from ingest.services import import_documents
from meetings.models import AgendaItem, ImportEvent, ItemTopic, Meeting, SourceDocument, Topic
from tests.conftest import MINUTES_DIR, SAMPLES, sample_bytes

pytestmark = pytest.mark.django_db


def document(day: int, *items: str) -> bytes:
    lines = [f"Body: Safer Stockton Partnership\nDate: 2025-01-{day:02d}"]
    lines += [f"Item: SSP/{n}/25 | {item}" for n, item in enumerate(items, start=1)]
    return "\n".join(lines).encode()


GOOD = document(1, "Knife Crime | Knife crime fell.", "Patrols | ASB was noted.")
LATER = document(8, "Op Fortress | Op Fortress began.", "Evacuation | Noted.")
BROKEN = document(15, "Op Fortress | Op Fortress began.", "Explosive item | Boom.")
NO_ITEMS = b"Body: Safer Stockton Partnership\nDate: 2025-01-22\n"


@pytest.fixture
def exploding_items(monkeypatch):
    """Storing fails, after the items are written, for a document with an "Explosive" item."""
    link_topics = services.link_topics

    def link_or_fail(items, matches, **kwargs):
        link_topics(items, matches, **kwargs)
        if any(item.title.startswith("Explosive") for item in items):
            raise RuntimeError("the disk is full")

    monkeypatch.setattr(services, "link_topics", link_or_fail)


class TestFailures:
    @pytest.fixture(autouse=True)
    def _stub(self, stub_parser):
        pass

    def test_a_bad_document_fails_alone_with_its_name_and_reason(self, exploding_items):
        files = [
            ("a-good.txt", GOOD),
            ("b-broken.txt", BROKEN),
            ("c-no-items.txt", NO_ITEMS),
            ("d-later.txt", LATER),
        ]

        outcomes = import_documents(files)

        assert [(o.file_name, o.status) for o in outcomes] == [
            ("a-good.txt", services.CREATED),
            ("b-broken.txt", services.FAILED),
            ("c-no-items.txt", services.FAILED),
            ("d-later.txt", services.CREATED),
        ]
        assert outcomes[1].message == "unexpected error: the disk is full"
        assert outcomes[2].message == "no agenda items found"
        # The broken document's meeting, items and links were rolled back with it ...
        assert sorted(Meeting.objects.values_list("date__day", flat=True)) == [1, 8]
        assert not AgendaItem.objects.filter(title__startswith="Explosive").exists()
        assert AgendaItem.objects.count() == 4
        # ... and so was the topic it discovered: the next document created it again.
        fortress = Topic.objects.get(name="Operation Fortress")
        assert list(fortress.items.values_list("meeting__date__day", flat=True)) == [8]
        failed = SourceDocument.objects.filter(status=SourceDocument.Status.FAILED)
        assert dict(failed.values_list("file_name", "error")) == {
            "b-broken.txt": "unexpected error: the disk is full",
            "c-no-items.txt": "no agenda items found",
        }
        assert list(ImportEvent.objects.order_by("pk").values_list("file_name", "outcome")) == [
            ("a-good.txt", services.CREATED),
            ("b-broken.txt", services.FAILED),
            ("c-no-items.txt", services.FAILED),
            ("d-later.txt", services.CREATED),
        ]

    def test_outcomes_are_those_of_one_document_at_a_time(self):
        corrected = GOOD.replace(b"fell", b"rose")
        files = [("jan.txt", GOOD), ("copy.txt", GOOD), ("jan.txt", corrected)]

        outcomes = import_documents(files, batch_size=2)

        assert [o.status for o in outcomes] == [
            services.CREATED,
            services.UNCHANGED,
            services.UPDATED,
        ]
        assert Meeting.objects.get().items.get(position=1).minutes_text == "Knife crime rose."

    def test_a_batch_whose_transaction_fails_is_imported_one_document_at_a_time(self, monkeypatch):
        store_batch = services._store_batch

        def fail_after_storing(documents, **options):
            with transaction.atomic():
                store_batch(documents, **options)
                raise OperationalError("could not commit")

        monkeypatch.setattr(services, "_store_batch", fail_after_storing)

        outcomes = import_documents([("a.txt", GOOD), ("b.txt", LATER)])

        assert [o.status for o in outcomes] == [services.CREATED, services.CREATED]
        assert Meeting.objects.count() == 2
        assert SourceDocument.objects.count() == 2
        assert ImportEvent.objects.count() == 2

    def test_a_title_corrected_by_hand_is_kept_and_tags_the_item(self):
        import_documents([("jan.txt", GOOD)])
        item = AgendaItem.objects.get(position=2)
        item.title = "Operation Nightfall patrols"
        overrides.record(item, "title", "Patrols", user=None)
        item.save()

        outcomes = import_documents([("jan.txt", GOOD.replace(b"was noted", b"fell"))])

        assert outcomes[0].status == services.UPDATED
        item.refresh_from_db()
        assert (item.title, item.minutes_text) == ("Operation Nightfall patrols", "ASB fell.")
        assert sorted(item.topics.values_list("name", flat=True)) == [
            "Anti-Social Behaviour",
            "Operation Nightfall",
        ]
        assert AgendaItem.objects.search("nightfall").get() == item

    def test_a_dry_run_writes_nothing(self):
        outcomes = import_documents([("a.txt", GOOD), ("b.txt", NO_ITEMS)], dry_run=True)

        assert [(o.status, o.dry_run) for o in outcomes] == [
            (services.CREATED, True),
            (services.FAILED, True),
        ]
        assert not SourceDocument.objects.exists()
        assert not ImportEvent.objects.exists()


def test_imported_items_are_found_by_search_with_their_topics(stub_parser):
    import_documents([("a.txt", GOOD), ("b.txt", LATER)])

    found = AgendaItem.objects.search("anti-social behaviour")
    # "ASB" in the text: the topic's name is in the index through search_extra.
    assert [item.title for item in found] == ["Patrols"]
    assert [topic.name for topic in found[0].topics.all()] == ["Anti-Social Behaviour"]
    fortress = AgendaItem.objects.search("operation fortress").get()
    assert [topic.name for topic in fortress.topics.all()] == ["Operation Fortress"]


def _queries(files) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        outcomes = import_documents(files)
    assert not any(outcome.failed for outcome in outcomes)
    return [query["sql"] for query in context.captured_queries]


def test_batch_queries_do_not_grow_with_the_number_of_items(stub_parser):
    def batch(items, first_day):
        return [
            (
                f"{items}-{day}.txt",
                document(day, *(f"Item {n} Knife Crime | Text {n} noted." for n in range(items))),
            )
            for day in range(first_day, first_day + 3)
        ]

    assert len(_queries(batch(3, 1))) == len(_queries(batch(30, 10)))


def test_topics_are_read_once_a_batch(stub_parser):
    def topic_reads(files):
        return sum('FROM "meetings_topic"' in sql for sql in _queries(files))

    one = topic_reads([("a.txt", GOOD)])
    four = topic_reads(
        [(f"{day}.txt", document(day, "Knife Crime | Noted.")) for day in (2, 3, 4, 5)]
    )
    assert one == four == 1


def test_parsing_in_worker_processes_gives_the_same_outcomes():
    files = [(name, sample_bytes(name)) for name in SAMPLES]
    assert len(files) == len(list(MINUTES_DIR.glob("*.txt")))

    here = import_documents(files, dry_run=True)
    in_workers = import_documents(files, dry_run=True, workers=2)

    assert [(o.file_name, o.status, o.message, o.parsed) for o in in_workers] == [
        (o.file_name, o.status, o.message, o.parsed) for o in here
    ]
    assert all(outcome.parsed.items for outcome in here)


def test_links_are_written_once_for_each_item(stub_parser):
    import_documents([("a.txt", GOOD)])
    assert sorted(ItemTopic.objects.values_list("item__position", "topic__name")) == [
        (1, "Knife Crime"),
        (2, "Anti-Social Behaviour"),
    ]


def test_the_search_tables_are_in_step_after_a_batch(stub_parser):
    from tests.meetings.test_generate_and_benchmark import assert_in_step

    import_documents([("a.txt", GOOD), ("b.txt", LATER)])
    corrected = GOOD.replace(b"Knife crime fell.", b"Op Fortress fell.")
    import_documents([("a.txt", corrected), ("c.txt", document(22, "Knife Crime | Noted."))])

    assert_in_step()
    linked = ItemTopic.objects.filter(item__meeting__date__day=1)
    assert sorted(linked.values_list("item__position", "topic__name")) == [
        (1, "Knife Crime"),
        (1, "Operation Fortress"),
        (2, "Anti-Social Behaviour"),
    ]
