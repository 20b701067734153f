"""A return confirmed by hand whose item a re-import removes is kept as an unmatched override."""

from django.db import migrations, models
from django.db.models import Q

ITEM_FIELDS = ["title", "restricted", "topics"]


def forget_kept_returns(apps, schema_editor):
    """Backwards: the old schema has no place for a confirmed return kept as an override."""
    Override = apps.get_model("meetings", "Override")
    Override.objects.filter(field="follow_up_return").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0024_override_follow_up"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="override",
            name="override_field_fits_target",
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
                    ("follow_up", "follow-up"),
                    ("follow_up_return", "confirmed return"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddConstraint(
            model_name="override",
            constraint=models.CheckConstraint(
                condition=Q(meeting__isnull=True, unmatched__isnull=True, field__in=ITEM_FIELDS)
                | Q(item__isnull=True, unmatched__isnull=True, field__in=["date", "body"])
                | Q(
                    item__isnull=True,
                    unmatched__isnull=False,
                    field__in=[*ITEM_FIELDS, "follow_up", "follow_up_return"],
                ),
                name="override_field_fits_target",
            ),
        ),
        # Last, so that going back it runs first, while the constraint still allows them.
        migrations.RunPython(migrations.RunPython.noop, forget_kept_returns),
    ]
