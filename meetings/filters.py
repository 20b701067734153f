"""The search page's query, filters and sort order (django-filter), and the counts beside them.

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

import logging
import re
from dataclasses import dataclass, field, replace

import django_filters
from django import forms
from django.core.paginator import Page, Paginator
from django.db import OperationalError, connections
from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower

from .models import AgendaItem, ItemTopic, Topic, can_view_restricted
from .search import backend_for, parse_query, time_limit
from .search import timed_out as _timed_out
from .search.facets import (
    CANDIDATES,
    NEWEST,
    OLDEST,
    RELEVANCE,
    TIME_LIMIT,
    FacetQuery,
    Summary,
)
from .search.facets import rounded as _rounded
from .search.results import load_items

logger = logging.getLogger(__name__)

SORT_CHOICES = [(RELEVANCE, "Relevance"), (NEWEST, "Newest first"), (OLDEST, "Oldest first")]
RESTRICTED_CHOICES = [("yes", "Restricted"), ("no", "Not restricted")]
UNKNOWN_BODY = "Body not known"
TOPICS_SHOWN = 10
BODIES_SHOWN = 10
MAX_VALUES = 50  # of one parameter; more are ignored


class MultipleValueField(forms.Field):
    """Every value of a repeated parameter, each cleaned by ``item_field``."""

    widget = forms.SelectMultiple

    def __init__(self, *, item_field: forms.Field, **kwargs):
        self.item_field = item_field
        super().__init__(**kwargs)

    def to_python(self, value):
        if not value:
            return []
        values = [value] if isinstance(value, str) else list(value)
        cleaned = [self.item_field.clean(item) for item in values[:MAX_VALUES]]
        return list(dict.fromkeys(cleaned))


class MultipleValueFilter(django_filters.Filter):
    """A repeated parameter's values (``FacetQuery`` applies them)."""

    field_class = MultipleValueField


_SLUG = re.compile(rf"[-a-zA-Z0-9_]{{1,{Topic._meta.get_field('slug').max_length}}}")


class TopicChoiceField(forms.Field):
    """Topics by slug, read in one query; a slug no topic has any more is left out.

    Unless ``include_restricted``, so is a topic found only in the text of restricted items:
    its name would tell something of that text.
    """

    widget = forms.SelectMultiple

    def __init__(self, *, include_restricted: bool = False, **kwargs):
        self.include_restricted = include_restricted
        super().__init__(**kwargs)

    def to_python(self, value):
        if not value:
            return []
        values = [value] if isinstance(value, str) else list(value)
        slugs = [slug for slug in values[:MAX_VALUES] if slug]
        # Checked before the query: PostgreSQL refuses text holding a NUL character outright.
        if not all(_SLUG.fullmatch(slug) for slug in slugs):
            raise forms.ValidationError(
                "Choose topics from the list; this address names one that is not a topic.",
                code="invalid",
            )
        topics = Topic.objects.filter(slug__in=slugs)
        if not self.include_restricted:
            links = ItemTopic.objects.with_restricted(False).filter(topic=OuterRef("pk"))
            topics = topics.filter(Exists(links))
        return list(topics.order_by(Lower("name")))


class TopicFilter(django_filters.Filter):
    field_class = TopicChoiceField


class SearchForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be the same as or after the start date.")
        return cleaned


@dataclass
class Choice:
    value: str
    label: str
    count: int | None  # None when not counted (see ``Summary.exact``)
    selected: bool
    estimated: bool = False  # the count is an estimate (see ``Summary.estimated``)
    input_id: str = ""  # the checkbox's id, given by ``ItemSearchFilter.facets``

    @property
    def count_text(self) -> str:
        """The count as shown beside the choice ("about 1200"); empty when not counted.

        Made here rather than in the template: a page lists a hundred choices or more, and
        the template engine formats each number it prints for the locale.
        """
        if self.count is None:
            return ""
        return f"about {self.count}" if self.estimated else str(self.count)

    @property
    def noun(self) -> str:
        return "item" if self.count == 1 else "items"


@dataclass
class Facet:
    name: str  # the GET parameter
    legend: str
    choices: list[Choice]
    hidden: int = 0  # choices left out until "show all"
    # Filters with many choices list the largest few until "show all" (``SHORTLISTED``).
    plural: str = ""  # "topics": what the link to show them all names
    expanded: bool = False  # every choice shown, after "show all"
    show_all_url: str = ""  # set by the view
    show_fewer_url: str = ""
    errors: list[str] = field(default_factory=list)  # the form's errors for it, set by the view


class ItemSearchFilter(django_filters.FilterSet):
    """The search page's state: ``q``, the filters and ``sort``, read by a form.

    ``FacetQuery`` finds, orders and counts the results from ``values``.

    Give it ``request``: what a user without ``meetings.view_restricted`` can match, and the
    topics counted for restricted items, depend on it.
    """

    q = django_filters.CharFilter(label="Search the minutes")
    year = MultipleValueFilter(
        label="Year", item_field=forms.IntegerField(min_value=1, max_value=9999)
    )
    date_from = django_filters.DateFilter(
        field_name="meeting__date", lookup_expr="gte", label="From"
    )
    date_to = django_filters.DateFilter(field_name="meeting__date", lookup_expr="lte", label="To")
    topic = TopicFilter(label="Topic")
    restricted = django_filters.ChoiceFilter(label="Restricted", choices=RESTRICTED_CHOICES)
    status = django_filters.MultipleChoiceFilter(label="Status", choices=AgendaItem.Status.choices)
    body = MultipleValueFilter(
        label="Body", field_name="meeting__body", item_field=forms.CharField(required=False)
    )
    sort = django_filters.ChoiceFilter(label="Sort by", choices=SORT_CHOICES)

    class Meta:
        model = AgendaItem
        fields = []
        form = SearchForm

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        if queryset is None:
            queryset = AgendaItem.objects.all()
        super().__init__(data, queryset, request=request, **kwargs)
        self.include_restricted = can_view_restricted(getattr(request, "user", None))
        self.filters["topic"].extra["include_restricted"] = self.include_restricted

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
        summary = self.summary
        facets = [self._year_facet(summary), self._topic_facet(summary)]
        facets += [self._restricted_facet(summary), self._status_facet(summary)]
        body = self._body_facet(summary)
        facets += [body] if body else []
        for facet in facets:
            if facet.name in SHORTLISTED:
                _shortlist(facet, expanded=facet.name in show_all)
            for number, choice in enumerate(facet.choices, 1):
                choice.input_id = f"{facet.name}-{number}"
        return facets

    def _counts(self, summary: "Summary", name: str) -> dict:
        """Counts of ``name``'s choices, with every other filter applied but not its own."""
        return summary.counts.get(name, {})

    def _year_facet(self, summary) -> Facet:
        counts = self._counts(summary, "year")
        selected = set(self.values.get("year", []))
        years = sorted({year for year in counts if year} | selected, reverse=True)
        choices = [
            Choice(str(year), str(year), counts.get(year, 0), year in selected) for year in years
        ]
        return Facet("year", "Year", _shown(choices, summary))

    def _topic_facet(self, summary) -> Facet:
        selected = {topic.slug: topic for topic in self.values.get("topic", [])}
        choices = [
            Choice(slug, name, count, slug in selected) for slug, name, count in summary.topics
        ]
        counted = {choice.value for choice in choices}
        choices += [
            Choice(slug, topic.name, 0, True)
            for slug, topic in selected.items()
            if slug not in counted
        ]
        return Facet("topic", "Topic", _shown(choices, summary), plural="topics")

    def _restricted_facet(self, summary) -> Facet:
        counts = self._counts(summary, "restricted")
        value = self.values.get("restricted")
        choices = [
            Choice(key, label, counts.get(key == "yes", 0), value == key)
            for key, label in RESTRICTED_CHOICES
        ]
        return Facet("restricted", "Restricted items", _shown(choices, summary))

    def _status_facet(self, summary) -> Facet:
        counts = self._counts(summary, "status")
        selected = set(self.values.get("status", []))
        choices = [
            Choice(value, label, counts.get(value, 0), value in selected)
            for value, label in AgendaItem.Status.choices
        ]
        return Facet("status", "Status", _shown(choices, summary))

    def _body_facet(self, summary) -> Facet | None:
        if summary.body_count < 2:
            return None
        counts = self._counts(summary, "body")
        selected = set(self.values.get("body", []))
        # The largest first, as the topics; "body not known" after the named ones of its size.
        names = sorted(
            set(counts) | selected,
            key=lambda name: (-counts.get(name, 0), not name, name.casefold()),
        )
        choices = [
            Choice(name, name or UNKNOWN_BODY, counts.get(name, 0), name in selected)
            for name in names
        ]
        return Facet("body", "Body", _shown(choices, summary), plural="bodies")


# The filters that can have many choices: how many each lists before "show all".
SHORTLISTED = {"topic": TOPICS_SHOWN, "body": BODIES_SHOWN}


def _shortlist(facet: Facet, *, expanded: bool) -> None:
    """Keep the facet's first few choices (the largest) and any selected, unless ``expanded``.

    A council may hold a hundred bodies and five hundred topics: listing them all made the
    page long to read and to render.
    """
    shown = SHORTLISTED[facet.name]
    facet.expanded = expanded
    if expanded or len(facet.choices) <= shown:
        return
    kept = facet.choices[:shown] + [c for c in facet.choices[shown:] if c.selected]
    facet.hidden = len(facet.choices) - len(kept)
    facet.choices = kept


def _shown(choices: list[Choice], summary=None) -> list[Choice]:
    """The choices to offer: those with items or selected; without counts when not counted."""
    if summary is not None and not summary.exact:
        return [replace(choice, count=None) for choice in choices if choice.selected]
    shown = [choice for choice in choices if choice.count or choice.selected]
    if summary is not None and summary.estimated:
        return [replace(choice, count=_rounded(choice.count), estimated=True) for choice in shown]
    return shown


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


def paginate(filterset, number, per_page: int) -> tuple[Paginator, Page]:
    """The page ``number`` of a search's results, and the counts of ``filterset.summary``.

    All within ``TIME_LIMIT``. When that runs out the page is made again without counts
    (``summary.exact`` is false and the total a lower bound); if even that runs out, with no
    results (``summary.failed``).
    """
    connection = connections[filterset.queryset.db]
    for attempt in ("full", "rough", "none"):
        try:
            with time_limit(connection, TIME_LIMIT):
                if attempt == "rough":
                    filterset._summary = FacetQuery(filterset).rough_summary()
                elif attempt == "none":
                    filterset._summary = Summary(total=0, exact=False, failed=True)
                else:
                    filterset.summary  # noqa: B018 (counted inside the time limit)
                paginator = Paginator(filterset.results(), per_page)
                page = paginator.get_page(number)
                page.object_list = list(page.object_list)
                return paginator, page
        except (OperationalError, connection.Database.OperationalError) as error:
            # In debug mode an interrupted SQLite query raises the driver's own error.
            if attempt == "none" or not _timed_out(connection, error):
                raise
            logger.warning("Search took too long (%s counts): %r", attempt, filterset.data)
    raise AssertionError("unreachable")
