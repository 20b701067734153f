"""Migration 0026: follow-ups already set by hand on restricted items keep their text hidden."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("meetings", "0025_override_follow_up_return")]
AFTER = [("meetings", "0026_followup_restricted_text")]


@pytest.mark.django_db(transaction=True)
def test_those_set_by_hand_on_restricted_items_are_marked():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Meeting = apps.get_model("meetings", "Meeting")
    AgendaItem = apps.get_model("meetings", "AgendaItem")
    FollowUp = apps.get_model("meetings", "FollowUp")
    meeting = Meeting.objects.create(
        body="SSP", date=datetime.date(2025, 1, 1), date_source="document"
    )
    for position, (restricted, by_hand) in enumerate(
        [(True, True), (True, False), (False, True)], start=1
    ):
        item = AgendaItem.objects.create(
            meeting=meeting, position=position, title=f"Item {position}", restricted=restricted
        )
        FollowUp.objects.create(
            item=item,
            meeting=meeting,
            position=1,
            kind="action",
            what=f"figures {position}",
            set_by_hand=by_hand,
        )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    follow_ups = apps.get_model("meetings", "FollowUp").objects.all()

    assert {f.what: f.restricted_text for f in follow_ups} == {
        "figures 1": True,
        "figures 2": False,
        "figures 3": False,
    }
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
