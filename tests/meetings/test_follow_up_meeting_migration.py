"""Migration 0022: the follow-ups already stored take the meeting of the item that raised them."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("meetings", "0021_followup_due_date_index")]
AFTER = [("meetings", "0022_followup_meeting")]


@pytest.mark.django_db(transaction=True)
def test_stored_follow_ups_take_their_items_meeting():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Meeting = apps.get_model("meetings", "Meeting")
    AgendaItem = apps.get_model("meetings", "AgendaItem")
    FollowUp = apps.get_model("meetings", "FollowUp")
    raised = {}
    for month in (1, 2):
        meeting = Meeting.objects.create(
            body="SSP", date=datetime.date(2025, month, 1), date_source="document"
        )
        item = AgendaItem.objects.create(meeting=meeting, position=1, title=f"Item {month}")
        FollowUp.objects.create(item=item, position=1, kind="action", what=f"figures {month}")
        raised[f"figures {month}"] = meeting.pk

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    follow_ups = apps.get_model("meetings", "FollowUp").objects.all()

    assert {follow_up.what: follow_up.meeting_id for follow_up in follow_ups} == raised
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
