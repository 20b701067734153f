"""Writing many items at once: rows many at a time, and the search indexes told once.

``BulkTable`` writes rows of a table by ``COPY`` on PostgreSQL and by ``INSERT`` statements
of as many rows as SQLite takes parameters (the backend's ``write_rows``). For the synthetic
archive (``generate_archive``) and for storing imported documents
(``ingest.services.insert_items``): it builds no model instance for a row, and on PostgreSQL
writes them all in one statement, so that the search index's statement triggers run once.
``bulk_load`` leaves the indexing triggers out while a large load runs and indexes the new
items in a few statements at the end.
"""

import json
from contextlib import contextmanager

from django.db import models

from .backends import backend_for


class BulkTable:
    """Rows of one model's table, written many at a time; missing fields get their defaults."""

    def __init__(self, connection, model, names: list[str]):
        self.connection = connection
        self.backend = backend_for(connection)
        self.table = model._meta.db_table
        fields = model._meta.concrete_fields
        by_name = {field.attname: field for field in fields}
        self.defaults = [
            (field.column, self._adapt(field, field.get_default()))
            for field in fields
            if field.attname not in names and not field.primary_key  # the database numbers rows
        ]
        self.columns = [by_name[name].column for name in names] + [c for c, _ in self.defaults]
        self.adapters = [self._adapter(by_name[name]) for name in names]
        self.default_values = tuple(value for _, value in self.defaults)
        self.rows: list[tuple] = []

    def _adapter(self, field):
        if isinstance(field, models.JSONField):
            return json.dumps
        return self.backend.adapter(field)

    def _adapt(self, field, value):
        adapter = self._adapter(field)
        return adapter(value) if adapter and value is not None else value

    def add(self, *values):
        adapters = self.adapters
        row = tuple(
            adapter(value) if adapter and value is not None else value
            for adapter, value in zip(adapters, values, strict=True)
        )
        self.rows.append(row + self.default_values)

    def flush(self):
        if not self.rows:
            return
        quote = self.connection.ops.quote_name
        columns = [quote(column) for column in self.columns]
        self.backend.write_rows(quote(self.table), columns, self.rows)
        self.rows = []


def next_ids(connection, model, count: int) -> list[int]:
    """Reserve ``count`` primary keys of ``model``'s table, for rows inserted with their ids.

    Only inside a transaction holding the write lock (on SQLite every transaction of this
    project takes it at once), so that no other writer takes the same ids.
    """
    if not count:
        return []
    return backend_for(connection).next_ids(model._meta.db_table, count)


def insert_instances(connection, model, instances) -> None:
    """Insert model instances whose primary keys are set, as ``bulk_create`` would (defaults
    and ``auto_now`` fields filled in), in one statement on PostgreSQL."""
    fields = model._meta.concrete_fields
    table = BulkTable(connection, model, [field.attname for field in fields])
    for instance in instances:
        table.add(*(field.pre_save(instance, add=True) for field in fields))
    table.flush()


@contextmanager
def bulk_load(connection, *, first_item_id: int, rebuild_indexes: bool = False):
    """Write many items inside this block; the search indexes take them all at the end.

    The triggers that index each new item (SQLite's full-text index, and the narrow tables of
    ``meetings.search.index``) are left out while the block runs, and the items from
    ``first_item_id`` on are indexed in a few statements afterwards. On PostgreSQL, with
    ``rebuild_indexes``, the GIN indexes are dropped and built again at the end, several times
    faster than updating them row by row. The tables are then analysed for the planner. Only
    for loads that nothing else writes to at the same time, outside a transaction.
    """
    if connection.in_atomic_block:
        # Inside a transaction (the tests) the triggers stay: PostgreSQL cannot drop one or
        # build an index while the transaction has checks pending, nor SQLite change its sync.
        yield
        return
    backend = backend_for(connection)
    facets = backend.index_installed()
    state = backend.begin_bulk_load(facets=facets)
    try:
        yield
    finally:
        backend.end_bulk_load(
            state, facets=facets, first_item_id=first_item_id, rebuild_indexes=rebuild_indexes
        )
