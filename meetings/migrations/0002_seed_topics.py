"""Seed the topic vocabulary the partnership's minutes are tagged with."""

from django.db import migrations
from django.utils.text import slugify

# (name, aliases, case_sensitive)
TOPICS = [
    ("Operation Nightfall", [], False),
    ("Operation Harmony", ["Op Harmony", "Project Harmony"], False),
    ("Operation Shield", ["Op Shield", "Project Shield"], False),
    # The counter-terrorism programme, not the verb "prevent".
    ("Prevent", [], True),
    ("iQuanta", [], False),
    ("Knife Crime", [], False),
    ("Deliberate Fires", [], False),
    ("Domestic Homicide Reviews", ["DHR", "DHRs", "Domestic Homicide Review"], False),
    ("Selective Licensing", [], False),
    ("Anti-Social Behaviour", ["ASB", "Anti Social Behaviour", "Antisocial Behaviour"], False),
    ("Recorded Crime & Disorder", ["Recorded Crime and Disorder"], False),
    ("Serious and Organised Crime", ["Serious Organised Crime"], False),
    ("Off-road bikes", ["Off road bikes", "Off-road bike"], False),
    ("Street Pastors", [], False),
]


def seed_topics(apps, schema_editor):
    Topic = apps.get_model("meetings", "Topic")
    existing = {name.lower() for name in Topic.objects.values_list("name", flat=True)}
    Topic.objects.bulk_create(
        Topic(name=name, slug=slugify(name), aliases=aliases, case_sensitive=case_sensitive)
        for name, aliases, case_sensitive in TOPICS
        if name.lower() not in existing
    )


def remove_topics(apps, schema_editor):
    Topic = apps.get_model("meetings", "Topic")
    Topic.objects.filter(name__in=[name for name, _, _ in TOPICS]).delete()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]

    operations = [migrations.RunPython(seed_topics, remove_topics)]
