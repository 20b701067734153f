"""Migration 0020: the items already stored take their meeting's time as when they were stored."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("meetings", "0017_import_event_changes")]
AFTER = [("meetings", "0020_alerts")]


@pytest.mark.django_db(transaction=True)
def test_stored_items_take_their_meetings_creation_time():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Meeting = apps.get_model("meetings", "Meeting")
    AgendaItem = apps.get_model("meetings", "AgendaItem")
    old = Meeting.objects.create(body="SSP", date=datetime.date(2020, 1, 1), date_source="document")
    newer = Meeting.objects.create(
        body="SSP", date=datetime.date(2021, 1, 1), date_source="document"
    )
    long_ago = timezone.now() - datetime.timedelta(days=400)
    Meeting.objects.filter(pk=old.pk).update(created=long_ago)
    AgendaItem.objects.create(meeting=old, position=1, title="Old")
    AgendaItem.objects.create(meeting=newer, position=1, title="Newer")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    items = apps.get_model("meetings", "AgendaItem").objects.order_by("title")
    created = {item.title: item.created for item in items}

    assert created["Old"] == long_ago
    assert created["Newer"] == Meeting.objects.get(pk=newer.pk).created
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
