"""The PostgreSQL backend: queries read as typed, and matches found through the narrow table."""

import pytest
from django.db import connection

from meetings.models import AgendaItem
from meetings.search.query import parse_query

from .helpers import only_postgresql


@pytest.mark.django_db
@only_postgresql
@pytest.mark.parametrize(
    "text",
    [
        'night "town centre" -fireworks or bonfire',
        "patrols or -crab night",
        '"anti-social behaviour" or "fat rats"',
        "SSP/47/24",
        "x or or y",
        '"unclosed phrase',
    ],
)
def test_postgresql_reads_the_quoted_form_as_the_original(text):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT websearch_to_tsquery('english', %s)::text,"
            " websearch_to_tsquery('english', %s)::text",
            [text, parse_query(text).websearch()],
        )
        original, quoted = cursor.fetchone()

    assert quoted == original


@pytest.mark.django_db
@only_postgresql
def test_postgresql_generated_columns_indexed_through_the_narrow_table(archive):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes"
            " WHERE tablename = 'meetings_agendaitem' AND indexdef LIKE '%gin%'"
        )
        indexes = dict(cursor.fetchall())
        cursor.execute(
            "SELECT column_name, is_generated FROM information_schema.columns"
            " WHERE table_name = 'meetings_agendaitem' AND data_type = 'tsvector'"
        )
        columns = dict(cursor.fetchall())

    # Matches are found through the GIN indexes of meetings_searchfacet's copies.
    assert indexes == {}
    assert columns == {"search_vector": "ALWAYS", "search_vector_public": "ALWAYS"}
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # as on an archive of any size
    assert "searchfacet_vector_idx" in AgendaItem.objects.search("knife crime").explain()
