"""Rebuild the full-text search index: ``manage.py rebuild_search_index``."""

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from meetings.models import AgendaItem
from meetings.search import backend_for

BATCH = 1000


class Command(BaseCommand):
    help = (
        "Copy every item's topic names and decisions into the search index again, on SQLite "
        "reindex every item, and recount the search page's filters. Needed only after changes "
        "made outside the import and the admin pages, such as SQL run by hand."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="the database to use (default: default)"
        )

    def handle(self, *args, **options):
        using = options["database"]
        ids = list(AgendaItem.objects.using(using).order_by("pk").values_list("pk", flat=True))
        changed = 0
        with transaction.atomic(using=using):
            for start in range(0, len(ids), BATCH):
                batch = AgendaItem.objects.using(using).filter(pk__in=ids[start : start + BATCH])
                changed += batch.refresh_search_text()
                if options["verbosity"] >= 2:
                    self.stdout.write(f"{min(start + BATCH, len(ids))} of {len(ids)} items")
            backend_for(connections[using]).rebuild_index()
        summary = f"Indexed {len(ids)} items ({changed} with new topics or decisions)."
        self.stdout.write(self.style.SUCCESS(summary))
