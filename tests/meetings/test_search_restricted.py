"""Search never discloses the text of restricted items to those who may not read it.

A visitor, and a signed-in user without ``meetings.view_restricted``, may find a restricted
item by its number and title only. Words found only in its agenda text, minutes, decisions or
the topics found in them select nothing, rank nothing and appear nowhere: not in results,
snippets, topic tags, counts, filter counts or the CSV. A user with the permission searches
everything.
"""

import csv
import datetime
import io
from urllib.parse import quote_plus

import pytest
from django.contrib.auth.models import Permission
from django.db.models import F
from django.utils.html import escape

from meetings.models import AgendaItem

pytestmark = pytest.mark.django_db

URL = "/search/"
CSV_URL = "/search/results.csv"
# Words found only in the restricted items' text, decisions and text-found topics.
SECRETS = ["zanzibar", "quokka", "marmoset", "capybara", "comparison", "depot", "sighting"]


@pytest.fixture
def archive(make_meeting):
    make_meeting(
        date=datetime.date(2025, 1, 22),
        items=[
            {
                "number": "SSP/52/24",
                "title": "Operation Nightfall",
                "minutes_text": "Patrols continued in the town.",
                "resolutions": ["Members noted the report."],
                "topics": {"Operation Nightfall": True},
            },
            {
                "number": "SSP/58/24",
                "title": "iQuanta Report",
                "restricted": True,
                "agenda_text": "To consider the zanzibar figures.",
                "minutes_text": "The zanzibar comparison was presented to quokka members.",
                "resolutions": ["The marmoset report was noted."],
                "topics": {"iQuanta": True, "Zanzibar Project": False},
            },
        ],
    )
    make_meeting(
        date=datetime.date(2024, 10, 2),
        items=[
            {
                "title": "Restricted - Case review",
                "restricted": True,
                "minutes_text": "Quokka sighting near the depot.",
                "resolutions": ["Capybara action agreed."],
                "topics": {"Capybara Unit": False},
            },
            {"title": "Case review", "minutes_text": "General discussion of patrols."},
        ],
    )


@pytest.fixture(params=["anonymous", "signed in without permission"])
def outsider(request, client, django_user_model):
    if request.param != "anonymous":
        # No password: hashing one would only slow the tests down.
        client.force_login(django_user_model.objects.create_user("resident"))
    return client


@pytest.fixture
def member(client, django_user_model):
    user = django_user_model.objects.create_user("officer")
    user.user_permissions.add(Permission.objects.get(codename="view_restricted"))
    client.force_login(user)
    return client


def page(client, **params):
    """The response and its main content (the footer repeats the address in a sign-in link)."""
    response = client.get(URL, params)
    assert response.status_code == 200
    html = response.content.decode()
    return response, html[html.index("<main") : html.index("</main>")].casefold()


def csv_rows(client, **params) -> list[dict]:
    response = client.get(CSV_URL, params)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def facet_labels(response) -> set[str]:
    return {choice.label for facet in response.context["facets"] for choice in facet.choices}


def assert_no_secrets(text: str, *, echoed: str = ""):
    """None of the secret words in ``text``, apart from the query the page repeats."""
    text = text.casefold()
    if echoed:
        for form in (escape(echoed), quote_plus(echoed), echoed):
            text = text.replace(form.casefold(), "")
    for word in SECRETS:
        assert word not in text, f"{word!r} disclosed"


class TestOutsiders:
    @pytest.mark.parametrize(
        "query",
        [
            *SECRETS,
            '"zanzibar comparison"',
            "zanzibar project",
            "iquanta zanzibar",
            "SSP/58/24 marmoset",
            "quokka or marmoset",
        ],
    )
    def test_words_of_restricted_text_find_nothing(self, archive, outsider, query):
        response, html = page(outsider, q=query)

        assert response.context["results"] == []
        assert response.context["paginator"].count == 0
        assert f"0 items found for ‘{escape(query).casefold()}’" in html
        assert facet_labels(response) == set()
        assert "<mark>" not in html
        assert_no_secrets(html, echoed=query)
        assert csv_rows(outsider, q=query) == []

    def test_found_by_title_with_a_snippet_of_the_title_only(self, archive, outsider):
        response, html = page(outsider, q="iquanta")

        (item,) = response.context["results"]
        assert item.title == "iQuanta Report"
        assert item.snippet == "<mark>iQuanta</mark> Report"
        assert [link.topic.name for link in item.shown_topics] == ["iQuanta"]
        assert facet_labels(response) == {"iQuanta", "2025", "Restricted", "Heard"}
        assert "its papers, minutes and decisions are not" in html
        assert_no_secrets(html)

    def test_found_by_number(self, archive, outsider):
        response, html = page(outsider, q="SSP/58/24")

        assert [item.title for item in response.context["results"]] == ["iQuanta Report"]
        assert_no_secrets(html)

    @pytest.mark.parametrize("exclude", ["-zanzibar", "-marmoset", '-"zanzibar comparison"'])
    def test_excluding_restricted_words_tells_nothing(self, archive, outsider, exclude):
        response, html = page(outsider, q=f"iquanta {exclude}")

        assert [item.title for item in response.context["results"]] == ["iQuanta Report"]
        assert_no_secrets(html, echoed=exclude)

    def test_alternatives_match_the_title_only(self, archive, outsider):
        response, _ = page(outsider, q="quokka or review")

        assert {item.title for item in response.context["results"]} == {
            "Restricted - Case review",
            "Case review",
        }

    def test_browsing(self, archive, outsider):
        response, html = page(outsider)

        assert len(response.context["results"]) == 4
        snippets = {item.title: item.snippet for item in response.context["results"]}
        assert snippets["iQuanta Report"] == ""
        assert snippets["Restricted - Case review"] == ""
        assert "Zanzibar Project" not in facet_labels(response)
        assert "Capybara Unit" not in facet_labels(response)
        assert_no_secrets(html)

    def test_topic_found_only_in_restricted_text_selects_nothing(self, archive, outsider):
        response, html = page(outsider, topic="zanzibar-project")

        assert len(response.context["results"]) == 4  # the unknown topic is left out
        assert response.context["active_filters"] == []
        assert_no_secrets(html, echoed="zanzibar-project")
        # Named as a topic that does not exist is, in the same words.
        _, unknown = page(outsider, topic="no-such-topic")
        notice = "no topic called ‘{}’ was found, so that filter is not applied."
        assert notice.format("zanzibar-project") in html
        assert notice.format("no-such-topic") in unknown

    def test_csv_withholds_decisions_and_text_topics(self, archive, outsider):
        rows = {row["title"]: row for row in csv_rows(outsider)}

        assert rows["iQuanta Report"]["decisions"] == "Withheld: restricted item"
        assert rows["iQuanta Report"]["minutes"] == "Withheld: restricted item"
        assert rows["iQuanta Report"]["topics"] == "iQuanta"
        assert rows["iQuanta Report"]["restricted"] == "yes"
        assert rows["Operation Nightfall"]["decisions"] == "Members noted the report."
        assert_no_secrets(repr(rows))

    def test_the_queryset_method_is_public_by_default(self, archive):
        assert not AgendaItem.objects.search("zanzibar").exists()
        assert AgendaItem.objects.search("zanzibar", include_restricted=True).exists()


class TestMembers:
    @pytest.mark.parametrize(
        ("query", "found"),
        [
            ("zanzibar", {"iQuanta Report"}),
            ("marmoset", {"iQuanta Report"}),
            ("quokka", {"iQuanta Report", "Restricted - Case review"}),
            ("capybara", {"Restricted - Case review"}),
            ('"zanzibar comparison"', {"iQuanta Report"}),
            ("iquanta -zanzibar", set()),
        ],
    )
    def test_search_everything(self, archive, member, query, found):
        response, _ = page(member, q=query)

        assert {item.title for item in response.context["results"]} == found

    def test_snippets_topics_counts_and_csv_include_restricted_text(self, archive, member):
        response, html = page(member, q="zanzibar")

        (item,) = response.context["results"]
        assert "<mark>zanzibar</mark> comparison" in item.snippet
        assert [link.topic.name for link in item.shown_topics] == ["iQuanta", "Zanzibar Project"]
        assert "Zanzibar Project" in facet_labels(response)
        assert "its papers, minutes and decisions are not" not in html
        (row,) = csv_rows(member, q="zanzibar")
        assert row["decisions"] == "The marmoset report was noted."
        assert row["minutes"] == "The zanzibar comparison was presented to quokka members."
        assert row["topics"] == "iQuanta; Zanzibar Project"

    def test_topic_found_in_restricted_text(self, archive, member):
        response, _ = page(member, topic="capybara-unit")

        assert [item.title for item in response.context["results"]] == ["Restricted - Case review"]


class TestRestrictedFilter:
    """The restricted filter with a query finds what the query finds, of that kind only."""

    @pytest.mark.parametrize(
        ("query", "restricted", "found"),
        [
            ("review", "yes", {"Restricted - Case review"}),
            ("review", "no", {"Case review"}),
            ("quokka", "yes", set()),
            ("patrols", "no", {"Operation Nightfall", "Case review"}),
            ("patrols", "yes", set()),
        ],
    )
    def test_outsiders(self, archive, outsider, query, restricted, found):
        response, html = page(outsider, q=query, restricted=restricted)

        assert {item.title for item in response.context["results"]} == found
        assert_no_secrets(html, echoed=query)

    @pytest.mark.parametrize(
        ("query", "restricted", "found"),
        [
            ("quokka", "yes", {"iQuanta Report", "Restricted - Case review"}),
            ("quokka", "no", set()),
            ("patrols -quokka", "no", {"Operation Nightfall", "Case review"}),
            ("review", "yes", {"Restricted - Case review"}),
            ("review", "no", {"Case review"}),
        ],
    )
    def test_members(self, archive, member, query, restricted, found):
        response, _ = page(member, q=query, restricted=restricted)

        assert {item.title for item in response.context["results"]} == found

    def test_its_own_counts_apply_the_query_alone(self, archive, member):
        response, _ = page(member, q="review", restricted="yes")

        (facet,) = [f for f in response.context["facets"] if f.name == "restricted"]
        counts = {choice.label: (choice.count, choice.selected) for choice in facet.choices}
        assert counts == {"Restricted": (1, True), "Not restricted": (1, False)}


class TestRankingOfRestrictedItems:
    """Restricted items are ranked on their number and title alone for those who may not read
    them: the length of their hidden text (which SQLite's bm25 would weigh) changes nothing."""

    HIDDEN = "The unpublished discussion of the figures continued at some length. "

    @pytest.fixture(params=["long-text-newer", "long-text-older"])
    def items(self, request, make_meeting):
        lengths = {"long-text-newer": (400, 1), "long-text-older": (1, 400)}[request.param]
        days = (datetime.date(2025, 3, 5), datetime.date(2024, 3, 6))
        for day, repeat in zip(days, lengths, strict=True):
            make_meeting(
                date=day,
                items=[
                    {
                        "title": "Knife crime review",
                        "restricted": True,
                        "minutes_text": self.HIDDEN * repeat,
                        "resolutions": [self.HIDDEN * repeat],
                    },
                    # An open item, so that the restricted ones are not the whole archive.
                    {"title": "Patrols", "minutes_text": "Knife arches were used."},
                ],
            )

    @pytest.mark.parametrize("query", ["knife crime review", "knife", "review or patrols"])
    def test_the_search_page_orders_them_as_equals(self, client, items, query):
        response = client.get(URL, {"q": query, "restricted": "yes"})

        found = [(item.title, item.meeting.date.year) for item in response.context["results"]]
        assert found == [("Knife crime review", 2025), ("Knife crime review", 2024)]

    def test_within_a_year(self, client, items):
        # Few items in the year and more matches: SQLite reads the year's items first.
        response = client.get(URL, {"q": "knife", "year": "2025"})

        found = [(item.title, item.meeting.date.year) for item in response.context["results"]]
        assert found == [("Knife crime review", 2025), ("Patrols", 2025)]

    def test_the_queryset_method_orders_them_as_equals(self, items):
        found = AgendaItem.objects.filter(restricted=True).search("knife crime")
        ranks = list(found.annotate(rank=F("search_rank")).values_list("rank", flat=True))

        assert len(ranks) == 2 and ranks[0] == ranks[1]
