"""Overrides (corrections made by hand in the admin) and the import history of each meeting.

Dates set by an administrator before overrides existed become date overrides, and every source
document already stored gets the import event it would have had.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

BATCH = 500


def carry_over_admin_dates(apps, schema_editor):
    """A date set by an administrator is now kept by an override of the date.

    What the minutes said before the change was not recorded, so the override's ``imported``
    is left empty: dropping it imports the meeting's minutes again to find out.
    """
    Meeting = apps.get_model("meetings", "Meeting")
    Override = apps.get_model("meetings", "Override")
    Override.objects.bulk_create(
        Override(
            meeting_id=meeting_id,
            field="date",
            value=date.isoformat() if date else None,
            created_by_name="before overrides were recorded",
        )
        for meeting_id, date in Meeting.objects.filter(date_source="admin").values_list(
            "pk", "date"
        )
    )


def record_past_imports(apps, schema_editor):
    """One import event per source document stored, in the order they were imported."""
    SourceDocument = apps.get_model("meetings", "SourceDocument")
    ImportEvent = apps.get_model("meetings", "ImportEvent")
    seen_meetings = set()
    events = []
    documents = SourceDocument.objects.filter(status__in=["imported", "failed"]).order_by(
        "imported_at", "pk"
    )
    for document in documents.only(
        "pk", "file_name", "status", "error", "meeting_id", "imported_at", "imported_by_id",
        "imported_by_name",
    ).iterator(chunk_size=BATCH):  # fmt: skip
        if document.status == "failed":
            outcome = "failed"
        elif document.meeting_id in seen_meetings:
            outcome = "updated"
        else:
            outcome = "created"
        seen_meetings.add(document.meeting_id)
        events.append(
            ImportEvent(
                meeting_id=document.meeting_id,
                source_document_id=document.pk,
                file_name=document.file_name,
                action="import",
                outcome=outcome,
                message=document.error,
                by_id=document.imported_by_id,
                by_name=document.imported_by_name,
                at=document.imported_at,
            )
        )
    ImportEvent.objects.bulk_create(events, batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0005_import_permission"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Override",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "field",
                    models.CharField(
                        choices=[
                            ("date", "date"),
                            ("body", "body"),
                            ("title", "title"),
                            ("restricted", "restricted"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "value",
                    models.JSONField(
                        blank=True,
                        help_text="The value set by hand; a date as YYYY-MM-DD.",
                        null=True,
                    ),
                ),
                (
                    "imported",
                    models.JSONField(
                        blank=True,
                        editable=False,
                        help_text='What the latest import gave, as {"value": ...}; put back '
                        "when the override is dropped. Empty when not known.",
                        null=True,
                    ),
                ),
                ("created_by_name", models.CharField(blank=True, max_length=150)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "item",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="overrides",
                        to="meetings.agendaitem",
                    ),
                ),
                (
                    "meeting",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="overrides",
                        to="meetings.meeting",
                    ),
                ),
            ],
            options={
                "ordering": ["meeting", "item", "field"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("item__isnull", True), ("meeting__isnull", False)),
                            models.Q(("item__isnull", False), ("meeting__isnull", True)),
                            _connector="OR",
                        ),
                        name="override_one_target",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("field__in", ["title", "restricted"]), ("meeting__isnull", True)
                            ),
                            models.Q(("field__in", ["date", "body"]), ("item__isnull", True)),
                            _connector="OR",
                        ),
                        name="override_field_fits_target",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("meeting__isnull", False)),
                        fields=("meeting", "field"),
                        name="override_unique_meeting_field",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("item__isnull", False)),
                        fields=("item", "field"),
                        name="override_unique_item_field",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ImportEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("file_name", models.CharField(max_length=255)),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("import", "Import"),
                            ("upload", "Upload"),
                            ("reimport", "Re-import"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("created", "Created"),
                            ("updated", "Updated"),
                            ("unchanged", "Unchanged"),
                            ("failed", "Failed"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "message",
                    models.TextField(
                        blank=True, help_text="What changed, or why the import failed."
                    ),
                ),
                (
                    "by_name",
                    models.CharField(
                        blank=True,
                        help_text="Who or what ran the import, e.g. a command.",
                        max_length=150,
                    ),
                ),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "meeting",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="import_events",
                        to="meetings.meeting",
                    ),
                ),
                (
                    "source_document",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="import_events",
                        to="meetings.sourcedocument",
                    ),
                ),
            ],
            options={
                "ordering": ["-at", "-pk"],
                "indexes": [
                    models.Index(fields=["meeting", "-at"], name="importevent_meeting_idx"),
                    models.Index(fields=["-at"], name="importevent_at_idx"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("action__in", ["import", "upload", "reimport"])),
                        name="importevent_action_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("outcome__in", ["created", "updated", "unchanged", "failed"])
                        ),
                        name="importevent_outcome_valid",
                    ),
                ],
            },
        ),
        migrations.RunPython(carry_over_admin_dates, migrations.RunPython.noop),
        migrations.RunPython(record_past_imports, migrations.RunPython.noop),
    ]
