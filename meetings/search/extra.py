"""Triggers that keep ``meetings_agendaitem.search_extra`` in step with topics and decisions.

The full-text indexes are built from the item's row alone, so the row holds a copy of what
lives in other tables: the names of the item's topics (sorted by code point, as Python's
``sorted``), then its decisions (``meetings_resolution`` by ``order``, then id), one a line
(``meetings.search.query.search_extra_text``); '' for none. These triggers keep that copy equal to
the tables whatever writes them (the import, the admin, SQL by hand):

- a decision added, removed, or changed in its text, order or item;
- a topic link added, removed or changed;
- a topic renamed.

Each writes the item only when its copy differs (``IS DISTINCT FROM`` / ``IS NOT``): the
import writes new items with their copy already right, so its links and decisions cost no
second write of the item row, which would rewrite the row and run the full-text and facet
triggers again. On PostgreSQL statement triggers with transition tables, one ``UPDATE`` per
statement for every item it touched; on SQLite row triggers.

``generate_archive`` writes the copy itself and leaves these triggers out during its bulk load
(the backends' ``begin_bulk_load`` and ``end_bulk_load``), and the backends install them
(``install_search_extra``) and, on SQLite, put them back after a migration rebuilds a table.
``AgendaItem.objects.refresh_search_text()`` and ``manage.py rebuild_search_index`` recompute
the copy for data stored before migration 0016, which installs these triggers. Imports no
models: only SQL.
"""

from .index import pg_statement_triggers

ITEM_TABLE = "meetings_agendaitem"
MIGRATION = "0016_search_extra_triggers"  # the migration that installs them

# PostgreSQL ---------------------------------------------------------------------------------

# The copy of each item whose id is in ``ids``, written where it differs. Names in code point
# order (COLLATE "C"), as Python's ``sorted``.
PG_REFRESH_FUNCTION = f"""
CREATE OR REPLACE FUNCTION meetings_search_extra_refresh(ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE {ITEM_TABLE} i SET search_extra = x.text
    FROM (
        SELECT a.id, array_to_string(
            ARRAY(SELECT t.name FROM meetings_itemtopic l
                JOIN meetings_topic t ON t.id = l.topic_id
                WHERE l.item_id = a.id ORDER BY t.name COLLATE "C")
            || ARRAY(SELECT r.text FROM meetings_resolution r
                WHERE r.item_id = a.id ORDER BY r."order", r.id),
            E'\\n') AS text
        FROM (SELECT DISTINCT unnest(ids) AS id) a
    ) x
    WHERE i.id = x.id AND i.search_extra IS DISTINCT FROM x.text;
$$
"""


def _pg_refresh(items: str) -> str:
    return f"PERFORM meetings_search_extra_refresh(ARRAY({items}));"


# Rows changed by an UPDATE: those of either transition table not found in the other (an
# UPDATE of other columns changes nothing here). Transition tables cannot go with a column list.
def _pg_changed_items(columns: str) -> str:
    return (
        f"SELECT item_id FROM (SELECT {columns} FROM new_rows"
        f" EXCEPT SELECT {columns} FROM old_rows) changed"
        f" UNION SELECT item_id FROM (SELECT {columns} FROM old_rows"
        f" EXCEPT SELECT {columns} FROM new_rows) changed"
    )


# (name, table, event, transition tables, function body)
_PG_TRIGGERS = [
    (
        "meetings_search_extra_decisions_added",
        "meetings_resolution",
        "INSERT",
        "NEW TABLE AS new_rows",
        _pg_refresh("SELECT DISTINCT item_id FROM new_rows"),
    ),
    (
        "meetings_search_extra_decisions_changed",
        "meetings_resolution",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        _pg_refresh(_pg_changed_items('id, item_id, "order", text')),
    ),
    (
        "meetings_search_extra_decisions_removed",
        "meetings_resolution",
        "DELETE",
        "OLD TABLE AS old_rows",
        _pg_refresh("SELECT DISTINCT item_id FROM old_rows"),
    ),
    (
        "meetings_search_extra_links_added",
        "meetings_itemtopic",
        "INSERT",
        "NEW TABLE AS new_rows",
        _pg_refresh("SELECT DISTINCT item_id FROM new_rows"),
    ),
    (
        "meetings_search_extra_links_changed",
        "meetings_itemtopic",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        _pg_refresh(_pg_changed_items("id, item_id, topic_id")),
    ),
    (
        "meetings_search_extra_links_removed",
        "meetings_itemtopic",
        "DELETE",
        "OLD TABLE AS old_rows",
        _pg_refresh("SELECT DISTINCT item_id FROM old_rows"),
    ),
    (
        "meetings_search_extra_topics_renamed",
        "meetings_topic",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        _pg_refresh(
            "SELECT DISTINCT l.item_id FROM meetings_itemtopic l WHERE l.topic_id IN ("
            "SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id"
            " WHERE n.name IS DISTINCT FROM o.name)"
        ),
    ),
]
# name: (function, trigger, table)
PG_TRIGGERS = pg_statement_triggers(_PG_TRIGGERS)


def pg_create() -> list[str]:
    """Every statement that makes the function and triggers (PostgreSQL)."""
    statements = [PG_REFRESH_FUNCTION]
    for function, trigger, _table in PG_TRIGGERS.values():
        statements += [function, trigger]
    return statements


def pg_drop() -> list[str]:
    return [
        *(
            f"DROP TRIGGER IF EXISTS {name} ON {table}"
            for name, (_f, _t, table) in PG_TRIGGERS.items()
        ),
        *(f"DROP FUNCTION IF EXISTS {name}()" for name in PG_TRIGGERS),
        "DROP FUNCTION IF EXISTS meetings_search_extra_refresh(bigint[])",
    ]


# SQLite -------------------------------------------------------------------------------------


def _sqlite_text(item: str) -> str:
    """The copy the item ``item`` should hold. The default BINARY collation compares UTF-8
    bytes, which is code point order; group_concat keeps the order of its subquery."""
    return f"""(SELECT coalesce(group_concat(value, char(10)), '') FROM (
            SELECT value FROM (
                SELECT 0 AS part, t.name AS value, 0 AS "order", 0 AS id
                FROM meetings_itemtopic l JOIN meetings_topic t ON t.id = l.topic_id
                WHERE l.item_id = {item}
                UNION ALL
                SELECT 1, r.text, r."order", r.id FROM meetings_resolution r
                WHERE r.item_id = {item}
            ) ORDER BY part, CASE WHEN part = 0 THEN value END, "order", id))"""


def _sqlite_refresh(item: str) -> str:
    # The text is computed once when it is unchanged (the WHERE), twice only when written.
    return (
        f"UPDATE {ITEM_TABLE} SET search_extra = {_sqlite_text(item)}"
        f" WHERE id = {item} AND search_extra IS NOT {_sqlite_text(item)};"
    )


SQLITE_TRIGGERS = {
    "meetings_search_extra_decision_insert": f"""
        CREATE TRIGGER meetings_search_extra_decision_insert AFTER INSERT ON meetings_resolution
        BEGIN
            {_sqlite_refresh("new.item_id")}
        END""",
    "meetings_search_extra_decision_update": f"""
        CREATE TRIGGER meetings_search_extra_decision_update
        AFTER UPDATE OF item_id, "order", text ON meetings_resolution
        BEGIN
            {_sqlite_refresh("old.item_id")}
            {_sqlite_refresh("new.item_id")}
        END""",
    "meetings_search_extra_decision_delete": f"""
        CREATE TRIGGER meetings_search_extra_decision_delete AFTER DELETE ON meetings_resolution
        BEGIN
            {_sqlite_refresh("old.item_id")}
        END""",
    "meetings_search_extra_link_insert": f"""
        CREATE TRIGGER meetings_search_extra_link_insert AFTER INSERT ON meetings_itemtopic
        BEGIN
            {_sqlite_refresh("new.item_id")}
        END""",
    "meetings_search_extra_link_update": f"""
        CREATE TRIGGER meetings_search_extra_link_update
        AFTER UPDATE OF item_id, topic_id ON meetings_itemtopic
        BEGIN
            {_sqlite_refresh("old.item_id")}
            {_sqlite_refresh("new.item_id")}
        END""",
    "meetings_search_extra_link_delete": f"""
        CREATE TRIGGER meetings_search_extra_link_delete AFTER DELETE ON meetings_itemtopic
        BEGIN
            {_sqlite_refresh("old.item_id")}
        END""",
    "meetings_search_extra_topic_rename": f"""
        CREATE TRIGGER meetings_search_extra_topic_rename AFTER UPDATE OF name ON meetings_topic
        WHEN old.name IS NOT new.name
        BEGIN
            UPDATE {ITEM_TABLE} SET search_extra = {_sqlite_text(f"{ITEM_TABLE}.id")}
            WHERE id IN (SELECT item_id FROM meetings_itemtopic WHERE topic_id = new.id)
                AND search_extra IS NOT {_sqlite_text(f"{ITEM_TABLE}.id")};
        END""",
}
# The triggers are on the decision, link and topic tables: a migration that rebuilds one of
# those tables drops them (see ``meetings.search.repair_sqlite_index``).


def sqlite_create() -> list[str]:
    return list(SQLITE_TRIGGERS.values())


def sqlite_drop() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS]
