"""The synthetic archive, the benchmark, and what keeps search fast at scale.

Timings are not asserted: they belong to docs/performance.md. These check that the commands
work and that the narrow search table and its counts stay exactly in step with the items.
"""

import csv
import datetime
import io
import json
import os
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ingest.parsers.followups import read_follow_ups
from meetings import filters, followups, views_search
from meetings.models import (
    AgendaItem,
    FollowUp,
    ImportEvent,
    ItemTopic,
    Meeting,
    SourceDocument,
    Topic,
)
from meetings.search import backend_for, facets, index

pytestmark = pytest.mark.django_db

only_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="interrupts SQLite's queries with a progress handler"
)


def rows(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [tuple(row) for row in cursor.fetchall()]


def index_state() -> tuple:
    """The narrow table and the counts, in a comparable form (vectors left out)."""
    facets = rows(
        "SELECT item_id, meeting_id, date, year, body, position, restricted, status, topics,"
        f" topics_public FROM {index.FACET_TABLE} ORDER BY item_id"
    )
    counts = rows(
        f"SELECT year, restricted, status, body, items FROM {index.COUNT_TABLE}"
        " WHERE items <> 0 ORDER BY 1, 2, 3, 4"
    )
    topics = rows(
        f"SELECT topic_id, year, items, items_public FROM {index.TOPIC_COUNT_TABLE}"
        " WHERE items <> 0 OR items_public <> 0 ORDER BY 1, 2"
    )
    return facets, counts, topics


def assert_in_step():
    before = index_state()
    backend_for(connection).rebuild_index()
    assert index_state() == before


@pytest.fixture
def archive(db):
    out = io.StringIO()
    call_command("generate_archive", meetings=12, seed=3, stdout=out)
    return out.getvalue()


@only_sqlite
@pytest.mark.django_db(transaction=True)
def test_an_archive_generated_outside_a_transaction_is_indexed():
    # Outside a transaction the index takes the new items in one statement at the end
    # (meetings.search.bulk_load); the statements are logged, as with DEBUG.
    with CaptureQueriesContext(connection):
        call_command("generate_archive", meetings=6, seed=3, stdout=io.StringIO())

    ids = list(AgendaItem.objects.order_by("pk").values_list("pk", flat=True))
    assert ids
    assert rows(f"SELECT rowid, sample FROM {index.FTS_TABLE} ORDER BY rowid") == [
        (pk, f"sample{pk % 64}") for pk in ids
    ]
    assert_in_step()


class TestGenerateArchive:
    def test_refuses_a_database_of_imported_minutes(self, settings):
        minutes = settings.BASE_DIR / "tests" / "fixtures" / "minutes"
        call_command("import_minutes", str(minutes), stdout=io.StringIO())
        meetings = Meeting.objects.count()
        with pytest.raises(CommandError, match="holds 5 imported minutes documents"):
            call_command("generate_archive", meetings=3, stdout=io.StringIO())
        assert Meeting.objects.count() == meetings

    def test_meetings_items_and_the_index(self, archive):
        items = AgendaItem.objects.count()

        assert "Added 12 meetings and" in archive
        assert Meeting.objects.count() == 12
        assert 120 <= items <= 360
        assert ItemTopic.objects.exists()
        assert Meeting.objects.filter(date__year__gte=2005, date__year__lte=2025).count() == 12
        assert len(rows(f"SELECT item_id FROM {index.FACET_TABLE}")) == items
        assert rows(f"SELECT sum(items) FROM {index.COUNT_TABLE}")[0][0] == items
        assert_in_step()

    def test_follow_ups_are_those_the_reader_finds_matched_as_an_import_matches_them(self, archive):
        stored = FollowUp.objects.select_related("item__meeting").order_by("item", "position")
        assert stored.exists()
        for item in AgendaItem.objects.prefetch_related("resolutions"):
            decisions = [resolution.text for resolution in item.resolutions.all()]
            read = read_follow_ups(item.title, item.minutes_text, decisions, item.meeting.date)
            assert [f.what for f in stored if f.item_id == item.pk] == [f.what for f in read]
        assert {f.status for f in stored} - {FollowUp.Status.OPEN}
        # Matching them again changes nothing: the generator left them as matched.
        assert followups.rematch_places(Meeting.objects.values_list("body", "date")) == 0

    def test_same_seed_same_archive(self, archive):
        first = list(AgendaItem.objects.order_by("pk").values_list("title", "minutes_text"))
        Meeting.objects.all().delete()
        call_command("generate_archive", meetings=12, seed=3, stdout=io.StringIO())

        assert list(AgendaItem.objects.order_by("pk").values_list("title", "minutes_text")) == (
            first
        )

    def test_found_by_search(self, archive, client):
        response = client.get("/search/", {"q": "council"})

        assert response.status_code == 200
        assert response.context["paginator"].count > 0
        assert response.context["results"][0].snippet


class TestBenchmark:
    def test_prints_every_search_and_page(self, archive, tmp_path):
        out = io.StringIO()
        report = tmp_path / "report.json"

        call_command("benchmark_search", repeat=1, json=str(report), stdout=out)

        text = out.getvalue()
        for label, _params in filters_searches():
            assert label in text
        assert "all searches" in text
        assert "naive baseline" in text
        for page in ("meeting", "item", "home", "topic"):
            assert f"\n{page} " in text
        figures = json.loads(report.read_text())
        assert len(figures["searches"]) == 2 * len(filters_searches())
        assert all(row["queries"] > 0 for row in figures["searches"])
        assert figures["overall"]["median_ms"] > 0

    def test_import(self, archive):
        out = io.StringIO()
        before = [model.objects.count() for model in (Meeting, SourceDocument, ImportEvent, Topic)]

        call_command("benchmark_search", import_documents=3, stdout=out)

        assert "3 documents (0 failed)" in out.getvalue()
        assert "documents/s" in out.getvalue()
        assert "10 to 20 items each" in out.getvalue()
        assert "waiting for the database" in out.getvalue()
        # Where the processor time went: this process and the two that read the documents,
        # which are part of what the whole machine spent.
        spent = re.search(
            r"processor time per document: storing \(this process\) ([\d.]+) ms, "
            r"reading \(its 2 worker processes\) ([\d.]+) ms",
            out.getvalue(),
        )
        storing, reading = float(spent[1]), float(spent[2])
        assert storing > 0
        assert reading > 0
        if os.path.exists("/proc/stat"):
            machine = re.search(
                r"the rest of this machine \([^)]*\) ([\d.]+) ms; ([\d.]+) ms in all, "
                r"the machine's \d+ processors (\d+)% busy",
                out.getvalue(),
            )
            rest, in_all, busy = float(machine[1]), float(machine[2]), int(machine[3])
            # Counted in ticks of the kernel's clock (10 ms, or 4): a little off, not more.
            assert in_all >= storing + reading - 20
            assert rest == pytest.approx(max(0.0, in_all - storing - reading), abs=0.2)
            assert 0 < busy <= 110
        # The archive is left as it was: no meetings, originals, history or topics added.
        after = [model.objects.count() for model in (Meeting, SourceDocument, ImportEvent, Topic)]
        assert after == before

    def test_import_of_documents_of_another_size(self, archive):
        out = io.StringIO()

        call_command(
            "benchmark_search", "--import", "4", "--items", "2-3", "--workers", "0", stdout=out
        )

        # Read in this process: its processor time is the reading's as well.
        assert re.search(
            r"processor time per document: reading and storing \(this process\) [\d.]+ ms",
            out.getvalue(),
        )
        assert "worker processes" not in out.getvalue()
        drawn = re.search(r"4 documents \(([^)]*)\), 2 to 3 items each", out.getvalue())[1]
        assert sum(int(part.split()[1]) for part in drawn.split(", ")) == 4
        items = int(re.search(r"\(0 failed\), (\d+) items", out.getvalue())[1])
        assert 8 <= items <= 12


def filters_searches():
    from devtools.management.commands.benchmark_search import SEARCHES

    return SEARCHES


class TestIndexInStep:
    def test_edits_of_items_meetings_and_topics(self, make_meeting):
        meeting = make_meeting(
            items=[
                {"title": "Knife crime", "topics": {"Knife Crime": True}},
                {"title": "Restricted - Case", "restricted": True, "topics": {"Zanzibar": False}},
            ]
        )
        make_meeting(date=datetime.date(2024, 10, 2), items=[{"title": "Patrols"}])
        assert_in_step()

        item = meeting.items.get(position=1)
        item.restricted, item.status = True, "deferred"
        item.save()
        assert_in_step()

        Meeting.objects.filter(pk=meeting.pk).update(date=datetime.date(2019, 5, 1), body="X")
        assert_in_step()

        topic = Topic.objects.get(name="Zanzibar")
        ItemTopic.objects.filter(topic=topic).update(in_title=True)
        assert_in_step()
        ItemTopic.objects.create(item=item, topic=topic, in_title=False)
        assert_in_step()
        topic.delete()
        assert_in_step()

        meeting.delete()
        assert_in_step()
        assert len(rows(f"SELECT item_id FROM {index.FACET_TABLE}")) == 1


class TestBroadSearches:
    def test_counts_estimated_from_a_sample(self, archive, client, monkeypatch):
        exact = client.get("/search/", {"q": "council"})
        monkeypatch.setattr(facets, "SAMPLE_ABOVE", 10)
        monkeypatch.setattr(facets, "SAMPLE_SIZE", 5)

        response = client.get("/search/", {"q": "council"})

        summary = response.context["summary"]
        assert summary.estimated
        assert "The counts are estimates" in response.content.decode()
        assert "about " in response.content.decode()
        assert [item.pk for item in response.context["results"]] == [
            item.pk for item in exact.context["results"]
        ]

    @only_sqlite
    @pytest.mark.parametrize("member", [False, True], ids=["visitor", "member"])
    def test_sqlite_counts_the_items_of_the_first_buckets(
        self, archive, client, django_user_model, monkeypatch, member
    ):
        # Some items restricted, a visitor matching them by their number and title only.
        ids = list(AgendaItem.objects.order_by("pk").values_list("pk", flat=True))
        AgendaItem.objects.filter(pk__in=ids[::3]).update(restricted=True)
        if member:
            user = django_user_model.objects.create_user("officer")
            user.user_permissions.add(Permission.objects.get(codename="view_restricted"))
            client.force_login(user)
        matching = AgendaItem.objects.search("council", include_restricted=member)
        matches = matching.count()
        monkeypatch.setattr(facets, "SAMPLE_ABOVE", 10)
        monkeypatch.setattr(facets, "SAMPLE_SIZE", matches // 8)
        monkeypatch.setattr(facets, "PROBE_ITEMS", 10**9)
        buckets = -(-(matches // 8) * facets.SAMPLE_BUCKETS // matches)
        assert 1 <= buckets < facets.SAMPLE_BUCKETS

        summary = client.get("/search/", {"q": "council"}).context["summary"]

        sample = [
            (item.meeting.date.year, item.restricted)
            for item in matching.select_related("meeting")
            if item.pk % facets.SAMPLE_BUCKETS < buckets
        ]

        def scaled(n):
            return round(n * facets.SAMPLE_BUCKETS / buckets)

        assert summary.estimated
        years = {year for year, _ in sample}
        assert summary.counts["year"] == {
            year: scaled(sum(1 for y, _ in sample if y == year)) for year in years
        }
        assert summary.counts["restricted"] == {
            flag: scaled(sum(1 for _, r in sample if r == flag)) for flag in {r for _, r in sample}
        }

    def test_the_total_of_a_broad_search_is_exact_only_when_counted_whole(
        self, archive, client, monkeypatch
    ):
        monkeypatch.setattr(facets, "SAMPLE_ABOVE", 10)
        monkeypatch.setattr(facets, "SAMPLE_SIZE", 5)
        # On SQLite the breadth of a query is judged from the latest PROBE_ITEMS items: with
        # all of them, the total is exact.
        monkeypatch.setattr(facets, "PROBE_ITEMS", 10**9)
        matches = AgendaItem.objects.search("council").count()

        whole = client.get("/search/", {"q": "council"})
        monkeypatch.setattr(facets, "PROBE_ITEMS", 10)
        judged = client.get("/search/", {"q": "council"})

        assert whole.context["summary"].estimated and judged.context["summary"].estimated
        heading = re.compile(r'<h2 class="govuk-heading-m[^"]*" id="results-heading">([^<]*)</h2>')
        if connection.vendor == "sqlite":
            assert heading.search(whole.content.decode())[1].startswith(f"{matches} items")
        assert heading.search(judged.content.decode())[1].startswith("About ")
        assert "Download all about " in judged.content.decode()

    def test_a_search_matching_most_items_is_counted_once(self, archive, client, monkeypatch):
        monkeypatch.setattr(facets, "SAMPLE_ABOVE", 10)
        monkeypatch.setattr(facets, "SAMPLE_SIZE", 1)

        with CaptureQueriesContext(connection) as queries:
            response = client.get("/search/", {"q": "council"})

        assert response.context["summary"].estimated
        assert len([query for query in queries if "GROUP BY" in query["sql"]]) == 1

    def test_a_year_holding_fewer_items_than_the_query_matches(self, archive, client):
        # On SQLite the candidates are then found from the year's items (read first, then
        # joined to the full-text matches); the results are those of the query in the year.
        year = AgendaItem.objects.filter(meeting__date__year=2014)
        expected = set(year.search("council").values_list("pk", flat=True))
        assert 0 < len(expected) < AgendaItem.objects.search("council").count()

        with CaptureQueriesContext(connection) as queries:
            response = client.get("/search/", {"q": "council", "year": "2014"})

        found = {item.pk for item in response.context["results"]}
        assert found == expected
        crossed = any("CROSS JOIN f ON f.item_id" in query["sql"] for query in queries)
        assert crossed == (connection.vendor == "sqlite")

    def test_ranked_among_the_most_recent(self, archive, client, monkeypatch):
        monkeypatch.setattr(facets, "CANDIDATES", 20)
        monkeypatch.setattr(filters, "CANDIDATES", 20)
        monkeypatch.setattr(views_search, "CANDIDATES", 20)

        response = client.get("/search/", {"q": "council"})
        second = client.get("/search/", {"q": "council", "page": "2"})

        assert response.context["paginator"].count > 20
        assert "Showing the best matches among the 20 most" in response.content.decode()
        first_ids = {item.pk for item in response.context["results"]}
        assert first_ids.isdisjoint(item.pk for item in second.context["results"])

    @only_sqlite
    def test_out_of_time(self, archive, client, monkeypatch):
        monkeypatch.setattr(facets, "TIME_LIMIT", 0.0)

        response = client.get("/search/", {"q": "council"})

        assert response.status_code == 200
        summary = response.context["summary"]
        assert not summary.exact
        html = response.content.decode()
        assert "This search took too long" in html or "they were not all counted" in html

    def test_long_csv_downloads_are_streamed(self, archive, client, monkeypatch):
        monkeypatch.setattr(views_search, "STREAM_FROM", 0)

        response = client.get("/search/results.csv", {"q": "council", "sort": "newest"})

        assert response.streaming
        lines = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert len(lines) == client.get("/search/", {"q": "council"}).context["paginator"].count
