"""Each follow-up keeps the meeting of the item that raised it.

Matching asks for the follow-ups raised at hundreds of meetings at a time; by way of the items,
PostgreSQL read the whole follow-up table for that. The column is filled from the items, then
may not be null. On PostgreSQL the foreign keys written by the filling are checked at once, so
that the table may be altered in the same transaction.
"""

import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    FollowUp = apps.get_model("meetings", "FollowUp")
    AgendaItem = apps.get_model("meetings", "AgendaItem")
    quote = schema_editor.quote_name
    table, items = quote(FollowUp._meta.db_table), quote(AgendaItem._meta.db_table)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    schema_editor.execute(
        f"UPDATE {table} SET meeting_id = (SELECT i.meeting_id FROM {items} i"
        f" WHERE i.id = {table}.item_id)"
    )


def _meeting(null: bool):
    return models.ForeignKey(
        help_text="The meeting of the item that raised it.",
        editable=False,
        null=null,
        on_delete=django.db.models.deletion.CASCADE,
        related_name="+",
        to="meetings.meeting",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0021_followup_due_date_index"),
    ]

    operations = [
        migrations.AddField(model_name="followup", name="meeting", field=_meeting(null=True)),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(model_name="followup", name="meeting", field=_meeting(null=False)),
    ]
