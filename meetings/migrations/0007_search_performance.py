"""The narrow search table and the archive's counts (see meetings/facet_index.py).

``meetings_searchfacet`` holds each item's facet values (and on PostgreSQL its search vectors)
in a small row; ``meetings_searchcount`` and ``meetings_searchtopiccount`` hold the counts of
the whole archive. Triggers keep them in step. Only SQL: no model changes.
"""

from django.db import migrations

from meetings import facet_index


def create(apps, schema_editor):
    connection = schema_editor.connection
    statements = (
        facet_index.pg_create()
        if connection.vendor == "postgresql"
        else facet_index.sqlite_create()
    )
    for statement in statements:
        schema_editor.execute(statement, params=None)


def drop(apps, schema_editor):
    connection = schema_editor.connection
    statements = (
        facet_index.pg_drop() if connection.vendor == "postgresql" else facet_index.sqlite_drop()
    )
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0006_overrides_and_history")]

    operations = [migrations.RunPython(create, drop)]
