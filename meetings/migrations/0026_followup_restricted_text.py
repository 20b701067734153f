"""A follow-up set by hand on a restricted item keeps its text restricted whatever becomes of
the item (``FollowUp.restricted_text``): those already set by hand on restricted items are
marked."""

from django.db import migrations, models


def mark(apps, schema_editor):
    FollowUp = apps.get_model("meetings", "FollowUp")
    FollowUp.objects.filter(set_by_hand=True, item__restricted=True).update(restricted_text=True)


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0025_override_follow_up_return"),
    ]

    operations = [
        migrations.AddField(
            model_name="followup",
            name="restricted_text",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="Its note or wording was set while its item was restricted: shown "
                "only to those who may read restricted items, whatever its item is now.",
            ),
        ),
        migrations.RunPython(mark, migrations.RunPython.noop),
    ]
