"""Search on PostgreSQL: ``tsvector`` columns, GIN indexes of the narrow table, COPY.

Two stored generated ``tsvector`` columns on ``meetings_agendaitem``, made by migration 0003:
``search_vector`` (A, B and C) and ``search_vector_public`` (number and title only, and only
for restricted items). They are not fields of the model, so the ordinary item queries of
every other page never load them; ``_IndexColumn`` refers to them in queries. Their copies in
``meetings_searchfacet`` (``meetings.search.index``) have the GIN indexes that find the
matches: since migration 0011 the item table has none of its own. Queries use
``websearch_to_tsquery('english', ...)``, ``ts_rank`` with the weights ``PG_WEIGHTS`` and
``ts_headline`` for the snippets of the page shown. Users without the permission are matched
against ``search_vector_public`` for a restricted item, ranked without length normalisation.
"""

from contextlib import contextmanager

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.db import transaction
from django.db.models import Case, Expression, F, TextField, Value, When
from django.db.models.expressions import Col, RawSQL
from django.db.models.functions import Concat

from .. import extra, index
from ..index import FACET_TABLE, NEWEST_ORDER, SAMPLE_BUCKETS, SAMPLE_LEXEME
from .base import MARK_START, MARK_STOP, SNIPPET_WORDS, SearchBackend

CONFIG = "english"
# ts_rank weights for D, C, B, A: a single title match outranks any number of matches in B,
# and a single B match any number in C.
PG_WEIGHTS = [0.0, 0.01, 0.1, 1.0]
SEARCH_WORK_MEM = "64MB"


class _IndexColumn(Expression):
    """A column of ``meetings_agendaitem`` that the model does not declare."""

    def __init__(self, column: str):
        super().__init__(output_field=SearchVectorField())
        self.column = column

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        target = SearchVectorField()
        target.set_attributes_from_name(self.column)
        target.model = query.model
        # A Col of the query's own table follows it when the query becomes a subquery.
        return Col(query.get_initial_alias(), target)


def _pg_query(parsed) -> SearchQuery:
    return SearchQuery(parsed.websearch(), search_type="websearch", config=CONFIG)


def _matching_ids(parsed, include_restricted: bool) -> RawSQL:
    """The ids of the items matching, found through the GIN indexes of the narrow table's
    copies of their vectors: a restricted item by its number and title alone unless
    ``include_restricted``."""
    query = f"websearch_to_tsquery('{CONFIG}', %s)"
    if include_restricted:
        sql = f"SELECT item_id FROM {FACET_TABLE} WHERE vector @@ {query}"
        return RawSQL(sql, [parsed.websearch()])
    sql = (
        f"SELECT item_id FROM {FACET_TABLE} WHERE NOT restricted AND vector @@ {query} UNION ALL "
        f"SELECT item_id FROM {FACET_TABLE} WHERE restricted AND vector_public @@ {query}"
    )
    return RawSQL(sql, [parsed.websearch()] * 2)


class PostgresBackend(SearchBackend):
    vendor = "postgresql"
    parallel_writers = True
    copies_rows = True
    oldest_order = "f.date ASC NULLS LAST, f.body, f.meeting_id, f.position"
    newest_order = NEWEST_ORDER  # the search page's, which the date index serves
    candidates_label = "most recent"
    narrows_query_by_restricted = False

    # Full-text search on querysets

    def search(self, queryset, parsed, *, include_restricted: bool):
        tsquery = _pg_query(parsed)
        full = _IndexColumn("search_vector")
        matching = queryset.filter(pk__in=_matching_ids(parsed, include_restricted))
        if include_restricted:
            return matching.alias(search_rank=SearchRank(full, tsquery, weights=PG_WEIGHTS))
        public = _IndexColumn("search_vector_public")
        vector = Case(
            When(restricted=True, then=public), default=full, output_field=SearchVectorField()
        )
        return matching.alias(search_rank=SearchRank(vector, tsquery, weights=PG_WEIGHTS))

    def with_snippets(self, queryset, parsed, *, include_restricted: bool):
        text = Concat("agenda_text", Value("\n"), "minutes_text", output_field=TextField())
        if include_restricted:
            document = text
        else:
            document = Case(
                When(restricted=True, then=F("title")), default=text, output_field=TextField()
            )
        return queryset.annotate(
            search_snippet=SearchHeadline(
                document,
                _pg_query(parsed),
                config=CONFIG,
                start_sel=MARK_START,
                stop_sel=MARK_STOP,
                max_words=SNIPPET_WORDS,
                min_words=SNIPPET_WORDS // 2,
                max_fragments=1,
                fragment_delimiter=" … ",
            )
        )

    def page_snippets(self, page, ids, parsed, *, include_restricted: bool) -> list[tuple]:
        shown = page.with_search_snippets(parsed, include_restricted=include_restricted)
        return list(shown.values_list("pk", "search_snippet"))

    # The search page's SQL

    def _union(self, q) -> bool:
        """Whether the query is matched in the source (without the permission, counting; see
        ``source``)."""
        return q.counting and q.has_query and not q.include

    def _tsquery(self) -> str:
        return f"websearch_to_tsquery('{CONFIG}', %s)"

    def _tsquery_params(self, q) -> list:
        return [q.parsed.websearch()]

    def _sample_sql(self, q, prefix: str) -> str:
        """When counting on a sample, only the items of the sample: the GIN index holds the
        ``sample`` column beside the vector, so it finds them by itself."""
        return f" AND {prefix}sample @@ %s::tsquery" if q.buckets < SAMPLE_BUCKETS else ""

    def _sample_params(self, q) -> list:
        if q.buckets == SAMPLE_BUCKETS:
            return []
        lexemes = (f"'{SAMPLE_LEXEME} {bucket}'" for bucket in range(q.buckets))
        return [" | ".join(lexemes)]

    def source(self, q) -> str:
        if self._union(q):
            # Two GIN indexes: the whole text of items that are not restricted, the number
            # and title of those that are. Asked as one condition with OR, PostgreSQL would
            # test every row's vector again when counting, a second for a common word. (When
            # ordering, the OR lets it read the newest matches from the date index instead.)
            columns = (
                "item_id, meeting_id, date, year, body, position, restricted, status, topics,"
                " topics_public"
            )
            table = FACET_TABLE
            return (
                f"(SELECT {columns}, vector AS rank_vector FROM {table}"
                f" WHERE NOT restricted AND vector @@ {self._tsquery()}{self._sample_sql(q, '')}"
                f" UNION ALL SELECT {columns}, vector_public FROM {table}"
                f" WHERE restricted AND vector_public @@ {self._tsquery()}"
                f"{self._sample_sql(q, '')})"
                " f"
            )
        return f"{FACET_TABLE} f"

    def source_params(self, q) -> list:
        if self._union(q):
            return [*self._tsquery_params(q), *self._sample_params(q)] * 2
        return []

    def query_condition(self, q, *, restricted: str | None = None) -> tuple[str, list] | None:
        if self._union(q):
            return None  # see source
        if q.include:
            return (
                f"f.vector @@ {self._tsquery()}{self._sample_sql(q, 'f.')}",
                [*self._tsquery_params(q), *self._sample_params(q)],
            )
        return (
            f"((f.vector @@ {self._tsquery()} AND NOT f.restricted)"
            f" OR (f.restricted AND f.vector_public @@ {self._tsquery()}))",
            self._tsquery_params(q) * 2,
        )

    def topic_condition(self, column: str, ids: list[int]) -> tuple[str, list]:
        return f"{column} && %s::bigint[]", [ids]

    def topic_links(self, column: str) -> tuple[str, str]:
        return f"CROSS JOIN LATERAL unnest({column}) AS link(topic_id)", "link.topic_id"

    def first_bucket(self, q) -> tuple[tuple, int, int]:
        """The counts made on the first of ``SAMPLE_BUCKETS`` (see ``FacetQuery._counted``),
        about how many items the query matches, and whether the archive holds more than one
        body (1 or 2). One statement.

        For a query matching most of the archive the first bucket is the sample to count on:
        ``FacetQuery.summary`` keeps these counts rather than reading the same rows a second
        time.
        """
        q.buckets = 1
        try:
            counted, extra = q._counted(probe=True)
        finally:
            q.buckets = SAMPLE_BUCKETS
        return counted, extra["matches"] * SAMPLE_BUCKETS, extra["bodies"]

    def probe(self, q, bodies: str) -> tuple[int, bool, int, int | None]:
        """The matches in the first of ``SAMPLE_BUCKETS``, scaled to the archive."""
        q.buckets = 1
        try:
            where, params = q._where(["q", *q.row_filters])
            sql = f"SELECT count(*) FROM {q._source()} WHERE {where}"
        finally:
            q.buckets = SAMPLE_BUCKETS
        matches, body_count = q._rows(f"SELECT ({sql}), ({bodies})", params)[0]
        return matches * SAMPLE_BUCKETS, False, body_count, None

    def candidates_sql(self, q, columns: str) -> tuple[str, list]:
        """The newest matches."""
        if q.has_query:
            return self._candidates_with_query(q, columns)
        where, params = q._where(q.values)
        return (
            f"SELECT {columns} FROM {q._source()} WHERE {where}"
            f" ORDER BY {NEWEST_ORDER} LIMIT {q.candidates}",
            params,
        )

    def _candidates_with_query(self, q, columns: str) -> tuple[str, list]:
        """The newest matches, found in one of three ways.

        Without the permission, one branch for the items that are not restricted and one for
        those that are, each with its own GIN index and no condition to test again row by row.
        A common word: read in date order and each row tested (``ts_match_vq``, the function
        behind ``@@``, which no index serves), as the newest matches come soon. A phrase: the
        newest ``PHRASE_CANDIDATES`` items holding all of its words, found through the index
        without looking at word positions, then tested for the phrase itself, which costs a
        look at each row's positions.
        """
        candidates = q.candidates
        loose = self._loose_query(q)
        walk = loose is None and self._walk_dates(q)
        limit = candidates if loose is None else q.phrase_candidates
        where, params = q._where([name for name in q.values if name != "q"])
        restricted = q.values.get("restricted")
        branches = [(None, "vector")] if q.include else [(False, "vector"), (True, "vector_public")]
        parts, part_params = [], []
        for is_restricted, vector in branches:
            if None not in (is_restricted, restricted) and (restricted == "yes") != is_restricted:
                continue
            flag = {None: "", False: "NOT f.restricted AND ", True: "f.restricted AND "}
            if loose is not None:
                match = f"f.{vector} @@ websearch_to_tsquery('{CONFIG}', %s)"
                match_params = [loose]
            elif walk and not is_restricted:
                match = f"ts_match_vq(f.{vector}, {self._tsquery()})"
                match_params = self._tsquery_params(q)
            else:
                match = f"f.{vector} @@ {self._tsquery()}"
                match_params = self._tsquery_params(q)
            parts.append(
                f"(SELECT {columns} FROM {FACET_TABLE} f"
                f" WHERE {flag[is_restricted]}{match} AND {where}"
                f" ORDER BY {NEWEST_ORDER} LIMIT {limit})"
            )
            part_params += [*match_params, *params]
        plain = columns.replace("f.", "")
        sql = f"SELECT {plain} FROM ({' UNION ALL '.join(parts)}) f ORDER BY {NEWEST_ORDER}"
        if loose is None:
            return f"{sql} LIMIT {candidates}", part_params
        vector = (
            "v.vector"
            if q.include
            else "CASE WHEN v.restricted THEN v.vector_public ELSE v.vector END"
        )
        # The phrase is tested on each candidate's vector, looked up by its id. (As a join, a
        # misjudged selectivity of this test once made PostgreSQL test every item's vector
        # and compare each with every candidate: a second at 100,000 items.)
        return (
            f"SELECT {columns} FROM ({sql} LIMIT {limit}) f"
            f" WHERE (SELECT {vector} @@ {self._tsquery()} FROM {FACET_TABLE} v"
            f" WHERE v.item_id = f.item_id) ORDER BY {NEWEST_ORDER}",
            [*part_params, *self._tsquery_params(q)],
        )

    def _loose_query(self, q) -> str | None:
        """For a query with a phrase and no exclusion, the same query with each phrase's words
        wanted anywhere in the item: it matches all the query matches, and more. Only for
        words of letters: PostgreSQL reads "SSP/58/24" or "1.5" as tokens of their own.
        """
        operands = [operand for group in q.parsed.groups for operand in group]
        if not any(len(operand.words) > 1 for operand in operands):
            return None
        if any(operand.negated for operand in operands):
            return None
        words = [word for operand in operands for word in operand.words]
        if not all(word.isalpha() and word.isascii() for word in words):
            return None
        return " or ".join(
            " ".join(f'"{word}"' for operand in group for word in operand.words)
            for group in q.parsed.groups
        )

    def _walk_dates(self, q) -> bool:
        """Whether to find the newest candidates by reading the date index.

        For a query matching a large share of the archive the newest matches come soon in date
        order; gathering every match first and sorting them took seconds.
        """
        return q.filterset.summary.total > q.walk_above

    def rest(self, q, start: int, stop: int) -> list[int]:
        return q._ordered(NEWEST_ORDER, start, stop)

    def ranked(self, q) -> tuple[str, list, str]:
        vector = (
            "v.vector"
            if q.include
            else "CASE WHEN v.restricted THEN v.vector_public ELSE v.vector END"
        )
        # The candidates are found and sorted by date on narrow rows; their vectors are
        # read afterwards, for those 5,000 alone.
        candidates, params = q._candidates_sql(
            "f.item_id, f.date, f.body, f.meeting_id, f.position"
        )
        inner = (
            f"SELECT c.*, {vector} AS vector FROM ({candidates}) c"
            f" JOIN {FACET_TABLE} v ON v.item_id = c.item_id"
        )
        weights = "{" + ",".join(str(w) for w in PG_WEIGHTS) + "}"
        rank = f"ts_rank('{weights}'::float4[], f.vector, {self._tsquery()}) DESC"
        return inner, [*params, q.parsed.websearch()], rank

    # Time limits

    @contextmanager
    def time_limit(self, seconds: float):
        """``statement_timeout`` for the block's transaction (a savepoint if one is open)."""
        connection = self.connection
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                # Room to sort and to hold exact bitmaps of a common word's matches.
                # No parallel scans (the GIN indexes serve better, and two cores are shared)
                # and no compiling of queries that take milliseconds.
                cursor.execute(
                    "SELECT set_config('statement_timeout', %s, true),"
                    " set_config('work_mem', %s, true),"
                    " set_config('max_parallel_workers_per_gather', '0', true),"
                    " set_config('jit', 'off', true)",
                    [str(max(1, int(seconds * 1000))), SEARCH_WORK_MEM],
                )
            yield
            # Only reads: rolling back ends the setting even inside a longer transaction.
            transaction.set_rollback(True, using=connection.alias)

    def timed_out(self, error: Exception) -> bool:
        return getattr(error.__cause__, "sqlstate", None) == "57014"  # query_canceled

    # The indexes' upkeep

    def repair_index(self) -> None:
        """Nothing to repair: PostgreSQL keeps a table's triggers when a migration alters it."""

    def rebuild_index(self) -> None:
        if self.index_installed():
            self._run(index.PG_FILL + index.pg_recount())

    def _run(self, statements, params=None) -> None:
        with self.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement, params)

    def trigger_names(self) -> set[str]:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
            return {name for (name,) in cursor.fetchall()}

    @property
    def search_extra_triggers(self) -> dict[str, str]:
        return {name: trigger for name, (_function, trigger, _t) in extra.PG_TRIGGERS.items()}

    def search_extra_statements(self) -> dict[str, list[str]]:
        return {
            "drop": extra.pg_drop(),
            "make": extra.pg_create(),
            "suspend": [
                f"DROP TRIGGER IF EXISTS {name} ON {table}"
                for name, (_function, _trigger, table) in extra.PG_TRIGGERS.items()
            ],
            "resume": list(self.search_extra_triggers.values()),
        }

    def begin_bulk_load(self, *, facets: bool):
        self.suspend_search_extra()  # the load writes each item's search copy itself
        with self.connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
            if facets:
                for name, (_function, _trigger, table) in index.PG_TRIGGERS.items():
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")

    def end_bulk_load(
        self, state, *, facets: bool, first_item_id: int, rebuild_indexes: bool
    ) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            if facets:
                if rebuild_indexes:
                    for name in index.PG_INDEXES:
                        cursor.execute(f"DROP INDEX IF EXISTS {name}")
                cursor.execute(
                    "SELECT meetings_searchfacet_refresh(ARRAY("
                    "SELECT id FROM meetings_agendaitem WHERE id >= %s))",
                    [first_item_id],
                )
                if rebuild_indexes:
                    for sql in index.PG_INDEXES.values():
                        cursor.execute(sql)
                for statement in index.pg_recount():
                    cursor.execute(statement)
                for _name, (_function, trigger, _table) in index.PG_TRIGGERS.items():
                    cursor.execute(trigger)
        self.resume_search_extra()
        with self.connection.cursor() as cursor:
            cursor.execute("RESET maintenance_work_mem")
            cursor.execute("RESET synchronous_commit")
            cursor.execute("ANALYZE")

    # Bulk writes

    def adapter(self, field):
        return None

    def write_rows(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        """One ``COPY``: the search index's statement triggers run once for all the rows."""
        with self.connection.cursor() as cursor:
            sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)

    def next_ids(self, table: str, count: int) -> list[int]:
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [pk for (pk,) in cursor.fetchall()]

    def oldest_open_transaction(self):
        """From ``pg_stat_activity``: only the sessions of the same database user, or of any
        user for a user with ``pg_read_all_stats``, show when their transaction began."""
        with self.connection.cursor() as cursor:
            # The statistics are read once per transaction unless told otherwise.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT min(xact_start) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            )
            return cursor.fetchone()[0]

    # Expressions for the other pages

    def start_of_year(self, date: str) -> str:
        return f"make_date(extract(year FROM {date})::int, 1, 1)"

    def year_of(self, date: str) -> str:
        return f"extract(year FROM {date})::int"

    def array_contains(self, column: str) -> str:
        return f"{column} @> ARRAY[%s]::bigint[]"

    def joined_pairs(self, key: str, value: str) -> str:
        return f"string_agg({key}::text || ':' || {value}::text, ',')"
