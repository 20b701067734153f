"""SQLite: the full-text index merges its segments eight at a time rather than four.

FTS5 writes each transaction's words as a new segment and merges segments in the background of
later writes, once ``automerge`` of them stand at one level; each word is written again at
every level it passes. At four, merging was most of what storing an item cost the index. At
eight there are fewer levels to pass: 5,000 documents of 14 items added to an archive of a
million items took the index 2.5 ms of processor time a document rather than 4.2 ms, and
searches read no slower (docs/performance.md). The setting is kept in the index's own
configuration, which rebuilding the index leaves as it is. Nothing changes on PostgreSQL.
"""

from django.db import migrations

FTS = "meetings_agendaitem_fts"


def _automerge(segments):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        schema_editor.execute(
            f"INSERT INTO {FTS} ({FTS}, rank) VALUES ('automerge', %s)", [segments]
        )

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0027_source_document_compression"),
    ]

    operations = [migrations.RunPython(_automerge(8), _automerge(4))]
