"""Measure the search page and the other pages against the current database.

``manage.py benchmark_search`` runs a fixed set of searches (``SEARCHES``) as whole page
requests through Django's test client (results, snippets, total, every filter's counts and the
template), for a visitor and for a member who may read restricted items, and prints the median
and 95th percentile server time and the number of SQL queries of each, and over the whole set.
In the same run it times a naive version of each search (``icontains`` filtering, a count and
one ``GROUP BY`` query per filter, as the page was first written) and prints the ratio. Then
the meeting, item, home and topic pages.

``--import`` instead measures the import: documents written from synthetic meetings in the
layouts real minutes come in (formal minutes, ModernGov pages with and without item numbers,
egenda decision records; 10 to 20 items each unless ``--items`` says otherwise), read by the
real parser and stored by the real service in batches, as ``import_minutes --workers 2
--writers 2`` does (topics tagged, search index written), in documents and items per second,
with the processor time it took a document (``ProcessorTime``): the storing process, the
reading processes, and the database server with anything else; and how busy the machine's
processors were. The meetings it adds are deleted again afterwards.

The figures depend on the machine and on what else runs on it; see docs/performance.md.
"""

import argparse
import json
import os
import re
import resource
import statistics
import time
from contextlib import contextmanager
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count, F, Max, Q
from django.db.models.functions import ExtractYear
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from devtools.synthetic import LAYOUTS, ArchiveGenerator, minutes_document
from ingest.batch import BATCH_SIZE, import_documents
from ingest.reading import parse_document, read_document
from meetings.models import (
    AgendaItem,
    FollowUp,
    ImportEvent,
    ItemTopic,
    Meeting,
    SourceDocument,
    Topic,
)
from meetings.search import BulkTable, backend_for, index, parse_query

# (label, GET parameters): common words, two words, phrases and a rare word, with and without
# year, topic and restricted filters. The topics are themes every generated archive has.
# The naive baseline's order: newest meeting first.
NEWEST_ORDER = (F("meeting__date").desc(nulls_last=True), "meeting__body", "meeting_id", "position")

SEARCHES = [
    ("council", {"q": "council"}),
    ("police", {"q": "police"}),
    ("police council", {"q": "police council"}),
    ("community safety", {"q": "community safety"}),
    ('"anti-social behaviour"', {"q": '"anti-social behaviour"'}),
    ('"operation nightfall"', {"q": '"operation nightfall"'}),
    ("iquanta", {"q": "iquanta"}),
    ("council, 2015", {"q": "council", "year": "2015"}),
    ("police, topic ASB", {"q": "police", "topic": "anti-social-behaviour"}),
    ('"anti-social behaviour", 2020', {"q": '"anti-social behaviour"', "year": "2020"}),
    ("council, restricted", {"q": "council", "restricted": "yes"}),
    ("iquanta, not restricted", {"q": "iquanta", "restricted": "no"}),
    (
        "police council, 2010, knife crime",
        {"q": "police council", "year": "2010", "topic": "knife-crime"},
    ),
    ('"operation nightfall", 2019', {"q": '"operation nightfall"', "year": "2019"}),
]
MEMBER = "benchmark-member"


# Items per imported document: real minutes hold about 15.
IMPORT_ITEMS = (10, 20)
IMPORT_WORKERS = 2
# Connections storing batches at once (PostgreSQL; SQLite has one writer at a time).
IMPORT_WRITERS = 2


def item_range(value: str) -> tuple[int, int]:
    """ "10-20" as (10, 20)."""
    low, _, high = value.partition("-")
    try:
        bounds = int(low), int(high or low)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected MIN-MAX, as 10-20, not {value!r}") from None
    if not 1 <= bounds[0] <= bounds[1]:
        raise argparse.ArgumentTypeError(f"expected 1 <= MIN <= MAX, not {value!r}")
    return bounds


class ProcessorTime:
    """Processor time an import takes: this process's (storing, and matching in its thread;
    reading too when it has no worker processes), the reading processes' (children of this
    one, counted once they have ended, their starting included), and, where the machine says
    (Linux's ``/proc/stat``), all its processors', of which the rest is a database server's
    on the same machine (SQLite has none: its work is this process's) and whatever else runs.
    A server on another machine is counted nowhere. With every processor busy, a run's speed
    is set by how much processor time it needs, not by waiting."""

    def __init__(self):
        self.start = self._now()

    @staticmethod
    def _now() -> tuple[float, float, float | None]:
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        try:
            with open("/proc/stat") as stat:
                user, nice, system, _idle, _iowait, irq, softirq = (
                    int(value) for value in stat.readline().split()[1:8]
                )
            machine = (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            machine = None
        return (
            own.ru_utime + own.ru_stime,
            children.ru_utime + children.ru_stime,
            machine,
        )

    def spent(self) -> dict:
        """Seconds of processor time since this was made: ``storing``, ``reading`` and, if
        known, ``machine`` (all processes) and ``other`` (the rest)."""
        own, children, machine = self._now()
        own_before, children_before, machine_before = self.start
        spent = {"storing": own - own_before, "reading": children - children_before}
        if machine is not None and machine_before is not None:
            spent["machine"] = machine - machine_before
            spent["other"] = max(0.0, spent["machine"] - spent["storing"] - spent["reading"])
        return spent


class StatementTimer:
    """An execute wrapper counting the statements run and the time spent waiting for them,
    in all and by kind ("INSERT meetings_agendaitem").

    SQLite runs an ``INSERT ... RETURNING`` as its rows are read, after ``execute``: that
    time is not counted. ``COPY`` goes past Django's execute wrappers: ``copies`` times the
    rows ``BulkTable`` copies on PostgreSQL.
    """

    def __init__(self):
        self.statements, self.seconds = 0, 0.0
        self.by_kind: dict[str, float] = {}

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            kind = f"{sql.split(None, 1)[0]} {''.join(_TABLE.findall(sql)[:1])}".strip()
            self.add(kind, time.perf_counter() - start)

    def add(self, kind: str, spent: float) -> None:
        self.seconds += spent
        self.statements += 1
        self.by_kind[kind] = self.by_kind.get(kind, 0.0) + spent

    @contextmanager
    def copies(self):
        if not backend_for(connection).copies_rows:
            yield
            return
        flush = BulkTable.flush

        def timed_flush(table):
            start = time.perf_counter()
            try:
                return flush(table)
            finally:
                self.add(f"COPY {table.table}", time.perf_counter() - start)

        BulkTable.flush = timed_flush
        try:
            yield
        finally:
            BulkTable.flush = flush

    def slowest(self, count: int) -> list[tuple[str, float]]:
        return sorted(self.by_kind.items(), key=lambda pair: -pair[1])[:count]


_TABLE = re.compile(r'(?:INTO|FROM|UPDATE) "(\w+)"')


def percentile(values, share: float) -> float:
    """The value below which ``share`` of ``values`` fall (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, round(share * len(ordered) + 0.4999))
    return ordered[min(rank, len(ordered)) - 1]


def summary(times) -> tuple[float, float]:
    return statistics.median(times), percentile(times, 0.95)


class Command(BaseCommand):
    help = (
        "Time a fixed set of searches and the meeting, item, home and topic pages against the "
        "current database, with a naive search for comparison; or, with --import, the import."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--repeat", type=int, default=5, help="timed runs of each page (default 5)"
        )
        parser.add_argument(
            "--baseline-repeat",
            type=int,
            default=1,
            help="timed runs of each naive search (default 1; 0 leaves the baseline out)",
        )
        parser.add_argument("--json", help="also write the figures to this file")
        parser.add_argument(
            "--import",
            dest="import_documents",
            type=int,
            metavar="N",
            help="measure the import of N synthetic documents instead",
        )
        parser.add_argument(
            "--items",
            type=item_range,
            default=IMPORT_ITEMS,
            metavar="MIN-MAX",
            help="with --import: the number of items of each document, drawn between MIN and "
            "MAX (default 10-20, about 15 a document)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=IMPORT_WORKERS,
            help=f"with --import: processes parsing the documents (default {IMPORT_WORKERS}; "
            "0 parses them in this process)",
        )
        parser.add_argument(
            "--writers",
            type=int,
            default=IMPORT_WRITERS,
            help=f"with --import on PostgreSQL: connections storing batches at once (default "
            f"{IMPORT_WRITERS})",
        )

    def handle(self, *args, **options):
        if options["repeat"] < 1:
            raise CommandError("--repeat must be at least 1.")
        with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
            if options["import_documents"]:
                report = self.measure_import(
                    options["import_documents"],
                    options["items"],
                    options["workers"],
                    options["writers"],
                )
            else:
                report = self.measure_pages(options["repeat"], options["baseline_repeat"])
        if options["json"]:
            with open(options["json"], "w", encoding="utf-8") as file:
                json.dump(report, file, indent=2)

    # Pages

    def measure_pages(self, repeat: int, baseline_repeat: int) -> dict:
        items = AgendaItem.objects.count()
        if not items:
            raise CommandError("The database holds no items: run generate_archive first.")
        database = backend_for(connection).vendor
        self.stdout.write(
            f"{database}, {items:,} items, {Meeting.objects.count():,} meetings; "
            f"{repeat} timed runs of each page after one untimed"
        )
        clients = {"visitor": Client(), "member": self._member_client()}
        report = {"database": database, "items": items, "searches": [], "pages": []}
        all_times, all_queries, naive_times = [], [], []
        header = f"{'search':<38} {'user':<8} {'median':>8} {'p95':>8} {'queries':>7}"
        if baseline_repeat:
            header += f" {'naive median':>13} {'naive queries':>13} {'ratio':>7}"
        self.stdout.write(header)
        for label, params in SEARCHES:
            for user, client in clients.items():
                url = "/search/?" + urlencode(params)
                times, queries = self._time(client, url, repeat)
                median, p95 = summary(times)
                all_times += times
                all_queries.append(queries)
                row = {"search": label, "user": user, "median_ms": median, "p95_ms": p95}
                row["queries"] = queries
                line = f"{label:<38} {user:<8} {median:8.1f} {p95:8.1f} {queries:7d}"
                if baseline_repeat:
                    naive, naive_queries = self._time_naive(
                        params, include_restricted=user == "member", repeat=baseline_repeat
                    )
                    naive_times += naive
                    naive_median = statistics.median(naive)
                    row.update(naive_median_ms=naive_median, naive_queries=naive_queries)
                    line += (
                        f" {naive_median:13.1f} {naive_queries:13d} {naive_median / median:6.1f}x"
                    )
                report["searches"].append(row)
                self.stdout.write(line)
        median, p95 = summary(all_times)
        overall = {
            "median_ms": median,
            "p95_ms": p95,
            "queries_median": statistics.median(all_queries),
            "queries_max": max(all_queries),
        }
        line = (
            f"{'all searches':<38} {'both':<8} {median:8.1f} {p95:8.1f}"
            f" {max(all_queries):7d} (most queries)"
        )
        if naive_times:
            naive_median, naive_p95 = summary(naive_times)
            overall.update(naive_median_ms=naive_median, naive_p95_ms=naive_p95)
            line += (
                f"\n{'naive baseline':<38} {'both':<8} {naive_median:8.1f} {naive_p95:8.1f}"
                f"   ratio of medians {naive_median / median:.1f}x,"
                f" of 95th percentiles {naive_p95 / p95:.1f}x"
            )
        report["overall"] = overall
        self.stdout.write(line)

        self.stdout.write(f"{'page':<38} {'user':<8} {'median':>8} {'p95':>8} {'queries':>7}")
        for page, urls in self._page_urls().items():
            for user, client in clients.items():
                times, queries = [], 0
                for url in urls:
                    page_times, page_queries = self._time(client, url, repeat)
                    times += page_times
                    queries = max(queries, page_queries)
                median, p95 = summary(times)
                report["pages"].append(
                    {"page": page, "user": user, "median_ms": median, "p95_ms": p95}
                )
                self.stdout.write(f"{page:<38} {user:<8} {median:8.1f} {p95:8.1f} {queries:7d}")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        report["max_rss_mb"] = rss
        self.stdout.write(f"Largest resident size of this process: {rss:.0f} MB")
        return report

    @staticmethod
    def _processor_line(spent: dict, count: int, elapsed: float, workers: int) -> str:
        def ms(part):
            return f"{spent[part] / count * 1000:.1f} ms"

        if workers:
            line = (
                f"processor time per document: storing (this process) {ms('storing')}, "
                f"reading (its {workers} worker processes) {ms('reading')}"
            )
        else:
            line = (
                f"processor time per document: reading and storing (this process) {ms('storing')}"
            )
        if "machine" not in spent:
            return line
        cores = os.cpu_count() or 1
        # Not capped: counted in ticks of the kernel's clock, a short run may show a little
        # over 100 %, and a figure far over it would be a fault.
        busy = spent["machine"] / (elapsed * cores) * 100
        return (
            f"{line}, the rest of this machine (a database server on it, and anything else) "
            f"{ms('other')}; {ms('machine')} in all, the machine's {cores} processors "
            f"{busy:.0f}% busy"
        )

    def _member_client(self) -> Client:
        user, _ = get_user_model().objects.get_or_create(username=MEMBER)
        user.user_permissions.add(Permission.objects.get(codename="view_restricted"))
        client = Client()
        client.force_login(user)
        return client

    def _time(self, client, url: str, repeat: int) -> tuple[list[float], int]:
        """Server times of ``repeat`` requests in milliseconds, and the queries of one."""
        connection.queries_log.clear()  # each request empties it (``reset_queries``)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)  # also warms the caches
        queries = len(captured)  # before the next request empties the log
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}")
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                raise CommandError(f"{url} answered {response.status_code}")
        return times, queries

    def _page_urls(self) -> dict[str, list[str]]:
        """Twenty meetings and items spread over the archive, the home page, ten topics."""
        meeting_ids = list(Meeting.objects.order_by("pk").values_list("pk", flat=True))
        item_ids = list(AgendaItem.objects.order_by("pk").values_list("pk", flat=True))

        def spread(ids, count=20):
            step = max(1, len(ids) // count)
            return ids[::step][:count]

        with connection.cursor() as cursor:
            # Topics everyone may see, from the most discussed (the longest pages) down.
            cursor.execute(
                f"SELECT t.slug FROM {index.TOPIC_COUNT_TABLE} c"
                " JOIN meetings_topic t ON t.id = c.topic_id"
                " GROUP BY t.slug HAVING sum(c.items_public) > 0"
                " ORDER BY sum(c.items_public) DESC, t.slug"
            )
            topics = [row[0] for row in cursor.fetchall()]
        return {
            "meeting": [f"/meetings/{pk}/" for pk in spread(meeting_ids)],
            "item": [f"/items/{pk}/" for pk in spread(item_ids)],
            "home": ["/"],
            "topic": [f"/topics/{slug}/" for slug in spread(topics, 10)],
        }

    # The naive search

    def _time_naive(self, params, *, include_restricted: bool, repeat: int):
        times, queries = [], 0
        for _ in range(repeat):
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                self._naive_page(params, include_restricted)
                times.append((time.perf_counter() - start) * 1000)
            queries = len(captured)
        return times, queries

    def _naive_page(self, params, include_restricted: bool):
        """A page's data the simple way: text ``icontains`` every word, a query per filter."""
        parsed = parse_query(params.get("q", ""))
        items = AgendaItem.objects.all()
        for group in parsed.groups[:1]:
            for operand in group:
                text = " ".join(operand.words)
                public = Q(title__icontains=text) | Q(number__icontains=text)
                words = public | Q(agenda_text__icontains=text) | Q(minutes_text__icontains=text)
                if not include_restricted:
                    words = Q(restricted=False) & words | Q(restricted=True) & public
                items = items.exclude(words) if operand.negated else items.filter(words)
        filtered = items
        if "year" in params:
            filtered = filtered.filter(meeting__date__year=int(params["year"]))
        if "topic" in params:
            filtered = filtered.filter(item_topics__topic__slug=params["topic"])
        if "restricted" in params:
            filtered = filtered.filter(restricted=params["restricted"] == "yes")
        list(filtered.select_related("meeting").order_by(*NEWEST_ORDER)[:20])
        filtered.count()
        for expression in (ExtractYear("meeting__date"), F("restricted"), F("status")):
            list(filtered.order_by().values(value=expression).annotate(n=Count("pk")))
        list(filtered.order_by().values("meeting__body").annotate(n=Count("pk")))
        links = ItemTopic.objects.filter(item__in=filtered.values("pk")).with_restricted(
            include_restricted
        )
        list(links.values("topic_id").annotate(n=Count("pk")).order_by("-n")[:50])

    # Import

    @staticmethod
    def _remove_imported(meeting_ids: list[int], before: dict) -> None:
        """Leave the archive as it was: the meetings, their originals, history and new topics."""
        Meeting.objects.filter(pk__in=meeting_ids).delete()
        for model in (SourceDocument, ImportEvent):
            model.objects.filter(pk__gt=before[model], file_name__startswith="benchmark-").delete()
        Topic.objects.filter(pk__gt=before[Topic], item_topics=None).delete()

    def measure_import(
        self, count: int, sizes: tuple[int, int], workers: int, writers: int
    ) -> dict:
        taken = set(Meeting.objects.values_list("body", "date"))
        generator = ArchiveGenerator(seed=4242, taken_dates=taken)
        meetings = list(generator.meetings(count, items=sizes))
        documents = [
            (f"benchmark-{n:05d}.txt", minutes_document(meeting).encode())
            for n, meeting in enumerate(meetings, start=1)
        ]
        if not backend_for(connection).parallel_writers:
            writers = 1
        size = sum(len(data) for _, data in documents) / count / 1024
        average = sum(len(meeting.items) for meeting in meetings) / count
        layouts = ", ".join(
            f"{layout} {sum(meeting.layout == layout for meeting in meetings)}"
            for layout in LAYOUTS
        )
        archive = AgendaItem.objects.count(), FollowUp.objects.count()
        self.stdout.write(
            f"{backend_for(connection).vendor}: into an archive of {archive[0]:,} items and "
            f"{archive[1]:,} follow-ups, importing {count} documents ({layouts}), "
            f"{sizes[0]} to {sizes[1]} items each ({average:.1f} on average, {size:.1f} KB), "
            f"in transactions of up to {BATCH_SIZE} documents, parsed by "
            + (f"{workers} worker processes" if workers else "this process")
            + (f", stored on up to {writers} connections at once" if writers > 1 else "")
        )
        before = {
            model: model.objects.aggregate(top=Max("pk"))["top"] or 0
            for model in (SourceDocument, ImportEvent, Topic)
        }
        timer = StatementTimer()
        processors = ProcessorTime()
        start = time.perf_counter()
        with connection.execute_wrapper(timer), timer.copies():
            outcomes = import_documents(documents, workers=workers, writers=writers)
        elapsed = time.perf_counter() - start
        spent = processors.spent()
        parsing = time.perf_counter()
        for _name, data in documents:
            parse_document(read_document(data, "benchmark.txt"))
        parsing = time.perf_counter() - parsing
        failed = [outcome for outcome in outcomes if outcome.failed]
        stored = [outcome.meeting.pk for outcome in outcomes if outcome.meeting is not None]
        items = AgendaItem.objects.filter(meeting__in=stored).count()
        self._remove_imported(stored, before)
        report = {
            "database": backend_for(connection).vendor,
            "documents": count,
            "archive_items": archive[0],
            "archive_follow_ups": archive[1],
            "items_per_document": list(sizes),
            "kilobytes_per_document": size,
            "workers": workers,
            "writers": writers,
            "failed": len(failed),
            "items": items,
            "seconds": elapsed,
            "documents_per_second": count / elapsed,
            "items_per_second": items / elapsed,
            "statements_per_document": timer.statements / count,
            "database_ms_per_document": timer.seconds / count * 1000,
            "parsing_ms_per_document": parsing / count * 1000,
            "processor_ms_per_document": {
                part: seconds / count * 1000 for part, seconds in spent.items()
            },
        }
        self.stdout.write(
            f"{count} documents ({len(failed)} failed), {items} items in {elapsed:.1f}s: "
            f"{count / elapsed:.0f} documents/s, {items / elapsed:.0f} items/s "
            "(the meetings were deleted again)"
        )
        self.stdout.write(
            f"per document: {elapsed / count * 1000:.1f} ms, of which "
            f"{timer.seconds / count * 1000:.1f} ms waiting for the database "
            f"({timer.statements / count:.1f} statements); reading and parsing one alone "
            f"takes {parsing / count * 1000:.1f} ms"
        )
        slowest = ", ".join(
            f"{kind} {seconds / count * 1000:.1f} ms" for kind, seconds in timer.slowest(4)
        )
        self.stdout.write(f"database time per document: {slowest}")
        self.stdout.write(self._processor_line(spent, count, elapsed, workers))
        for outcome in failed[:5]:
            self.stdout.write(f"  failed: {outcome.file_name}: {outcome.message}")
        return report
