from django.apps import AppConfig
from django.db.models.signals import post_migrate


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings"

    def ready(self):
        from . import search

        # SQLite loses the search index's triggers when a migration rebuilds the item table.
        post_migrate.connect(search.repair_index, sender=self)
