"""FacetQuery (meetings.search.facets): counts and result ids over the narrow table.

Through the backend of the database in use; the same expectations on SQLite and PostgreSQL.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.db import connection

from meetings.filters import ItemSearchFilter
from meetings.models import AgendaItem
from meetings.search import facets
from meetings.search.facets import FacetQuery

pytestmark = pytest.mark.django_db

HEARD, DEFERRED = AgendaItem.Status.HEARD, AgendaItem.Status.DEFERRED


class Reader:
    """A user who may read restricted text, or not."""

    def __init__(self, member: bool):
        self.member = member

    def has_perm(self, permission):
        return self.member


def query(params, *, member=False) -> FacetQuery:
    request = SimpleNamespace(user=Reader(member))
    return FacetQuery(ItemSearchFilter(params, request=request))


def ids(params, start, stop, *, member=False) -> list[int]:
    """The result ids from ``start`` to ``stop``, as a page asks for them: the summary counted
    first (by a FacetQuery of its own), then the ids."""
    request = SimpleNamespace(user=Reader(member))
    filterset = ItemSearchFilter(params, request=request)
    filterset.summary  # noqa: B018
    return FacetQuery(filterset).ids(start, stop)


def titles(ids) -> list[str]:
    by_id = dict(AgendaItem.objects.filter(pk__in=ids).values_list("pk", "title"))
    return [by_id[pk] for pk in ids]


@pytest.fixture
def archive(make_meeting):
    make_meeting(
        date=datetime.date(2025, 1, 22),
        items=[
            {"title": "Knife crime", "status": HEARD, "topics": {"Blade arches": True}},
            {"title": "Patrols", "minutes_text": "Knife arches at the station.", "status": HEARD},
            {
                "title": "Confidential case",
                "minutes_text": "A knife was found.",
                "restricted": True,
                "status": DEFERRED,
                "topics": {"Blade arches": False},
            },
        ],
    )
    make_meeting(
        date=datetime.date(2024, 10, 2),
        body="Community Safety Board",
        items=[{"title": "Knife amnesty", "status": DEFERRED, "topics": {"Blade arches": True}}],
    )
    make_meeting(date=None, items=[{"title": "Undated knife item", "status": HEARD}])


def test_the_backend_is_the_connections():
    facet_query = query({})

    assert facet_query.backend.vendor == connection.vendor
    assert facet_query.backend.connection.alias == connection.alias


def test_counts_apply_every_filter_but_their_own(archive):
    summary = query({"q": "knife", "year": ["2025"]}).summary()

    assert summary.exact and not summary.estimated
    assert summary.total == 2  # the restricted item matches on its title only
    assert summary.counts["year"] == {2025: 2, 2024: 1, 0: 1}
    assert summary.counts["status"] == {HEARD: 2}
    assert summary.counts["restricted"] == {False: 2}
    assert summary.body_count == 2


def test_a_member_counts_restricted_text_and_topics(archive):
    public = query({"q": "knife"}).summary()
    member = query({"q": "knife"}, member=True).summary()

    assert (public.total, member.total) == (4, 5)
    assert [(name, count) for _slug, name, count in public.topics] == [("Blade arches", 2)]
    assert [(name, count) for _slug, name, count in member.topics] == [("Blade arches", 3)]


def test_counts_without_a_query_come_from_the_archives_counts(archive):
    summary = query({"status": [DEFERRED]}).summary()

    assert summary.total == 2
    assert summary.counts["status"] == {HEARD: 3, DEFERRED: 2}
    assert summary.counts["year"] == {2025: 1, 2024: 1}
    assert summary.counts["restricted"] == {False: 1, True: 1}


def test_ids_in_each_order(archive):
    oldest = titles(ids({"q": "knife", "sort": "oldest"}, 0, 10))
    newest = titles(ids({"q": "knife", "sort": "newest"}, 0, 10))

    assert oldest == ["Knife amnesty", "Knife crime", "Patrols", "Undated knife item"]
    assert newest == ["Knife crime", "Patrols", "Knife amnesty", "Undated knife item"]


def test_relevance_ranks_the_candidates_then_the_rest_follow(archive, monkeypatch):
    """The candidates (the newest matches on PostgreSQL, the latest added on SQLite) best
    first, a match in the title before one in the text; then every other match."""
    monkeypatch.setattr(facets, "CANDIDATES", 2)

    ranked = titles(ids({"q": "knife"}, 0, 2))
    rest = titles(ids({"q": "knife"}, 2, 10))

    in_title = ["knife" in title.lower() for title in ranked]
    assert len(ranked) == 2 and in_title == sorted(in_title, reverse=True)
    assert sorted(ranked + rest) == sorted(
        ["Knife crime", "Patrols", "Knife amnesty", "Undated knife item"]
    )


def test_the_restricted_filter_finds_the_same_items_either_way(archive):
    for restricted in ("yes", "no"):
        for member in (False, True):
            found = ids({"q": "knife", "restricted": restricted}, 0, 10, member=member)
            expected = AgendaItem.objects.search("knife", include_restricted=member).filter(
                restricted=restricted == "yes"
            )

            assert set(found) == set(expected.values_list("pk", flat=True))


def test_a_topic_filter(archive):
    topic = "blade-arches"

    assert query({"topic": [topic]}).summary().total == 2
    assert query({"topic": [topic]}, member=True).summary().total == 3


def test_a_rough_summary_is_a_lower_bound_without_counts(archive):
    summary = query({"q": "knife"}).rough_summary()

    assert summary.total == 4
    assert not summary.exact
    assert summary.counts == {}
