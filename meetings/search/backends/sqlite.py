"""Search on SQLite: the FTS5 table, a progress handler for time limits, many-row INSERTs.

The FTS5 table ``meetings_agendaitem_fts`` (Porter stemming over ``unicode61``) holds one row
per item, the item's id as its rowid, kept in step with ``meetings_agendaitem`` by triggers
(``meetings.search.index``), so admin edits are indexed too. Ranking is ``bm25()`` with
column weights and the snippets come from ``snippet()``. Its ``sample`` column holds one word
made from the item's id (``index.SAMPLE_WORD``, see ``fts5_sample``), for counting broad
searches on a sample, and its ``every`` column the word "item" (see ``fts5``); no query typed
reaches either. The unmanaged model ``ItemSearchEntry`` joins it to the items. A later
migration that rebuilds the item table drops its triggers; ``repair_index`` runs after every
``migrate`` and puts them back.

A restricted item's decisions and text are indexed in columns of their own
(``restricted_extra``, ``restricted_body``) that the queries of users without the permission
never name. bm25 scales by the length of the whole row, so such an item is ranked for them
with ``FTS_RESTRICTED_WEIGHTS``, which leave the length out.
"""

import sqlite3
import time
from contextlib import contextmanager

from django.db import models
from django.db.models import Case, F, FloatField, Func, TextField, Value, When

from .. import extra, index
from ..index import (
    FACET_TABLE,
    FTS_COLUMNS,
    FTS_INSERT,
    FTS_TABLE,
    NEWEST_ORDER,
    SAMPLE_BUCKETS,
    SAMPLE_WORD,
)
from .base import MARK_START, MARK_STOP, SNIPPET_WORDS, SearchBackend

# bm25() weights, in the order of FTS_COLUMNS. bm25 saturates with the number of matches, so
# the steps are steep enough to keep the A, B, C order of the weights whatever the counts.
FTS_WEIGHTS = (1e6, 1e6, 1e3, 1.0, 1e3, 1.0, 0.0, 0.0)
# bm25() weights for a restricted item ranked for someone who may not read it. bm25 divides
# each column's matches by a term that grows with the length of the whole row, hidden text
# included; with a weight this large on the number and title (the only columns such a query
# names) that term vanishes in the floating-point sum, and each word matched there counts its
# full share, whatever else the row holds: two restricted items matching by title in the same
# way rank equal (then newest first). The score is that of the best possible title match.
FTS_RESTRICTED_WEIGHTS = (1e100, 1e100, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
PUBLIC_COLUMNS = ("number", "title", "extra", "body")
ALL_COLUMNS = (*PUBLIC_COLUMNS, "restricted_extra", "restricted_body")
# The full-text columns that hold text of items that are restricted, and of items that are
# not (``index.fts_values`` leaves the others empty). With the restricted filter, a query is
# matched on those alone: it finds the same items among far fewer matches (a restricted item
# holds "council" in its title far more rarely than anywhere in its text).
RESTRICTED_COLUMNS = ("number", "title", "restricted_extra", "restricted_body")
OPEN_COLUMNS = ("number", "title", "extra", "body")
_FTS_EVERY_ROW = '{every} : "item"'
# A word a query names a column for: those of "every" and "sample" start so (Porter stemming
# only shortens a word's end, or changes its last letters to others than these).
_OTHER_COLUMN_WORDS = ("item", SAMPLE_WORD)
_TITLE_COLUMN = FTS_COLUMNS.index("title")
_BODY_COLUMN = FTS_COLUMNS.index("body")
_RESTRICTED_BODY_COLUMN = FTS_COLUMNS.index("restricted_body")


def fts5(parsed, columns) -> str:
    """The query for an FTS5 ``MATCH`` on ``columns``, every operand a quoted string.

    On every column of text, and with no word that could be one of the words the index
    holds in its other columns ("item", "sample12"), the operands name no columns: they
    match the same rows, and FTS5 counts a word's rows for ``bm25()`` without reading
    where in each row it stands, in half the time.
    """
    spec = "{" + " ".join(columns) + "} : "
    if set(ALL_COLUMNS) <= set(columns) and _text_only(parsed):
        spec = ""

    def phrase(operand):
        return f'{spec}"{" ".join(operand.words)}"'

    alternatives = []
    for group in parsed.groups:
        required = [phrase(operand) for operand in group if not operand.negated]
        # FTS5 has no "NOT x" alone; "every" holds the same word in every row.
        expression = " AND ".join(required) or _FTS_EVERY_ROW
        for operand in group:
            if operand.negated:
                expression = f"({expression}) NOT {phrase(operand)}"
        alternatives.append(f"({expression})")
    return " OR ".join(alternatives)


def _text_only(parsed) -> bool:
    """Whether no word can match the index's ``every`` or ``sample`` column: words of ASCII
    letters and digits (the tokenizer reads no other way) that neither stem to nor start as
    one of those columns' words."""
    words = [word for group in parsed.groups for operand in group for word in operand.words]
    return all(
        word.isascii() and word.isalnum() and not word.startswith(_OTHER_COLUMN_WORDS)
        for word in words
    )


def fts5_sample(buckets: int) -> str:
    """An FTS5 query matching the items of the first ``buckets`` of ``SAMPLE_BUCKETS``.

    Only the code names the ``sample`` column: ``fts5`` puts every word typed in the columns
    it is given, so no query typed can reach it.
    """
    words = " OR ".join(f'"{SAMPLE_WORD}{bucket}"' for bucket in range(buckets))
    return f"{{sample}} : ({words})"


def _snippet(column: int):
    return Func(
        F("search_entry__document"),
        Value(column),
        Value(MARK_START),
        Value(MARK_STOP),
        Value("…"),
        Value(SNIPPET_WORDS),
        function="snippet",
        output_field=TextField(),
    )


class SQLiteBackend(SearchBackend):
    vendor = "sqlite"
    # One writer at a time: SQLite locks the whole database.
    parallel_writers = False
    copies_rows = False
    # SQLite puts NULL first in ascending order: "date IS NULL" first puts undated items last.
    oldest_order = "f.date IS NULL, f.date, f.body, f.meeting_id, f.position"
    newest_order = NEWEST_ORDER  # the search page's, which the date index serves
    candidates_label = "most recently added"
    narrows_query_by_restricted = True

    # Full-text search on querysets

    def search(self, queryset, parsed, *, include_restricted: bool):
        columns = ALL_COLUMNS if include_restricted else PUBLIC_COLUMNS

        def bm25(weights):
            return Func(
                F("search_entry__document"),
                *(Value(weight) for weight in weights),
                function="bm25",
                output_field=FloatField(),
            )

        rank = bm25(FTS_WEIGHTS)
        if not include_restricted:
            rank = Case(
                When(restricted=True, then=bm25(FTS_RESTRICTED_WEIGHTS)),
                default=rank,
                output_field=FloatField(),
            )
        # bm25() is negative, the better match the lower.
        return queryset.filter(search_entry__document__match=fts5(parsed, columns)).alias(
            search_rank=-rank
        )

    def with_snippets(self, queryset, parsed, *, include_restricted: bool):
        hidden = _RESTRICTED_BODY_COLUMN if include_restricted else _TITLE_COLUMN
        return self.search(queryset, parsed, include_restricted=include_restricted).annotate(
            search_snippet=Case(
                When(restricted=True, then=_snippet(hidden)),
                default=_snippet(_BODY_COLUMN),
            )
        )

    def page_snippets(self, page, ids, parsed, *, include_restricted: bool) -> list[tuple]:
        """One query, one index seek for each item of the page.

        FTS5 finds one row of a match quickly by its rowid, but not a list of rowids: with
        ``rowid IN (...)`` it reads the whole match for each, a second for a common word.
        """
        columns = ALL_COLUMNS if include_restricted else PUBLIC_COLUMNS
        hidden = _RESTRICTED_BODY_COLUMN if include_restricted else _TITLE_COLUMN
        snippet = (
            f"CASE WHEN i.restricted THEN snippet({FTS_TABLE}, {hidden}, %s, %s, %s,"
            f" {SNIPPET_WORDS})"
            f" ELSE snippet({FTS_TABLE}, {_BODY_COLUMN}, %s, %s, %s, {SNIPPET_WORDS}) END"
        )
        one = (
            f"SELECT {FTS_TABLE}.rowid, {snippet} FROM {FTS_TABLE}"
            f" JOIN meetings_agendaitem i ON i.id = {FTS_TABLE}.rowid"
            f" WHERE {FTS_TABLE} MATCH %s AND {FTS_TABLE}.rowid = %s"
        )
        marks = [MARK_START, MARK_STOP, "…"] * 2
        params = []
        for pk in ids:
            params += [*marks, fts5(parsed, columns), pk]
        with self.connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join([one] * len(ids)), params)
            return cursor.fetchall()

    # The search page's SQL

    def source(self, q) -> str:
        if q.has_query:
            return f"{FTS_TABLE} JOIN {FACET_TABLE} f ON f.item_id = {FTS_TABLE}.rowid"
        return f"{FACET_TABLE} f"

    def source_params(self, q) -> list:
        return []

    def query_condition(self, q, *, restricted: str | None = None) -> tuple[str, list]:
        """With ``restricted`` ("yes" or "no", the filter applied in the same statement), only
        on the full-text columns such items fill."""
        columns = ALL_COLUMNS if q.include else PUBLIC_COLUMNS
        if restricted is not None:
            filled = RESTRICTED_COLUMNS if restricted == "yes" else OPEN_COLUMNS
            columns = [column for column in columns if column in filled]
        match = fts5(q.parsed, columns)
        if q.buckets < SAMPLE_BUCKETS:
            # Counting on a sample: the index's "sample" column finds the sample's items.
            match = f"({match}) AND {fts5_sample(q.buckets)}"
        return f"{FTS_TABLE} MATCH %s", [match]

    def topic_condition(self, column: str, ids: list[int]) -> tuple[str, list]:
        marks = ", ".join(["%s"] * len(ids))
        return f"EXISTS (SELECT 1 FROM json_each({column}) WHERE value IN ({marks}))", ids

    def topic_links(self, column: str) -> tuple[str, str]:
        return f"JOIN json_each({column}) AS link", "link.value"

    def first_bucket(self, q) -> None:
        return None

    def probe(self, q, bodies: str) -> tuple[int, bool, int, int | None]:
        """The matches among the latest ``PROBE_ITEMS`` items, which the full-text index
        finds without reading the rest of its lists (counting every match of a common word
        read 450,000 entries), scaled to the archive; exact when the archive is no larger.
        With the year filter, also how many items those years hold."""
        probe_items = q.probe_items
        where, params = self.query_condition(q)
        first = (
            f"(SELECT item_id FROM {FACET_TABLE} ORDER BY item_id DESC"
            f" LIMIT 1 OFFSET {probe_items - 1})"
        )
        years = list(q.values.get("year", []))
        in_years = "NULL"
        if years:
            in_years = (
                f"(SELECT coalesce(sum(items), 0) FROM {index.COUNT_TABLE}"
                f" WHERE year IN ({', '.join(['%s'] * len(years))}))"
            )
        sql = (
            f"SELECT ({first}), (SELECT count(*) FROM {FTS_TABLE} WHERE {where}"
            f" AND {FTS_TABLE}.rowid >= coalesce({first}, 0)),"
            f" (SELECT coalesce(sum(items), 0) FROM {index.COUNT_TABLE}), ({bodies}),"
            f" {in_years}"
        )
        first_id, matches, items, body_count, year_items = q._rows(sql, params + years)[0]
        if first_id is None:
            return matches, True, body_count, year_items
        return matches * items // probe_items, False, body_count, year_items

    def candidates_sql(self, q, columns: str) -> tuple[str, list]:
        """The latest matches added: SQLite reads its full-text index in item id order for
        nothing, but would have to look up every match's date to find the newest: seconds
        for a common word."""
        if self._dates_first(q):
            return self._dates_first_sql(q, columns)
        where, params = q._where(q.values)
        return (
            f"SELECT {columns} FROM {q._source()} WHERE {where}"
            f" ORDER BY {FTS_TABLE}.rowid DESC LIMIT {q.candidates}",
            params,
        )

    def _dates_first(self, q) -> bool:
        """Whether to find the candidates from the items of the years filtered by.

        Read newest first, a broad query's matches are each looked up to test the filters;
        when few pass (fewer than ``CANDIDATES``), every match was looked up: 170,000 for
        "police council" in 2010 on knife crime. When the years hold fewer items than the
        query matches, those items are read first (by the date index) and the full-text
        index is read only for item ids, against that list.
        """
        if not q.has_query or not q.values.get("year"):
            return False
        summary = q.filterset.summary
        return (
            summary.year_items is not None
            and summary.total < q.candidates
            and summary.year_items < (summary.query_matches or 0)
        )

    def _dates_first_sql(self, q, columns: str) -> tuple[str, list]:
        restricted = q.values.get("restricted")
        match, match_params = q._condition("q-restricted" if restricted else "q")
        where, params = q._where([name for name in q.values if name != "q"])
        return (
            "WITH f AS MATERIALIZED (SELECT f.item_id, f.date, f.body, f.meeting_id, f.position,"
            f" f.restricted FROM {FACET_TABLE} f WHERE {where})"
            f" SELECT {columns} FROM {FTS_TABLE} CROSS JOIN f"
            f" ON f.item_id = {FTS_TABLE}.rowid WHERE {match}"
            f" ORDER BY {FTS_TABLE}.rowid DESC LIMIT {q.candidates}",
            [*params, *match_params],
        )

    def rest(self, q, start: int, stop: int) -> list[int]:
        candidates = q.candidates
        inner, params = q._candidates_sql(f"{FTS_TABLE}.rowid AS id")
        extra = (f" AND {FTS_TABLE}.rowid < (SELECT min(id) FROM ({inner}))", params)
        return q._ordered(index.NEWEST_ORDER, start - candidates, stop - candidates, extra)

    def ranked(self, q) -> tuple[str, list, str]:
        bm25 = self._rank(q)
        # bm25() is read in the full-text query itself, for the candidates only; lower is
        # better.
        inner, params = q._candidates_sql(
            f"f.item_id, f.date, f.body, f.meeting_id, f.position, {bm25} AS rank"
        )
        return inner, params, "f.rank"

    def _rank(self, q) -> str:
        """bm25() of a match; of a restricted one, unless the user may read it, on its number
        and title alone (see ``FTS_RESTRICTED_WEIGHTS``)."""

        def bm25(weights):
            return f"bm25({FTS_TABLE}, {', '.join(repr(float(w)) for w in weights)})"

        if q.include:
            return bm25(FTS_WEIGHTS)
        return (
            f"CASE WHEN f.restricted THEN {bm25(FTS_RESTRICTED_WEIGHTS)}"
            f" ELSE {bm25(FTS_WEIGHTS)} END"
        )

    # Time limits

    @contextmanager
    def time_limit(self, seconds: float):
        """A progress handler that interrupts the statement once the time is up."""
        connection = self.connection
        connection.ensure_connection()
        deadline = time.monotonic() + seconds
        connection.timed_out = False

        def check():
            if time.monotonic() > deadline:
                connection.timed_out = True
                return 1
            return 0

        connection.connection.set_progress_handler(check, 10000)
        try:
            yield
        finally:
            connection.connection.set_progress_handler(None, 0)

    def timed_out(self, error: Exception) -> bool:
        return getattr(self.connection, "timed_out", False)

    # The indexes' upkeep

    def trigger_names(self) -> set[str]:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            return {name for (name,) in cursor.fetchall()}

    @property
    def search_extra_triggers(self) -> dict[str, str]:
        return extra.SQLITE_TRIGGERS

    def search_extra_statements(self) -> dict[str, list[str]]:
        dropping, making = extra.sqlite_drop(), extra.sqlite_create()
        return {"drop": dropping, "make": making, "suspend": dropping, "resume": making}

    def repair_index(self) -> None:
        """Put back the triggers that keep the indexes in step, and reindex, if any is missing.

        SQLite migrations that alter the item table copy it to a new table, which loses its
        triggers. Covers the full-text index, the narrow tables and the triggers keeping
        each item's search copy (``meetings.search.extra``), once their migration has made
        them; a rebuilt table keeps its rows, so those copies need no recomputing.
        """
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT type, name FROM sqlite_master WHERE name = %s OR tbl_name = %s",
                [FTS_TABLE, "meetings_agendaitem"],
            )
            found = {name for _type, name in cursor.fetchall()}
        if FTS_TABLE in found and not set(index.SQLITE_FTS_TRIGGERS) <= found:
            with self.connection.cursor() as cursor:
                for name, sql in index.SQLITE_FTS_TRIGGERS.items():
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                    cursor.execute(sql)
            self._run(index.SQLITE_FTS_REBUILD)
        if self.index_installed() and self._repair_facet_triggers():
            self._rebuild_facets()
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM django_migrations WHERE app = 'meetings' AND name = %s",
                [extra.MIGRATION],
            )
            made = cursor.fetchone() is not None
        if made:
            missing = set(extra.SQLITE_TRIGGERS) - self.installed_search_extra()
            self._run(extra.SQLITE_TRIGGERS[name] for name in sorted(missing))

    def _repair_facet_triggers(self) -> bool:
        """Put back missing triggers of the narrow tables; True if any was missing."""
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            found = {row[0] for row in cursor.fetchall()}
            missing = [name for name in index.SQLITE_TRIGGERS if name not in found]
            for name in missing:
                cursor.execute(index.SQLITE_TRIGGERS[name])
        return bool(missing)

    def _rebuild_facets(self) -> None:
        self._run([f"DELETE FROM {FACET_TABLE}", *index.sqlite_fill(), *index.sqlite_recount()])

    def rebuild_index(self) -> None:
        """The full-text index (its triggers put back first), then the narrow tables."""
        self.repair_index()
        self._run(index.SQLITE_FTS_REBUILD)
        if self.index_installed():
            self._rebuild_facets()

    def begin_bulk_load(self, *, facets: bool):
        with self.connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous")
            synchronous = cursor.fetchone()[0]
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_insert")
            if facets:
                for name in index.SQLITE_TRIGGERS:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        self.suspend_search_extra()  # the load writes each item's search copy itself
        return synchronous

    def end_bulk_load(
        self, state, *, facets: bool, first_item_id: int, rebuild_indexes: bool
    ) -> None:
        with self.connection.cursor() as cursor:
            values = index.fts_values("").replace("%", "%%")  # a statement with parameters
            cursor.execute(
                f"{FTS_INSERT} SELECT {values} FROM meetings_agendaitem WHERE id >= %s",
                [first_item_id],
            )
            cursor.execute(index.SQLITE_FTS_TRIGGERS[f"{FTS_TABLE}_insert"])
            if facets:
                for statement in index.sqlite_fill(f"WHERE i.id >= {int(first_item_id)}"):
                    cursor.execute(statement)
                for statement in index.sqlite_recount():
                    cursor.execute(statement)
                for sql in index.SQLITE_TRIGGERS.values():
                    cursor.execute(sql)
        self.resume_search_extra()
        with self.connection.cursor() as cursor:
            cursor.execute(f"PRAGMA synchronous = {int(state)}")
            cursor.execute("ANALYZE")

    # Bulk writes

    def adapter(self, field):
        ops = self.connection.ops
        if isinstance(field, models.DateTimeField):
            return ops.adapt_datetimefield_value
        if isinstance(field, models.DateField):
            return ops.adapt_datefield_value
        if isinstance(field, models.TimeField):
            return ops.adapt_timefield_value
        return None

    def write_rows(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        """Many rows to an INSERT: SQLite ran the same rows' triggers in half the time this
        way than one row at a time by executemany."""
        row = f"({', '.join(['%s'] * len(columns))})"
        per_statement = max(1, self._variable_limit() // len(columns))
        with self.connection.cursor() as cursor:
            for start in range(0, len(rows), per_statement):
                chunk = rows[start : start + per_statement]
                cursor.execute(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                    + ", ".join([row] * len(chunk)),
                    [value for values in chunk for value in values],
                )

    def _variable_limit(self) -> int:
        """How many parameters one SQLite statement may take (999 before SQLite 3.32)."""
        self.connection.ensure_connection()
        return self.connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)

    def next_ids(self, table: str, count: int) -> list[int]:
        """AUTOINCREMENT: past every id ever given, as SQLite itself would choose."""
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
                f'coalesce((SELECT max(id) FROM "{table}"), 0))',
                [table],
            )
            last = cursor.fetchone()[0]
        return list(range(last + 1, last + 1 + count))

    def oldest_open_transaction(self):
        return None  # one writer at a time

    # Expressions for the other pages

    def start_of_year(self, date: str) -> str:
        return f"substr({date}, 1, 4) || '-01-01'"

    def year_of(self, date: str) -> str:
        return f"CAST(substr({date}, 1, 4) AS INTEGER)"

    def array_contains(self, column: str) -> str:
        sql = f"({column} LIKE '[' || %s || ',%%' OR {column} LIKE '%%,' || %s"
        sql += f" || ',%%' OR {column} LIKE '%%,' || %s || ']' OR {column} = '['"
        return sql + " || %s || ']')"

    def joined_pairs(self, key: str, value: str) -> str:
        return f"group_concat({key} || ':' || {value}, ',')"
