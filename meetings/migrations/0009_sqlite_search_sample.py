"""SQLite: the full-text index gets a ``sample`` column, for counting broad searches on a sample.

Each item's row holds one word there, "sample" and its id modulo 64 ("sample12"), as
PostgreSQL's ``meetings_searchfacet.sample`` does (migration 0008): a search matching most of
the archive counts the matches of a few buckets, which FTS5 finds by skipping along that
word's lists rather than reading every match to test its rowid. The table is made again with
the column, its triggers with it, and refilled; nothing changes on PostgreSQL. The SQL is
written out as it stood when this migration was made.
"""

from django.db import migrations

FTS = "meetings_agendaitem_fts"
COLUMNS = "number, title, extra, body, restricted_extra, restricted_body, every"


def _fts_values(row, sample):
    text = f"{row}agenda_text || char(10) || {row}minutes_text"
    values = (
        f"{row}id, "
        f"CASE WHEN {row}number_printed IN ('', {row}number) THEN {row}number "
        f"ELSE {row}number || ' ' || {row}number_printed END, "
        f"{row}title, "
        f"CASE WHEN {row}restricted THEN '' ELSE {row}search_extra END, "
        f"CASE WHEN {row}restricted THEN '' ELSE {text} END, "
        f"CASE WHEN {row}restricted THEN {row}search_extra ELSE '' END, "
        f"CASE WHEN {row}restricted THEN {text} ELSE '' END, "
        "'item'"
    )
    return f"{values}, 'sample' || ({row}id % 64)" if sample else values


def _create(sample):
    columns = f"{COLUMNS}, sample" if sample else COLUMNS
    insert = f"INSERT INTO {FTS} (rowid, {columns})"
    return [
        f"DROP TRIGGER IF EXISTS {FTS}_insert",
        f"DROP TRIGGER IF EXISTS {FTS}_update",
        f"DROP TRIGGER IF EXISTS {FTS}_delete",
        f"DROP TABLE IF EXISTS {FTS}",
        f"""
        CREATE VIRTUAL TABLE {FTS} USING fts5(
            {columns}, tokenize = 'porter unicode61 remove_diacritics 2'
        )
        """,
        f"""
        CREATE TRIGGER {FTS}_insert AFTER INSERT ON meetings_agendaitem BEGIN
            {insert} VALUES ({_fts_values("new.", sample)});
        END
        """,
        f"""
        CREATE TRIGGER {FTS}_update AFTER UPDATE OF
            number, number_printed, title, agenda_text, minutes_text, restricted, search_extra
        ON meetings_agendaitem BEGIN
            DELETE FROM {FTS} WHERE rowid = old.id;
            {insert} VALUES ({_fts_values("new.", sample)});
        END
        """,
        f"""
        CREATE TRIGGER {FTS}_delete AFTER DELETE ON meetings_agendaitem BEGIN
            DELETE FROM {FTS} WHERE rowid = old.id;
        END
        """,
        f"{insert} SELECT {_fts_values('', sample)} FROM meetings_agendaitem ORDER BY id",
        # One segment for each word rather than the many that filling the table leaves.
        f"INSERT INTO {FTS} ({FTS}) VALUES ('optimize')",
    ]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("meetings", "0008_search_sample_column")]

    operations = [migrations.RunPython(_run(_create(True)), _run(_create(False)))]
