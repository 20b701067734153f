from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings"

    def ready(self):
        from . import followups, search
        from .models import Meeting

        # SQLite loses the search index's triggers when a migration rebuilds the item table.
        post_migrate.connect(search.repair_index, sender=self)
        # Meetings arrive out of order and go: the follow-ups around a deleted one are
        # matched again, whatever deleted it.
        post_delete.connect(followups.meeting_deleted, sender=Meeting)
