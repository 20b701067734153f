"""Full-text search over agenda items, and the search page's counts, on PostgreSQL and SQLite.

The package, from the outside in:

- ``query``: the query language typed in the search box (``parse_query``); no database.
- ``filters``: each filter of the search page declared once (``FILTERS``): its form field, its
  condition, how its choices are counted, listed and described.
- ``facets``: the search page's counts and result ids (``FacetQuery``, ``Summary``), SQL over
  the narrow table; ``results``: a page's items and snippets (``prepare_page``).
- ``backends``: one module per database behind one interface (``backend_for(connection)``
  picks it, the only place that asks which database is in use): full-text matching, ranking
  and snippets, what differs in the page's SQL, time limits, index upkeep and bulk writes.
- ``index``: the SQL of the index tables' triggers and functions, the one text every
  database gets (migration 0015, repairs, bulk loads); ``extra``: the SQL of the triggers
  keeping each item's search copy of its topics and decisions; ``bulk``: writing many rows at
  once.

The weights: an item's number and title (A) count above its topic names and decisions (B),
which count above its agenda and minutes text (C); equal matches go newest meeting first.
Topic names and decisions live in other tables, so ``AgendaItem.search_extra`` holds a copy of
them (``search_extra_text``) and each index is built from the item's row alone. The import
writes it with each new item (``ingest.topics.tag_topics``); triggers (``extra``) keep it in
step whatever else changes decisions, topic links or topic names. ``manage.py
rebuild_search_index`` recomputes every item's copy.

Users without ``meetings.view_restricted`` may search a restricted item's number and title
only: the words of restricted text cannot select, rank or highlight anything for them, and a
restricted item's snippet is cut from its title (see each backend for how).

This module imports no models (``meetings.models`` imports the backends): ``filters``,
``facets`` and ``results`` are imported from their modules.
"""

from django.db import connections

from .backends import backend_for
from .bulk import BulkTable, bulk_load, insert_instances, next_ids
from .query import (
    MAX_OPERANDS,
    MAX_QUERY_LENGTH,
    Operand,
    ParsedQuery,
    parse_query,
    search_extra_text,
)

__all__ = [
    "MAX_OPERANDS",
    "MAX_QUERY_LENGTH",
    "BulkTable",
    "Operand",
    "ParsedQuery",
    "backend_for",
    "bulk_load",
    "insert_instances",
    "next_ids",
    "parse_query",
    "repair_index",
    "search_extra_text",
    "time_limit",
    "timed_out",
]


def time_limit(connection, seconds: float):
    """Stop the queries run inside after ``seconds``: they raise ``OperationalError``.

    PostgreSQL: ``statement_timeout`` for the block's transaction (a savepoint if one is open).
    SQLite: a progress handler that interrupts the statement once the time is up.
    """
    return backend_for(connection).time_limit(seconds)


def timed_out(connection, error: Exception) -> bool:
    """Whether ``error`` is ``time_limit`` stopping a query."""
    return backend_for(connection).timed_out(error)


def repair_index(sender=None, using="default", **kwargs) -> None:
    """Put back the triggers that keep the indexes in step, and reindex, if any is missing.

    Connected to ``post_migrate``: SQLite migrations that alter the item table copy it to a
    new table, which loses its triggers.
    """
    backend_for(connections[using]).repair_index()
