"""PostgreSQL: less work for each item and document written; nothing changes on SQLite.

- The item table's own GIN indexes go. Searches match items through the copies of their
  vectors in ``meetings_searchfacet``, which have GIN indexes of their own (migrations 0007
  and 0008); keeping both doubled the index work of every item written.
- An original document's text and bytes are compressed with LZ4 rather than PostgreSQL's
  own method, several times faster for about the same size. Where the server was built
  without LZ4, they stay as they are.

The SQL is written out as it stood when this migration was made.
"""

from django.db import migrations

_ITEM_INDEXES = [
    "CREATE INDEX item_search_vector_idx ON meetings_agendaitem USING gin (search_vector)",
    "CREATE INDEX item_search_public_idx ON meetings_agendaitem USING gin (search_vector_public)"
    " WHERE restricted",
]


def _compression(method):
    return f"""
    DO $$ BEGIN
        ALTER TABLE meetings_sourcedocument
            ALTER COLUMN original_text SET COMPRESSION {method},
            ALTER COLUMN original_bytes SET COMPRESSION {method};
    EXCEPTION WHEN feature_not_supported THEN NULL;
    END $$
    """


FORWARD = [
    "DROP INDEX IF EXISTS item_search_vector_idx",
    "DROP INDEX IF EXISTS item_search_public_idx",
    _compression("lz4"),
]
BACKWARD = [*_ITEM_INDEXES, _compression("pglz")]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("meetings", "0010_sqlite_facet_row_with_topics")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
