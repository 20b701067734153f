"""Rows of a table written many at a time: by ``COPY`` on PostgreSQL, and on SQLite by
``INSERT`` statements of as many rows as SQLite takes parameters.

For the synthetic archive (``generate_archive``) and for storing imported documents
(``ingest.services.insert_items``): it builds no model instance for a row, and on PostgreSQL
writes them all in one statement, so that the search index's statement triggers run once.
"""

import json
import sqlite3

from django.db import models


class BulkTable:
    """Rows of one model's table, written many at a time; missing fields get their defaults."""

    def __init__(self, connection, model, names: list[str]):
        self.connection = connection
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
        vendor = self.connection.vendor
        ops = self.connection.ops
        if isinstance(field, models.JSONField):
            return json.dumps
        if vendor == "sqlite":
            if isinstance(field, models.DateTimeField):
                return ops.adapt_datetimefield_value
            if isinstance(field, models.DateField):
                return ops.adapt_datefield_value
            if isinstance(field, models.TimeField):
                return ops.adapt_timefield_value
        return None

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
        columns = ", ".join(quote(column) for column in self.columns)
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                sql = f"COPY {quote(self.table)} ({columns}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                # Many rows to an INSERT: SQLite ran the same rows' triggers in half the time
                # this way than one row at a time by executemany.
                row = f"({', '.join(['%s'] * len(self.columns))})"
                per_statement = max(1, _sqlite_variable_limit(self.connection) // len(self.columns))
                for start in range(0, len(self.rows), per_statement):
                    chunk = self.rows[start : start + per_statement]
                    cursor.execute(
                        f"INSERT INTO {quote(self.table)} ({columns}) VALUES "
                        + ", ".join([row] * len(chunk)),
                        [value for values in chunk for value in values],
                    )
        self.rows = []


def _sqlite_variable_limit(connection) -> int:
    """How many parameters one SQLite statement may take (999 before SQLite 3.32)."""
    connection.ensure_connection()
    return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


def next_ids(connection, model, count: int) -> list[int]:
    """Reserve ``count`` primary keys of ``model``'s table, for rows inserted with their ids.

    Only inside a transaction holding the write lock (on SQLite every transaction of this
    project takes it at once), so that no other writer takes the same ids.
    """
    if not count:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [pk for (pk,) in cursor.fetchall()]
        # AUTOINCREMENT: past every id ever given, as SQLite itself would choose.
        cursor.execute(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
            f'coalesce((SELECT max(id) FROM "{table}"), 0))',
            [table],
        )
        last = cursor.fetchone()[0]
    return list(range(last + 1, last + 1 + count))


def insert_instances(connection, model, instances) -> None:
    """Insert model instances whose primary keys are set, as ``bulk_create`` would (defaults
    and ``auto_now`` fields filled in), in one statement on PostgreSQL."""
    fields = model._meta.concrete_fields
    table = BulkTable(connection, model, [field.attname for field in fields])
    for instance in instances:
        table.add(*(field.pre_save(instance, add=True) for field in fields))
    table.flush()
