"""The search page's query, filters and sort order (django-filter), and the counts beside them.

Each filter is declared once, in ``meetings.facets``: its form field, its condition on the
narrow table, how its choices are counted and listed. This module reads the declarations.

Every filter reads repeated GET parameters (``?year=2024&year=2025``), so the page's address
holds its whole state. Several values of one filter widen the results (2024 or 2025); different
filters narrow them. The counts shown beside a filter's choices (``facets``) apply every other
active filter but not that filter's own, so a second year or topic can still be ticked.

At a million items the page reads the narrow table of ``meetings.facet_index`` rather than the
items themselves (``FacetQuery``):

- counts: the matches' facet values are read once, then grouped by year, restricted, status,
  body and topic in turn, each with the other filters applied, in the same statement
  (``FacetQuery._counted``). Without a query they are read from the archive's counts, kept up
  to date by triggers. A query matching more than ``SAMPLE_ABOVE`` items is counted on a
  fixed sample of them, and the counts are shown as estimates ("about").
- results: relevance ranks only the newest ``CANDIDATES`` matches (the most recently added on
  SQLite), and says so on the page; the other matches follow, newest first. Only the page's
  20 items are loaded from the item table, and only they get snippets.
- time: the page's queries run within ``TIME_LIMIT`` (``statement_timeout`` on PostgreSQL, a
  progress handler on SQLite). Past it the page is shown without counts, then without results,
  each marked as such, rather than holding a worker.
"""

import copy
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import django_filters
from django import forms
from django.db import connections, transaction

from . import facet_index, search
from .facets import (  # noqa: F401 (the filters' names, kept importable from here)
    BODIES_SHOWN,
    FILTERS,
    RESTRICTED_CHOICES,
    TOPICS_SHOWN,
    UNKNOWN_BODY,
    Choice,
    Facet,
    shortlist,
)
from .facets import rounded as _rounded
from .models import AgendaItem, can_view_restricted
from .search import parse_query

RELEVANCE, NEWEST, OLDEST = "relevance", "newest", "oldest"
SORT_CHOICES = [(RELEVANCE, "Relevance"), (NEWEST, "Newest first"), (OLDEST, "Oldest first")]


class SearchForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be the same as or after the start date.")
        return cleaned


class ItemSearchFilter(django_filters.FilterSet):
    """The search page's state: ``q``, the filters and ``sort``, read by a form.

    ``FacetQuery`` finds, orders and counts the results from ``values``.

    Its filters between ``q`` and ``sort`` are those of ``facets.FILTERS``.

    Give it ``user`` (or ``request``): what a user without ``meetings.view_restricted`` can
    match, and the topics counted for restricted items, depend on it.
    """

    q = django_filters.CharFilter(label="Search the minutes")
    # Between the two: a field for each filter of ``facets.FILTERS`` (see ``get_filters``).
    sort = django_filters.ChoiceFilter(label="Sort by", choices=SORT_CHOICES)

    class Meta:
        model = AgendaItem
        fields = []
        form = SearchForm

    def __init__(self, data=None, queryset=None, *, request=None, user=None, **kwargs):
        if queryset is None:
            queryset = AgendaItem.objects.all()
        super().__init__(data, queryset, request=request, **kwargs)
        if user is None:
            user = getattr(request, "user", None)
        self.include_restricted = can_view_restricted(user)
        # Made again for each search: a topic field knows whether restricted items' topics
        # may be chosen, and the registry is read as it is now.
        self.filters = self.get_filters(include_restricted=self.include_restricted)
        for filter_ in self.filters.values():
            filter_.model = AgendaItem
            filter_.parent = self

    @classmethod
    def get_filters(cls, *, include_restricted: bool = False) -> dict:
        """``q``, a field for each registered filter in its order, then ``sort``."""
        declared = copy.deepcopy(cls.declared_filters)
        filters = {"q": declared["q"]}
        for declaration in FILTERS:
            filters[declaration.name] = declaration.form_filter(
                include_restricted=include_restricted
            )
        filters["sort"] = declared["sort"]
        return filters

    # State

    @property
    def values(self) -> dict:
        """The valid values given, by parameter name (invalid ones are left out)."""
        self.is_valid()
        return {
            name: value
            for name, value in self.form.cleaned_data.items()
            if value not in (None, "", [], ())
        }

    @property
    def query(self) -> str:
        return self.values.get("q", "")

    @property
    def parsed_query(self):
        return parse_query(self.query)

    @property
    def sort_order(self) -> str:
        """The order of the results: relevance by default when there is a query."""
        sort = self.values.get("sort")
        if not self.query:
            return OLDEST if sort == OLDEST else NEWEST
        return sort or RELEVANCE

    @property
    def active(self) -> bool:
        """Whether any filter (not the query or the sort order) is applied."""
        return any(name not in ("q", "sort") for name in self.values)

    # Counts and pages: one pass over the narrow table (meetings.facet_index)

    @property
    def summary(self) -> "Summary":
        """The number of matches and the counts of every filter's choices, computed once."""
        if not hasattr(self, "_summary"):
            self._summary = FacetQuery(self).summary()
        return self._summary

    def results(self) -> "SearchResults":
        """The results in the page's order, for a ``Paginator``; see ``SearchResults``."""
        return SearchResults(self)

    def facets(self, *, show_all=()) -> list[Facet]:
        """The choices of each filter with their counts, from ``summary``.

        Choices without items are left out unless selected. The body filter is offered only when
        the archive holds more than one body. When the counts could not be made in time, only
        the selected choices are listed, without counts. The topic and body filters list their
        largest few choices (and any selected) unless their name is in ``show_all``.
        """
        summary, values = self.summary, self.values
        facets = []
        for declaration in FILTERS:
            facet = declaration.facet(values, summary)
            if facet is None:
                continue
            if declaration.shown is not None:
                shortlist(facet, declaration.shown, expanded=facet.name in show_all)
            for number, choice in enumerate(facet.choices, 1):
                choice.input_id = f"{facet.name}-{number}"
            facets.append(facet)
        return facets


# Reading the narrow table ------------------------------------------------------------------
# meetings.facet_index describes the table ``f``; what a user without the permission may match
# is the same as ``AgendaItem.objects.search`` (see meetings/search.py).

# The filters counted by value in the same statement as the topics (see ``FacetQuery._counted``).
COUNTED = FILTERS.counted
# A query matching more items than this ranks only the newest this many; the rest follow,
# newest first. A multiple of the page size.
CANDIDATES = 1000
# A query matching more items than this has its counts estimated from a sample of about
# SAMPLE_SIZE items: those whose id modulo SAMPLE_BUCKETS is in the first few buckets.
SAMPLE_ABOVE = 30000
SAMPLE_SIZE = 4000
SAMPLE_BUCKETS = facet_index.SAMPLE_BUCKETS
SEARCH_WORK_MEM = "64MB"
# PostgreSQL: matches above which the newest candidates are read in date order (see
# ``FacetQuery._walk_dates``).
WALK_ABOVE = 200_000
# PostgreSQL: a query with a phrase ranks the phrase's matches among this many newest items
# holding its words (see ``FacetQuery._pg_candidates_sql``).
PHRASE_CANDIDATES = 1000
# SQLite: the full-text columns that hold text of items that are restricted, and of items that
# are not (meetings.search._fts_values leaves the others empty). With the restricted filter,
# a query is matched on those alone: it finds the same items among far fewer matches (a
# restricted item holds "council" in its title far more rarely than anywhere in its text).
RESTRICTED_COLUMNS = ("number", "title", "restricted_extra", "restricted_body")
OPEN_COLUMNS = ("number", "title", "extra", "body")
# SQLite: how broad a query is, is judged from its matches among the latest this many items
# (see ``FacetQuery._probe``).
PROBE_ITEMS = 65536
# Seconds a search page's queries may take before it is shown without exact counts (and,
# as many again, before it gives up and shows no results).
TIME_LIMIT = 2.0
NEWEST_SQL = facet_index.NEWEST_ORDER


# 2 when the archive holds items of more than one body, else 1: the first two bodies found.
_BODIES = (
    f"SELECT count(*) FROM (SELECT DISTINCT body FROM {facet_index.COUNT_TABLE}"
    " WHERE items > 0 LIMIT 2) bodies"
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
    # holds in the years filtered by (see ``FacetQuery._sqlite_dates_first``).
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
        self.vendor = self.connection.vendor
        self.include = filterset.include_restricted
        self.values = filterset.values
        self.parsed = filterset.parsed_query
        self.has_query = bool(filterset.query)
        self.buckets = SAMPLE_BUCKETS  # all: counting every match (see ``summary``)
        self.counting = False

    # Pieces of SQL

    def _union(self) -> bool:
        """Whether the query is matched in the source (PostgreSQL, without the permission,
        counting; see ``_source``)."""
        return self.counting and self.vendor == "postgresql" and self.has_query and not self.include

    def _source(self) -> str:
        """The rows searched, as ``f``; its parameters come first in ``_where``'s."""
        if self.vendor == "sqlite" and self.has_query:
            return (
                f"{search.FTS_TABLE} JOIN {facet_index.FACET_TABLE} f"
                f" ON f.item_id = {search.FTS_TABLE}.rowid"
            )
        if self._union():
            # Two GIN indexes: the whole text of items that are not restricted, the number
            # and title of those that are. Asked as one condition with OR, PostgreSQL would
            # test every row's vector again when counting, a second for a common word. (When
            # ordering, the OR lets it read the newest matches from the date index instead.)
            columns = (
                "item_id, meeting_id, date, year, body, position, restricted, status, topics,"
                " topics_public"
            )
            table = facet_index.FACET_TABLE
            return (
                f"(SELECT {columns}, vector AS rank_vector FROM {table}"
                f" WHERE NOT restricted AND vector @@ {self._tsquery()}{self._sample_sql('')}"
                f" UNION ALL SELECT {columns}, vector_public FROM {table}"
                f" WHERE restricted AND vector_public @@ {self._tsquery()}{self._sample_sql('')})"
                " f"
            )
        return f"{facet_index.FACET_TABLE} f"

    def _source_params(self) -> list:
        return [*self._tsquery_params(), *self._sample_params()] * 2 if self._union() else []

    def _tsquery(self) -> str:
        return f"websearch_to_tsquery('{search.CONFIG}', %s)"

    def _tsquery_params(self) -> list:
        return [self.parsed.websearch()]

    def _sample_sql(self, prefix: str) -> str:
        """When counting on a sample (PostgreSQL), only the items of the sample: the GIN index
        holds the ``sample`` column beside the vector, so it finds them by itself."""
        return f" AND {prefix}sample @@ %s::tsquery" if self.buckets < SAMPLE_BUCKETS else ""

    def _sample_params(self) -> list:
        if self.buckets == SAMPLE_BUCKETS:
            return []
        lexemes = (f"'{facet_index.SAMPLE_LEXEME} {bucket}'" for bucket in range(self.buckets))
        return [" | ".join(lexemes)]

    def _query_condition(self, *, restricted: str | None = None) -> tuple[str, list] | None:
        """The query's condition; on SQLite, with ``restricted`` ("yes" or "no", the filter
        applied in the same statement), only on the full-text columns such items fill."""
        if self.vendor == "sqlite":
            columns = search.ALL_COLUMNS if self.include else search.PUBLIC_COLUMNS
            if restricted is not None:
                filled = RESTRICTED_COLUMNS if restricted == "yes" else OPEN_COLUMNS
                columns = [column for column in columns if column in filled]
            match = self.parsed.fts5(columns)
            if self.buckets < SAMPLE_BUCKETS:
                # Counting on a sample: the index's "sample" column finds the sample's items.
                match = f"({match}) AND {search.fts5_sample(self.buckets)}"
            return f"{search.FTS_TABLE} MATCH %s", [match]
        if self._union():
            return None  # see _source
        if self.include:
            return (
                f"f.vector @@ {self._tsquery()}{self._sample_sql('f.')}",
                [*self._tsquery_params(), *self._sample_params()],
            )
        return (
            f"((f.vector @@ {self._tsquery()} AND NOT f.restricted)"
            f" OR (f.restricted AND f.vector_public @@ {self._tsquery()}))",
            self._tsquery_params() * 2,
        )

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
        narrow = self.vendor == "sqlite" and self.has_query and self.values.get("restricted")
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
        counted = None
        if self.vendor == "postgresql" and self.has_query:
            counted, estimate, body_count = self._pg_first_bucket()
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
                summary.total = _rounded(summary.total)
        return summary

    def _pg_first_bucket(self) -> tuple[tuple, int, int]:
        """PostgreSQL: the counts made on the first of ``SAMPLE_BUCKETS`` (see ``_counted``),
        about how many items the query matches, and whether the archive holds more than one
        body (1 or 2). One statement.

        For a query matching most of the archive the first bucket is the sample to count on:
        ``summary`` keeps these counts rather than reading the same rows a second time.
        """
        self.buckets = 1
        try:
            counted, extra = self._counted(probe=True)
        finally:
            self.buckets = SAMPLE_BUCKETS
        return counted, extra["matches"] * SAMPLE_BUCKETS, extra["bodies"]

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
        among the latest ``PROBE_ITEMS`` items, which its full-text index finds without reading
        the rest of its lists (counting every match of a common word read 450,000 entries),
        and scales that to the archive; exact when the archive is no larger.
        """
        bodies = _BODIES
        if not self.has_query or self.parsed.is_empty:
            return 0, True, self._rows(f"SELECT ({bodies})", [])[0][0], None
        if self.vendor == "sqlite":
            where, params = self._query_condition()
            first = (
                f"(SELECT item_id FROM {facet_index.FACET_TABLE} ORDER BY item_id DESC"
                f" LIMIT 1 OFFSET {PROBE_ITEMS - 1})"
            )
            years = list(self.values.get("year", []))
            in_years = "NULL"
            if years:
                in_years = (
                    f"(SELECT coalesce(sum(items), 0) FROM {facet_index.COUNT_TABLE}"
                    f" WHERE year IN ({', '.join(['%s'] * len(years))}))"
                )
            sql = (
                f"SELECT ({first}), (SELECT count(*) FROM {search.FTS_TABLE} WHERE {where}"
                f" AND {search.FTS_TABLE}.rowid >= coalesce({first}, 0)),"
                f" (SELECT coalesce(sum(items), 0) FROM {facet_index.COUNT_TABLE}), ({bodies}),"
                f" {in_years}"
            )
            first_id, matches, items, body_count, year_items = self._rows(sql, params + years)[0]
            if first_id is None:
                return matches, True, body_count, year_items
            return matches * items // PROBE_ITEMS, False, body_count, year_items
        self.buckets = 1
        try:
            where, params = self._where(["q", *FILTERS.row_filters])
            sql = f"SELECT count(*) FROM {self._source()} WHERE {where}"
        finally:
            self.buckets = SAMPLE_BUCKETS
        matches, body_count = self._rows(f"SELECT ({sql}), ({bodies})", params)[0]
        return matches * SAMPLE_BUCKETS, False, body_count, None

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
            rows = f"SELECT {read}, items AS n FROM {facet_index.COUNT_TABLE} WHERE items > 0"
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
        if self.vendor == "postgresql":
            return (
                f"CROSS JOIN LATERAL unnest({self._topics_column()}) AS link(topic_id)",
                "link.topic_id",
            )
        return f"JOIN json_each({self._topics_column()}) AS link", "link.value"

    def _topics(self, precomputed: bool) -> list[tuple]:
        others = list(COUNTED)
        if precomputed and not any(self.values.get(name) for name in others):
            column = "items" if self.include else "items_public"
            counts = (
                f"SELECT topic_id, sum({column}) AS n FROM {facet_index.TOPIC_COUNT_TABLE}"
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
        oldest = facet_index.oldest_order(self.vendor)
        return self._ordered(oldest if order == OLDEST else NEWEST_SQL, start, stop)

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
        if self.vendor == "postgresql" and self.has_query:
            return self._pg_candidates_sql(columns)
        if self._sqlite_dates_first():
            return self._sqlite_dates_first_sql(columns)
        where, params = self._where(self.values)
        order = NEWEST_SQL if self.vendor == "postgresql" else f"{search.FTS_TABLE}.rowid DESC"
        return (
            f"SELECT {columns} FROM {self._source()} WHERE {where}"
            f" ORDER BY {order} LIMIT {CANDIDATES}",
            params,
        )

    def _sqlite_dates_first(self) -> bool:
        """Whether SQLite should find the candidates from the items of the years filtered by.

        Read newest first, a broad query's matches are each looked up to test the filters;
        when few pass (fewer than ``CANDIDATES``), every match was looked up: 170,000 for
        "police council" in 2010 on knife crime. When the years hold fewer items than the
        query matches, those items are read first (by the date index) and the full-text
        index is read only for item ids, against that list.
        """
        if self.vendor != "sqlite" or not self.has_query or not self.values.get("year"):
            return False
        summary = self.filterset.summary
        return (
            summary.year_items is not None
            and summary.total < CANDIDATES
            and summary.year_items < (summary.query_matches or 0)
        )

    def _sqlite_dates_first_sql(self, columns: str) -> tuple[str, list]:
        restricted = self.values.get("restricted")
        match, match_params = self._condition("q-restricted" if restricted else "q")
        where, params = self._where([name for name in self.values if name != "q"])
        return (
            "WITH f AS MATERIALIZED (SELECT f.item_id, f.date, f.body, f.meeting_id, f.position,"
            f" f.restricted FROM {facet_index.FACET_TABLE} f WHERE {where})"
            f" SELECT {columns} FROM {search.FTS_TABLE} CROSS JOIN f"
            f" ON f.item_id = {search.FTS_TABLE}.rowid WHERE {match}"
            f" ORDER BY {search.FTS_TABLE}.rowid DESC LIMIT {CANDIDATES}",
            [*params, *match_params],
        )

    def _pg_candidates_sql(self, columns: str) -> tuple[str, list]:
        """PostgreSQL's candidates: the newest matches, found in one of three ways.

        Without the permission, one branch for the items that are not restricted and one for
        those that are, each with its own GIN index and no condition to test again row by row.
        A common word: read in date order and each row tested (``ts_match_vq``, the function
        behind ``@@``, which no index serves), as the newest matches come soon. A phrase: the
        newest ``PHRASE_CANDIDATES`` items holding all of its words, found through the index
        without looking at word positions, then tested for the phrase itself, which costs a
        look at each row's positions.
        """
        loose = self._loose_query()
        walk = loose is None and self._walk_dates()
        limit = CANDIDATES if loose is None else PHRASE_CANDIDATES
        where, params = self._where([name for name in self.values if name != "q"])
        restricted = self.values.get("restricted")
        branches = (
            [(None, "vector")] if self.include else [(False, "vector"), (True, "vector_public")]
        )
        parts, part_params = [], []
        for is_restricted, vector in branches:
            if None not in (is_restricted, restricted) and (restricted == "yes") != is_restricted:
                continue
            flag = {None: "", False: "NOT f.restricted AND ", True: "f.restricted AND "}
            if loose is not None:
                match = f"f.{vector} @@ websearch_to_tsquery('{search.CONFIG}', %s)"
                match_params = [loose]
            elif walk and not is_restricted:
                match = f"ts_match_vq(f.{vector}, {self._tsquery()})"
                match_params = self._tsquery_params()
            else:
                match = f"f.{vector} @@ {self._tsquery()}"
                match_params = self._tsquery_params()
            parts.append(
                f"(SELECT {columns} FROM {facet_index.FACET_TABLE} f"
                f" WHERE {flag[is_restricted]}{match} AND {where}"
                f" ORDER BY {NEWEST_SQL} LIMIT {limit})"
            )
            part_params += [*match_params, *params]
        plain = columns.replace("f.", "")
        sql = f"SELECT {plain} FROM ({' UNION ALL '.join(parts)}) f ORDER BY {NEWEST_SQL}"
        if loose is None:
            return f"{sql} LIMIT {CANDIDATES}", part_params
        vector = (
            "v.vector"
            if self.include
            else "CASE WHEN v.restricted THEN v.vector_public ELSE v.vector END"
        )
        # The phrase is tested on each candidate's vector, looked up by its id. (As a join, a
        # misjudged selectivity of this test once made PostgreSQL test every item's vector
        # and compare each with every candidate: a second at 100,000 items.)
        return (
            f"SELECT {columns} FROM ({sql} LIMIT {limit}) f"
            f" WHERE (SELECT {vector} @@ {self._tsquery()} FROM {facet_index.FACET_TABLE} v"
            f" WHERE v.item_id = f.item_id) ORDER BY {NEWEST_SQL}",
            [*part_params, *self._tsquery_params()],
        )

    def _loose_query(self) -> str | None:
        """For a query with a phrase and no exclusion, the same query with each phrase's words
        wanted anywhere in the item: it matches all the query matches, and more. Only for
        words of letters: PostgreSQL reads "SSP/58/24" or "1.5" as tokens of their own.
        """
        operands = [operand for group in self.parsed.groups for operand in group]
        if not any(len(operand.words) > 1 for operand in operands):
            return None
        if any(operand.negated for operand in operands):
            return None
        words = [word for operand in operands for word in operand.words]
        if not all(word.isalpha() and word.isascii() for word in words):
            return None
        return " or ".join(
            " ".join(f'"{word}"' for operand in group for word in operand.words)
            for group in self.parsed.groups
        )

    def _rest(self, start: int, stop: int) -> list[int]:
        """Results after the ranked candidates: the other matches, newest first."""
        if self.vendor == "postgresql":
            return self._ordered(NEWEST_SQL, start, stop)
        inner, params = self._candidates_sql(f"{search.FTS_TABLE}.rowid AS id")
        extra = (f" AND {search.FTS_TABLE}.rowid < (SELECT min(id) FROM ({inner}))", params)
        return self._ordered(NEWEST_SQL, start - CANDIDATES, stop - CANDIDATES, extra)

    def _ranked(self, start: int, stop: int) -> list[int]:
        """The candidate matches, best first (ties newest first), sliced."""
        if self.vendor == "postgresql":
            vector = (
                "v.vector"
                if self.include
                else "CASE WHEN v.restricted THEN v.vector_public ELSE v.vector END"
            )
            # The candidates are found and sorted by date on narrow rows; their vectors are
            # read afterwards, for those 5,000 alone.
            candidates, params = self._candidates_sql(
                "f.item_id, f.date, f.body, f.meeting_id, f.position"
            )
            inner = (
                f"SELECT c.*, {vector} AS vector FROM ({candidates}) c"
                f" JOIN {facet_index.FACET_TABLE} v ON v.item_id = c.item_id"
            )
            weights = "{" + ",".join(str(w) for w in search.PG_WEIGHTS) + "}"
            rank = f"ts_rank('{weights}'::float4[], f.vector, {self._tsquery()}) DESC"
            params = [*params, self.parsed.websearch()]
        else:
            bm25 = self._sqlite_rank()
            # bm25() is read in the full-text query itself, for the candidates only; lower is
            # better.
            inner, params = self._candidates_sql(
                f"f.item_id, f.date, f.body, f.meeting_id, f.position, {bm25} AS rank"
            )
            rank = "f.rank"
        sql = (
            f"SELECT f.item_id FROM ({inner}) f ORDER BY {rank}, {NEWEST_SQL}"
            f" LIMIT {int(stop - start)} OFFSET {int(start)}"
        )
        return [row[0] for row in self._rows(sql, params)]

    def _sqlite_rank(self) -> str:
        """bm25() of a match; of a restricted one, unless the user may read it, on its number
        and title alone (see ``search.FTS_RESTRICTED_WEIGHTS``)."""

        def bm25(weights):
            return f"bm25({search.FTS_TABLE}, {', '.join(repr(float(w)) for w in weights)})"

        if self.include:
            return bm25(search.FTS_WEIGHTS)
        return (
            f"CASE WHEN f.restricted THEN {bm25(search.FTS_RESTRICTED_WEIGHTS)}"
            f" ELSE {bm25(search.FTS_WEIGHTS)} END"
        )

    def _walk_dates(self) -> bool:
        """Whether PostgreSQL should find the newest candidates by reading the date index.

        For a query matching a large share of the archive the newest matches come soon in date
        order; gathering every match first and sorting them took seconds.
        """
        return self.vendor == "postgresql" and self.filterset.summary.total > WALK_ABOVE


class SearchResults:
    """The results of a search, sliced by a ``Paginator`` without loading the others.

    ``count()`` comes from the filter set's ``summary``; a slice asks for the ids of those
    results in the page's order, then loads their items (with their meetings) in one query.
    """

    def __init__(self, filterset):
        self.filterset = filterset

    def count(self) -> int:
        return self.filterset.summary.total

    def __len__(self) -> int:
        return self.count()

    @property
    def ranked_among(self) -> str:
        """When relevance ranked only some of the matches, which: "5,000 most recent"."""
        if not (self.filterset.query and self.filterset.sort_order == RELEVANCE):
            return ""
        if self.count() <= CANDIDATES:
            return ""
        vendor = connections[self.filterset.queryset.db].vendor
        which = "most recent" if vendor == "postgresql" else "most recently added"
        return f"{CANDIDATES:,} {which}"

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        if self.filterset.summary.failed or (index.stop or 0) <= (index.start or 0):
            return []
        ids = FacetQuery(self.filterset).ids(index.start or 0, index.stop)
        return load_items(ids, using=self.filterset.queryset.db)


RESULT_FIELDS = [
    "number",
    "number_printed",
    "title",
    "restricted",
    "status",
    "position",
    "meeting__date",
    "meeting__body",
]


def load_items(ids, *, using="default") -> list[AgendaItem]:
    """The items with these ids, in this order, each with its meeting (only what results show)."""
    items = AgendaItem.objects.using(using).filter(pk__in=ids)
    by_id = {item.pk: item for item in items.select_related("meeting").only(*RESULT_FIELDS)}
    return [by_id[pk] for pk in ids if pk in by_id]


# Time limits


@contextmanager
def time_limit(connection, seconds: float):
    """Stop the queries run inside after ``seconds``: they raise ``OperationalError``.

    PostgreSQL: ``statement_timeout`` for the block's transaction (a savepoint if one is open).
    SQLite: a progress handler that interrupts the statement once the time is up.
    """
    if connection.vendor == "postgresql":
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
        return
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


def _timed_out(connection, error: Exception) -> bool:
    """Whether ``error`` is ``time_limit`` stopping a query."""
    if connection.vendor == "sqlite":
        return getattr(connection, "timed_out", False)
    return getattr(error.__cause__, "sqlstate", None) == "57014"  # query_canceled
