"""Full-text search: matching, ranking, snippets, the page, the CSV and the index in step.

The same tests run on SQLite (FTS5) and PostgreSQL (tsvector). The query language is tested
in test_query.py, each database's index in test_sqlite.py and test_postgres.py.
"""

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ingest.services import import_document
from meetings.models import AgendaItem, Resolution, Topic
from meetings.search.results import snippet_html

from .helpers import (
    CSV_URL,
    JAN_2025,
    JUN_2023,
    OCT_2024,
    URL,
    found,
    found_set,
    titles,
)

pytestmark = pytest.mark.django_db


class TestMatching:
    def test_words_are_stemmed(self, archive):
        assert found_set("patrols") == {"Night patrols", "Licensing"}
        assert found_set("patrolling") == {"Night patrols", "Licensing"}

    def test_every_word_must_match(self, archive):
        assert found_set("patrol officers") == {"Night patrols"}

    def test_phrase(self, archive):
        assert found_set('"anti-social behaviour"') == {"Community safety"}
        assert found_set("anti-social behaviour") == {"Community safety", "Housing"}

    def test_stemmed_phrase(self, archive):
        assert found_set('"night patrol"') == {"Night patrols"}

    def test_unclosed_phrase_runs_to_the_end(self, archive):
        assert found_set('"anti-social behaviour') == {"Community safety"}

    def test_or(self, archive):
        assert found_set("fireworks or bonfire") == {"Community safety", "Bonfire night"}
        assert found_set("FIREWORKS OR licensing") == {"Community safety", "Licensing"}

    def test_exclusion(self, archive):
        assert found_set("night -bonfire") == {"Night patrols"}
        assert found_set('behaviour -"anti-social behaviour"') == {"Housing"}

    def test_exclusion_alone(self, archive):
        assert found_set("-patrol") == {"Community safety", "Bonfire night", "Housing"}

    def test_stop_words_are_left_out(self, archive):
        assert found_set("the patrols") == {"Night patrols", "Licensing"}
        assert found_set("the") == set()

    def test_item_numbers(self, make_meeting):
        make_meeting(items=[{"number": "SSP/47/24", "number_printed": "SSP/4724", "title": "A"}])
        make_meeting(date=OCT_2024, items=[{"number": "SSP/12/24", "title": "B"}])

        assert found_set("SSP/47/24") == {"A"}
        assert found_set("SSP/4724") == {"A"}

    @pytest.mark.parametrize(
        "text",
        [
            '"',
            '"""',
            "AND(",
            "NEAR(",
            "NEAR",
            "*",
            "***",
            "-",
            "or",
            "^",
            "{title}:",
            "title:patrol",
            "a:b*",
            "patrol*",
            "'",
            "\\",
            "NOT patrol",
            "patrol AND",
            "(((",
            "✓ émeute ß",
            "x" * 5000,
            "patrol " * 800,
        ],
    )
    def test_any_input_is_safe(self, archive, client, text):
        found(text)
        response = client.get(URL, {"q": text})

        assert response.status_code == 200

    def test_reserved_words_are_plain_words(self, make_meeting):
        make_meeting(items=[{"title": "Near misses", "minutes_text": "Not and or near."}])

        assert found_set("NEAR") == {"Near misses"}
        assert found_set("near(") == {"Near misses"}

    def test_prefix_star_is_not_a_wildcard(self, archive):
        assert found_set("patr*") == set()


class TestRanking:
    @pytest.fixture
    def ranked(self, make_meeting):
        same = {"title": "Operation Nightfall update", "minutes_text": "Work went on."}
        make_meeting(
            date=JAN_2025,
            items=[
                same,
                {"title": "Police report", "resolutions": ["Nightfall to go on.", "Nightfall."]},
                {"title": "Patrols", "minutes_text": "Operation Nightfall patrols went out."},
                {"title": "Unrelated", "minutes_text": "Nothing about it."},
            ],
        )
        make_meeting(
            date=OCT_2024,
            items=[
                same,
                {"title": "Community safety", "topics": {"Nightfall Watch": False}},
                {"title": "Fires", "minutes_text": "Nightfall crews. Nightfall fires fell."},
            ],
        )

    def test_title_then_topics_and_decisions_then_text_newest_first_on_a_tie(self, ranked, client):
        # The two identical items tie and the newer comes first; two decisions mentioning
        # the word count above one topic; two mentions in the minutes above one.
        assert found("nightfall") == [
            "Operation Nightfall update",
            "Operation Nightfall update",
            "Police report",
            "Community safety",
            "Fires",
            "Patrols",
        ]
        first, second = client.get(URL, {"q": "nightfall"}).context["results"][:2]
        assert (first.meeting.date, second.meeting.date) == (JAN_2025, OCT_2024)

    def test_the_page_is_in_ranked_order(self, ranked, client):
        assert titles(client.get(URL, {"q": "nightfall"})) == found("nightfall")

    def test_sort_newest_and_oldest(self, ranked, client):
        newest = titles(client.get(URL, {"q": "nightfall", "sort": "newest"}))
        oldest = titles(client.get(URL, {"q": "nightfall", "sort": "oldest"}))

        assert newest == [
            "Operation Nightfall update",
            "Police report",
            "Patrols",
            "Operation Nightfall update",
            "Community safety",
            "Fires",
        ]
        assert oldest == [
            "Operation Nightfall update",
            "Community safety",
            "Fires",
            "Operation Nightfall update",
            "Police report",
            "Patrols",
        ]


class TestSnippets:
    def test_escaped_before_marking(self):
        marked = 'a <b>&amp; "q" \ue000night\ue001 \ue000 stray'

        assert snippet_html(marked) == (
            "a &lt;b&gt;&amp;amp; &quot;q&quot; <mark>night</mark>  stray"
        )

    def test_marks_the_matched_words_in_escaped_text(self, make_meeting, client):
        make_meeting(
            items=[
                {
                    "title": "Scripts",
                    "minutes_text": 'Fish & chips, 5 < 6, <script>alert("x")</script> on patrol.',
                }
            ]
        )

        response = client.get(URL, {"q": "patrols"})

        (item,) = response.context["results"]
        assert "<mark>patrol</mark>" in item.snippet
        assert "Fish &amp; chips, 5 &lt; 6," in item.snippet
        # PostgreSQL's ts_headline leaves out what looks like an HTML tag; SQLite keeps it.
        assert "<script" not in item.snippet
        assert "alert(&quot;x&quot;)" in item.snippet
        html = response.content.decode()
        assert "<script>alert" not in html
        assert "<mark>patrol</mark>" in html

    def test_without_a_query_the_opening_words(self, make_meeting, client):
        make_meeting(items=[{"title": "Long", "minutes_text": "Opening words. " + "More. " * 200}])

        (item,) = client.get(URL).context["results"]

        assert item.snippet.startswith("Opening words. More.")
        assert item.snippet.endswith(" …")
        assert len(item.snippet) < 260


class TestPage:
    def test_empty_query_lists_everything_newest_first(self, archive, client):
        response = client.get(URL)

        assert response.status_code == 200
        assert titles(response) == [
            "Night patrols",
            "Community safety",
            "Bonfire night",
            "Housing",
            "Licensing",
        ]
        assert "5 items" in response.content.decode()

    def test_sort_oldest_without_a_query(self, archive, client):
        assert titles(client.get(URL, {"sort": "oldest"}))[0] == "Housing"
        assert titles(client.get(URL, {"sort": "relevance"}))[0] == "Night patrols"

    def test_result_shows_meeting_item_tags_and_links(self, make_meeting, client):
        meeting = make_meeting(
            items=[
                {
                    "number": "SSP/52/24",
                    "title": "Operation Nightfall",
                    "status": "deferred",
                    "topics": {"Operation Nightfall": True},
                }
            ]
        )
        item = meeting.items.get()

        response = client.get(URL, {"q": "nightfall"})

        html = response.content.decode()
        assert reverse("meetings:item_detail", args=[item.pk]) in html
        assert reverse("meetings:meeting_detail", args=[meeting.pk]) in html
        assert "SSP/52/24 Operation Nightfall" in html
        assert "22 January 2025" in html
        assert "Safer Stockton Partnership" in html
        assert "Deferred" in html
        assert reverse("meetings:topic_detail", args=["operation-nightfall"]) in html
        assert "1 item found for ‘nightfall’" in html

    def test_accessible_form(self, archive, client):
        html = client.get(URL, {"q": "patrol"}).content.decode()

        assert '<label class="govuk-label govuk-label--s" for="search-q">' in html
        assert 'id="search-q" name="q"' in html
        assert "<search" in html
        assert "Apply filters" in html
        assert 'id="results-heading"' in html

    def test_query_with_nothing_to_search_for(self, archive, client):
        response = client.get(URL, {"q": "the ***"})

        assert response.context["results"] == []
        assert "There is nothing to search for" in response.content.decode()

    def test_no_results(self, archive, client):
        response = client.get(URL, {"q": "zeppelin"})

        html = response.content.decode()
        assert "0 items found for ‘zeppelin’" in html
        assert "No items match ‘zeppelin’" in html

    def test_null_character_is_an_error_not_a_crash(self, archive, client):
        response = client.get(URL, {"q": "patrol\x00"})

        assert response.status_code == 200
        assert "There is a problem" in response.content.decode()

    def test_pagination(self, make_meeting, client):
        make_meeting(items=[{"title": f"Patrol {n:02}"} for n in range(1, 46)])

        first = client.get(URL, {"q": "patrol", "status": "heard"})
        last = client.get(URL, {"q": "patrol", "status": "heard", "page": "3"})

        assert len(first.context["results"]) == 20
        assert len(last.context["results"]) == 5
        assert "45 items found" in first.content.decode()
        html = first.content.decode()
        assert "?q=patrol&amp;status=heard&amp;page=2" in html
        assert 'aria-current="page">1<' in html
        assert "Showing 21 to 40" in client.get(URL, {"q": "patrol", "page": "2"}).content.decode()
        assert client.get(URL, {"q": "patrol", "page": "x"}).context["page_obj"].number == 1
        assert client.get(URL, {"q": "patrol", "page": "99"}).context["page_obj"].number == 3

    def test_fixed_number_of_queries(self, make_meeting, client, django_assert_max_num_queries):
        def add(count, date):
            make_meeting(
                date=date,
                items=[
                    {
                        "title": f"Patrol {n}",
                        "minutes_text": "Patrols went out.",
                        "resolutions": ["Noted."],
                        "topics": {f"Topic {date.year} {n}": n % 2 == 0, "Shared": True},
                    }
                    for n in range(count)
                ],
            )

        make_meeting(body="Cleveland Police", date=JUN_2023, items=[{"title": "Patrol"}])
        add(2, JAN_2025)
        params = {"q": "patrol", "year": ["2025", "2024"], "topic": "shared", "status": "heard"}
        with CaptureQueriesContext(connection) as small:
            client.get(URL, params)
        add(29, OCT_2024)

        with django_assert_max_num_queries(len(small.captured_queries)):
            response = client.get(URL, params)

        assert response.context["paginator"].count == 31
        assert len(small.captured_queries) <= 12
        with django_assert_max_num_queries(len(small.captured_queries)):
            client.get(URL, {**params, "all_topics": "1", "page": "2"})


class TestLongInput:
    def test_a_long_query_is_echoed_shortened_and_kept_whole_in_the_box(self, archive, client):
        query = "patrol " + "x" * 2000

        response = client.get(URL, {"q": query})

        html = response.content.decode()
        heading = html[html.index('id="results-heading"') :]
        heading = heading[: heading.index("</h2>")]
        assert "x" * 101 not in heading
        assert "x" * 90 + "…" in heading
        assert f'value="{query}"' in html


class TestCsv:
    def rows(self, response) -> list[dict]:
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert "attachment" in response["Content-Disposition"]
        return list(csv.DictReader(io.StringIO(response.content.decode())))

    def test_every_result_in_order(self, make_meeting, client):
        make_meeting(
            items=[
                {
                    "number": "SSP/1/25",
                    "title": f"Patrol {n:02}",
                    "status": "deferred" if n == 1 else "heard",
                    "resolutions": ["Members noted it.", "Officers to report back."],
                    "topics": {"Operation Nightfall": True, "Anti-Social Behaviour": False},
                }
                for n in range(1, 26)
            ]
        )
        make_meeting(date=OCT_2024, items=[{"title": "Unrelated"}])

        rows = self.rows(client.get(CSV_URL, {"q": "patrol", "sort": "newest"}))

        assert len(rows) == 25
        assert list(rows[0]) == search_csv_columns()
        first = rows[0]
        item = AgendaItem.objects.get(title="Patrol 01")
        assert first == {
            "date": "2025-01-22",
            "body": "Safer Stockton Partnership",
            "number": "SSP/1/25",
            "title": "Patrol 01",
            "status": "Deferred",
            "restricted": "no",
            "topics": "Anti-Social Behaviour; Operation Nightfall",
            "decisions": "Members noted it.\nOfficers to report back.",
            "minutes": "",
            "url": f"http://testserver/items/{item.pk}/",
        }
        assert [row["title"] for row in rows] == [f"Patrol {n:02}" for n in range(1, 26)]

    def test_minutes_and_a_number_for_every_item(self, make_meeting, client):
        make_meeting(
            items=[
                {"title": "Welcome", "minutes_text": "The Chair welcomed members."},
                {"number": "SSP/2/25", "title": "Patrols", "minutes_text": "Patrols rose."},
            ]
        )

        rows = self.rows(client.get(CSV_URL, {"sort": "oldest"}))

        assert [(row["number"], row["minutes"]) for row in rows] == [
            ("Item 1", "The Chair welcomed members."),
            ("SSP/2/25", "Patrols rose."),
        ]

    def test_refused_with_the_pages_error_when_the_page_shows_one(self, archive, client):
        response = client.get(CSV_URL, {"q": "patrol", "date_from": "2025-02-30"})

        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        assert "attachment" not in response.get("Content-Disposition", "")
        html = response.content.decode()
        assert "There is a problem" in html
        assert '<base href="/search/">' in html
        assert "Download all" not in html

    def test_same_filters_as_the_page(self, archive, client):
        page = titles(client.get(URL, {"q": "anti-social", "year": "2024"}))
        rows = self.rows(client.get(CSV_URL, {"q": "anti-social", "year": "2024"}))

        assert [row["title"] for row in rows] == page == ["Housing"]

    def test_formulas_are_neutralised(self, make_meeting, client):
        make_meeting(
            body="=cmd|' /C calc'!A0",
            items=[
                {"title": '=HYPERLINK("http://x")', "resolutions": ["+1", "-2", "@SUM(A1)"]},
                {"title": "-minus first", "number": "@1"},
            ],
        )

        rows = self.rows(client.get(CSV_URL))

        assert rows[0]["body"] == "'=cmd|' /C calc'!A0"
        assert rows[0]["title"] == '\'=HYPERLINK("http://x")'
        assert rows[0]["decisions"] == "'+1\n-2\n@SUM(A1)"
        assert rows[1]["title"] == "'-minus first"
        assert rows[1]["number"] == "'@1"

    def test_page_links_to_the_csv_of_the_same_search(self, archive, client):
        html = client.get(URL, {"q": "patrol", "year": "2025", "page": "1"}).content.decode()

        assert 'href="/search/results.csv?q=patrol&amp;year=2025"' in html


def search_csv_columns():
    from meetings.views_search import CSV_COLUMNS

    return CSV_COLUMNS


class TestIndexInStep:
    def test_import_indexes_text_decisions_and_topics(self, stub_parser):
        import_document(
            b"Body: SSP\nDate: 2025-01-22\n"
            b"Item: SSP/1/25 | Bikes | Quad bikes were seized and noted.",
            "a.txt",
        )

        assert found_set("quad") == {"Bikes"}
        assert AgendaItem.objects.get().search_extra == "Quad bikes were seized and noted."

    def test_reimport_replaces_the_old_words(self, stub_parser):
        import_document(b"Body: SSP\nDate: 2025-01-22\nItem: 1 | Bikes | Quad bikes.", "a.txt")
        import_document(b"Body: SSP\nDate: 2025-01-22\nItem: 1 | Bikes | Scooters.", "a.txt")

        assert found_set("quad") == set()
        assert found_set("scooters") == {"Bikes"}

    def test_topics_found_by_the_import(self, stub_parser):
        Topic.objects.create(name="Zephyr", slug="zephyr")
        import_document(b"Body: SSP\nDate: 2025-01-22\nItem: 1 | Bikes | Zephyr went on.", "a.txt")

        assert AgendaItem.objects.get().search_extra == "Zephyr"

    def test_edits_and_deletes(self, make_meeting):
        meeting = make_meeting(items=[{"title": "Bikes", "minutes_text": "Quad bikes."}])
        item = meeting.items.get()

        item.minutes_text = "Scooters."
        item.save()
        assert found_set("quad") == set()
        assert found_set("scooter") == {"Bikes"}

        Resolution.objects.create(item=item, order=1, text="Helmets agreed.")
        AgendaItem.objects.filter(pk=item.pk).refresh_search_text()
        assert found_set("helmet") == {"Bikes"}

        meeting.delete()
        assert found_set("scooter") == set()

    def test_admin_edits_of_decisions_and_topics(self, make_meeting, client):
        admin = User.objects.create_superuser("admin", password="not-a-real-password-3")
        client.force_login(admin)
        meeting = make_meeting(
            items=[{"title": "Bikes", "resolutions": ["Noted."], "topics": {"Old name": False}}]
        )
        resolution = Resolution.objects.get()
        topic = Topic.objects.get(name="Old name")

        client.post(
            reverse("admin:meetings_resolution_change", args=[resolution.pk]),
            {
                "item": meeting.items.get().pk,
                "order": 1,
                "text": "Helmets agreed.",
                "kind": "noted",
            },
        )
        # Changing a topic tags every item again from its text: "Bikes" now names it.
        client.post(
            reverse("admin:meetings_topic_change", args=[topic.pk]),
            {"name": "Wheelies", "slug": "wheelies", "aliases": "Bikes", "description": ""},
        )

        assert found_set("helmets") == {"Bikes"}
        assert found_set("wheelies") == {"Bikes"}
        assert found_set('"old name"') == set()

        client.post(reverse("admin:meetings_topic_delete", args=[topic.pk]), {"post": "yes"})
        assert found_set("wheelies") == set()

    def test_rebuild_command(self, make_meeting):
        make_meeting(items=[{"title": "Bikes", "resolutions": ["Helmets agreed."]}])
        AgendaItem.objects.update(search_extra="")
        assert found_set("helmets") == set()
        out = io.StringIO()

        call_command("rebuild_search_index", stdout=out)

        assert found_set("helmets") == {"Bikes"}
        assert "Indexed 1 items (1 with new topics or decisions)." in out.getvalue()
