"""The search page's filters, each declared once (meetings/search/filters.py), and what is made
of them: the form, the conditions and counting of ``FacetQuery``, the choices listed, the active
filters."""

import datetime
from types import SimpleNamespace

import django_filters
import pytest
from django.http import QueryDict

from meetings.filters import ItemSearchFilter
from meetings.search.backends.postgres import PostgresBackend
from meetings.search.backends.sqlite import SQLiteBackend
from meetings.search.facets import COUNTED, FacetQuery, Summary
from meetings.search.filters import (
    FILTERS,
    Choice,
    Facet,
    SearchFilter,
    topics_condition,
)
from tests.meetings.test_facets import archive, facets, titles  # noqa: F401

NAMES = ("year", "date_from", "date_to", "topic", "restricted", "status", "body")


def query(vendor="sqlite", include=False):
    """What a declaration reads of the ``FacetQuery`` asking."""
    backend = {"postgresql": PostgresBackend, "sqlite": SQLiteBackend}[vendor](connection=None)
    return SimpleNamespace(
        backend=backend, _topics_column=lambda: "f.topics" if include else "f.topics_public"
    )


class TestRegistry:
    def test_the_filters_in_the_pages_order(self):
        assert FILTERS.names == NAMES
        assert [f.name for f in FILTERS] == list(NAMES)

    def test_how_each_is_counted(self):
        assert FILTERS.counted == COUNTED == ("year", "restricted", "status", "body")
        assert FILTERS.uncounted == ("date_from", "date_to", "topic")
        assert FILTERS.row_filters == ("date_from", "date_to")
        # The order of the conditions in the counting statement: the counted, then the topics.
        assert FILTERS.in_statement == ("year", "restricted", "status", "body", "topic")

    def test_counted_filters_name_their_column_grouping_and_typed_slot(self):
        read = {
            name: (FILTERS[name].column, FILTERS[name].key, FILTERS[name].slot) for name in COUNTED
        }
        assert read == {
            "year": ("year", "coalesce(f.year, 0)", 0),
            "restricted": ("restricted", "f.restricted", 1),
            "status": ("status", "f.status", 2),
            "body": ("body", "f.body", 2),
        }

    def test_a_row_of_the_counting_statement_is_read_from_the_filters_slot(self):
        row = (2024, 1, "heard")
        assert FILTERS["year"].count_value(row) == 2024
        assert FILTERS["restricted"].count_value(row) is True
        assert FILTERS["status"].count_value(row) == "heard"
        assert FILTERS["restricted"].count_value((None, 0, None)) is False


class TestConditions:
    def test_year(self):
        years = FILTERS["year"]
        assert years.condition(query(), [2024, 2025]) == (
            "(f.date BETWEEN %s AND %s OR f.date BETWEEN %s AND %s)",
            [
                datetime.date(2024, 1, 1),
                datetime.date(2024, 12, 31),
                datetime.date(2025, 1, 1),
                datetime.date(2025, 12, 31),
            ],
        )
        # The rows counted have a year but no date.
        assert years.count_condition(query(), [2024, 2025]) == ("f.year IN (%s, %s)", [2024, 2025])

    def test_date_range(self):
        day = datetime.date(2024, 5, 1)
        assert FILTERS["date_from"].condition(query(), day) == ("f.date >= %s", [day])
        assert FILTERS["date_to"].condition(query(), day) == ("f.date <= %s", [day])
        assert FILTERS["date_to"].count_condition(query(), day) == ("f.date <= %s", [day])

    @pytest.mark.parametrize(
        ("vendor", "include", "expected"),
        [
            ("postgresql", False, ("f.topics_public && %s::bigint[]", [[3, 5]])),
            ("postgresql", True, ("f.topics && %s::bigint[]", [[3, 5]])),
            (
                "sqlite",
                False,
                (
                    "EXISTS (SELECT 1 FROM json_each(f.topics_public) WHERE value IN (%s, %s))",
                    [3, 5],
                ),
            ),
        ],
    )
    def test_topic_by_database(self, vendor, include, expected):
        topics = [SimpleNamespace(pk=3), SimpleNamespace(pk=5)]
        assert FILTERS["topic"].condition(query(vendor, include), topics) == expected
        assert topics_condition(query(vendor, include), [3, 5]) == expected

    def test_restricted_status_body(self):
        assert FILTERS["restricted"].condition(query(), "yes") == ("f.restricted = %s", [True])
        assert FILTERS["restricted"].condition(query(), "no") == ("f.restricted = %s", [False])
        assert FILTERS["status"].condition(query(), ["heard", "deferred"]) == (
            "f.status IN (%s, %s)",
            ["heard", "deferred"],
        )
        assert FILTERS["body"].condition(query(), [""]) == ("f.body IN (%s)", [""])

    @pytest.mark.django_db
    def test_facet_query_asks_the_declarations(self):
        params = QueryDict("year=2024&status=heard&sort=oldest")
        filterset = ItemSearchFilter(params)
        facet_query = FacetQuery(filterset)
        assert facet_query._condition("year") == FILTERS["year"].condition(facet_query, [2024])
        assert facet_query._count_condition("year") == ("f.year IN (%s)", [2024])
        assert facet_query._condition("status") == ("f.status IN (%s)", ["heard"])
        assert facet_query._condition("body") is None  # not given
        assert facet_query._condition("sort") is None  # not a filter


class TestFilterSet:
    @pytest.mark.django_db
    def test_its_fields_are_the_registrys_between_the_query_and_the_sort_order(self):
        form = ItemSearchFilter({}).form
        assert list(form.fields) == ["q", *NAMES, "sort"]
        labels = {name: form.fields[name].label for name in NAMES}
        assert labels == {
            "year": "Year",
            "date_from": "Date from",
            "date_to": "Date to",
            "topic": "Topic",
            "restricted": "Restricted",
            "status": "Status",
            "body": "Body",
        }

    def test_the_class_lists_them_too(self):
        assert list(ItemSearchFilter.base_filters) == ["q", *NAMES, "sort"]

    @pytest.mark.django_db
    def test_the_topic_field_knows_who_asks(self, restricted_viewer):
        assert not ItemSearchFilter({}).form.fields["topic"].include_restricted
        viewer = ItemSearchFilter({}, user=restricted_viewer)
        assert viewer.include_restricted
        assert viewer.form.fields["topic"].include_restricted


def summary(**counts) -> Summary:
    return Summary(total=5, counts=counts, body_count=2)


class TestChoices:
    def test_years_newest_first_without_undated_meetings(self):
        facet = FILTERS["year"].facet({"year": [2019]}, summary(year={2024: 3, 0: 1, 2025: 2}))
        assert facet.legend == "Year"
        assert [(c.label, c.count, c.selected) for c in facet.choices] == [
            ("2025", 2, False),
            ("2024", 3, False),
            ("2019", 0, True),
        ]

    def test_restricted_and_status_labels(self):
        facet = FILTERS["restricted"].facet({"restricted": "no"}, summary(restricted={True: 1}))
        assert facet.legend == "Restricted items"
        assert [(c.value, c.label, c.count, c.selected) for c in facet.choices] == [
            ("yes", "Restricted", 1, False),
            ("no", "Not restricted", 0, True),
        ]
        facet = FILTERS["status"].facet({}, summary(status={"deferred": 2}))
        assert [(c.value, c.label) for c in facet.choices] == [("deferred", "Deferred")]

    def test_bodies_largest_first_and_only_with_more_than_one(self):
        counts = summary(body={"B": 1, "": 4, "A": 4})
        facet = FILTERS["body"].facet({}, counts)
        assert [c.label for c in facet.choices] == ["A", "Body not known", "B"]
        assert FILTERS["body"].facet({}, Summary(total=1, body_count=1)) is None

    def test_topics_from_the_summary_and_those_selected(self):
        selected = SimpleNamespace(slug="rare", name="Rare")
        counted = Summary(total=3, topics=[("knife-crime", "Knife Crime", 3)])
        facet = FILTERS["topic"].facet({"topic": [selected]}, counted)
        assert [(c.value, c.count, c.selected) for c in facet.choices] == [
            ("knife-crime", 3, False),
            ("rare", 0, True),
        ]
        assert facet.plural == "topics"

    def test_without_counts_only_the_selected(self):
        facet = FILTERS["year"].facet({"year": [2024]}, Summary(total=0, exact=False))
        assert [(c.label, c.count) for c in facet.choices] == [("2024", None)]

    def test_the_date_range_lists_no_choices(self):
        assert FILTERS["date_from"].facet({}, summary()) is None

    def test_active_values_described(self):
        topic = SimpleNamespace(slug="knife-crime", name="Knife Crime")
        assert FILTERS["year"].active([2024], "2024") == [("2024", "Year: 2024")]
        day = datetime.date(2024, 5, 1)
        assert FILTERS["date_from"].active(day, "2024-05-01") == [
            ("2024-05-01", "Date from 1 May 2024")
        ]
        assert FILTERS["topic"].active([topic], None) == [("knife-crime", "Topic: Knife Crime")]
        assert FILTERS["restricted"].active("yes", "yes") == [("yes", "Restricted items only")]
        assert FILTERS["status"].active(["heard"], None) == [("heard", "Status: Heard")]
        assert FILTERS["body"].active(["", "A"], None) == [
            ("", "Body: Body not known"),
            ("A", "Body: A"),
        ]


class FirstItemsFilter(SearchFilter):
    """Only the first items of each meeting: a filter declared nowhere else."""

    name, label, legend = "first", "First items", "Place in the meeting"
    applied_to_rows = True

    def form_filter(self, *, include_restricted):
        return django_filters.NumberFilter(label=self.label)

    def condition(self, query, value):
        return "f.position <= %s", [int(value)]

    def facet(self, values, summary):
        value = values.get(self.name)
        choices = [Choice("1", "The first item", None, value == 1)]
        return Facet(self.name, self.legend, choices)

    def active(self, value, raw):
        return [(raw, f"First {value:g} items")]


@pytest.fixture
def first_items():
    FILTERS.register(FirstItemsFilter)
    yield FILTERS[FirstItemsFilter.name]
    FILTERS.unregister(FirstItemsFilter.name)


class TestANewFilter:
    """Registering a declaration is all a filter needs (beside its column of ``f``)."""

    def test_it_joins_the_registry(self, first_items):
        assert FILTERS.names == (*NAMES, "first")
        assert FILTERS.row_filters == ("date_from", "date_to", "first")
        assert "first" in FILTERS.uncounted

    @pytest.mark.django_db
    def test_it_is_in_the_form_and_the_conditions(self, first_items):
        filterset = ItemSearchFilter({"first": "1"})
        assert list(filterset.form.fields) == ["q", *NAMES, "first", "sort"]
        assert filterset.values == {"first": 1}
        assert FacetQuery(filterset)._condition("first") == ("f.position <= %s", [1])

    def test_it_narrows_the_page_and_is_listed(self, first_items, archive, client):  # noqa: F811
        response = client.get("/search/", {"first": "1"})

        assert titles(response) == {
            "Knife crime update",
            "Knife crime figures",
            "Nightfall launch",
            "Knife crime",
        }
        assert response.context["paginator"].count == 4
        assert facets(response)["first"] == {"The first item": (None, True)}
        assert [a["label"] for a in response.context["active_filters"]] == ["First 1 items"]
        # Counted with it: the years' counts are of the first items only.
        assert facets(response)["year"] == {
            "2025": (1, False),
            "2024": (2, False),
            "2023": (1, False),
        }
