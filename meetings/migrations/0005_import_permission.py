"""Importing minutes through the admin: the permission, and uploads awaiting confirmation."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0004_people_and_members_group"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="sourcedocument",
            options={
                "ordering": ["-imported_at", "-pk"],
                "permissions": [("import_minutes", "Can import and re-import minutes")],
            },
        ),
        migrations.AlterField(
            model_name="sourcedocument",
            name="status",
            field=models.CharField(
                choices=[
                    ("imported", "Imported"),
                    ("failed", "Failed"),
                    ("pending", "Awaiting confirmation"),
                    ("cancelled", "Cancelled"),
                ],
                max_length=10,
            ),
        ),
        migrations.RemoveConstraint(
            model_name="sourcedocument",
            name="source_status_valid",
        ),
        migrations.AddConstraint(
            model_name="sourcedocument",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["imported", "failed", "pending", "cancelled"])),
                name="source_status_valid",
            ),
        ),
    ]
