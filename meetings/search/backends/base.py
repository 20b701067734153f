"""What a search backend does: the interface ``backend_for`` returns an implementation of.

Grouped as the callers use it: full-text search on querysets (the item manager and the results
page), pieces of the search page's SQL over the narrow table (``meetings.search.facets``), time
limits, the indexes' upkeep, bulk writes, and a few expressions of the other pages
(``meetings.selectors``). SQL text passed in or returned keeps ``%s`` for parameters.
"""

from abc import ABC, abstractmethod
from contextlib import AbstractContextManager

from ..index import FACET_TABLE

# Snippets mark the matched words with private-use characters; ``results.snippet_html``
# escapes the text, then turns them into ``<mark>``.
MARK_START, MARK_STOP = "\ue000", "\ue001"
SNIPPET_WORDS = 30


class SearchBackend(ABC):
    """Search on one database, for one connection."""

    vendor: str  # Django's name for the database: "postgresql", "sqlite"
    # Whether several connections may write imported documents at the same time.
    parallel_writers: bool
    # Whether bulk writes bypass Django's execute wrappers (COPY), so that timing them takes
    # a wrapper of their own.
    copies_rows: bool
    # ORDER BY of the narrow table ``f``: oldest meeting first, undated last, as its index has it.
    oldest_order: str
    # The same, newest meeting first (undated still last), each meeting's items in order.
    newest_order: str
    # Which matches relevance ranks when there are more than ``facets.CANDIDATES``.
    candidates_label: str
    # Whether a query with the restricted filter is matched on the columns such items fill
    # (``FacetQuery._where`` then names the condition "q-restricted").
    narrows_query_by_restricted: bool

    def __init__(self, connection):
        self.connection = connection

    # Full-text search on querysets of items

    @abstractmethod
    def search(self, queryset, parsed, *, include_restricted: bool):
        """``queryset`` narrowed to the items matching ``parsed`` (not empty), with the alias
        ``search_rank``, larger for a better match."""

    @abstractmethod
    def with_snippets(self, queryset, parsed, *, include_restricted: bool):
        """``queryset``'s matching items annotated with ``search_snippet`` (marked text)."""

    @abstractmethod
    def page_snippets(self, page, ids, parsed, *, include_restricted: bool) -> list[tuple]:
        """(id, marked snippet) of the matching items of ``page``: the few items ``ids``."""

    # The search page's SQL over the narrow table; ``query`` is a ``facets.FacetQuery``

    @abstractmethod
    def source(self, query) -> str:
        """The rows searched, as ``f``."""

    @abstractmethod
    def source_params(self, query) -> list:
        """The parameters of ``source``, which come first in ``FacetQuery._where``'s."""

    @abstractmethod
    def query_condition(self, query, *, restricted: str | None = None) -> tuple[str, list] | None:
        """The text query's condition (None when ``source`` applies it)."""

    @abstractmethod
    def topic_condition(self, column: str, ids: list[int]) -> tuple[str, list]:
        """The rows whose topic list ``column`` holds any of ``ids``."""

    @abstractmethod
    def topic_links(self, column: str) -> tuple[str, str]:
        """The join giving each row once per topic of ``column``, and the topic id's name."""

    @abstractmethod
    def first_bucket(self, query) -> tuple[tuple, int, int] | None:
        """For a query: its counts on the first sample bucket, about how many items it
        matches, and the body count; None if this database probes instead (``probe``)."""

    @abstractmethod
    def probe(self, query, bodies: str) -> tuple[int, bool, int, int | None]:
        """For a query: (matches, exact, bodies, year items); see ``FacetQuery._probe``."""

    @abstractmethod
    def candidates_sql(self, query, columns: str) -> tuple[str, list]:
        """The matches relevance ranks, with ``columns``."""

    @abstractmethod
    def rest(self, query, start: int, stop: int) -> list[int]:
        """Ids of the results after the ranked candidates, newest first, sliced."""

    @abstractmethod
    def ranked(self, query) -> tuple[str, list, str]:
        """(rows ``f`` of the candidates, their parameters, ORDER BY of the best first)."""

    # Time limits

    @abstractmethod
    def time_limit(self, seconds: float) -> AbstractContextManager:
        """Stop the queries run inside after ``seconds``: they raise ``OperationalError``."""

    @abstractmethod
    def timed_out(self, error: Exception) -> bool:
        """Whether ``error`` is ``time_limit`` stopping a query."""

    # The indexes' upkeep (the SQL is meetings.search.index)

    def index_installed(self) -> bool:
        """Whether migration 0007 has made the narrow tables in this database."""
        return FACET_TABLE in self.connection.introspection.table_names()

    @abstractmethod
    def trigger_names(self) -> set[str]:
        """The names of the triggers in the database."""

    @property
    @abstractmethod
    def search_extra_triggers(self) -> dict[str, str]:
        """The triggers keeping ``search_extra`` in step (``meetings.search.extra``): their
        names, and the statement that makes each (with what it needs first, if anything)."""

    @abstractmethod
    def search_extra_statements(self) -> dict[str, list[str]]:
        """The statements of ``meetings.search.extra`` on this database: "drop" and "make"
        everything, "suspend" and "resume" the triggers for a bulk load."""

    def install_search_extra(self) -> None:
        """Make the triggers of ``meetings.search.extra`` again as written there."""
        statements = self.search_extra_statements()
        self._run([*statements["drop"], *statements["make"]])

    def suspend_search_extra(self) -> None:
        """Leave those triggers out, for a bulk load that writes each item's copy itself."""
        self._run(self.search_extra_statements()["suspend"])

    def resume_search_extra(self) -> None:
        """Put them back after ``suspend_search_extra`` (the copies written are kept)."""
        self._run(self.search_extra_statements()["resume"])

    def installed_search_extra(self) -> set[str]:
        """Which of the triggers of ``meetings.search.extra`` the database holds."""
        return self.trigger_names() & set(self.search_extra_triggers)

    def _run(self, statements) -> None:
        with self.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    @abstractmethod
    def repair_index(self) -> None:
        """Put back missing triggers (and reindex) after a migration; nothing if none is."""

    @abstractmethod
    def rebuild_index(self) -> None:
        """Every index row and count again, from the item, meeting and topic link tables."""

    @abstractmethod
    def begin_bulk_load(self, *, facets: bool):
        """Leave out the indexing triggers for a bulk load; returns what ``end_bulk_load``
        needs. ``facets``: whether the narrow tables are installed."""

    @abstractmethod
    def end_bulk_load(
        self, state, *, facets: bool, first_item_id: int, rebuild_indexes: bool
    ) -> None:
        """Index the items from ``first_item_id`` on, put the triggers back, and analyse."""

    # Bulk writes

    @abstractmethod
    def adapter(self, field):
        """A function giving a model field's value as the database takes it, or None."""

    @abstractmethod
    def write_rows(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        """Insert ``rows`` (values of the quoted ``columns``) into ``table``, many at a time."""

    @abstractmethod
    def next_ids(self, table: str, count: int) -> list[int]:
        """Reserve ``count`` ids of ``table`` (inside a transaction holding the write lock)."""

    @abstractmethod
    def oldest_open_transaction(self):
        """When the oldest transaction of another connection to the database that is still open
        began (an aware datetime), or None; None where writers cannot run in parallel."""

    # Expressions for the other pages

    @abstractmethod
    def start_of_year(self, date: str) -> str:
        """The first day of ``date``'s year."""

    @abstractmethod
    def year_of(self, date: str) -> str:
        """``date``'s year, an integer."""

    @abstractmethod
    def array_contains(self, column: str) -> str:
        """The rows whose topic list ``column`` holds the id given as every ``%s``."""

    @abstractmethod
    def joined_pairs(self, key: str, value: str) -> str:
        """An aggregate joining "key:value" of every row with commas."""
