"""The search indexes' own tables and the triggers that keep them in step: the SQL, once.

This module is the one source of the trigger and function text a database holds: migration
0015 installs it (``pg_install`` and ``sqlite_install``), and the backends use the same
text whenever they put triggers back (``meetings.search.backends``: SQLite's repair after a
migration, the end of a bulk load). No models and no connections here, only SQL.

The narrow search table
-----------------------
Each item's facet values in a small row, and counts kept up to date.

The search page counts every match by year, restricted, status, body and topic. Reading those
from ``meetings_agendaitem`` and ``meetings_meeting`` means reading rows holding the whole
minutes text; at a million items that took seconds. So each item also has a row in
``meetings_searchfacet`` holding only what the page filters, counts and orders by:

====================  =========================================================================
``item_id``           the item (primary key; on SQLite the rowid, as in the full-text index)
``meeting_id``        its meeting, and the meeting's ``date``, ``year`` and ``body``
``position``          its place in the meeting, for the newest-first order
``restricted``        and ``status``
``topics``            the ids of its topics, and ``topics_public``: those a user without
                      ``meetings.view_restricted`` may see (for a restricted item, only the
                      topics named in its title). PostgreSQL ``bigint[]``, SQLite JSON arrays.
``vector``            PostgreSQL only: copies of the item's ``search_vector`` and (restricted
``vector_public``     items only) ``search_vector_public``, each with its GIN index (with
``sample``            ``sample``, see ``SAMPLE_BUCKETS``). The vectors are stored out
                      of line (``toast_tuple_target``), so a row is about a hundred bytes and
                      one pass over every match for a common word reads little.
====================  =========================================================================

Two more tables hold the counts of the whole archive, for the search page without a query, the
home page and the topic pages: ``meetings_searchcount`` (items by year, restricted, status and
body; year 0 for undated meetings) and ``meetings_searchtopiccount`` (items on each topic by
year, for everyone and for those who may read restricted text).

Triggers keep all three in step with items, meetings and topic links, whatever writes them
(the import, the admin, SQL by hand): on PostgreSQL statement triggers with transition tables,
so a bulk insert refreshes its rows in one statement; on SQLite row triggers. A backend's
``rebuild_index`` recomputes everything from the item tables (``manage.py
rebuild_search_index``), and ``generate_archive`` leaves the triggers out during its bulk load
and rebuilds once at the end (``meetings.search.bulk.bulk_load``). Migration 0007 creates the
tables.

SQLite's full-text table
------------------------
``meetings_agendaitem_fts`` (FTS5, made by migration 0003), one row per item with the item's
id as its rowid, filled by the triggers ``SQLITE_FTS_TRIGGERS`` from ``fts_values``; see
``meetings.search.backends.sqlite`` for how it is searched. It merges its segments eight at a
time (migration 0028): storing an item costs the index about two fifths less than at four.
"""

import hashlib

FACET_TABLE = "meetings_searchfacet"
COUNT_TABLE = "meetings_searchcount"
TOPIC_COUNT_TABLE = "meetings_searchtopiccount"
# PostgreSQL: the column ``sample`` holds the lexeme "sample N", N the item id modulo
# SAMPLE_BUCKETS, and is indexed with the vectors, so that a search can count a fixed share of
# its matches through the GIN index itself (see ``meetings.search.facets.FacetQuery.summary``).
SAMPLE_BUCKETS = 64
SAMPLE_LEXEME = "sample"

# PostgreSQL ---------------------------------------------------------------------------------

_PG_FACET_COLUMNS = (
    "item_id, meeting_id, date, year, body, position, restricted, status, topics,"
    " topics_public, vector, vector_public, sample"
)

# The rows of the items whose ids are in ``ids``, as they should be: added, changed or removed.
PG_REFRESH_FUNCTION = f"""
CREATE OR REPLACE FUNCTION meetings_searchfacet_refresh(ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    DELETE FROM {FACET_TABLE} f
    WHERE f.item_id = ANY(ids)
      AND NOT EXISTS (SELECT FROM meetings_agendaitem i WHERE i.id = f.item_id);
    INSERT INTO {FACET_TABLE} AS f ({_PG_FACET_COLUMNS})
    SELECT i.id, i.meeting_id, m.date, extract(year FROM m.date), m.body, i.position,
        i.restricted, i.status, coalesce(t.topics, '{{}}'), coalesce(t.topics_public, '{{}}'),
        i.search_vector, CASE WHEN i.restricted THEN i.search_vector_public END,
        array_to_tsvector(ARRAY['{SAMPLE_LEXEME} ' || i.id % {SAMPLE_BUCKETS}])
    FROM meetings_agendaitem i
    JOIN meetings_meeting m ON m.id = i.meeting_id
    LEFT JOIN LATERAL (
        SELECT array_agg(l.topic_id ORDER BY l.topic_id) AS topics,
            array_agg(l.topic_id ORDER BY l.topic_id)
                FILTER (WHERE l.in_title OR NOT i.restricted) AS topics_public
        FROM meetings_itemtopic l WHERE l.item_id = i.id
    ) t ON true
    WHERE i.id = ANY(ids)
    ORDER BY i.id
    ON CONFLICT (item_id) DO UPDATE SET
        meeting_id = EXCLUDED.meeting_id, date = EXCLUDED.date, year = EXCLUDED.year,
        body = EXCLUDED.body, position = EXCLUDED.position, restricted = EXCLUDED.restricted,
        status = EXCLUDED.status, topics = EXCLUDED.topics,
        topics_public = EXCLUDED.topics_public,
        -- An unchanged vector keeps its stored copy rather than being written again.
        vector = CASE WHEN f.vector = EXCLUDED.vector THEN f.vector ELSE EXCLUDED.vector END,
        vector_public = CASE WHEN f.vector_public IS NOT DISTINCT FROM EXCLUDED.vector_public
            THEN f.vector_public ELSE EXCLUDED.vector_public END
    WHERE (f.meeting_id, f.date, f.body, f.position, f.restricted, f.status, f.topics,
            f.topics_public)
        IS DISTINCT FROM (EXCLUDED.meeting_id, EXCLUDED.date, EXCLUDED.body,
            EXCLUDED.position, EXCLUDED.restricted, EXCLUDED.status, EXCLUDED.topics,
            EXCLUDED.topics_public)
        OR f.vector <> EXCLUDED.vector
        OR f.vector_public IS DISTINCT FROM EXCLUDED.vector_public;
$$
"""


def _pg_trigger_function(name: str, body: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {body}
    RETURN NULL;
END
$$
"""


def pg_statement_triggers(definitions) -> dict[str, tuple[str, str, str]]:
    """name: (function, trigger, table) of statement triggers with transition tables, from
    (name, table, event, transition tables, body of the function) of each."""
    return {
        name: (
            _pg_trigger_function(name, body),
            f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {tables}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
            table,
        )
        for name, table, event, tables, body in definitions
    }


def _pg_count_changes(rows: str, sign: str) -> str:
    """(kind, key, change) of the counts for the facet rows in the transition table ``rows``."""
    return f"""
        SELECT coalesce(year, 0) AS year, restricted, status, body,
            {sign}1 AS items, 0::bigint AS topic_id, 0 AS topic_items, 0 AS topic_public
        FROM {rows}
        UNION ALL
        SELECT coalesce(year, 0), false, '', '', 0, topic_id, {sign}1, 0
        FROM {rows}, unnest(topics) topic_id
        UNION ALL
        SELECT coalesce(year, 0), false, '', '', 0, topic_id, 0, {sign}1
        FROM {rows}, unnest(topics_public) topic_id
    """


def _pg_apply_counts(changes: str) -> str:
    """Statements adding ``changes`` (see ``_pg_count_changes``) to the count tables.

    Rows are locked in key order, so two imports at the same time cannot deadlock here.
    """
    return f"""
    INSERT INTO {COUNT_TABLE} AS c (year, restricted, status, body, items)
    SELECT year, restricted, status, body, sum(items) FROM ({changes}) changes
    WHERE topic_id = 0
    GROUP BY year, restricted, status, body HAVING sum(items) <> 0
    ORDER BY year, restricted, status, body
    ON CONFLICT (year, restricted, status, body) DO UPDATE SET items = c.items + EXCLUDED.items;
    INSERT INTO {TOPIC_COUNT_TABLE} AS c (topic_id, year, items, items_public)
    SELECT topic_id, year, sum(topic_items), sum(topic_public) FROM ({changes}) changes
    WHERE topic_id <> 0
    GROUP BY topic_id, year HAVING sum(topic_items) <> 0 OR sum(topic_public) <> 0
    ORDER BY topic_id, year
    ON CONFLICT (topic_id, year) DO UPDATE SET
        items = c.items + EXCLUDED.items, items_public = c.items_public + EXCLUDED.items_public;
    """


_PG_NEW_AND_OLD = (
    f"{_pg_count_changes('new_rows', '')} UNION ALL {_pg_count_changes('old_rows', '-')}"
)

# (name, table, event, transition tables, function body)
_PG_TRIGGERS = [
    (
        "meetings_searchfacet_items_added",
        "meetings_agendaitem",
        "INSERT",
        "NEW TABLE AS new_rows",
        "PERFORM meetings_searchfacet_refresh(ARRAY(SELECT id FROM new_rows));",
    ),
    (
        "meetings_searchfacet_items_changed",
        "meetings_agendaitem",
        "UPDATE",
        "NEW TABLE AS new_rows",
        "PERFORM meetings_searchfacet_refresh(ARRAY(SELECT id FROM new_rows));",
    ),
    (
        "meetings_searchfacet_items_removed",
        "meetings_agendaitem",
        "DELETE",
        "OLD TABLE AS old_rows",
        f"DELETE FROM {FACET_TABLE} WHERE item_id IN (SELECT id FROM old_rows);",
    ),
    (
        "meetings_searchfacet_links_added",
        "meetings_itemtopic",
        "INSERT",
        "NEW TABLE AS new_rows",
        "PERFORM meetings_searchfacet_refresh(ARRAY(SELECT DISTINCT item_id FROM new_rows));",
    ),
    (
        "meetings_searchfacet_links_changed",
        "meetings_itemtopic",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "PERFORM meetings_searchfacet_refresh("
        "ARRAY(SELECT item_id FROM new_rows UNION SELECT item_id FROM old_rows));",
    ),
    (
        "meetings_searchfacet_links_removed",
        "meetings_itemtopic",
        "DELETE",
        "OLD TABLE AS old_rows",
        "PERFORM meetings_searchfacet_refresh(ARRAY(SELECT DISTINCT item_id FROM old_rows));",
    ),
    (
        "meetings_searchfacet_meetings_changed",
        "meetings_meeting",
        "UPDATE",
        "NEW TABLE AS new_rows",
        f"""UPDATE {FACET_TABLE} f
        SET date = m.date, year = extract(year FROM m.date), body = m.body
        FROM new_rows m
        WHERE f.meeting_id = m.id AND (f.date IS DISTINCT FROM m.date OR f.body <> m.body);""",
    ),
    (
        "meetings_searchcount_added",
        FACET_TABLE,
        "INSERT",
        "NEW TABLE AS new_rows",
        _pg_apply_counts(_pg_count_changes("new_rows", "")),
    ),
    (
        "meetings_searchcount_changed",
        FACET_TABLE,
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        _pg_apply_counts(_PG_NEW_AND_OLD),
    ),
    (
        "meetings_searchcount_removed",
        FACET_TABLE,
        "DELETE",
        "OLD TABLE AS old_rows",
        _pg_apply_counts(_pg_count_changes("old_rows", "-")),
    ),
]
PG_TRIGGERS = pg_statement_triggers(_PG_TRIGGERS)
# TRUNCATE (the test runner's flush) fires no delete triggers.
PG_TRUNCATE_TRIGGER = (
    _pg_trigger_function(
        "meetings_searchfacet_truncated",
        f"TRUNCATE {FACET_TABLE}, {COUNT_TABLE}, {TOPIC_COUNT_TABLE};",
    ),
    "CREATE TRIGGER meetings_searchfacet_truncated AFTER TRUNCATE ON meetings_agendaitem"
    " FOR EACH STATEMENT EXECUTE FUNCTION meetings_searchfacet_truncated()",
)

PG_INDEXES = {
    "searchfacet_vector_idx": f"CREATE INDEX searchfacet_vector_idx ON {FACET_TABLE}"
    " USING gin (vector, sample)",
    "searchfacet_public_idx": f"CREATE INDEX searchfacet_public_idx ON {FACET_TABLE}"
    " USING gin (vector_public, sample) WHERE restricted",
    "searchfacet_newest_idx": f"CREATE INDEX searchfacet_newest_idx ON {FACET_TABLE}"
    " (date DESC NULLS LAST, body, meeting_id, position)",
    "searchfacet_oldest_idx": f"CREATE INDEX searchfacet_oldest_idx ON {FACET_TABLE}"
    " (date ASC NULLS LAST, body, meeting_id, position)",
    # A topic filter: combined with the text's index, only the items on the topic are read.
    "searchfacet_topics_idx": f"CREATE INDEX searchfacet_topics_idx ON {FACET_TABLE}"
    " USING gin (topics)",
    "searchfacet_topics_public_idx": f"CREATE INDEX searchfacet_topics_public_idx"
    f" ON {FACET_TABLE} USING gin (topics_public)",
    "searchfacet_meeting_idx": f"CREATE INDEX searchfacet_meeting_idx ON {FACET_TABLE}"
    " (meeting_id)",
}

PG_FILL = [
    f"DELETE FROM {FACET_TABLE}",
    "SELECT meetings_searchfacet_refresh(ARRAY(SELECT id FROM meetings_agendaitem))",
]


def pg_recount() -> list[str]:
    return [
        f"DELETE FROM {COUNT_TABLE}",
        f"DELETE FROM {TOPIC_COUNT_TABLE}",
        f"""INSERT INTO {COUNT_TABLE} (year, restricted, status, body, items)
        SELECT coalesce(year, 0), restricted, status, body, count(*) FROM {FACET_TABLE}
        GROUP BY 1, 2, 3, 4""",
        f"""INSERT INTO {TOPIC_COUNT_TABLE} (topic_id, year, items, items_public)
        SELECT topic_id, year, sum(a), sum(p) FROM (
            SELECT unnest(topics) AS topic_id, coalesce(year, 0) AS year, 1 AS a, 0 AS p
            FROM {FACET_TABLE}
            UNION ALL
            SELECT unnest(topics_public), coalesce(year, 0), 0, 1 FROM {FACET_TABLE}
        ) links GROUP BY topic_id, year""",
    ]


# SQLite -------------------------------------------------------------------------------------


def _sqlite_topics(item: str, public_only: str | None = None) -> str:
    """A JSON array of the item's topic ids (only those a user may see, with ``public_only``)."""
    condition = f"item_id = {item}"
    if public_only is not None:
        condition += f" AND (in_title OR NOT {public_only})"
    return (
        "(SELECT coalesce(json_group_array(topic_id), '[]') FROM (SELECT topic_id FROM "
        f"meetings_itemtopic WHERE {condition} ORDER BY topic_id))"
    )


_SQLITE_YEAR = "CAST(strftime('%Y', m.date) AS INTEGER)"
_SQLITE_REFRESH_TOPICS = (
    f"UPDATE {FACET_TABLE} SET topics = {_sqlite_topics('{item}')}, "
    f"topics_public = {_sqlite_topics('{item}', 'restricted')} WHERE item_id = {{item}};"
)


def _sqlite_count(row: str, sign: str) -> str:
    """Statements adding (``+``) or taking away (``-``) the facet row ``row`` from the counts."""
    return f"""
        INSERT INTO {COUNT_TABLE} (year, restricted, status, body, items)
        VALUES (coalesce({row}.year, 0), {row}.restricted, {row}.status, {row}.body, {sign}1)
        ON CONFLICT (year, restricted, status, body) DO UPDATE SET items = items {sign} 1;
        INSERT INTO {TOPIC_COUNT_TABLE} (topic_id, year, items, items_public)
        SELECT value, coalesce({row}.year, 0), {sign}1, 0 FROM json_each({row}.topics) WHERE true
        ON CONFLICT (topic_id, year) DO UPDATE SET items = items {sign} 1;
        INSERT INTO {TOPIC_COUNT_TABLE} (topic_id, year, items, items_public)
        SELECT value, coalesce({row}.year, 0), 0, {sign}1 FROM json_each({row}.topics_public)
        WHERE true
        ON CONFLICT (topic_id, year) DO UPDATE SET items_public = items_public {sign} 1;
    """


SQLITE_TRIGGERS = {
    "meetings_searchfacet_item_insert": f"""
        CREATE TRIGGER meetings_searchfacet_item_insert AFTER INSERT ON meetings_agendaitem
        BEGIN
            INSERT INTO {FACET_TABLE} (item_id, meeting_id, date, year, body, position,
                restricted, status, topics, topics_public)
            SELECT new.id, new.meeting_id, m.date, {_SQLITE_YEAR}, m.body, new.position,
                new.restricted, new.status, {_sqlite_topics("new.id")},
                {_sqlite_topics("new.id", "new.restricted")}
            FROM meetings_meeting m WHERE m.id = new.meeting_id;
        END""",
    "meetings_searchfacet_item_update": f"""
        CREATE TRIGGER meetings_searchfacet_item_update
        AFTER UPDATE OF meeting_id, position, restricted, status ON meetings_agendaitem
        BEGIN
            UPDATE {FACET_TABLE} SET meeting_id = new.meeting_id, position = new.position,
                restricted = new.restricted, status = new.status,
                (date, year, body) = (SELECT m.date, {_SQLITE_YEAR}, m.body
                    FROM meetings_meeting m WHERE m.id = new.meeting_id),
                topics_public = {_sqlite_topics("new.id", "new.restricted")}
            WHERE item_id = new.id;
        END""",
    "meetings_searchfacet_item_delete": f"""
        CREATE TRIGGER meetings_searchfacet_item_delete AFTER DELETE ON meetings_agendaitem
        BEGIN
            DELETE FROM {FACET_TABLE} WHERE item_id = old.id;
        END""",
    "meetings_searchfacet_meeting_update": f"""
        CREATE TRIGGER meetings_searchfacet_meeting_update
        AFTER UPDATE OF date, body ON meetings_meeting
        BEGIN
            UPDATE {FACET_TABLE} SET date = new.date,
                year = CAST(strftime('%Y', new.date) AS INTEGER), body = new.body
            WHERE meeting_id = new.id;
        END""",
    "meetings_searchfacet_link_insert": f"""
        CREATE TRIGGER meetings_searchfacet_link_insert AFTER INSERT ON meetings_itemtopic
        BEGIN
            {_SQLITE_REFRESH_TOPICS.format(item="new.item_id")}
        END""",
    "meetings_searchfacet_link_update": f"""
        CREATE TRIGGER meetings_searchfacet_link_update AFTER UPDATE ON meetings_itemtopic
        BEGIN
            {_SQLITE_REFRESH_TOPICS.format(item="old.item_id")}
            {_SQLITE_REFRESH_TOPICS.format(item="new.item_id")}
        END""",
    "meetings_searchfacet_link_delete": f"""
        CREATE TRIGGER meetings_searchfacet_link_delete AFTER DELETE ON meetings_itemtopic
        BEGIN
            {_SQLITE_REFRESH_TOPICS.format(item="old.item_id")}
        END""",
    "meetings_searchcount_insert": f"""
        CREATE TRIGGER meetings_searchcount_insert AFTER INSERT ON {FACET_TABLE}
        BEGIN {_sqlite_count("new", "+")} END""",
    "meetings_searchcount_update": f"""
        CREATE TRIGGER meetings_searchcount_update AFTER UPDATE ON {FACET_TABLE}
        WHEN old.year IS NOT new.year OR old.restricted IS NOT new.restricted
            OR old.status IS NOT new.status OR old.body IS NOT new.body
            OR old.topics IS NOT new.topics OR old.topics_public IS NOT new.topics_public
        BEGIN {_sqlite_count("old", "-")} {_sqlite_count("new", "+")} END""",
    "meetings_searchcount_delete": f"""
        CREATE TRIGGER meetings_searchcount_delete AFTER DELETE ON {FACET_TABLE}
        BEGIN {_sqlite_count("old", "-")} END""",
}
# The triggers on the item, meeting and link tables: a migration that rebuilds one of those
# tables drops them (see ``meetings.search.backends.sqlite.SQLiteBackend.repair_index``).


def sqlite_fill(where: str = "") -> list[str]:
    return [
        f"""INSERT OR REPLACE INTO {FACET_TABLE} (item_id, meeting_id, date, year, body, position,
            restricted, status, topics, topics_public)
        SELECT i.id, i.meeting_id, m.date, {_SQLITE_YEAR}, m.body, i.position, i.restricted,
            i.status, coalesce(t.topics, '[]'), coalesce(t.topics_public, '[]')
        FROM meetings_agendaitem i
        JOIN meetings_meeting m ON m.id = i.meeting_id
        LEFT JOIN (
            SELECT l.item_id, json_group_array(l.topic_id) AS topics,
                json_group_array(l.topic_id)
                    FILTER (WHERE l.in_title OR NOT r.restricted) AS topics_public
            FROM (SELECT * FROM meetings_itemtopic ORDER BY item_id, topic_id) l
            JOIN meetings_agendaitem r ON r.id = l.item_id
            {where.replace("i.id", "l.item_id")}
            GROUP BY l.item_id
        ) t ON t.item_id = i.id
        {where}""",
    ]


def sqlite_recount() -> list[str]:
    return [
        f"DELETE FROM {COUNT_TABLE}",
        f"DELETE FROM {TOPIC_COUNT_TABLE}",
        f"""INSERT INTO {COUNT_TABLE} (year, restricted, status, body, items)
        SELECT coalesce(year, 0), restricted, status, body, count(*) FROM {FACET_TABLE}
        GROUP BY 1, 2, 3, 4""",
        f"""INSERT INTO {TOPIC_COUNT_TABLE} (topic_id, year, items, items_public)
        SELECT topic_id, year, sum(a), sum(p) FROM (
            SELECT j.value AS topic_id, coalesce(f.year, 0) AS year, 1 AS a, 0 AS p
            FROM {FACET_TABLE} f, json_each(f.topics) j
            UNION ALL
            SELECT j.value, coalesce(f.year, 0), 0, 1
            FROM {FACET_TABLE} f, json_each(f.topics_public) j
        ) links GROUP BY topic_id, year""",
    ]


# ORDER BY for the newest meeting first (``f`` the narrow table), as its index has it, on
# either database.
NEWEST_ORDER = "f.date DESC NULLS LAST, f.body, f.meeting_id, f.position"


# SQLite's full-text table ---------------------------------------------------------------------

FTS_TABLE = "meetings_agendaitem_fts"
FTS_COLUMNS = (
    "number",
    "title",
    "extra",
    "body",
    "restricted_extra",
    "restricted_body",
    "every",
    "sample",
)
# The "sample" column holds one word, "sample" and the item's id modulo SAMPLE_BUCKETS, as
# PostgreSQL's ``sample`` column does: FTS5 finds the matches of a few buckets by skipping
# along that word's lists, where testing the rowid read every match.
SAMPLE_WORD = SAMPLE_LEXEME


def fts_values(row: str) -> str:
    """The values of an FTS row for the item ``row`` ("new." in a trigger, "" in a SELECT)."""
    number = (
        f"CASE WHEN {row}number_printed IN ('', {row}number) THEN {row}number "
        f"ELSE {row}number || ' ' || {row}number_printed END"
    )
    text = f"{row}agenda_text || char(10) || {row}minutes_text"
    return ", ".join(
        [
            f"{row}id",
            number,
            f"{row}title",
            f"CASE WHEN {row}restricted THEN '' ELSE {row}search_extra END",
            f"CASE WHEN {row}restricted THEN '' ELSE {text} END",
            f"CASE WHEN {row}restricted THEN {row}search_extra ELSE '' END",
            f"CASE WHEN {row}restricted THEN {text} ELSE '' END",
            "'item'",
            f"'{SAMPLE_WORD}' || ({row}id % {SAMPLE_BUCKETS})",
        ]
    )


FTS_INSERT = f"INSERT INTO {FTS_TABLE} (rowid, {', '.join(FTS_COLUMNS)})"
_INDEXED_FIELDS = (
    "number, number_printed, title, agenda_text, minutes_text, restricted, search_extra"
)
SQLITE_FTS_TRIGGERS = {
    f"{FTS_TABLE}_insert": f"""
        CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON meetings_agendaitem BEGIN
            {FTS_INSERT} VALUES ({fts_values("new.")});
        END""",
    f"{FTS_TABLE}_update": f"""
        CREATE TRIGGER {FTS_TABLE}_update AFTER UPDATE OF {_INDEXED_FIELDS}
        ON meetings_agendaitem BEGIN
            DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
            {FTS_INSERT} VALUES ({fts_values("new.")});
        END""",
    f"{FTS_TABLE}_delete": f"""
        CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON meetings_agendaitem BEGIN
            DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
        END""",
}
SQLITE_FTS_REBUILD = [
    f"DELETE FROM {FTS_TABLE}",
    f"{FTS_INSERT} SELECT {fts_values('')} FROM meetings_agendaitem ORDER BY id",
    # One segment for each word, rather than the many that filling the table leaves.
    f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')",
]


# Installing the text ----------------------------------------------------------------------


def pg_install() -> list[str]:
    """The statements that put this module's functions and triggers in a PostgreSQL database,
    in place of whatever text it held (the tables and their rows stay)."""
    statements = [PG_REFRESH_FUNCTION]
    for name, (function, trigger, table) in PG_TRIGGERS.items():
        statements += [function, f"DROP TRIGGER IF EXISTS {name} ON {table}", trigger]
    function, trigger = PG_TRUNCATE_TRIGGER
    statements += [
        function,
        "DROP TRIGGER IF EXISTS meetings_searchfacet_truncated ON meetings_agendaitem",
        trigger,
    ]
    return statements


def fingerprint() -> str:
    """A digest of the text ``pg_install`` and ``sqlite_install`` put in a database.

    The latest migration that installs the text records the digest it was written for
    (``FINGERPRINT``); the tests compare it with this one, so a change of the text here comes
    with a migration that installs it in the databases already made.
    """
    text = "\n".join([*pg_install(), *sqlite_install()])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def sqlite_install(*, full_text: bool = True) -> list[str]:
    """The statements that put this module's triggers in a SQLite database, in place of
    whatever text it held; the full-text table's too unless ``full_text`` is false."""
    triggers = {**(SQLITE_FTS_TRIGGERS if full_text else {}), **SQLITE_TRIGGERS}
    statements = []
    for name, sql in triggers.items():
        statements += [f"DROP TRIGGER IF EXISTS {name}", sql]
    return statements
