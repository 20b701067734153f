"""What the search tests share: addresses, dates, database marks and ways to read results."""

import datetime

import pytest
from django.db import connection

from meetings.models import AgendaItem

URL = "/search/"
CSV_URL = "/search/results.csv"
JAN_2025 = datetime.date(2025, 1, 22)
OCT_2024 = datetime.date(2024, 10, 2)
JUN_2023 = datetime.date(2023, 6, 14)

only_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="checks the PostgreSQL index (tsvector columns)"
)
only_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="checks the SQLite index (FTS5 table and triggers)"
)


def titles(queryset_or_response) -> list[str]:
    """The titles of the results, in order: of a queryset, or of a search page."""
    if hasattr(queryset_or_response, "context"):
        return [item.title for item in queryset_or_response.context["results"]]
    return [item.title for item in queryset_or_response]


def found(query, **kwargs) -> list[str]:
    """Titles of the items matching ``query``, best first."""
    from django.db.models import F

    items = AgendaItem.objects.search(query, **kwargs)
    return titles(items.order_by(F("search_rank").desc(), F("meeting__date").desc(), "position"))


def found_set(query, **kwargs) -> set[str]:
    return set(titles(AgendaItem.objects.search(query, **kwargs)))
