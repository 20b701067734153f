"""Fill the database with synthetic meetings: ``manage.py generate_archive --meetings 50000``.

For measuring the archive at scale (see docs/performance.md). Rows are written in large
batches (``meetings.search.BulkTable``), with ids given here so that items, decisions, topic
links and attendees can be written without reading anything back.
The search index is brought up to date once at the end rather than row by row
(``meetings.search.bulk_load``). Each item's follow-ups are those the import's reader finds in
it, and they are matched to later items at the end, as an import would have matched them.
"""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from devtools.synthetic import CASE_SENSITIVE_TOPICS, ArchiveGenerator
from ingest.parsers.followups import read_follow_ups
from ingest.topics import unique_topic_slug
from ingest.writers import FOLLOW_UP_FIELDS, follow_up_values, people_for_names
from meetings import followups, search
from meetings.models import (
    AgendaItem,
    Attendee,
    FollowUp,
    ItemTopic,
    Meeting,
    Resolution,
    SourceDocument,
    Topic,
    person_key,
)
from meetings.search import BulkTable

BATCH_MEETINGS = 250


class Progress:
    """A progress bar on a terminal; a line every tenth of the way otherwise (logs, CI)."""

    def __init__(self, stdout, total: int, unit: str):
        self.stdout, self.total, self.unit = stdout, total, unit
        self.start = time.monotonic()
        self.tty = hasattr(stdout, "isatty") and stdout.isatty()
        self.next_tenth = 1

    def update(self, done: int, extra: str = ""):
        elapsed = time.monotonic() - self.start
        share = done / self.total if self.total else 1
        rate = done / elapsed if elapsed else 0
        left = (self.total - done) / rate if rate else 0
        line = f"{done:,}/{self.total:,} {self.unit} {extra} {elapsed:.0f}s, about {left:.0f}s left"
        if self.tty:
            bar = "#" * int(share * 30)
            self.stdout.write(f"\r[{bar:<30}] {line}", ending="")
            self.stdout.flush()
        elif share * 10 >= self.next_tenth or done == self.total:
            self.next_tenth = int(share * 10) + 1
            self.stdout.write(line)

    def close(self):
        if self.tty:
            self.stdout.write("")


class Command(BaseCommand):
    help = (
        "Add synthetic meetings, with 10 to 30 agenda items each, to the database: realistic "
        "minutes text, topics, decisions, attendees and restricted items, for measuring search "
        "at scale. The same --seed gives the same archive."
    )

    def add_arguments(self, parser):
        parser.add_argument("--meetings", type=int, required=True, help="how many meetings")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="the database to use (default: default)"
        )

    @staticmethod
    def _refuse_real_archive(using: str) -> None:
        """Made-up meetings must never be mixed into an archive of imported minutes."""
        imported = SourceDocument.objects.using(using).exclude(meeting=None).count()
        if imported:
            raise CommandError(
                f"This database holds {imported} imported minutes document"
                f"{'' if imported == 1 else 's'}: generate_archive adds made-up meetings and is "
                "for a database of its own. Point DATABASE_URL at an empty database."
            )

    def handle(self, *args, **options):
        count = options["meetings"]
        if count < 1:
            raise CommandError("--meetings must be at least 1.")
        using = options["database"]
        self._refuse_real_archive(using)
        connection = connections[using]
        started = time.monotonic()
        taken = set(Meeting.objects.using(using).values_list("body", "date"))
        generator = ArchiveGenerator(options["seed"], taken_dates=taken)
        topics = self._topics(generator, using)
        people = self._people(generator, using)
        self.ids = {
            model: (model.objects.using(using).aggregate(top=models.Max("pk"))["top"] or 0) + 1
            for model in (Meeting, AgendaItem, Resolution, ItemTopic, Attendee, FollowUp)
        }
        first_item = self.ids[AgendaItem]
        existing_items = AgendaItem.objects.using(using).count()
        now = timezone.now()
        tables = {
            Meeting: BulkTable(
                connection,
                Meeting,
                ["id", "body", "date", "date_source", "start_time", "venue", "contact",
                 "previous_meeting", "next_meeting", "header_text", "warnings", "reading_notes",
                 "needs_review", "created", "updated"],
            ),
            AgendaItem: BulkTable(
                connection,
                AgendaItem,
                ["id", "meeting_id", "position", "number", "number_printed", "title",
                 "agenda_text", "minutes_text", "restricted", "restricted_reason", "status",
                 "attachments", "search_extra"],
            ),
            Resolution: BulkTable(
                connection, Resolution, ["id", "item_id", "order", "text", "kind"]
            ),
            ItemTopic: BulkTable(connection, ItemTopic, ["id", "item_id", "topic_id", "in_title"]),
            Attendee: BulkTable(
                connection,
                Attendee,
                ["id", "meeting_id", "order", "name", "printed", "title", "role",
                 "organisation", "attendance", "person_id"],
            ),
            FollowUp: BulkTable(
                connection,
                FollowUp,
                ["id", "item_id", "meeting_id", "position", *FOLLOW_UP_FIELDS, "created",
                 "updated"],
            ),
        }  # fmt: skip
        self.places = []  # (body, date) of the meetings written
        progress = Progress(self.stdout, count, "meetings")
        written_items = 0
        # Rebuilding the indexes once beats keeping them up to date row by row when the load
        # is large compared with what is there already.
        rebuild = count * 20 > existing_items
        with search.bulk_load(connection, first_item_id=first_item, rebuild_indexes=rebuild):
            done = 0
            batch = []
            for meeting in generator.meetings(count):
                batch.append(meeting)
                if len(batch) == BATCH_MEETINGS:
                    written_items += self._write(batch, tables, topics, people, now, using)
                    done += len(batch)
                    batch = []
                    progress.update(done, f"({written_items:,} items)")
            if batch:
                written_items += self._write(batch, tables, topics, people, now, using)
                done += len(batch)
                progress.update(done, f"({written_items:,} items)")
            progress.close()
            self.stdout.write("Indexing for search…")
        self._reset_sequences(connection)
        self.stdout.write("Matching follow-ups…")
        with transaction.atomic(using=using):
            followups.rematch_places(self.places)
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {count:,} meetings and {written_items:,} items in {elapsed:.0f}s "
                f"({written_items / elapsed:,.0f} items/s)."
            )
        )

    def _next(self, model) -> int:
        value = self.ids[model]
        self.ids[model] = value + 1
        return value

    def _topics(self, generator, using) -> dict[str, int]:
        """The id of every topic the generator uses, creating the missing ones."""
        existing = {
            name.casefold(): pk
            for pk, name in Topic.objects.using(using).values_list("pk", Lower("name"))
        }
        slugs = set(Topic.objects.using(using).values_list("slug", flat=True))
        new = []
        for name in generator.topics:
            if name.casefold() in existing:
                continue
            slug = unique_topic_slug(name, slugs)
            slugs.add(slug)
            existing[name.casefold()] = None
            new.append(Topic(name=name, slug=slug, case_sensitive=name in CASE_SENSITIVE_TOPICS))
        Topic.objects.using(using).bulk_create(new, batch_size=500)
        ids = dict(Topic.objects.using(using).values_list(Lower("name"), "pk"))
        return {name: ids[name.casefold()] for name in generator.topics}

    def _people(self, generator, using) -> dict[str, int]:
        names = {name for pool in generator.people.values() for name, _, _ in pool}
        if using != DEFAULT_DB_ALIAS:
            raise CommandError("People can only be created in the default database.")
        names = sorted(names)
        found = {}
        with transaction.atomic(using=using):
            # In small groups: the import's look-up is made for one meeting's attendees.
            for start in range(0, len(names), 100):
                found.update(people_for_names(names[start : start + 100]))
        return {key: person.pk for key, person in found.items()}

    def _write(self, batch, tables, topics, people, now, using) -> int:
        items_written = 0
        meetings, items = tables[Meeting], tables[AgendaItem]
        resolutions, links, attendees = tables[Resolution], tables[ItemTopic], tables[Attendee]
        follow_ups = tables[FollowUp]
        for meeting in batch:
            meeting_id = self._next(Meeting)
            self.places.append((meeting.body, meeting.date))
            meetings.add(
                meeting_id, meeting.body, meeting.date, "document",
                _start_time(meeting_id), meeting.venue, "Democratic Services",
                meeting.previous_meeting, meeting.next_meeting, "", [], [], False, now, now,
            )  # fmt: skip
            for position, item in enumerate(meeting.items, start=1):
                item_id = self._next(AgendaItem)
                decisions = [text for _, text in item.decisions]
                extra = search.search_extra_text(sorted(item.topics), decisions)
                items.add(
                    item_id, meeting_id, position, item.number, item.number, item.title,
                    item.agenda_text, item.minutes_text, item.restricted,
                    item.restricted_reason, item.status, [], extra,
                )  # fmt: skip
                for order, (kind, text) in enumerate(item.decisions, start=1):
                    resolutions.add(self._next(Resolution), item_id, order, text, kind)
                for name, in_title in item.topics.items():
                    links.add(self._next(ItemTopic), item_id, topics[name], in_title)
                read = read_follow_ups(item.title, item.minutes_text, decisions, meeting.date)
                for order, follow_up in enumerate(read, start=1):
                    values = follow_up_values(follow_up)
                    follow_ups.add(
                        self._next(FollowUp), item_id, meeting_id, order,
                        *(values[name] for name in FOLLOW_UP_FIELDS), now, now,
                    )  # fmt: skip
                items_written += 1
            for order, person in enumerate(meeting.attendees, start=1):
                attendees.add(
                    self._next(Attendee), meeting_id, order, person.name, person.printed,
                    person.title, person.role, person.organisation, person.attendance,
                    people.get(person_key(person.name)),
                )  # fmt: skip
        with transaction.atomic(using=using):
            for table in tables.values():
                table.flush()
        return items_written

    def _reset_sequences(self, connection):
        statements = connection.ops.sequence_reset_sql(
            no_style(), [Meeting, AgendaItem, Resolution, ItemTopic, Attendee, FollowUp]
        )
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _start_time(meeting_id: int) -> datetime.time:
    return datetime.time(9 + meeting_id % 3 * 2, 0 if meeting_id % 2 else 30)
