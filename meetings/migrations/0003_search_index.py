"""The full-text search index of agenda items (see meetings/search.py).

``AgendaItem.search_extra`` on every database. Then, on PostgreSQL, two stored generated
``tsvector`` columns with GIN indexes; on SQLite, an FTS5 table filled by triggers. The SQL is
written out here, as it stood when this migration was made, so that later changes to
meetings/search.py do not change what this migration does.
"""

import django.db.models.deletion
from django.db import migrations, models

BATCH = 500

# PostgreSQL ------------------------------------------------------------------------------

_NUMBER = (
    "CASE WHEN number_printed IN ('', number) THEN number ELSE number || ' ' || number_printed END"
)
_TITLE_VECTOR = f"setweight(to_tsvector('english'::regconfig, {_NUMBER} || ' ' || title), 'A')"

POSTGRESQL_CREATE = [
    f"""
    ALTER TABLE meetings_agendaitem
    ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        {_TITLE_VECTOR}
        || setweight(to_tsvector('english'::regconfig, search_extra), 'B')
        || setweight(
            to_tsvector('english'::regconfig, agenda_text || E'\\n' || minutes_text), 'C'
        )
    ) STORED,
    ADD COLUMN search_vector_public tsvector GENERATED ALWAYS AS (
        CASE WHEN restricted THEN {_TITLE_VECTOR} END
    ) STORED
    """,
    "CREATE INDEX item_search_vector_idx ON meetings_agendaitem USING gin (search_vector)",
    "CREATE INDEX item_search_public_idx ON meetings_agendaitem USING gin (search_vector_public)"
    " WHERE restricted",
]
POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS item_search_public_idx",
    "DROP INDEX IF EXISTS item_search_vector_idx",
    "ALTER TABLE meetings_agendaitem DROP COLUMN IF EXISTS search_vector_public,"
    " DROP COLUMN IF EXISTS search_vector",
]

# SQLite ----------------------------------------------------------------------------------

FTS = "meetings_agendaitem_fts"
FTS_COLUMNS = "number, title, extra, body, restricted_extra, restricted_body, every"


def _fts_values(row):
    text = f"{row}agenda_text || char(10) || {row}minutes_text"
    return (
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


_INSERT = f"INSERT INTO {FTS} (rowid, {FTS_COLUMNS})"
SQLITE_CREATE = [
    f"""
    CREATE VIRTUAL TABLE {FTS} USING fts5(
        {FTS_COLUMNS}, tokenize = 'porter unicode61 remove_diacritics 2'
    )
    """,
    f"""
    CREATE TRIGGER {FTS}_insert AFTER INSERT ON meetings_agendaitem BEGIN
        {_INSERT} VALUES ({_fts_values("new.")});
    END
    """,
    f"""
    CREATE TRIGGER {FTS}_update AFTER UPDATE OF
        number, number_printed, title, agenda_text, minutes_text, restricted, search_extra
    ON meetings_agendaitem BEGIN
        DELETE FROM {FTS} WHERE rowid = old.id;
        {_INSERT} VALUES ({_fts_values("new.")});
    END
    """,
    f"""
    CREATE TRIGGER {FTS}_delete AFTER DELETE ON meetings_agendaitem BEGIN
        DELETE FROM {FTS} WHERE rowid = old.id;
    END
    """,
    f"{_INSERT} SELECT {_fts_values('')} FROM meetings_agendaitem",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {FTS}_insert",
    f"DROP TRIGGER IF EXISTS {FTS}_update",
    f"DROP TRIGGER IF EXISTS {FTS}_delete",
    f"DROP TABLE IF EXISTS {FTS}",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def fill_search_extra(apps, schema_editor):
    """Copy the topic names and decisions of the items already stored into ``search_extra``."""
    AgendaItem = apps.get_model("meetings", "AgendaItem")
    ItemTopic = apps.get_model("meetings", "ItemTopic")
    Resolution = apps.get_model("meetings", "Resolution")
    ids = list(AgendaItem.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        texts = {pk: ([], []) for pk in batch}
        links = ItemTopic.objects.filter(item_id__in=batch).order_by("topic__name")
        for item_id, name in links.values_list("item_id", "topic__name"):
            texts[item_id][0].append(name)
        decisions = Resolution.objects.filter(item_id__in=batch).order_by("item_id", "order")
        for item_id, text in decisions.values_list("item_id", "text"):
            texts[item_id][1].append(text)
        items = list(AgendaItem.objects.filter(pk__in=batch).only("pk"))
        for item in items:
            names, resolutions = texts[item.pk]
            item.search_extra = "\n".join([*names, *resolutions])
        AgendaItem.objects.bulk_update(items, ["search_extra"])


class Migration(migrations.Migration):
    dependencies = [("meetings", "0002_seed_topics")]

    operations = [
        migrations.AddField(
            model_name="agendaitem",
            name="search_extra",
            field=models.TextField(
                blank=True,
                default="",
                editable=False,
                help_text="Topic names and decisions, for search.",
            ),
        ),
        migrations.CreateModel(
            name="ItemSearchEntry",
            fields=[
                (
                    "item",
                    models.OneToOneField(
                        db_column="rowid",
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="search_entry",
                        serialize=False,
                        to="meetings.agendaitem",
                    ),
                ),
                (
                    "document",
                    models.TextField(db_column="meetings_agendaitem_fts"),
                ),
            ],
            options={"db_table": "meetings_agendaitem_fts", "managed": False},
        ),
        migrations.RunPython(fill_search_extra, migrations.RunPython.noop),
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL_CREATE, "sqlite": SQLITE_CREATE}),
            _run({"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP}),
        ),
    ]
