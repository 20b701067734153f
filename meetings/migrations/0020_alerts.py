"""Alerts: saved searches, followed topics and bodies, the digest outbox, and when each agenda
item was first stored.

An item's ``created`` is its meeting's for the items already stored. On SQLite, Django adds a
column that may not be null by rebuilding the table, which the search index's triggers on the
items stop (see 0013); the column is added in place there with a constant default, then set.
Inserts always give a value.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import meetings.models


def _created():
    return models.DateTimeField(
        default=django.utils.timezone.now,
        editable=False,
        help_text="When the item was first stored.",
    )


def add_item_created(apps, schema_editor):
    AgendaItem = apps.get_model("meetings", "AgendaItem")
    table = schema_editor.quote_name(AgendaItem._meta.db_table)
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN created datetime NOT NULL "
            "DEFAULT '1970-01-01 00:00:00'"
        )
    else:
        # The model of this migration's state has no such field yet.
        field = _created()
        field.set_attributes_from_name("created")
        field.model = AgendaItem
        schema_editor.add_field(AgendaItem, field)
    meetings_table = schema_editor.quote_name("meetings_meeting")
    schema_editor.execute(
        f"UPDATE {table} SET created = (SELECT m.created FROM {meetings_table} m"
        f" WHERE m.id = {table}.meeting_id)"
    )


def drop_item_created(apps, schema_editor):
    AgendaItem = apps.get_model("meetings", "AgendaItem")
    table = schema_editor.quote_name(AgendaItem._meta.db_table)
    schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN created")


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0019_follow_ups"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(model_name="agendaitem", name="created", field=_created())
            ],
            database_operations=[migrations.RunPython(add_item_created, drop_item_created)],
        ),
        migrations.AddIndex(
            model_name="agendaitem",
            index=models.Index(fields=["created"], name="item_created_idx"),
        ),
        migrations.CreateModel(
            name="Alert",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),  # noqa: E501
                (
                    "kind",
                    models.CharField(
                        choices=[("search", "Search"), ("topic", "Topic"), ("body", "Body")],
                        default="search",
                        max_length=10,
                    ),
                ),  # noqa: E501
                (
                    "params",
                    models.CharField(
                        blank=True,
                        help_text="The search's query string: q and the filters.",
                        max_length=2000,
                    ),
                ),  # noqa: E501
                (
                    "label",
                    models.CharField(
                        help_text="The search as its owner reads it.", max_length=1000
                    ),
                ),  # noqa: E501
                (
                    "email",
                    models.BooleanField(default=True, help_text="Told of in the email digests."),
                ),  # noqa: E501
                (
                    "feed_token",
                    models.CharField(
                        default=meetings.models.new_feed_token,
                        editable=False,
                        max_length=64,
                        unique=True,
                    ),
                ),  # noqa: E501
                ("created", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="alerts",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),  # noqa: E501
            ],
            options={"ordering": ["user", "created", "pk"]},
        ),
        migrations.CreateModel(
            name="AlertDigest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),  # noqa: E501
                ("message_id", models.CharField(max_length=255, unique=True)),
                ("since", models.DateTimeField(help_text="Items stored after this time…")),
                ("until", models.DateTimeField(help_text="…and up to this one.")),
                ("created", models.DateTimeField(default=django.utils.timezone.now)),
                ("sent", models.DateTimeField(blank=True, null=True)),
                ("item_count", models.PositiveIntegerField(default=0)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="alert_digests",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),  # noqa: E501
            ],
            options={"ordering": ["-created", "-pk"]},
        ),
        migrations.CreateModel(
            name="AlertRecipient",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),  # noqa: E501
                ("mark", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="alert_recipient",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),  # noqa: E501
            ],
        ),
        migrations.AddConstraint(
            model_name="alert",
            constraint=models.UniqueConstraint(
                fields=("user", "params"), name="alert_unique_search"
            ),  # noqa: E501
        ),
        migrations.AddConstraint(
            model_name="alert",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind__in", ["search", "topic", "body"])),
                name="alert_kind_valid",
            ),  # noqa: E501
        ),
        migrations.AddConstraint(
            model_name="alertdigest",
            constraint=models.UniqueConstraint(
                condition=models.Q(("sent__isnull", True)),
                fields=("user",),
                name="alertdigest_one_unsent_per_user",
            ),  # noqa: E501
        ),
        migrations.AddConstraint(
            model_name="alertdigest",
            constraint=models.CheckConstraint(
                condition=models.Q(("until__gt", models.F("since"))), name="alertdigest_window"
            ),  # noqa: E501
        ),
    ]
