"""Foreign keys lose the index Django gives each when another index starts with them.

Each of these columns was indexed twice: by the index Django makes for a foreign key, and as
the first column of a unique constraint or an index of the model's own (named beside the field
in ``meetings.models``), which serves every query by that column as well. The second index
cost every row an import writes (an item, its decisions, topic links and follow-ups, the
attendees) one more index entry, and space. Only the indexes are dropped: the columns and
their constraints stay, and on SQLite no table is rebuilt. Dropping an index does not read
its table, but on PostgreSQL it locks the table until the migration commits: migrate while
no import is running, as for any migration. Reversing it builds the eight indexes again,
which on a large archive takes minutes and holds back writes meanwhile.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (table, column, the suffix of Django's name for the index of the foreign key alone), one
# for each field altered below.
DROPPED = [
    ("meetings_agendaitem", "meeting_id", "07815bb0"),
    ("meetings_alert", "user_id", "e4e22f86"),
    ("meetings_attendee", "meeting_id", "7f19274c"),
    ("meetings_followup", "item_id", "af4a3d84"),
    ("meetings_followup", "returned_item_id", "a358b9f9"),
    ("meetings_importevent", "meeting_id", "e9c116eb"),
    ("meetings_itemtopic", "item_id", "b61cb881"),
    ("meetings_resolution", "item_id", "378adf00"),
]


def _index(table: str, column: str, suffix: str) -> str:
    return f'"{table}_{column}_{suffix}"'


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0029_item_text_compression"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {_index(table, column, suffix)}",
                    f'CREATE INDEX IF NOT EXISTS {_index(table, column, suffix)} ON "{table}" '
                    f'("{column}")',
                )
                for table, column, suffix in DROPPED
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="agendaitem",
                    name="meeting",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="items",
                        to="meetings.meeting",
                    ),
                ),
                migrations.AlterField(
                    model_name="alert",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="alerts",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="attendee",
                    name="meeting",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attendees",
                        to="meetings.meeting",
                    ),
                ),
                migrations.AlterField(
                    model_name="followup",
                    name="item",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="follow_ups",
                        to="meetings.agendaitem",
                    ),
                ),
                migrations.AlterField(
                    model_name="followup",
                    name="returned_item",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        help_text=(
                            "The later item that took it up: suggested, or confirmed by an "
                            "administrator."
                        ),
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="returned_follow_ups",
                        to="meetings.agendaitem",
                    ),
                ),
                migrations.AlterField(
                    model_name="importevent",
                    name="meeting",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="import_events",
                        to="meetings.meeting",
                    ),
                ),
                migrations.AlterField(
                    model_name="itemtopic",
                    name="item",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="item_topics",
                        to="meetings.agendaitem",
                    ),
                ),
                migrations.AlterField(
                    model_name="resolution",
                    name="item",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="resolutions",
                        to="meetings.agendaitem",
                    ),
                ),
            ],
        ),
    ]
