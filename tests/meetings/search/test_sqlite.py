"""The SQLite backend: FTS5 queries, and the full-text table kept in step by its triggers."""

import io

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.db import connection

from meetings import search
from meetings.models import AgendaItem, Meeting
from meetings.search import index
from meetings.search.backends.sqlite import fts5
from meetings.search.query import parse_query

from .helpers import JUN_2023, OCT_2024, URL, found_set, only_sqlite, titles


class TestFts5Query:
    def test_every_operand_is_quoted_for_fts5(self):
        parsed = parse_query('NEAR(x) AND "y*" -z')

        assert fts5(parsed, ["title"]) == (
            '(({title} : "near x" AND {title} : "y") NOT {title} : "z")'
        )

    def test_columns_are_named_unless_every_column_of_text_is_searched(self):
        every_column = ["number", "title", "extra", "body", "restricted_extra", "restricted_body"]

        assert fts5(parse_query("community -safety"), every_column) == (
            '(("community") NOT "safety")'
        )
        assert fts5(parse_query("community"), every_column[:4]) == (
            '({number title extra body} : "community")'
        )

    @pytest.mark.parametrize("text", ["items", "Item", "ítem", "sample12", "samples"])
    def test_a_word_like_those_of_the_other_columns_keeps_the_columns_named(self, text):
        columns = ["number", "title", "extra", "body", "restricted_extra", "restricted_body"]

        assert fts5(parse_query(f"bikes {text}"), columns).startswith(
            '({number title extra body restricted_extra restricted_body} : "bikes" AND'
        )

    def test_an_exclusion_alone_excludes_from_every_item(self):
        assert fts5(parse_query("-fireworks"), ["body"]) == (
            '(({every} : "item") NOT {body} : "fireworks")'
        )


@pytest.mark.django_db
class TestFullTextTable:
    @only_sqlite
    def test_sqlite_triggers_are_put_back_after_a_table_rebuild(self, make_meeting):
        make_meeting(items=[{"title": "Bikes"}])
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER {index.FTS_TABLE}_insert")
            cursor.execute(f"DELETE FROM {index.FTS_TABLE}")

        search.repair_index(using=connection.alias)

        assert found_set("bikes") == {"Bikes"}
        make_meeting(date=OCT_2024, items=[{"title": "Scooters"}])
        assert found_set("scooters") == {"Scooters"}

    @only_sqlite
    def test_sqlite_index_merges_eight_segments_at_a_time_after_a_rebuild(self, archive):
        def automerge():
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT v FROM {index.FTS_TABLE}_config WHERE k = 'automerge'")
                return cursor.fetchone()

        assert automerge() == (8,)
        call_command("rebuild_search_index", stdout=io.StringIO())
        assert automerge() == (8,)
        assert found_set("housing") == {"Housing"}

    @only_sqlite
    def test_sqlite_sample_column_follows_the_items(self, make_meeting, archive):
        def sample_words():
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT rowid, sample FROM {index.FTS_TABLE} ORDER BY rowid")
                return cursor.fetchall()

        def expected():
            ids = AgendaItem.objects.order_by("pk").values_list("pk", flat=True)
            return [(pk, f"sample{pk % 64}") for pk in ids]

        assert sample_words() == expected()
        item = AgendaItem.objects.get(title="Housing")
        item.title, item.restricted = "Housing estates", True
        item.save()
        make_meeting(date=JUN_2023, items=[{"title": "Scooters"}, {"title": "Bikes"}])
        assert sample_words() == expected()
        call_command("rebuild_search_index", stdout=io.StringIO())
        assert sample_words() == expected()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER {index.FTS_TABLE}_update")
        search.repair_index(using=connection.alias)
        AgendaItem.objects.filter(title="Scooters").update(title="E-scooters")
        assert sample_words() == expected()
        assert found_set("scooters") == {"E-scooters"}

    @only_sqlite
    @pytest.mark.parametrize(
        "query",
        [
            "{word}",
            '"{word}"',
            "sample:{word}",
            "sample : {word}",
            "{{sample}} : {word}",
            "every:item {word}",
            "{word} or item",
            'NEAR({word} item) "{word}"*',
        ],
    )
    def test_no_query_reaches_the_sample_column(self, make_meeting, query, client):
        make_meeting(items=[{"title": "Bikes"}, {"title": "Scooters", "restricted": True}])
        user = User.objects.create_user("officer")
        user.user_permissions.add(Permission.objects.get(codename="view_restricted"))
        client.force_login(user)

        for pk in AgendaItem.objects.values_list("pk", flat=True):
            typed = query.format(word=f"sample{pk % 64}")
            assert found_set(typed, include_restricted=True) == set()
            assert titles(client.get(URL, {"q": typed})) == []

    @only_sqlite
    def test_sqlite_index_holds_one_row_per_item(self, archive):
        Meeting.objects.filter(date=OCT_2024).delete()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid FROM {index.FTS_TABLE} ORDER BY rowid")
            rows = [row[0] for row in cursor.fetchall()]

        assert rows == sorted(AgendaItem.objects.values_list("pk", flat=True))
