"""A meeting says whether its original file has been checked for publication.

As in 0013: on SQLite the column is added in place, as a table rebuild is stopped by the
search index's triggers that read the meetings table.
"""

from django.db import migrations, models

NAME = "original_checked_for_publication"


def _field():
    return models.BooleanField(
        default=False,
        help_text="The original file has been read and holds nothing that may not be public: "
        "anyone may download it from the meeting's page. Cleared when a re-import brings a file "
        "with other content.",
    )


def add_column(apps, schema_editor):
    Meeting = apps.get_model("meetings", "Meeting")
    if schema_editor.connection.vendor != "sqlite":
        # The model of this migration's state has no such field yet.
        field = _field()
        field.set_attributes_from_name(NAME)
        field.model = Meeting
        schema_editor.add_field(Meeting, field)
        return
    table = schema_editor.quote_name(Meeting._meta.db_table)
    schema_editor.execute(f"ALTER TABLE {table} ADD COLUMN {NAME} bool NOT NULL DEFAULT 0")


def drop_column(apps, schema_editor):
    Meeting = apps.get_model("meetings", "Meeting")
    table = schema_editor.quote_name(Meeting._meta.db_table)
    schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN {NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0017_import_event_changes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddField(model_name="meeting", name=NAME, field=_field())],
            database_operations=[migrations.RunPython(add_column, drop_column)],
        ),
    ]
