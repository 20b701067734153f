"""The search page's counts and result ids: SQL over the narrow table, for any database.

At a million items the page reads the narrow table of ``meetings.search.index`` rather than
the items themselves (``FacetQuery``):

- counts: the matches' facet values are read once, then grouped by year, restricted, status,
  body and topic in turn, each with the other filters applied, in the same statement
  (``FacetQuery._counted``). Without a query they are read from the archive's counts, kept up
  to date by triggers. A query matching more than ``SAMPLE_ABOVE`` items is counted on a
  fixed sample of them, and the counts are shown as estimates ("about").
- results: relevance ranks only the newest ``CANDIDATES`` matches (the most recently added on
  SQLite), and says so on the page; the other matches follow, newest first. Only the page's
  20 items are loaded from the item table (``results.load_items``), and only they get
  snippets.

What differs between databases (the text query, sampling, the topic lists, how candidates are
found and ranked) is asked of the connection's backend (``meetings.search.backends``).
"""

from dataclasses import dataclass, field

from django.db import connections

from .backends import backend_for
from .filters import FILTERS
from .index import COUNT_TABLE, NEWEST_ORDER, TOPIC_COUNT_TABLE
from .index import SAMPLE_BUCKETS as SAMPLE_BUCKETS

RELEVANCE, NEWEST, OLDEST = "relevance", "newest", "oldest"

# meetings.search.index describes the table ``f``; what a user without the permission may
# match is the same as ``AgendaItem.objects.search`` (see meetings.search.backends).

# The filters counted by value in the same statement as the topics (see ``FacetQuery._counted``).
COUNTED = FILTERS.counted
# A query matching more items than this ranks only the newest this many; the rest follow,
# newest first. A multiple of the page size.
CANDIDATES = 1000
# A query matching more items than this has its counts estimated from a sample of about
# SAMPLE_SIZE items: those whose id modulo SAMPLE_BUCKETS is in the first few buckets.
SAMPLE_ABOVE = 30000
SAMPLE_SIZE = 4000
# PostgreSQL: matches above which the newest candidates are read in date order (see
# ``PostgresBackend._walk_dates``).
WALK_ABOVE = 200_000
# PostgreSQL: a query with a phrase ranks the phrase's matches among this many newest items
# holding its words (see ``PostgresBackend._candidates_with_query``).
PHRASE_CANDIDATES = 1000
# SQLite: how broad a query is, is judged from its matches among the latest this many items
# (see ``SQLiteBackend.probe``).
PROBE_ITEMS = 65536
# Seconds a search page's queries may take before it is shown without exact counts (and,
# as many again, before it gives up and shows no results).
TIME_LIMIT = 2.0
NEWEST_SQL = NEWEST_ORDER


# 2 when the archive holds items of more than one body, else 1: the first two bodies found.
_BODIES = (
    f"SELECT count(*) FROM (SELECT DISTINCT body FROM {COUNT_TABLE} WHERE items > 0 LIMIT 2) bodies"
)


@dataclass
class Summary:
    """What one pass over the matches found.

    ``counts``: for each of ``COUNTED``, {choice: count} with every other filter applied but
    not its own (year 0 for undated meetings); ``topics``: (slug, name, count), likewise.
    ``total``: the number of matches, or when ``exact`` is false (the counting ran out of
    time) a lower bound.
    """

    total: int
    counts: dict[str, dict] = field(default_factory=dict)
    topics: list[tuple] = field(default_factory=list)
    body_count: int = 0
    # SQLite: about how many items the query alone matches, and how many items the archive
    # holds in the years filtered by (see ``SQLiteBackend._dates_first``).
    query_matches: int | None = None
    year_items: int | None = None
    exact: bool = True
    estimated: bool = False  # the counts were made on a sample (broad searches)
    estimated_total: bool = True  # with ``estimated``: so was the total
    failed: bool = False  # not even the results could be found in time


class FacetQuery:
    """One search's state as SQL over the narrow table, for the database in use."""

    def __init__(self, filterset):
        self.filterset = filterset
        self.connection = connections[filterset.queryset.db]
        self.backend = backend_for(self.connection)
        self.include = filterset.include_restricted
        self.values = filterset.values
        self.parsed = filterset.parsed_query
        self.has_query = bool(filterset.query)
        self.buckets = SAMPLE_BUCKETS  # all: counting every match (see ``summary``)
        self.counting = False

    # The limits the backends read, looked up when read (the tests lower them).

    @property
    def candidates(self) -> int:
        return CANDIDATES

    @property
    def phrase_candidates(self) -> int:
        return PHRASE_CANDIDATES

    @property
    def walk_above(self) -> int:
        return WALK_ABOVE

    @property
    def probe_items(self) -> int:
        return PROBE_ITEMS

    @property
    def row_filters(self) -> tuple[str, ...]:
        """The filters applied to the rows read before counting (the date range)."""
        return FILTERS.row_filters

    # Pieces of SQL (those that differ between databases come from the backend)

    def _source(self) -> str:
        """The rows searched, as ``f``; its parameters come first in ``_where``'s."""
        return self.backend.source(self)

    def _source_params(self) -> list:
        return self.backend.source_params(self)

    def _query_condition(self, *, restricted: str | None = None) -> tuple[str, list] | None:
        """The query's condition; on SQLite, with ``restricted`` ("yes" or "no", the filter
        applied in the same statement), only on the full-text columns such items fill."""
        return self.backend.query_condition(self, restricted=restricted)

    def _topics_column(self) -> str:
        return "f.topics" if self.include else "f.topics_public"

    def _condition(self, name: str) -> tuple[str, list] | None:
        value = self.values.get(name)
        if name == "q":
            return self._query_condition() if self.has_query else None
        if name == "q-restricted":
            return self._query_condition(restricted=self.values["restricted"])
        if value in (None, "", []) or name not in FILTERS:
            return None
        return FILTERS[name].condition(self, value)

    def _where(self, names) -> tuple[str, list]:
        parts, params = [], self._source_params()
        names = list(names)
        narrow = (
            self.backend.narrows_query_by_restricted
            and self.has_query
            and self.values.get("restricted")
        )
        if narrow and "q" in names and "restricted" in names:
            names[names.index("q")] = "q-restricted"
        for name in names:
            condition = self._condition(name)
            if condition is not None:
                parts.append(condition[0])
                params += condition[1]
        return (" AND ".join(parts) or "1 = 1"), params

    # Counts

    def summary(self) -> Summary:
        """Counts for the page: precomputed without a query, else one pass over the matches.

        A query matching more than ``SAMPLE_ABOVE`` items is counted on a sample of about
        ``SAMPLE_SIZE`` of them (those whose id falls in some of ``SAMPLE_BUCKETS`` buckets)
        and the counts scaled up, marked as estimates (``Summary.estimated``): counting every
        match of a common word took seconds at a million items. Whether a query is that broad
        is itself estimated (``_probe``).
        """
        self.counting = True
        if self.has_query and self.parsed.is_empty:
            return Summary(total=0, body_count=self._probe()[2])
        year_items = None
        precomputed = not self.has_query and not any(
            self.values.get(name) for name in FILTERS.uncounted
        )
        first = self.backend.first_bucket(self) if self.has_query else None
        counted = None
        if first is not None:
            counted, estimate, body_count = first
            exact = False
        else:
            estimate, exact, body_count, year_items = self._probe()
        matches = estimate if exact else None
        buckets = SAMPLE_BUCKETS
        if self.has_query and estimate > SAMPLE_ABOVE:
            buckets = min(SAMPLE_BUCKETS, -(-SAMPLE_SIZE * SAMPLE_BUCKETS // estimate))
        if precomputed:
            total, counts, _ = self._counted(precomputed=True)
            topics = self._topics(precomputed)
        elif counted is not None and buckets == 1:
            total, counts, topics = counted
            self.buckets = 1
        else:
            self.buckets = buckets
            total, counts, topics = self._counted()
        summary = Summary(total=total, counts=counts, topics=topics, body_count=body_count)
        summary.query_matches, summary.year_items = estimate, year_items
        if self.buckets < SAMPLE_BUCKETS:
            summary.estimated = True
            only_query = not any(self.values.get(name) for name in (*FILTERS.uncounted, *COUNTED))
            if matches is not None and only_query:
                summary.total = matches
                summary.estimated_total = False
            else:
                summary.total = rounded(summary.total)
        return summary

    def rough_summary(self) -> Summary:
        """Counts to show when the full ones take too long: none, and a lower bound of the total."""
        where, params = self._where(self.values)
        rows = self._rows(
            f"SELECT count(*) FROM (SELECT 1 FROM {self._source()} WHERE {where}"
            f" LIMIT {CANDIDATES + 1}) matches",
            params,
        )
        return Summary(total=rows[0][0], body_count=2, exact=False)

    def _probe(self) -> tuple[int, bool, int, int | None]:
        """(matches, exact, bodies, year items): about how many items the query matches (0
        without a query), whether that is exact, whether the archive holds one body or more
        (1 or 2), and on SQLite with the year filter, how many items those years hold. One
        query.

        PostgreSQL counts the matches in the first of ``SAMPLE_BUCKETS``. SQLite counts those
        among the latest ``PROBE_ITEMS`` items and scales that to the archive; exact when the
        archive is no larger (see each backend's ``probe``).
        """
        bodies = _BODIES
        if not self.has_query or self.parsed.is_empty:
            return 0, True, self._rows(f"SELECT ({bodies})", [])[0][0], None
        return self.backend.probe(self, bodies)

    def _scaled(self, n: int) -> int:
        """A count made on the sample, scaled to the whole (rounded when shown)."""
        if self.buckets == SAMPLE_BUCKETS:
            return n
        return round(n * SAMPLE_BUCKETS / self.buckets)

    def _rows(self, sql: str, params) -> list[tuple]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _count_condition(self, name: str) -> tuple[str, list] | None:
        """``_condition`` for the rows counted, which have a year but (precomputed) no date."""
        value = self.values.get(name)
        if value in (None, "", []) or name not in FILTERS:
            return None
        return FILTERS[name].count_condition(self, value)

    def _counted(self, *, precomputed: bool = False, probe: bool = False):
        """(total, counts of each of ``COUNTED``, topics' counts) in one statement.

        The matches' facet values are read once into a materialised table, then grouped by
        each filter in turn, with the other filters applied: a few hundred rows, one for each
        choice, rather than every combination of year, body and status found. ``precomputed``
        reads the archive's counts instead of the matches, and leaves the topics to
        ``_topics``. ``probe`` also counts the rows read (the query and the date range
        applied) and the bodies (see ``_probe``), returned as a second value.
        """
        if precomputed:
            read = ", ".join(FILTERS[name].column for name in COUNTED)
            rows = f"SELECT {read}, items AS n FROM {COUNT_TABLE} WHERE items > 0"
            params, n = [], "sum(f.n)"
        else:
            where, params = self._where(["q", *FILTERS.row_filters])
            read = "".join(f"f.{FILTERS[name].column}, " for name in COUNTED)
            columns = f"{read}{self._topics_column()}"
            rows = f"SELECT {columns} FROM {self._source()} WHERE {where}"
            n = "count(*)"
        conditions = {name: self._count_condition(name) for name in FILTERS.in_statement}

        def others(leave_out=None) -> tuple[str, list]:
            kept = [c for name, c in conditions.items() if c is not None and name != leave_out]
            return " AND ".join(c[0] for c in kept) or "1 = 1", [p for c in kept for p in c[1]]

        none = "CAST(NULL AS {})".format
        keys = {name: FILTERS[name].key for name in COUNTED}
        parts, part_params = [], []
        for kind, name in enumerate([None, *COUNTED]):
            condition, condition_params = others(name)
            columns = [none("INTEGER"), none("BOOLEAN"), none("TEXT")]
            if name is not None:
                columns[FILTERS[name].slot] = keys[name]
            group = f" GROUP BY {keys[name]}" if name else ""
            parts.append(
                f"SELECT {kind}, {', '.join(columns)}, {none('TEXT')}, {n} FROM m f"
                f" WHERE {condition}{group}"
            )
            part_params += condition_params
        if not precomputed:
            links, topic_id = self._topic_links()
            condition, condition_params = others("topic")
            parts.append(
                f"SELECT {len(COUNTED) + 1}, {none('INTEGER')}, {none('BOOLEAN')}, t.slug,"
                f" t.name, c.n FROM (SELECT {topic_id} AS topic_id, count(*) AS n FROM m f"
                f" {links} WHERE {condition} GROUP BY 1) c"
                " JOIN meetings_topic t ON t.id = c.topic_id"
            )
            part_params += condition_params
        probes = {}
        if probe:
            nothing = f"{none('INTEGER')}, {none('BOOLEAN')}, {none('TEXT')}, {none('TEXT')}"
            probes = {len(COUNTED) + 2: "matches", len(COUNTED) + 3: "bodies"}
            parts.append(f"SELECT {len(COUNTED) + 2}, {nothing}, count(*) FROM m")
            parts.append(f"SELECT {len(COUNTED) + 3}, {nothing}, ({_BODIES})")
        sql = f"WITH m AS MATERIALIZED ({rows}) {' UNION ALL '.join(parts)}"
        total, counts, topics, extra = 0, {name: {} for name in COUNTED}, [], {}
        for kind, year, restricted, text, name, count in self._rows(sql, [*params, *part_params]):
            if kind in probes:
                extra[probes[kind]] = int(count)
                continue
            count = self._scaled(int(count or 0))
            if kind == 0:
                total = count
            elif kind <= len(COUNTED):
                facet = COUNTED[kind - 1]
                value = FILTERS[facet].count_value((year, restricted, text))
                counts[facet][value] = count
            else:
                topics.append((text, name, count))
        topics.sort(key=lambda row: (-row[2], row[1].lower(), row[0]))
        return ((total, counts, topics), extra) if probe else (total, counts, topics)

    def _topic_links(self) -> tuple[str, str]:
        """The join giving each counted row once per topic it may show, and the topic id's name."""
        return self.backend.topic_links(self._topics_column())

    def _topics(self, precomputed: bool) -> list[tuple]:
        others = list(COUNTED)
        if precomputed and not any(self.values.get(name) for name in others):
            column = "items" if self.include else "items_public"
            counts = (
                f"SELECT topic_id, sum({column}) AS n FROM {TOPIC_COUNT_TABLE}"
                f" GROUP BY topic_id HAVING sum({column}) > 0"
            )
            params = []
        else:
            where, params = self._where(["q", *FILTERS.row_filters, *others])
            links, topic_id = self._topic_links()
            counts = (
                f"SELECT {topic_id} AS topic_id, count(*) AS n FROM {self._source()} {links}"
                f" WHERE {where} GROUP BY 1"
            )
        rows = self._rows(
            f"SELECT t.slug, t.name, c.n FROM ({counts}) c"
            " JOIN meetings_topic t ON t.id = c.topic_id ORDER BY c.n DESC, lower(t.name), t.id",
            params,
        )
        return [(slug, name, self._scaled(n)) for slug, name, n in rows]

    def ids(self, start: int, stop: int) -> list[int]:
        """The ids of the results from ``start`` to ``stop`` in the page's order."""
        order = self.filterset.sort_order
        if self.has_query and self.parsed.is_empty:
            return []
        if order == RELEVANCE and start < CANDIDATES:
            ids = self._ranked(start, min(stop, CANDIDATES))
            if stop > CANDIDATES:
                ids += self._rest(CANDIDATES, stop)
            return ids
        if order == RELEVANCE:
            return self._rest(start, stop)
        oldest = self.backend.oldest_order
        return self._ordered(oldest if order == OLDEST else NEWEST_SQL, start, stop)

    def ids_among(self, sql: str, params: list, limit: int) -> list[int]:
        """The ids of up to ``limit`` matches among the items whose ids ``sql`` selects (with
        ``params``), newest first: the search restricted to some items, e.g. the new ones."""
        if self.has_query and self.parsed.is_empty:
            return []
        return self._ordered(NEWEST_SQL, 0, limit, (f" AND f.item_id IN ({sql})", list(params)))

    def _ordered(self, order: str, start: int, stop: int, extra=("", [])) -> list[int]:
        where, params = self._where(self.values)
        sql = (
            f"SELECT f.item_id FROM {self._source()} WHERE {where}{extra[0]}"
            f" ORDER BY {order} LIMIT {int(stop - start)} OFFSET {int(start)}"
        )
        return [row[0] for row in self._rows(sql, [*params, *extra[1]])]

    def _candidates_sql(self, columns: str) -> tuple[str, list]:
        """The matches relevance ranks: the newest on PostgreSQL, the latest added on SQLite.

        SQLite reads its full-text index in item id order for nothing, but would have to look
        up every match's date to find the newest: seconds for a common word.
        """
        return self.backend.candidates_sql(self, columns)

    def _rest(self, start: int, stop: int) -> list[int]:
        """Results after the ranked candidates: the other matches, newest first."""
        return self.backend.rest(self, start, stop)

    def _ranked(self, start: int, stop: int) -> list[int]:
        """The candidate matches, best first (ties newest first), sliced."""
        inner, params, rank = self.backend.ranked(self)
        sql = (
            f"SELECT f.item_id FROM ({inner}) f ORDER BY {rank}, {NEWEST_SQL}"
            f" LIMIT {int(stop - start)} OFFSET {int(start)}"
        )
        return [row[0] for row in self._rows(sql, params)]


def rounded(n: int) -> int:
    """An estimate to two significant figures."""
    if n < 100:
        return n
    scale = 10 ** (len(str(n)) - 2)
    return round(n / scale) * scale
