"""The search page's query, filters and sort order (django-filter), and the counts beside them.

Every filter reads repeated GET parameters (``?year=2024&year=2025``), so the page's address
holds its whole state. Several values of one filter widen the results (2024 or 2025); different
filters narrow them. The counts shown beside a filter's choices (``facets``) apply every other
active filter but not that filter's own, so a second year or topic can still be ticked. Each
filter's counts take one ``GROUP BY`` query, whatever the number of choices.
"""

import datetime
from dataclasses import dataclass, field

import django_filters
from django import forms
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import ExtractYear, Lower

from .models import AgendaItem, ItemTopic, Meeting, Topic, can_view_restricted
from .search import parse_query

RELEVANCE, NEWEST, OLDEST = "relevance", "newest", "oldest"
SORT_CHOICES = [(RELEVANCE, "Relevance"), (NEWEST, "Newest first"), (OLDEST, "Oldest first")]
RESTRICTED_CHOICES = [("yes", "Restricted"), ("no", "Not restricted")]
UNKNOWN_BODY = "Body not known"
TOPICS_SHOWN = 10
MAX_VALUES = 50  # of one parameter; more are ignored

NEWEST_ORDER = (F("meeting__date").desc(nulls_last=True), "meeting__body", "meeting_id", "position")
OLDEST_ORDER = (F("meeting__date").asc(nulls_last=True), "meeting__body", "meeting_id", "position")


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
    """Items whose ``field_name`` is any of the values given."""

    field_class = MultipleValueField

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__in": value})


class YearFilter(MultipleValueFilter):
    """Items of meetings held in any of the years given."""

    def filter(self, qs, value):
        if not value:
            return qs
        years = Q()
        for year in value:
            years |= Q(
                meeting__date__gte=datetime.date(year, 1, 1),
                meeting__date__lte=datetime.date(year, 12, 31),
            )
        return qs.filter(years)


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
    count: int
    selected: bool


@dataclass
class Facet:
    name: str  # the GET parameter
    legend: str
    choices: list[Choice]
    hidden: int = 0  # choices left out until "show all"
    extra: dict = field(default_factory=dict)


class ItemSearchFilter(django_filters.FilterSet):
    """The search page's state: ``q``, the filters and ``sort``; ``qs`` is the results in order.

    Give it ``request``: what a user without ``meetings.view_restricted`` can match, and the
    topics counted for restricted items, depend on it.
    """

    q = django_filters.CharFilter(label="Search the minutes", method="filter_query")
    year = YearFilter(label="Year", item_field=forms.IntegerField(min_value=1, max_value=9999))
    date_from = django_filters.DateFilter(
        field_name="meeting__date", lookup_expr="gte", label="From"
    )
    date_to = django_filters.DateFilter(field_name="meeting__date", lookup_expr="lte", label="To")
    topic = TopicFilter(label="Topic", method="filter_topic")
    restricted = django_filters.ChoiceFilter(
        label="Restricted", choices=RESTRICTED_CHOICES, method="filter_restricted"
    )
    status = django_filters.MultipleChoiceFilter(label="Status", choices=AgendaItem.Status.choices)
    body = MultipleValueFilter(
        label="Body", field_name="meeting__body", item_field=forms.CharField(required=False)
    )
    sort = django_filters.ChoiceFilter(label="Sort by", choices=SORT_CHOICES, method="keep")

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

    # Filtering

    def filter_query(self, queryset, name, value):
        return queryset.search(self.parsed_query, include_restricted=self.include_restricted)

    def filter_topic(self, queryset, name, topics):
        if not topics:
            return queryset
        # Only the links the user may see: a topic found in a restricted item's text alone
        # must not select that item for someone who may not read the text.
        links = ItemTopic.objects.with_restricted(self.include_restricted).filter(
            item=OuterRef("pk"), topic__in=topics
        )
        return queryset.filter(Exists(links))

    def filter_restricted(self, queryset, name, value):
        return queryset.filter(restricted=value == "yes")

    def keep(self, queryset, name, value):
        return queryset

    def filtered(self, *, leave_out: str | None = None):
        """The items matching the query and every valid filter, except ``leave_out``'s."""
        queryset = self.queryset.all()
        for name, value in self.values.items():
            if name != leave_out:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def filter_queryset(self, queryset):
        return self.filtered()

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            ordering = {RELEVANCE: (F("search_rank").desc(), *NEWEST_ORDER), OLDEST: OLDEST_ORDER}
            self._qs = self.filtered().order_by(*ordering.get(self.sort_order, NEWEST_ORDER))
        return self._qs

    @property
    def active(self) -> bool:
        """Whether any filter (not the query or the sort order) is applied."""
        return any(name not in ("q", "sort") for name in self.values)

    # Counts

    def facets(self, *, all_topics: bool = False) -> list[Facet]:
        """The choices of each filter with their counts; one query each (two for bodies).

        Choices without items are left out unless selected. The body filter is offered only when
        the archive holds more than one body.
        """
        facets = [self._year_facet(), self._topic_facet(all_topics)]
        facets += [self._restricted_facet(), self._status_facet()]
        body = self._body_facet()
        return facets + ([body] if body else [])

    def _counts(self, name: str, expression) -> dict:
        rows = (
            self.filtered(leave_out=name)
            .order_by()
            .values(value=expression)
            .annotate(n=Count("pk"))
            .values_list("value", "n")
        )
        return dict(rows)

    def _year_facet(self) -> Facet:
        counts = self._counts("year", ExtractYear("meeting__date"))
        selected = set(self.values.get("year", []))
        years = sorted({year for year in counts if year is not None} | selected, reverse=True)
        choices = [
            Choice(str(year), str(year), counts.get(year, 0), year in selected) for year in years
        ]
        return Facet("year", "Year", _shown(choices))

    def _topic_facet(self, all_topics: bool) -> Facet:
        selected = {topic.slug: topic for topic in self.values.get("topic", [])}
        links = ItemTopic.objects.with_restricted(self.include_restricted).filter(
            item__in=self.filtered(leave_out="topic").values("pk")
        )
        rows = (
            links.order_by()
            .values("topic__slug", "topic__name")
            .annotate(n=Count("pk"))
            .order_by("-n", Lower("topic__name"))
        )
        choices = [
            Choice(row["topic__slug"], row["topic__name"], row["n"], row["topic__slug"] in selected)
            for row in rows
        ]
        counted = {choice.value for choice in choices}
        choices += [
            Choice(slug, topic.name, 0, True)
            for slug, topic in selected.items()
            if slug not in counted
        ]
        choices = _shown(choices)
        hidden = 0
        if not all_topics and len(choices) > TOPICS_SHOWN:
            top = choices[:TOPICS_SHOWN]
            shown = top + [choice for choice in choices[TOPICS_SHOWN:] if choice.selected]
            hidden = len(choices) - len(shown)
            choices = shown
        return Facet("topic", "Topic", choices, hidden=hidden)

    def _restricted_facet(self) -> Facet:
        counts = self._counts("restricted", F("restricted"))
        value = self.values.get("restricted")
        choices = [
            Choice(key, label, counts.get(key == "yes", 0), value == key)
            for key, label in RESTRICTED_CHOICES
        ]
        return Facet("restricted", "Restricted items", _shown(choices))

    def _status_facet(self) -> Facet:
        counts = self._counts("status", F("status"))
        selected = set(self.values.get("status", []))
        choices = [
            Choice(value, label, counts.get(value, 0), value in selected)
            for value, label in AgendaItem.Status.choices
        ]
        return Facet("status", "Status", _shown(choices))

    def _body_facet(self) -> Facet | None:
        bodies = list(Meeting.objects.order_by().values_list("body", flat=True).distinct()[:2])
        if len(bodies) < 2:
            return None
        counts = self._counts("body", F("meeting__body"))
        selected = set(self.values.get("body", []))
        names = sorted(set(counts) | selected, key=lambda name: (not name, name.casefold()))
        choices = [
            Choice(name, name or UNKNOWN_BODY, counts.get(name, 0), name in selected)
            for name in names
        ]
        return Facet("body", "Body", _shown(choices))


def _shown(choices: list[Choice]) -> list[Choice]:
    return [choice for choice in choices if choice.count or choice.selected]
