"""The search page's selector: a page of results with the counts beside each filter's choices,
and every result of a search for its download."""

from django.contrib.auth.models import AnonymousUser
from django.db import OperationalError
from django.http import QueryDict

from meetings import filters, selectors
from tests.meetings.test_facets import archive  # noqa: F401

ANONYMOUS = AnonymousUser()


def search(params: str, user=ANONYMOUS, page=None, **kwargs) -> selectors.SearchPage:
    return selectors.search_page(QueryDict(params), user, page, **kwargs)


class TestSearchPage:
    def test_results_counts_and_choices(self, archive):  # noqa: F811
        found = search("q=knife&year=2024")

        assert {item.title for item in found.results} == {"Knife crime figures", "Knife crime"}
        assert found.paginator.count == found.summary.total == 2
        assert found.page.number == 1
        assert [facet.name for facet in found.facets] == [
            "year",
            "topic",
            "restricted",
            "status",
            "body",
        ]
        years = {
            choice.label: (choice.count, choice.selected) for choice in found.facets[0].choices
        }
        # The year's own choices are counted without it.
        assert years == {"2025": (2, False), "2024": (2, True)}

    def test_each_result_is_ready_to_show(self, archive):  # noqa: F811
        found = search("q=nightfall")

        for item in found.results:
            assert item.url == f"/items/{item.pk}/"
            assert item.meeting_url == f"/meetings/{item.meeting_id}/"
            assert hasattr(item, "snippet")
            assert hasattr(item, "shown_topics")

    def test_what_the_user_may_see(self, archive, restricted_viewer):  # noqa: F811
        assert [item.title for item in search("q=iquanta").results] == ["Restricted - iQuanta"]
        assert search("q=iquanta").filterset.include_restricted is False
        assert search("q=iquanta", restricted_viewer).filterset.include_restricted is True
        assert search("restricted=yes", restricted_viewer).paginator.count == 1

    def test_pages(self, archive):  # noqa: F811
        found = search("sort=oldest", page="2", per_page=2)

        assert found.paginator.num_pages == 4
        assert found.page.number == 2
        assert [item.title for item in found.results] == ["Knife crime figures", "Street Pastors"]

    def test_show_all(self, archive):  # noqa: F811
        found = search("", show_all=["topic"])

        topic = next(facet for facet in found.facets if facet.name == "topic")
        assert topic.expanded

    def test_out_of_time_without_counts(self, archive, monkeypatch):  # noqa: F811
        def too_long(query):
            raise OperationalError("interrupted")

        monkeypatch.setattr(filters.FacetQuery, "summary", too_long)
        monkeypatch.setattr(selectors, "timed_out", lambda connection, error: True)

        found = search("q=knife")

        assert not found.summary.exact
        assert found.paginator.count == 4
        assert len(found.results) == 4
        assert all(choice.count is None for facet in found.facets for choice in facet.choices)

    def test_out_of_time_again_without_results(self, archive, monkeypatch):  # noqa: F811
        def too_long(*args):
            raise OperationalError("interrupted")

        monkeypatch.setattr(filters.FacetQuery, "summary", too_long)
        monkeypatch.setattr(filters.FacetQuery, "rough_summary", too_long)
        monkeypatch.setattr(selectors, "timed_out", lambda connection, error: True)

        found = search("q=knife")

        assert found.summary.failed
        assert found.results == []


class TestSearchExport:
    def test_every_result_in_the_pages_order(self, archive):  # noqa: F811
        export = selectors.search_export(QueryDict("q=knife"), ANONYMOUS, seconds=30)

        page = search("q=knife", per_page=100)
        assert export.ids == [item.pk for item in page.results]
        assert export.include_restricted is False

    def test_the_filters_apply(self, archive, restricted_viewer):  # noqa: F811
        export = selectors.search_export(QueryDict("restricted=yes"), restricted_viewer, seconds=30)

        assert len(export.ids) == 1
        assert export.include_restricted is True
