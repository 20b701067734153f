"""The database seam of search: one backend per database, chosen here and nowhere else.

``backend_for(connection)`` gives the backend of a connection's database:
``postgres.PostgresBackend`` (``tsvector`` columns, GIN indexes, ``statement_timeout``, COPY)
or ``sqlite.SQLiteBackend`` (an FTS5 table, a progress handler, many-row INSERTs). Both
implement ``base.SearchBackend``; everything else in the project calls that interface rather
than asking which database it runs on. The backends import no models: they are given
querysets, connections and a ``FacetQuery``.

Supporting another database: a module here implementing every method of
``base.SearchBackend``, its branch in ``backend_for``, that database's text of the index's
tables and triggers in ``meetings.search.index`` and a migration installing it.
"""

from .base import SearchBackend

__all__ = ["SearchBackend", "backend_for"]


def backend_for(connection) -> SearchBackend:
    """The search backend of ``connection``'s database; ``NotImplementedError`` for a database
    search does not support."""
    vendor = connection.vendor
    if vendor == "postgresql":
        from .postgres import PostgresBackend

        return PostgresBackend(connection)
    if vendor == "sqlite":
        from .sqlite import SQLiteBackend

        return SQLiteBackend(connection)
    raise NotImplementedError(f"Search is not available on {vendor}.")
