"""backend_for: one backend per database, chosen in one place."""

from types import SimpleNamespace

import pytest
from django.db import connection

from meetings.search import backend_for
from meetings.search.backends import SearchBackend
from meetings.search.backends.postgres import PostgresBackend
from meetings.search.backends.sqlite import SQLiteBackend


@pytest.mark.parametrize(
    ("vendor", "backend", "parallel_writers"),
    [("postgresql", PostgresBackend, True), ("sqlite", SQLiteBackend, False)],
)
def test_each_database_has_its_backend(vendor, backend, parallel_writers):
    chosen = backend_for(SimpleNamespace(vendor=vendor))

    assert type(chosen) is backend
    assert isinstance(chosen, SearchBackend)  # every method of the interface implemented
    assert chosen.vendor == vendor
    assert chosen.parallel_writers is parallel_writers


def test_another_database_is_refused():
    with pytest.raises(NotImplementedError, match="Search is not available on mysql"):
        backend_for(SimpleNamespace(vendor="mysql"))


def test_the_database_in_use():
    assert backend_for(connection).vendor == connection.vendor
