"""On PostgreSQL, items' text and search vectors, and the narrow search table's copies of the
vectors, are compressed with LZ4 rather than PostgreSQL's own method, as originals are since
migration 0027.

An item's row outgrows PostgreSQL's 2 KB threshold once its ``tsvector`` is added, and the
narrow table keeps every vector out of line, so nearly every item stored had its vectors, and
often its text, put through the slower method, which then mostly gave up on the vectors:
storing 4,200 items (300 documents) took the server 3.0 s rather than 3.5 s with LZ4, and
their vectors and text took 14 MB rather than 15 MB. Only what is stored from now on; a server
built without LZ4, or older than PostgreSQL 14, keeps its own method. Elsewhere nothing
changes.
"""

from django.db import DatabaseError, migrations, transaction

COLUMNS = {
    "meetings_agendaitem": ("agenda_text", "minutes_text", "search_vector", "search_vector_public"),
    "meetings_searchfacet": ("vector", "vector_public"),
}


def _compress(method):
    def run(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql" or connection.pg_version < 140000:
            return
        quote = schema_editor.quote_name
        try:
            with transaction.atomic(using=connection.alias):
                for table, columns in COLUMNS.items():
                    changes = ", ".join(
                        f"ALTER COLUMN {quote(column)} SET COMPRESSION {method}"
                        for column in columns
                    )
                    schema_editor.execute(f"ALTER TABLE {quote(table)} {changes}")
        except DatabaseError:
            if method == "default":
                raise
            # built without LZ4: its own method stays

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0028_sqlite_fts_automerge"),
    ]

    operations = [migrations.RunPython(_compress("lz4"), _compress("default"))]
