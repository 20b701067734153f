"""The search page's filters: counts beside each choice, the URL as the page's state."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings.filters import BODIES_SHOWN, TOPICS_SHOWN

pytestmark = pytest.mark.django_db

URL = "/search/"
SSP = "Safer Stockton Partnership"
POLICE = "Cleveland Police"


@pytest.fixture
def archive(make_meeting):
    make_meeting(
        date=datetime.date(2025, 1, 22),
        items=[
            {"title": "Knife crime update", "topics": {"Knife Crime": True}},
            {
                "title": "Nightfall",
                "status": "deferred",
                "topics": {"Operation Nightfall": True, "Knife Crime": False},
            },
            {"title": "Restricted - iQuanta", "restricted": True, "topics": {"iQuanta": True}},
        ],
    )
    make_meeting(
        date=datetime.date(2024, 10, 2),
        items=[
            {"title": "Knife crime figures", "topics": {"Knife Crime": True}},
            {"title": "Street Pastors", "status": "not_heard", "topics": {"Street Pastors": True}},
        ],
    )
    make_meeting(
        date=datetime.date(2023, 6, 14),
        items=[{"title": "Nightfall launch", "topics": {"Operation Nightfall": True}}],
    )
    make_meeting(
        body=POLICE,
        date=datetime.date(2024, 3, 1),
        items=[{"title": "Knife crime", "topics": {"Knife Crime": True}}],
    )


def facets(response) -> dict:
    """{filter: {label: (count, selected)}} in the order shown."""
    return {
        facet.name: {choice.label: (choice.count, choice.selected) for choice in facet.choices}
        for facet in response.context["facets"]
    }


def titles(response) -> set[str]:
    return {item.title for item in response.context["results"]}


class TestCounts:
    def test_without_filters(self, archive, client):
        counts = facets(client.get(URL))

        assert counts == {
            "year": {"2025": (3, False), "2024": (3, False), "2023": (1, False)},
            "topic": {
                "Knife Crime": (4, False),
                "Operation Nightfall": (2, False),
                "iQuanta": (1, False),
                "Street Pastors": (1, False),
            },
            "restricted": {"Restricted": (1, False), "Not restricted": (6, False)},
            "status": {"Heard": (5, False), "Deferred": (1, False), "Not heard": (1, False)},
            "body": {POLICE: (1, False), SSP: (6, False)},
        }

    def test_each_filter_counts_without_its_own_choice(self, archive, client):
        response = client.get(URL, {"year": "2024"})

        assert titles(response) == {"Knife crime figures", "Street Pastors", "Knife crime"}
        counts = facets(response)
        assert counts["year"] == {"2025": (3, False), "2024": (3, True), "2023": (1, False)}
        assert counts["topic"] == {"Knife Crime": (2, False), "Street Pastors": (1, False)}
        assert counts["status"] == {"Heard": (2, False), "Not heard": (1, False)}
        assert counts["body"] == {POLICE: (1, False), SSP: (2, False)}

    def test_two_filters(self, archive, client):
        response = client.get(URL, {"year": "2024", "topic": "knife-crime"})

        assert titles(response) == {"Knife crime figures", "Knife crime"}
        counts = facets(response)
        assert counts["year"] == {"2025": (2, False), "2024": (2, True)}
        assert counts["topic"] == {"Knife Crime": (2, True), "Street Pastors": (1, False)}

    def test_choices_of_one_filter_widen(self, archive, client):
        years = client.get(URL, {"year": ["2024", "2023"]})
        topics = client.get(URL, {"topic": ["street-pastors", "operation-nightfall"]})

        assert len(years.context["results"]) == 4
        assert titles(topics) == {"Street Pastors", "Nightfall", "Nightfall launch"}

    def test_choices_without_items_are_hidden_unless_selected(self, archive, client):
        response = client.get(URL, {"year": "2023", "topic": "street-pastors"})

        assert response.context["results"] == []
        counts = facets(response)
        assert counts["year"] == {"2024": (1, False), "2023": (0, True)}
        assert counts["topic"] == {"Operation Nightfall": (1, False), "Street Pastors": (0, True)}

    def test_counts_follow_the_query(self, archive, client):
        counts = facets(client.get(URL, {"q": "nightfall"}))

        assert counts["year"] == {"2025": (1, False), "2023": (1, False)}
        assert counts["topic"] == {"Operation Nightfall": (2, False), "Knife Crime": (1, False)}

    def test_restricted_and_status(self, archive, client):
        restricted = client.get(URL, {"restricted": "yes"})
        status = client.get(URL, {"status": ["deferred", "not_heard"]})

        assert titles(restricted) == {"Restricted - iQuanta"}
        assert facets(restricted)["restricted"] == {
            "Restricted": (1, True),
            "Not restricted": (6, False),
        }
        assert titles(status) == {"Nightfall", "Street Pastors"}
        assert facets(status)["status"] == {
            "Heard": (5, False),
            "Deferred": (1, True),
            "Not heard": (1, True),
        }

    def test_body(self, archive, client):
        response = client.get(URL, {"body": POLICE})

        assert titles(response) == {"Knife crime"}
        assert facets(response)["body"] == {POLICE: (1, True), SSP: (6, False)}

    def test_body_only_when_the_archive_holds_more_than_one(self, make_meeting, client):
        make_meeting(items=[{"title": "A"}])

        assert "body" not in facets(client.get(URL))

    def test_date_range(self, archive, client):
        response = client.get(URL, {"date_from": "2024-03-01", "date_to": "2024-12-31"})

        assert titles(response) == {"Knife crime figures", "Street Pastors", "Knife crime"}
        assert facets(response)["year"] == {"2024": (3, False)}
        html = response.content.decode()
        # An ISO date of an older link is shown in the day, month and year fields.
        assert 'name="date_from_day" type="text" inputmode="numeric" value="1"' in html
        assert 'name="date_from_month" type="text" inputmode="numeric" value="3"' in html
        assert 'name="date_from_year" type="text" inputmode="numeric" value="2024"' in html
        assert "Date from 1 March 2024" in html

    def test_one_grouped_query_whatever_the_filters(self, archive, client):
        # One pass over the matches counts year, restricted, status, body and topic together
        # (see meetings/filters.py). PostgreSQL first counts a fixed sample of them (one
        # bucket, "sample @@"), which it keeps as the counts of a search matching most items.
        with CaptureQueriesContext(connection) as queries:
            client.get(URL, {"q": "knife", "year": "2024", "topic": "knife-crime"})

        grouped = [query["sql"] for query in queries if "GROUP BY" in query["sql"]]
        assert len([sql for sql in grouped if "sample @@" not in sql]) == 1
        assert len(grouped) == (2 if connection.vendor == "postgresql" else 1)


class TestTopics:
    @pytest.fixture
    def many_topics(self, make_meeting):
        # Topic 01 is on 13 items, Topic 02 on 12, ... Topic 12 on 2.
        items = []
        for n in range(1, 14):
            names = {f"Topic {t:02}": True for t in range(1, 13) if t <= 14 - n}
            items.append({"title": f"Item {n}", "topics": names})
        make_meeting(items=items)

    def test_most_frequent_first_and_the_rest_behind_a_link(self, many_topics, client):
        response = client.get(URL, {"q": "item"})

        (topic,) = [facet for facet in response.context["facets"] if facet.name == "topic"]
        assert [choice.label for choice in topic.choices] == [
            f"Topic {t:02}" for t in range(1, TOPICS_SHOWN + 1)
        ]
        assert topic.hidden == 2
        html = response.content.decode()
        assert 'href="?q=item&amp;all_topics=1#facet-topic"' in html
        assert "Show all topics" in html

    def test_show_all(self, many_topics, client):
        response = client.get(URL, {"q": "item", "all_topics": "1"})

        assert len(facets(response)["topic"]) == 12
        html = response.content.decode()
        assert "Show fewer topics" in html
        # Applying the filters keeps the long list open.
        assert '<input type="hidden" name="all_topics" value="1">' in html

    def test_a_selected_topic_is_shown_even_if_rare(self, many_topics, client):
        response = client.get(URL, {"topic": "topic-12"})

        assert facets(response)["topic"]["Topic 12"] == (2, True)

    def test_unknown_topic_is_left_out(self, archive, client):
        response = client.get(URL, {"topic": ["no-such-topic", "street-pastors"]})

        assert titles(response) == {"Street Pastors"}


class TestBodies:
    @pytest.fixture
    def many_bodies(self, make_meeting):
        # Body 01 has 13 items, Body 02 has 12, ... Body 12 has 2.
        for n in range(1, 13):
            make_meeting(body=f"Body {n:02}", items=[{"title": f"Item {i}"} for i in range(14 - n)])

    def test_the_largest_first_and_the_rest_behind_a_link(self, many_bodies, client):
        response = client.get(URL, {"q": "item"})

        (body,) = [facet for facet in response.context["facets"] if facet.name == "body"]
        assert [(choice.label, choice.count) for choice in body.choices] == [
            (f"Body {n:02}", 14 - n) for n in range(1, BODIES_SHOWN + 1)
        ]
        html = response.content.decode()
        assert 'href="?q=item&amp;all_bodies=1#facet-body"' in html
        assert "Show all bodies" in html
        assert "(2 more)" in html

    def test_show_all(self, many_bodies, client):
        response = client.get(URL, {"q": "item", "all_bodies": "1"})

        assert len(facets(response)["body"]) == 12
        html = response.content.decode()
        assert 'href="?q=item#facet-body">Show fewer bodies' in html
        # Applying the filters keeps the long list open; a page link does not drop it.
        assert '<input type="hidden" name="all_bodies" value="1">' in html
        assert "Show all bodies" not in html

    def test_a_selected_body_is_shown_even_if_small(self, many_bodies, client):
        response = client.get(URL, {"q": "item", "body": "Body 12"})

        assert titles(response) == {"Item 0", "Item 1"}
        body = facets(response)["body"]
        assert len(body) == BODIES_SHOWN + 1
        assert body["Body 12"] == (2, True)

    def test_every_checkbox_has_its_own_label(self, many_bodies, client):
        html = client.get(URL, {"q": "item", "all_bodies": "1"}).content.decode()

        ids = re.findall(r'class="govuk-checkboxes__input" id="([^"]+)"', html)
        labels = re.findall(r'class="govuk-label govuk-checkboxes__label" for="([^"]+)"', html)
        assert ids == labels
        assert len(set(ids)) == len(ids)
        assert "body-12" in ids


class TestState:
    def test_active_filters_each_with_a_remove_link(self, archive, client):
        params = {"q": "knife", "year": ["2024", "2025"], "topic": "knife-crime", "sort": "oldest"}

        response = client.get(URL, {**params, "page": "1"})

        active = {f["label"]: f["remove_url"] for f in response.context["active_filters"]}
        assert active == {
            "Year: 2024": "?q=knife&year=2025&topic=knife-crime&sort=oldest",
            "Year: 2025": "?q=knife&year=2024&topic=knife-crime&sort=oldest",
            "Topic: Knife Crime": "?q=knife&year=2024&year=2025&sort=oldest",
        }
        assert response.context["clear_url"] == "?q=knife&sort=oldest"
        html = response.content.decode()
        assert "Clear all filters" in html
        assert 'Remove<span class="govuk-visually-hidden"> the filter Year: 2024</span>' in html

    def test_each_form_carries_the_other_state(self, archive, client):
        html = client.get(URL, {"q": "knife", "year": "2024", "sort": "oldest"}).content.decode()

        search_form, filter_form = re.findall(r"<form .*?</form>", html, re.DOTALL)
        assert '<input type="hidden" name="year" value="2024">' in search_form
        assert '<input type="hidden" name="sort" value="oldest">' in search_form
        assert 'name="q"' in filter_form and 'value="knife"' in filter_form
        assert 'name="year" type="checkbox" value="2024" checked' in filter_form

    def test_sort_links_keep_the_filters(self, archive, client):
        html = client.get(URL, {"q": "knife", "year": "2024"}).content.decode()

        assert 'href="?q=knife&amp;year=2024&amp;sort=newest"' in html

    def test_no_results_offers_to_drop_the_filters(self, archive, client):
        response = client.get(URL, {"q": "nightfall", "year": "2024"})

        html = response.content.decode()
        assert "No items match ‘nightfall’ with the filters applied" in html
        assert '<a class="govuk-link" href="?q=nightfall">' in html

    def test_no_results_without_a_query(self, archive, client):
        html = client.get(URL, {"year": "2023", "status": "deferred"}).content.decode()

        assert "No items match the filters applied" in html
        assert 'href="?">Show every item, without the filters' in html

    @pytest.mark.parametrize(
        ("params", "message", "count"),
        [
            ({"year": "twenty"}, "Year: Enter a whole number.", 7),
            ({"status": "lost"}, "Status: Select a valid choice.", 7),
            ({"date_from": "2024-13-45"}, "Date from must be a real date", 7),
            (
                {"date_from": "2025-01-01", "date_to": "2024-01-01"},
                "Date to must be the same as or after date from",
                3,
            ),
        ],
    )
    def test_invalid_values_are_reported_and_ignored(self, archive, client, params, message, count):
        response = client.get(URL, params)

        assert response.status_code == 200
        html = response.content.decode()
        assert "There is a problem" in html
        assert message in html
        assert len(response.context["results"]) == count
