"""Importing many documents together: ``services.import_documents``.

A batch is stored in one transaction, each document in a savepoint of its own; these tests
check that a document that fails is rolled back alone, that nothing is half-written, that the
stored items are indexed for search with their topics, and that the work per batch stays fixed.
"""

import gc
import weakref

import pytest
from django.db import OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext

from ingest import batch, overrides, reading, services, writers
from ingest.batch import import_documents
from meetings.models import (
    AgendaItem,
    Attendee,
    ImportEvent,
    ItemTopic,
    Meeting,
    Person,
    Resolution,
    SourceDocument,
    Topic,
)
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
    insert_items = writers.insert_items

    def insert_or_fail(pairs, matches):
        insert_items(pairs, matches)
        if any(item.title.startswith("Explosive") for item, _ in pairs):
            raise RuntimeError("the disk is full")

    monkeypatch.setattr(writers, "insert_items", insert_or_fail)


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
        store_batch = batch._store_batch

        def fail_after_storing(documents, **options):
            with transaction.atomic():
                store_batch(documents, **options)
                raise OperationalError("could not commit")

        monkeypatch.setattr(batch, "_store_batch", fail_after_storing)

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

    # 3 x 20 items stay within one insert of SQLite's 999 parameters.
    assert len(_queries(batch(3, 1))) == len(_queries(batch(20, 10)))


def test_new_documents_are_stored_together_whatever_their_number(stub_parser):
    def new_documents(count, first_day):
        return [
            (f"{day}.txt", document(day, "Knife Crime | Noted.", "Patrols | ASB was noted."))
            for day in range(first_day, first_day + count)
        ]

    assert len(_queries(new_documents(2, 1))) == len(_queries(new_documents(8, 10)))
    assert Meeting.objects.count() == AgendaItem.objects.count() / 2 == 10
    assert ImportEvent.objects.filter(outcome=services.CREATED).count() == 10


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
    from tests.devtools.test_generate_and_benchmark import assert_in_step

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


def _stored() -> dict:
    """What the archive holds, without ids and times, for comparing two ways of importing."""
    meetings = Meeting.objects.order_by("date", "body")
    return {
        "meetings": list(
            meetings.values_list(
                "body", "date", "date_source", "venue", "header_text", "warnings", "needs_review"
            )
        ),
        "sources": sorted(
            SourceDocument.objects.values_list(
                "file_name", "status", "error", "shape", "encoding", "meeting__date", "sha256"
            ),
            key=repr,
        ),
        "current_source": list(meetings.values_list("source__file_name", flat=True)),
        "items": list(
            AgendaItem.objects.order_by("meeting__date", "position").values_list(
                "meeting__date",
                "position",
                "number",
                "title",
                "restricted",
                "status",
                "minutes_text",
                "search_extra",
            )
        ),
        "decisions": sorted(
            Resolution.objects.values_list("item__title", "order", "kind", "text"), key=repr
        ),
        "attendees": sorted(
            Attendee.objects.values_list(
                "meeting__date", "order", "name", "attendance", "person__key"
            ),
            key=repr,
        ),
        "topics": sorted(ItemTopic.objects.values_list("item__title", "topic__name", "in_title")),
        "events": sorted(
            ImportEvent.objects.values_list(
                "file_name", "outcome", "message", "meeting__date", "source_document__file_name"
            ),
            key=repr,
        ),
        "found": sorted(AgendaItem.objects.search("operation nightfall").values_list("title")),
    }


@pytest.mark.parametrize("workers", [0, 2])
def test_new_documents_stored_together_are_stored_as_one_at_a_time(workers):
    files = [(name, sample_bytes(name)) for name in SAMPLES]
    files.insert(2, ("empty.txt", b""))

    together = import_documents(files, workers=workers)
    stored_together = _stored()
    for model in (Meeting, SourceDocument, ImportEvent, Person):
        model.objects.all().delete()
    one_at_a_time = import_documents(files, batch_size=1)

    assert [(o.file_name, o.status, o.message) for o in together] == [
        (o.file_name, o.status, o.message) for o in one_at_a_time
    ]
    assert together[2].failed and together[2].message
    assert stored_together == _stored()
    assert stored_together["found"]


@pytest.mark.parametrize("workers", [0, 2])
def test_a_topic_made_by_a_document_does_not_tag_those_before_it(stub_parser, workers):
    # As when importing one file after another: "Op Nightfall" makes the topic in b.txt, so
    # a.txt, stored before it, is not linked to it even when stored in the same batch.
    Topic.objects.filter(name="Operation Nightfall").delete()
    files = [
        ("a.txt", document(1, "Patrols | operation nightfall arrests.")),
        ("b.txt", document(8, "Op Nightfall | Op Nightfall began.")),
        ("c.txt", document(15, "Patrols | operation nightfall ended.")),
    ]

    import_documents(files, workers=workers)

    linked = ItemTopic.objects.filter(topic__name="Operation Nightfall")
    assert sorted(linked.values_list("item__meeting__date__day", flat=True)) == [8, 15]


def test_topics_made_during_an_import_are_found_in_the_documents_after(stub_parser):
    # Worker processes look for the topics there were when the import began; "Operation
    # Fortress" is made by the first document, and found in the others all the same.
    files = [
        ("a.txt", document(1, "Op Fortress | Op Fortress began.")),
        ("b.txt", document(8, "Patrols | Operation Fortress arrests.")),
        ("c.txt", document(15, "Knife Crime | Noted.", "Fortress | operation fortress ended.")),
    ]

    outcomes = import_documents(files, workers=2)

    assert [outcome.status for outcome in outcomes] == [services.CREATED] * 3
    linked = ItemTopic.objects.filter(topic__name="Operation Fortress")
    assert sorted(linked.values_list("item__meeting__date__day", "item__title")) == [
        (1, "Op Fortress"),
        (8, "Patrols"),
        (15, "Fortress"),
    ]
    knife = ItemTopic.objects.get(item__title="Knife Crime")
    assert (knife.topic.name, knife.in_title) == ("Knife Crime", True)


def _clear_archive():
    for model in (Meeting, SourceDocument, ImportEvent, Person):
        model.objects.all().delete()


def _files_across_batches():
    """Five sample files, an empty one, and files for meetings of earlier batches again."""
    files = [(name, sample_bytes(name)) for name in SAMPLES]
    first, second = files[0], files[1]
    files.insert(3, ("empty.txt", b""))
    files.append((f"copy-of-{first[0]}", first[1]))  # the same bytes: unchanged
    files.append((second[0], second[1].replace(b"noted", b"duly noted")))  # corrected
    return files


@pytest.mark.django_db(transaction=True)
def test_batches_stored_at_once_give_the_outcomes_of_one_file_after_another():
    # On PostgreSQL batches of new meetings are stored on two connections at once; batches
    # that share a meeting with one under way wait for it.
    files = _files_across_batches()

    serial = import_documents(files, batch_size=2)
    stored_serially = _stored()
    _clear_archive()
    at_once = import_documents(files, batch_size=2, writers=2)

    assert [(o.file_name, o.status, o.message) for o in at_once] == [
        (o.file_name, o.status, o.message) for o in serial
    ]
    assert [o.status for o in at_once[-2:]] == [services.UNCHANGED, services.UPDATED]
    assert _stored() == stored_serially


@pytest.mark.django_db(transaction=True)
def test_a_batch_whose_writer_fails_is_stored_again_alone(monkeypatch):
    create_all = batch._create_all

    def fail_for_the_empty_file(documents, *args):
        if any(document.source.file_name == "empty.txt" for document in documents):
            raise OperationalError("the connection was lost")
        return create_all(documents, *args)

    monkeypatch.setattr(batch, "_create_all", fail_for_the_empty_file)
    files = _files_across_batches()

    outcomes = import_documents(files, batch_size=2, writers=2)

    assert [o.status for o in outcomes] == [
        *[services.CREATED] * 3, services.FAILED, *[services.CREATED] * 2,
        services.UNCHANGED, services.UPDATED,
    ]  # fmt: skip
    assert Meeting.objects.count() == len(SAMPLES)
    assert SourceDocument.objects.filter(status=SourceDocument.Status.FAILED).count() == 1
    assert ImportEvent.objects.count() == len(files)


class TestCycleCollector:
    """An import whose files are parsed in other processes pauses Python's collector of
    reference cycles (it took a third of the import's time), collects each batch's cycles, and
    leaves the collector as it found it."""

    @pytest.fixture(autouse=True)
    def _stub(self, stub_parser):
        pass

    @pytest.fixture
    def on_storing(self, monkeypatch):
        """Have a function called as each batch begins to be stored."""

        def call(function):
            store = batch._store_batch

            def call_and_store(documents, **options):
                function()
                return store(documents, **options)

            monkeypatch.setattr(batch, "_store_batch", call_and_store)

        return call

    def test_it_runs_again_once_the_import_is_done(self, on_storing):
        running = []
        on_storing(lambda: running.append(gc.isenabled()))

        import_documents([("a.txt", GOOD), ("b.txt", LATER)], workers=1)

        assert running == [False]
        assert gc.isenabled()

    def test_it_runs_again_after_an_import_that_failed(self, monkeypatch):
        def fail(documents, options, alone=None):
            raise RuntimeError("the disk is full")

        monkeypatch.setattr(batch, "_store_or_each_alone", fail)

        with pytest.raises(RuntimeError):
            import_documents([("a.txt", GOOD)], workers=1)

        assert gc.isenabled()

    def test_it_stays_off_if_it_was_off(self):
        gc.disable()
        try:
            import_documents([("a.txt", GOOD)], workers=1)
            assert not gc.isenabled()
        finally:
            gc.enable()

    def test_a_cycle_made_while_a_batch_is_stored_is_collected_with_the_next(self, on_storing):
        class Node:
            pass

        made, alive = [], []

        def make_a_cycle():
            alive.append([reference() is not None for reference in made])
            node = Node()
            node.itself = node
            made.append(weakref.ref(node))

        on_storing(make_a_cycle)

        import_documents(
            [("a.txt", GOOD), ("b.txt", LATER), ("c.txt", BROKEN)], batch_size=1, workers=1
        )

        assert alive == [[], [False], [False, False]]

    def test_a_cycle_that_outlives_its_batch_is_collected_within_twenty(self, on_storing):
        class Node:
            pass

        held, made, alive = [], [], []

        def make_a_cycle_held_one_batch():
            alive.append(made[0]() is not None if made else None)
            if not made:
                node = Node()
                node.itself = node
                made.append(weakref.ref(node))
                held.append(node)  # past the collection at the next batch
            else:
                held.clear()

        on_storing(make_a_cycle_held_one_batch)
        files = [(f"{day}.txt", document(day, "Knife Crime | Noted.")) for day in range(1, 23)]

        import_documents(files, batch_size=1, workers=1)

        assert alive[1:19] == [True] * 18
        assert alive[19:] == [False] * 3

    def test_the_processes_reading_the_files_collect_their_own_cycles(self, monkeypatch):
        read_and_parse = reading.read_and_parse

        def read_and_tell(file):
            found = read_and_parse(file)
            found.reason = f"collector on: {gc.isenabled()}"
            return found

        # Found by name in the processes, which are forked after this.
        read_and_tell.__module__, read_and_tell.__qualname__ = "ingest.reading", "read_and_parse"
        monkeypatch.setattr(reading, "read_and_parse", read_and_tell)

        outcomes = import_documents([("a.txt", GOOD), ("b.txt", LATER)], workers=2)

        assert [outcome.message for outcome in outcomes] == ["collector on: True"] * 2

    def test_it_runs_when_the_files_are_parsed_in_this_process(self, on_storing):
        """Parsing makes many cycles: a Word document or a PDF thousands."""
        running = []
        on_storing(lambda: running.append(gc.isenabled()))

        import_documents([("a.txt", GOOD), ("b.txt", LATER)])

        assert running == [True]
