"""The import service: the rules for which meeting a document updates, failures, dry runs.

Tests in ``TestSampleMinutes`` run the real parser over the sample minutes and check the stored
result against the gold extractions; the others use a stub parser (see ``stub_parser``) so the
import rules are tested on their own.
"""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ingest import overrides, services
from ingest.services import import_document
from meetings.models import (
    AgendaItem,
    Attendee,
    ItemTopic,
    Meeting,
    Resolution,
    SourceDocument,
    Topic,
)
from tests.conftest import FIXTURES, SAMPLES, gold, sample_bytes

JANUARY = b"""Body: Safer Stockton Partnership
Date: 2025-01-22
Item: SSP/47/24 | Evacuation Procedure | The Evacuation Procedure was noted.
Item: SSP/48/24 | Operation Nightfall | Patrols continued in Ropner Ward.
Item: SSP/49/24 | Restricted - iQuanta Report | Members discussed the zanzibar figures.
"""
UNDATED = b"""Item: | Apologies | Apologies were noted.
Item: | Op Harmony Update | Surgeries were held.
"""


def stored_tables():
    return {
        model.__name__: model.objects.count()
        for model in (Meeting, AgendaItem, Resolution, Attendee, ItemTopic, SourceDocument, Topic)
    }


@pytest.mark.django_db
class TestImportRules:
    @pytest.fixture(autouse=True)
    def _stub(self, stub_parser):
        pass

    def test_a_new_document_creates_its_meeting(self):
        outcome = import_document(JANUARY, "jan.txt")

        assert outcome.status == services.CREATED
        assert outcome.message == "Safer Stockton Partnership, 22 January 2025 (3 items)"
        meeting = outcome.meeting
        assert meeting.date == datetime.date(2025, 1, 22)
        assert meeting.date_source == Meeting.DateSource.DOCUMENT
        assert not meeting.needs_review
        assert list(meeting.items.values_list("position", "number", "restricted")) == [
            (1, "SSP/47/24", False),
            (2, "SSP/48/24", False),
            (3, "SSP/49/24", True),
        ]
        source = SourceDocument.objects.get()
        assert source.meeting == meeting
        assert meeting.source == source
        assert source.status == SourceDocument.Status.IMPORTED
        assert bytes(source.original_bytes) == JANUARY
        assert source.original_text == JANUARY.decode()

    def test_the_same_bytes_again_are_unchanged_and_write_nothing(self):
        first = import_document(JANUARY, "jan.txt")
        before = stored_tables()
        updated_at = Meeting.objects.get().updated

        again = import_document(JANUARY, "jan.txt")

        assert again.status == services.UNCHANGED
        assert again.meeting.pk == first.meeting.pk
        assert stored_tables() == before
        assert Meeting.objects.get().updated == updated_at

    def test_the_same_bytes_under_another_name_are_unchanged(self):
        import_document(JANUARY, "jan.txt")
        assert import_document(JANUARY, "copy of jan.txt").status == services.UNCHANGED

    def test_the_same_undated_bytes_under_another_name_are_unchanged(self):
        import_document(UNDATED, "undated.txt")
        assert import_document(UNDATED, "undated copy.txt").status == services.UNCHANGED
        assert Meeting.objects.count() == 1

    def test_a_document_without_a_body_finds_the_meeting_an_administrator_named(self):
        data = JANUARY.replace(b"Body: Safer Stockton Partnership\n", b"")
        meeting = import_document(data, "jan.txt").meeting
        Meeting.objects.filter(pk=meeting.pk).update(body="Safer Stockton Partnership")

        outcome = import_document(data.replace(b"continued", b"went on"), "jan.txt")

        assert outcome.status == services.UPDATED
        assert outcome.meeting.pk == meeting.pk
        assert Meeting.objects.get().body == "Safer Stockton Partnership"

    def test_a_corrected_file_updates_the_meeting_and_its_items_in_place(self):
        first = import_document(JANUARY, "jan.txt").meeting
        item_pks = list(first.items.order_by("position").values_list("pk", flat=True))
        corrected = JANUARY.replace(b"Patrols continued", b"Patrols increased")

        outcome = import_document(corrected, "jan.txt")

        assert outcome.status == services.UPDATED
        assert outcome.meeting.pk == first.pk
        assert outcome.meeting.get_absolute_url() == first.get_absolute_url()
        assert Meeting.objects.count() == 1
        items = list(first.items.order_by("position"))
        assert [item.pk for item in items] == item_pks
        assert items[1].minutes_text == "Patrols increased in Ropner Ward."
        assert SourceDocument.objects.count() == 2
        assert Meeting.objects.get().source.sha256 == services.SourceFile("x", corrected).sha256

    def test_a_corrected_file_under_another_name_updates_the_same_meeting(self):
        first = import_document(JANUARY, "jan.txt").meeting
        corrected = JANUARY.replace(b"Patrols continued", b"Patrols increased")

        outcome = import_document(corrected, "SSP minutes 22-01-2025 (final).txt")

        assert outcome.status == services.UPDATED
        assert outcome.meeting.pk == first.pk
        assert Meeting.objects.count() == 1

    def test_items_removed_or_added_by_a_correction(self):
        first = import_document(JANUARY, "jan.txt").meeting
        first_two = list(first.items.order_by("position").values_list("pk", flat=True))[:2]
        shorter = b"\n".join(JANUARY.splitlines()[:4])

        import_document(shorter, "jan.txt")
        assert list(first.items.order_by("position").values_list("pk", flat=True)) == first_two

        longer = shorter + b"\nItem: SSP/50/24 | Any Other Business | None.\n"
        import_document(longer, "jan.txt")
        items = list(first.items.order_by("position"))
        assert [item.pk for item in items[:2]] == first_two
        assert [item.title for item in items] == [
            "Evacuation Procedure",
            "Operation Nightfall",
            "Any Other Business",
        ]

    def test_resolutions_are_replaced_not_added_to(self):
        import_document(JANUARY, "jan.txt")
        import_document(JANUARY.replace(b"was noted.", b"was duly noted."), "jan.txt")
        assert list(Resolution.objects.values_list("text", flat=True)) == [
            "The Evacuation Procedure was duly noted."
        ]

    def test_a_file_name_used_again_for_another_dated_meeting_creates_a_new_one(self):
        import_document(JANUARY, "minutes.txt")
        march = JANUARY.replace(b"2025-01-22", b"2025-03-19")

        outcome = import_document(march, "minutes.txt")

        assert outcome.status == services.CREATED
        assert Meeting.objects.count() == 2

    def test_an_undated_document_is_imported_with_its_date_unknown(self):
        outcome = import_document(UNDATED, "undated.txt")

        assert outcome.status == services.CREATED
        assert outcome.needs_review
        assert outcome.message == "body unknown, date unknown (2 items)"
        meeting = outcome.meeting
        assert meeting.date is None
        assert meeting.date_source == Meeting.DateSource.UNKNOWN
        assert meeting.needs_review
        assert list(Meeting.objects.needing_review()) == [meeting]

    def test_a_corrected_undated_document_updates_the_meeting_of_the_same_file_name(self):
        first = import_document(UNDATED, "undated.txt").meeting
        outcome = import_document(UNDATED + b"Item: | AOB | None.\n", "undated.txt")
        assert outcome.status == services.UPDATED
        assert outcome.meeting.pk == first.pk
        assert first.items.count() == 3

    def test_a_date_set_by_an_administrator_survives_reimport(self):
        meeting = import_document(UNDATED, "undated.txt").meeting
        meeting.date = datetime.date(2024, 3, 6)
        meeting.date_source = Meeting.DateSource.ADMIN
        meeting.save()

        assert import_document(UNDATED, "undated.txt").status == services.UNCHANGED
        outcome = import_document(UNDATED.replace(b"were held", b"were run"), "undated.txt")

        assert outcome.status == services.UPDATED
        meeting.refresh_from_db()
        assert outcome.meeting.pk == meeting.pk
        assert meeting.date == datetime.date(2024, 3, 6)
        assert meeting.date_source == Meeting.DateSource.ADMIN

    def test_an_administrator_filling_in_date_and_body_takes_the_meeting_out_of_review(self):
        meeting = import_document(UNDATED, "undated.txt").meeting
        assert meeting.needs_review
        meeting.date, meeting.body = datetime.date(2024, 3, 6), "Cabinet"
        meeting.date_source = Meeting.DateSource.ADMIN
        meeting.save()
        assert not Meeting.objects.get(pk=meeting.pk).needs_review

    def test_an_administrators_date_is_kept_even_when_a_document_states_another(self):
        meeting = import_document(JANUARY, "jan.txt").meeting
        meeting.date = datetime.date(2025, 1, 23)
        overrides.record(meeting, "date", datetime.date(2025, 1, 22), user=None)
        meeting.save()
        assert meeting.date_source == Meeting.DateSource.ADMIN
        outcome = import_document(JANUARY.replace(b"continued", b"went on"), "jan.txt")
        assert outcome.meeting.pk == meeting.pk
        meeting.refresh_from_db()
        assert meeting.date == datetime.date(2025, 1, 23)

    def test_body_and_date_options_fill_in_what_a_document_does_not_state(self):
        outcome = import_document(
            UNDATED, "undated.txt", body="Cabinet", meeting_date=datetime.date(2024, 5, 1)
        )
        meeting = outcome.meeting
        assert (meeting.body, meeting.date) == ("Cabinet", datetime.date(2024, 5, 1))
        assert meeting.date_source == Meeting.DateSource.OPTION
        # What the options supplied is no longer missing, so nothing is left to review.
        assert not outcome.needs_review
        assert not meeting.needs_review

        # Same file, date given again differently: still the same meeting, now re-dated.
        again = import_document(UNDATED, "undated.txt", meeting_date=datetime.date(2024, 5, 2))
        assert again.status == services.UPDATED
        assert again.meeting.pk == meeting.pk
        meeting.refresh_from_db()
        assert (meeting.body, meeting.date) == ("Cabinet", datetime.date(2024, 5, 2))

    def test_giving_a_date_for_an_undated_meeting_already_imported_dates_it(self):
        meeting = import_document(UNDATED, "undated.txt").meeting
        outcome = import_document(UNDATED, "undated.txt", meeting_date=datetime.date(2024, 5, 1))
        assert outcome.status == services.UPDATED
        meeting.refresh_from_db()
        assert meeting.date == datetime.date(2024, 5, 1)
        assert meeting.date_source == Meeting.DateSource.OPTION

    def test_a_date_option_overriding_a_stated_date_is_a_warning(self):
        outcome = import_document(JANUARY, "jan.txt", meeting_date=datetime.date(2025, 1, 21))
        assert outcome.meeting.date == datetime.date(2025, 1, 21)
        assert outcome.meeting.needs_review
        assert "The document states 2025-01-22" in outcome.meeting.warnings[-1]

    def test_no_items_found_is_a_failure(self):
        outcome = import_document(b"Body: Safer Stockton Partnership\nDate: 2025-01-22\n", "x.txt")

        assert outcome.status == services.FAILED
        assert outcome.message == "no agenda items found"
        assert not Meeting.objects.exists()
        source = SourceDocument.objects.get()
        assert source.status == SourceDocument.Status.FAILED
        assert source.error == "no agenda items found"
        assert source.original_text.startswith("Body:")

    @pytest.mark.parametrize(
        "data, reason",
        [
            (b"", "empty file"),
            (b"\x89PNG\r\n\x1a\n\x00\x00IHDR", "binary data, not text minutes"),
            (b"Item: 1 | Caf\x81 | x\n", "this text file holds characters that cannot be read"),
        ],
        ids=["empty", "binary", "undecodable"],
    )
    def test_an_unreadable_file_keeps_only_its_failed_source(self, data, reason):
        outcome = import_document(data, "bad.txt")

        assert outcome.failed
        assert outcome.message.startswith(reason)
        source = SourceDocument.objects.get()
        assert (source.file_name, source.status) == ("bad.txt", SourceDocument.Status.FAILED)
        assert source.error == outcome.message
        assert bytes(source.original_bytes) == data
        assert source.sha256 == services.SourceFile("bad.txt", data).sha256
        assert not Meeting.objects.exists()
        assert not AgendaItem.objects.exists()

    def test_an_oversized_file_keeps_its_original(self, settings):
        settings.MINUTES_MAX_BYTES = 1000
        data = b"Item: 1 | Title | text\n" * 100

        outcome = import_document(data, "big.txt")

        assert outcome.message == "file is 2.2 KB, over the 1000 bytes limit"
        source = SourceDocument.objects.get()
        assert bytes(source.original_bytes) == data
        assert not Meeting.objects.exists()

    def test_a_failure_while_storing_rolls_back_everything_but_the_failed_source(self, monkeypatch):
        meeting = import_document(JANUARY, "jan.txt").meeting
        before = list(meeting.items.values_list("pk", "minutes_text"))

        def broken(items, matches, **kwargs):
            raise RuntimeError("disk on fire")

        monkeypatch.setattr(services, "link_topics", broken)
        outcome = import_document(JANUARY.replace(b"continued", b"stopped"), "jan.txt")

        assert outcome.failed
        assert outcome.message == "unexpected error: disk on fire"
        assert list(meeting.items.values_list("pk", "minutes_text")) == before
        assert Meeting.objects.get().source.status == SourceDocument.Status.IMPORTED
        assert SourceDocument.objects.filter(status=SourceDocument.Status.FAILED).count() == 1

    def test_a_failed_new_document_leaves_no_meeting(self, monkeypatch):
        monkeypatch.setattr(services, "link_topics", lambda items, matches, **kw: 1 / 0)
        before = stored_tables()

        outcome = import_document(JANUARY, "jan.txt")

        assert outcome.failed
        assert stored_tables() == before | {"SourceDocument": 1}
        assert SourceDocument.objects.get().status == SourceDocument.Status.FAILED

    def test_a_dry_run_writes_nothing(self):
        before = stored_tables()
        outcome = import_document(JANUARY, "jan.txt", dry_run=True)
        assert outcome.dry_run
        assert outcome.status == services.CREATED
        assert len(outcome.parsed.items) == 3
        assert stored_tables() == before

    def test_a_dry_run_says_what_an_import_would_do(self):
        import_document(JANUARY, "jan.txt")
        before = stored_tables()
        assert import_document(JANUARY, "jan.txt", dry_run=True).status == services.UNCHANGED
        corrected = JANUARY.replace(b"continued", b"stopped")
        assert import_document(corrected, "jan.txt", dry_run=True).status == services.UPDATED
        failed = import_document(b"", "empty.txt", dry_run=True)
        assert failed.failed
        assert stored_tables() == before

    def test_a_value_longer_than_its_column_is_cut_the_same_way_on_every_database(self):
        data = b"Date: 2025-01-22\nItem: " + b"9" * 301 + b" | Title | Text\n"
        outcome = import_document(data, "long.txt")
        assert not outcome.failed, outcome.message
        item = AgendaItem.objects.get()
        assert (item.number, item.number_printed) == ("9" * 100, "9" * 100)
        assert outcome.meeting.warnings == [
            f"Item 1 number cut to 100 characters: “{'9' * 40}…”",
            f"Item 1 number printed cut to 100 characters: “{'9' * 40}…”",
        ]
        assert outcome.review_reasons == ["body unknown", "fields cut to length"]
        preview = import_document(data, "long.txt", dry_run=True)
        assert preview.status == services.UNCHANGED
        assert preview.review_reasons == outcome.review_reasons


@pytest.mark.django_db
class TestTopicTagging:
    @pytest.fixture(autouse=True)
    def _stub(self, stub_parser):
        pass

    def tags(self, meeting):
        return {
            (link.item.position, link.topic.name, link.in_title)
            for link in ItemTopic.objects.filter(item__meeting=meeting).select_related(
                "item", "topic"
            )
        }

    def test_items_are_tagged_from_title_and_text(self):
        data = b"""Date: 2025-01-22
Item: 1 | Project Harmony Update | Work with Operation Nightfall went on.
Item: 2 | Youth services | Officers would prevent harm; ASB fell.
Item: 3 | Prevent (CT) Update | Referrals rose.
"""
        meeting = import_document(data, "topics.txt").meeting
        assert self.tags(meeting) == {
            (1, "Operation Harmony", True),
            (1, "Operation Nightfall", False),
            (2, "Anti-Social Behaviour", False),
            (3, "Prevent", True),
        }

    def test_named_operations_become_topics(self):
        data = b"""Date: 2025-01-22
Item: 1 | Op Fortress | Op Fortress began; Project Harmony continued.
Item: 2 | Project Lighthouse | Launched.
"""
        meeting = import_document(data, "ops.txt").meeting
        fortress = Topic.objects.get(name="Operation Fortress")
        assert fortress.aliases == ["Op Fortress"]
        assert fortress.created_automatically
        assert Topic.objects.get(name="Project Lighthouse").slug == "project-lighthouse"
        assert not Topic.objects.filter(name__in=["Project Harmony", "Op Harmony"]).exists()
        assert (1, "Operation Fortress", True) in self.tags(meeting)
        assert (2, "Project Lighthouse", True) in self.tags(meeting)

    def test_reimport_retags_without_duplicates(self):
        data = b"Date: 2025-01-22\nItem: 1 | Knife Crime | Knife crime fell.\n"
        meeting = import_document(data, "k.txt").meeting
        import_document(data.replace(b"fell", b"rose"), "k.txt")
        assert self.tags(meeting) == {(1, "Knife Crime", True)}


@pytest.mark.django_db
def test_import_queries_do_not_grow_with_the_number_of_items(stub_parser):
    def document(count, day):
        lines = [f"Date: 2025-01-{day:02d}"]
        lines += [
            f"Item: {n} | Item {n} Operation Nightfall | Text {n} noted." for n in range(count)
        ]
        return "\n".join(lines).encode()

    def queries(data):
        with CaptureQueriesContext(connection) as context:
            assert not import_document(data, f"{len(data)}.txt").failed
        return len(context.captured_queries)

    assert queries(document(3, 1)) == queries(document(30, 2))
    small_update = document(3, 1).replace(b"Text", b"Texts")
    large_update = document(30, 2).replace(b"Text", b"Texts")
    assert queries(small_update) == queries(large_update)


@pytest.mark.django_db
class TestSampleMinutes:
    """The five sample documents through the real parser (these depend on its output)."""

    @pytest.mark.parametrize("name", SAMPLES)
    def test_each_sample_is_imported_as_in_its_gold_extraction(self, name):
        expected = gold(name)

        outcome = import_document(sample_bytes(name), name)

        assert outcome.status == services.CREATED, outcome.message
        meeting = outcome.meeting
        assert meeting.date == (
            datetime.date.fromisoformat(expected["date"]) if expected["date"] else None
        )
        assert meeting.body == (expected["committee"] or "")
        items = list(meeting.items.order_by("position").prefetch_related("topics"))
        assert len(items) == len(expected["items"])
        for item, gold_item in zip(items, expected["items"], strict=True):
            assert item.restricted == gold_item["restricted"], item
            assert item.status == gold_item["status"], item
            topics = {topic.name for topic in item.topics.all()}
            assert set(gold_item["topics_include"]) <= topics, item

    def test_the_2025_minutes_have_13_items(self):
        name = "ssp-2025-01-22-moderngov.txt"
        meeting = import_document(sample_bytes(name), name).meeting
        assert meeting.items.count() == 13

    def test_importing_a_sample_twice_is_unchanged(self):
        name = "ssp-2025-01-22-moderngov.txt"
        first = import_document(sample_bytes(name), name)
        before = stored_tables()
        second = import_document(sample_bytes(name), name)
        assert (first.status, second.status) == (services.CREATED, services.UNCHANGED)
        assert stored_tables() == before

    @pytest.mark.parametrize("copy_name", ["ssp-2025-01-22-moderngov.txt", "corrected.txt"])
    def test_a_corrected_sample_updates_its_meeting_in_place(self, copy_name):
        name = "ssp-2025-01-22-moderngov.txt"
        first = import_document(sample_bytes(name), name).meeting
        item_pks = list(first.items.order_by("position").values_list("pk", flat=True))
        corrected = sample_bytes(name).replace(b"hundred patrols", b"hundred and ten patrols")

        outcome = import_document(corrected, copy_name)

        assert outcome.status == services.UPDATED
        assert outcome.meeting.pk == first.pk
        assert outcome.meeting.get_absolute_url() == first.get_absolute_url()
        assert list(first.items.order_by("position").values_list("pk", flat=True)) == item_pks
        assert first.items.filter(minutes_text__contains="hundred and ten patrols").exists()

    def test_the_undated_sample_needs_review(self):
        name = "ssp-undated-pipe-table.txt"
        meeting = import_document(sample_bytes(name), name).meeting
        assert meeting.date is None
        assert meeting.needs_review

    def test_a_windows_1252_copy_imports_like_the_original(self):
        name = "ssp-2022-09-28-formal.txt"
        data = sample_bytes(name).decode("utf-8").encode("cp1252")
        outcome = import_document(data, name)
        assert outcome.status == services.CREATED
        assert SourceDocument.objects.get().encoding == "cp1252"
        assert outcome.meeting.items.count() == len(gold(name)["items"])


WORD = re.compile(r"[\w’']+")


def _words(text):
    return [word.lower().strip("'’") for word in WORD.findall(text or "") if word.strip("'’")]


@pytest.mark.django_db
def test_every_word_of_the_samples_is_stored_somewhere():
    """Nothing lost: at least 99% of each sample's words are in a stored field of its meeting."""
    for path in sorted((FIXTURES / "minutes").glob("*.txt")):
        meeting = import_document(path.read_bytes(), path.name).meeting
        stored = [meeting.header_text, meeting.body, meeting.venue, meeting.contact]
        stored += meeting.attendees.values_list("printed", flat=True)
        for item in meeting.items.prefetch_related("resolutions"):
            stored += [item.number_printed, item.title, item.agenda_text, item.minutes_text]
            stored += [item.restricted_reason, *item.attachments]
            stored += [resolution.text for resolution in item.resolutions.all()]
        kept = set(_words("\n".join(stored)))
        source = _words(path.read_text(encoding="utf-8"))
        missed = [word for word in source if word not in kept]
        assert len(missed) / len(source) <= 0.01, (path.name, missed)
