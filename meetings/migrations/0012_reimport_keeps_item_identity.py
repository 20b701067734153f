"""Re-import keeps each item's identity: overrides kept unmatched, topic links as overrides,
and the body given with an import remembered with its file."""

from django.db import migrations, models
from django.db.models import Q

ITEM_FIELDS = ["title", "restricted", "topics"]


def forget_what_the_old_schema_cannot_hold(apps, schema_editor):
    """Backwards: unmatched overrides and topic-link overrides have no place before this."""
    Override = apps.get_model("meetings", "Override")
    Override.objects.filter(Q(unmatched__isnull=False) | Q(field="topics")).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0011_postgresql_lighter_item_writes"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="override",
            name="override_field_fits_target",
        ),
        migrations.RemoveConstraint(
            model_name="override",
            name="override_unique_meeting_field",
        ),
        migrations.AddField(
            model_name="override",
            name="unmatched",
            field=models.JSONField(
                blank=True,
                editable=False,
                help_text="For an item's override whose item an import could not find again: "
                'the item as it was, {"position", "number", "title"}, and for a restriction the '
                'items held restricted until it is placed, {"held": {item id: what the minutes '
                "say}}.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="sourcedocument",
            name="body_given",
            field=models.CharField(
                blank=True,
                help_text="The body given with the import (--body, or on the upload's "
                "preview); given again when the file is re-imported.",
                max_length=300,
            ),
        ),
        migrations.AlterField(
            model_name="override",
            name="field",
            field=models.CharField(
                choices=[
                    ("date", "date"),
                    ("body", "body"),
                    ("title", "title"),
                    ("restricted", "restricted"),
                    ("topics", "topics"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddConstraint(
            model_name="override",
            constraint=models.CheckConstraint(
                condition=Q(meeting__isnull=True, unmatched__isnull=True, field__in=ITEM_FIELDS)
                | Q(item__isnull=True, unmatched__isnull=True, field__in=["date", "body"])
                | Q(item__isnull=True, unmatched__isnull=False, field__in=ITEM_FIELDS),
                name="override_field_fits_target",
            ),
        ),
        migrations.AddConstraint(
            model_name="override",
            constraint=models.UniqueConstraint(
                condition=Q(meeting__isnull=False, unmatched__isnull=True),
                fields=("meeting", "field"),
                name="override_unique_meeting_field",
            ),
        ),
        # Last, so that going back it runs first, while the new columns are still there.
        migrations.RunPython(migrations.RunPython.noop, forget_what_the_old_schema_cannot_hold),
    ]
