"""A meeting keeps the reader's notes on how its document was read.

On SQLite, Django adds a column that may not be null by rebuilding the table, and the search
index's triggers on the items, which read the meetings table, stop the rebuild. A column with a
constant default is added in place there instead; inserts always give a value.
"""

from django.db import migrations, models


def _field():
    return models.JSONField(
        blank=True,
        default=list,
        help_text="How the document was read: the layout found and what was inferred.",
    )


def add_column(apps, schema_editor):
    Meeting = apps.get_model("meetings", "Meeting")
    if schema_editor.connection.vendor != "sqlite":
        # The model of this migration's state has no such field yet.
        field = _field()
        field.set_attributes_from_name("reading_notes")
        field.model = Meeting
        schema_editor.add_field(Meeting, field)
        return
    table = schema_editor.quote_name(Meeting._meta.db_table)
    schema_editor.execute(
        f"ALTER TABLE {table} ADD COLUMN reading_notes text NOT NULL DEFAULT '[]' "
        "CHECK (JSON_VALID(reading_notes))"
    )


def drop_column(apps, schema_editor):
    Meeting = apps.get_model("meetings", "Meeting")
    table = schema_editor.quote_name(Meeting._meta.db_table)
    schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN reading_notes")


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0012_reimport_keeps_item_identity"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(model_name="meeting", name="reading_notes", field=_field())
            ],
            database_operations=[migrations.RunPython(add_column, drop_column)],
        ),
    ]
