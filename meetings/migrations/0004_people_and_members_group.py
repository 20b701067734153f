"""People named in the attendance lists, and the "Partnership members" group.

Attendees already stored are linked to people here. The name rules are copied from
``meetings.models`` as they stood when this migration was written, so that later changes there
do not change what this migration does.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.utils.text import slugify

MEMBERS_GROUP = "Partnership members"
BATCH = 500

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014", "-"))


def _name(name):
    return " ".join(name.split())


def _key(name):
    return _name(name).translate(_APOSTROPHES).translate(_DASHES).casefold()


def _sort_name(name):
    words = _key(name).split(" ")
    return " ".join([words[-1], *words[:-1]])


def create_members_group(apps, schema_editor):
    """The group whose members may read restricted items.

    The permission is normally created after all migrations have run; it is created here so the
    group can hold it on a new database too.
    """
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="meetings", model="agendaitem")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="view_restricted",
        defaults={"name": "Can view restricted items"},
    )
    group, _ = Group.objects.get_or_create(name=MEMBERS_GROUP)
    group.permissions.add(permission)


def remove_members_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=MEMBERS_GROUP).delete()


def link_attendees(apps, schema_editor):
    """Create a person for every attendee name already stored and link the attendees to it."""
    Attendee = apps.get_model("meetings", "Attendee")
    Person = apps.get_model("meetings", "Person")

    attendees = list(Attendee.objects.filter(person__isnull=True).only("pk", "name"))
    people = {person.key: person for person in Person.objects.all()}
    slugs = {person.slug for person in people.values()}
    new_people = []
    for attendee in attendees:
        key = _key(attendee.name)
        if not key or key in people:
            continue
        base = slugify(_name(attendee.name))[:190] or "person"
        slug, counter = base, 2
        while slug in slugs:
            slug, counter = f"{base}-{counter}", counter + 1
        slugs.add(slug)
        person = Person(
            name=_name(attendee.name)[:200], slug=slug, key=key, sort_name=_sort_name(attendee.name)
        )
        people[key] = person
        new_people.append(person)
    Person.objects.bulk_create(new_people, batch_size=BATCH)
    people = {person.key: person for person in Person.objects.all()}

    for attendee in attendees:
        attendee.person = people.get(_key(attendee.name))
    Attendee.objects.bulk_update(attendees, ["person"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0003_search_index"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="Person",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="As first printed, without title or honours.", max_length=200
                    ),
                ),
                ("slug", models.SlugField(max_length=200, unique=True)),
                (
                    "key",
                    models.CharField(
                        editable=False,
                        help_text="The name in lower case with single spaces.",
                        max_length=200,
                    ),
                ),
                ("sort_name", models.CharField(editable=False, max_length=200)),
            ],
            options={
                "verbose_name_plural": "people",
                "ordering": ["sort_name", "name"],
                "indexes": [
                    models.Index(fields=["sort_name", "name"], name="person_sort_name_idx")
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("key",), name="person_unique_key"),
                    models.CheckConstraint(
                        condition=models.Q(("key", ""), _negated=True),
                        name="person_key_not_empty",
                    ),
                ],
            },
        ),
        migrations.AddField(
            model_name="attendee",
            name="person",
            field=models.ForeignKey(
                blank=True,
                help_text="The same person under every title and spacing of the name.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="attendances",
                to="meetings.person",
            ),
        ),
        migrations.RunPython(create_members_group, remove_members_group),
        migrations.RunPython(link_attendees, migrations.RunPython.noop),
    ]
