"""The search page's query, filters and sort order (django-filter), and the counts beside them.

Each filter is declared once, in ``meetings.search.filters``: its form field, its condition on the
narrow table, how its choices are counted and listed. This module reads the declarations.

Every filter reads repeated GET parameters (``?year=2024&year=2025``), so the page's address
holds its whole state. Several values of one filter widen the results (2024 or 2025); different
filters narrow them. The counts shown beside a filter's choices (``facets``) apply every other
active filter but not that filter's own, so a second year or topic can still be ticked.

At a million items the page reads the narrow table of ``meetings.search.index`` rather than
the items themselves (``meetings.search.facets.FacetQuery``):

- counts: the matches' facet values are read once, then grouped by year, restricted, status,
  body and topic in turn, each with the other filters applied, in the same statement
  (``FacetQuery._counted``). Without a query they are read from the archive's counts, kept up
  to date by triggers. A query matching more than ``SAMPLE_ABOVE`` items is counted on a
  fixed sample of them, and the counts are shown as estimates ("about").
- results: relevance ranks only the newest ``CANDIDATES`` matches (the most recently added on
  SQLite), and says so on the page; the other matches follow, newest first. Only the page's
  20 items are loaded from the item table, and only they get snippets.
- time: the page's queries run within ``TIME_LIMIT`` (``statement_timeout`` on PostgreSQL, a
  progress handler on SQLite). Past it the page is shown without counts, then without results,
  each marked as such, rather than holding a worker.
"""

import copy

import django_filters
from django import forms
from django.db import connections

from .models import AgendaItem, can_view_restricted
from .search import backend_for, parse_query
from .search.facets import CANDIDATES, NEWEST, OLDEST, RELEVANCE, FacetQuery, Summary
from .search.filters import (  # noqa: F401 (the filters' names, kept importable from here)
    BODIES_SHOWN,
    FILTERS,
    RESTRICTED_CHOICES,
    TOPICS_SHOWN,
    UNKNOWN_BODY,
    Choice,
    Facet,
    shortlist,
)
from .search.results import load_items

SORT_CHOICES = [(RELEVANCE, "Relevance"), (NEWEST, "Newest first"), (OLDEST, "Oldest first")]


class SearchForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "Date to must be the same as or after date from")
        return cleaned


class ItemSearchFilter(django_filters.FilterSet):
    """The search page's state: ``q``, the filters and ``sort``, read by a form.

    ``FacetQuery`` finds, orders and counts the results from ``values``.

    Its filters between ``q`` and ``sort`` are those of ``meetings.search.filters.FILTERS``.

    Give it ``user`` (or ``request``): what a user without ``meetings.view_restricted`` can
    match, and the topics counted for restricted items, depend on it.
    """

    q = django_filters.CharFilter(label="Search the minutes")
    # Between the two: a field for each filter of ``FILTERS`` (see ``get_filters``).
    sort = django_filters.ChoiceFilter(label="Sort by", choices=SORT_CHOICES)

    class Meta:
        model = AgendaItem
        fields = []
        form = SearchForm

    def __init__(self, data=None, queryset=None, *, request=None, user=None, **kwargs):
        if queryset is None:
            queryset = AgendaItem.objects.all()
        super().__init__(data, queryset, request=request, **kwargs)
        if user is None:
            user = getattr(request, "user", None)
        self.include_restricted = can_view_restricted(user)
        # Made again for each search: a topic field knows whether restricted items' topics
        # may be chosen, and the registry is read as it is now.
        self.filters = self.get_filters(include_restricted=self.include_restricted)
        for filter_ in self.filters.values():
            filter_.model = AgendaItem
            filter_.parent = self

    @classmethod
    def get_filters(cls, *, include_restricted: bool = False) -> dict:
        """``q``, a field for each registered filter in its order, then ``sort``."""
        declared = copy.deepcopy(cls.declared_filters)
        filters = {"q": declared["q"]}
        for declaration in FILTERS:
            filters[declaration.name] = declaration.form_filter(
                include_restricted=include_restricted
            )
        filters["sort"] = declared["sort"]
        return filters

    # State

    @property
    def values(self) -> dict:
        """The valid values given, by parameter name (invalid ones are left out)."""
        self.is_valid()
        return {
            name: value
            for name, value in self.form.cleaned_data.items()
            if value not in (None, "", [], ())
        }

    @property
    def query(self) -> str:
        return self.values.get("q", "")

    @property
    def parsed_query(self):
        return parse_query(self.query)

    @property
    def sort_order(self) -> str:
        """The order of the results: relevance by default when there is a query."""
        sort = self.values.get("sort")
        if not self.query:
            return OLDEST if sort == OLDEST else NEWEST
        return sort or RELEVANCE

    @property
    def active(self) -> bool:
        """Whether any filter (not the query or the sort order) is applied."""
        return any(name not in ("q", "sort") for name in self.values)

    # Counts and pages: one pass over the narrow table (meetings.search.facets)

    @property
    def summary(self) -> "Summary":
        """The number of matches and the counts of every filter's choices, computed once."""
        if not hasattr(self, "_summary"):
            self._summary = FacetQuery(self).summary()
        return self._summary

    def results(self) -> "SearchResults":
        """The results in the page's order, for a ``Paginator``; see ``SearchResults``."""
        return SearchResults(self)

    def facets(self, *, show_all=()) -> list[Facet]:
        """The choices of each filter with their counts, from ``summary``.

        Choices without items are left out unless selected. The body filter is offered only when
        the archive holds more than one body. When the counts could not be made in time, only
        the selected choices are listed, without counts. The topic and body filters list their
        largest few choices (and any selected) unless their name is in ``show_all``.
        """
        summary, values = self.summary, self.values
        facets = []
        for declaration in FILTERS:
            facet = declaration.facet(values, summary)
            if facet is None:
                continue
            if declaration.shown is not None:
                shortlist(facet, declaration.shown, expanded=facet.name in show_all)
            for number, choice in enumerate(facet.choices, 1):
                choice.input_id = f"{facet.name}-{number}"
            facets.append(facet)
        return facets


class SearchResults:
    """The results of a search, sliced by a ``Paginator`` without loading the others.

    ``count()`` comes from the filter set's ``summary``; a slice asks for the ids of those
    results in the page's order, then loads their items (with their meetings) in one query.
    """

    def __init__(self, filterset):
        self.filterset = filterset

    def count(self) -> int:
        return self.filterset.summary.total

    def __len__(self) -> int:
        return self.count()

    @property
    def ranked_among(self) -> str:
        """When relevance ranked only some of the matches, which: "5,000 most recent"."""
        if not (self.filterset.query and self.filterset.sort_order == RELEVANCE):
            return ""
        if self.count() <= CANDIDATES:
            return ""
        which = backend_for(connections[self.filterset.queryset.db]).candidates_label
        return f"{CANDIDATES:,} {which}"

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        if self.filterset.summary.failed or (index.stop or 0) <= (index.start or 0):
            return []
        ids = FacetQuery(self.filterset).ids(index.start or 0, index.stop)
        return load_items(ids, using=self.filterset.queryset.db)
