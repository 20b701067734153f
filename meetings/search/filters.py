"""The search page's filters, each declared once.

A filter is one class (``YearFilter``, ``TopicFilter``, ...) registered in ``FILTERS``, in the
order the page reads, lists and describes them. Everything about a filter comes from its
declaration:

- the form field reading its GET parameter (``form_filter``; ``ItemSearchFilter`` is made of
  them, between the query ``q`` and ``sort``), or parameters: the dates of the date range are
  typed as GOV.UK's date input, ``date_from_day``, ``date_from_month`` and ``date_from_year``
  (``date_input``, ``parameters``), and read whole from older links (``date_from=2024-05-01``);
- how it narrows the narrow table ``f`` of ``meetings.search.index`` (``condition``), and the
  rows counted, which have a year but no date (``count_condition``);
- whether its choices are counted by value in the one counting statement (``counted``: the
  column read, the expression grouped by and the typed column of the statement the value comes
  back in), or it narrows the rows read before counting (``applied_to_rows``);
- the choices listed beside it with their counts (``facet``);
- how an active value is described, for the link that removes it (``active``).

Adding a filter: one declaration here; the column of ``f`` it reads, which the triggers of
``meetings.search.index`` fill (their PostgreSQL and SQLite text, and a migration installing
them); and, if it needs one, its part of the template.

The conditions take the ``FacetQuery`` asking (``query``): what differs by database, or by
whether the user may see restricted items, is read from it.
"""

import datetime
import re
from dataclasses import dataclass, field, replace

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower
from django.utils.formats import date_format

from ..models import AgendaItem, ItemTopic, Topic

RESTRICTED_CHOICES = [("yes", "Restricted"), ("no", "Not restricted")]
UNKNOWN_BODY = "Body not known"
TOPICS_SHOWN = 10
BODIES_SHOWN = 10
MAX_VALUES = 50  # of one parameter; more are ignored

# The typed columns of the counting statement a counted filter's value comes back in (see
# ``FacetQuery._counted``): one of each type, shared by the filters of that type.
INTEGER, BOOLEAN, TEXT = 0, 1, 2


# Form fields


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


class TopicChoiceFilter(django_filters.Filter):
    field_class = TopicChoiceField


# What the page lists beside each filter


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
    # Filters with many choices list the largest few until "show all" (``SearchFilter.shown``).
    plural: str = ""  # "topics": what the link to show them all names
    expanded: bool = False  # every choice shown, after "show all"
    show_all_url: str = ""  # set by the view
    show_fewer_url: str = ""
    errors: list[str] = field(default_factory=list)  # the form's errors for it, set by the view


def shortlist(facet: Facet, shown: int, *, expanded: bool) -> None:
    """Keep the facet's first ``shown`` choices (the largest) and any selected, unless
    ``expanded``.

    A council may hold a hundred bodies and five hundred topics: listing them all made the
    page long to read and to render.
    """
    facet.expanded = expanded
    if expanded or len(facet.choices) <= shown:
        return
    kept = facet.choices[:shown] + [c for c in facet.choices[shown:] if c.selected]
    facet.hidden = len(facet.choices) - len(kept)
    facet.choices = kept


def shown_choices(choices: list[Choice], summary=None) -> list[Choice]:
    """The choices to offer: those with items or selected; without counts when not counted."""
    if summary is not None and not summary.exact:
        return [replace(choice, count=None) for choice in choices if choice.selected]
    shown = [choice for choice in choices if choice.count or choice.selected]
    if summary is not None and summary.estimated:
        return [replace(choice, count=rounded(choice.count), estimated=True) for choice in shown]
    return shown


def rounded(n: int) -> int:
    """An estimate to two significant figures."""
    if n < 100:
        return n
    scale = 10 ** (len(str(n)) - 2)
    return round(n / scale) * scale


# The declarations


class SearchFilter:
    """One filter of the search page. Subclasses set the attributes and override what differs."""

    name: str  # the GET parameter
    label: str  # the form field's label, which names it in error messages
    legend: str = ""  # the heading of its choices
    # Its choices are grouped by value in the counting statement, each with the other filters
    # applied: ``column`` of the narrow table read, ``key`` the expression grouped by, and
    # ``slot`` the typed column (``INTEGER``, ``BOOLEAN``, ``TEXT``) the value comes back in.
    counted: bool = False
    column: str = ""
    key: str = ""
    slot: int = TEXT
    # It narrows the rows read before counting (the counted ones are narrowed in the counting
    # statement, as the others' choices are counted without them).
    applied_to_rows: bool = False
    shown: int | None = None  # with many choices: how many are listed before "show all"
    plural: str = ""  # what "show all" names
    show_all_param: str = ""  # the parameter that lists every choice
    error_target: str = ""  # the id an error message links to; the facet's by default
    errors_name_it: bool = False  # its error messages name it ("Date from must ..."), unprefixed
    # A date typed as GOV.UK's date input, in day, month and year fields (``DATE_PARTS``).
    # Items without a meeting date never match it, which the page says.
    date_input: bool = False

    @property
    def parameters(self) -> tuple[str, ...]:
        """The GET parameters it reads (the link removing it drops them all)."""
        return (self.name,)

    def form_filter(self, *, include_restricted: bool) -> django_filters.Filter:
        raise NotImplementedError

    def condition(self, query, value) -> tuple[str, list] | None:
        """The condition on ``f`` keeping the items with ``value`` (never empty), and its
        parameters."""
        raise NotImplementedError

    def count_condition(self, query, value) -> tuple[str, list] | None:
        """``condition`` for the rows counted, which have a year but (precomputed) no date."""
        return self.condition(query, value)

    def count_value(self, row: tuple):
        """The choice a row of the counting statement counts: read from its typed columns
        ``(integer, boolean, text)``."""
        return row[self.slot]

    def facet(self, values: dict, summary) -> Facet | None:
        """Its choices with their counts (``summary.counts[name]``), or None when not listed."""
        return None

    def active(self, value, raw: str | None) -> list[tuple[str, str]]:
        """(parameter value, label) for each active value: the label describes it, and the
        link removing it drops that parameter value. ``raw`` is the parameter as given."""
        return []

    def counts(self, summary) -> dict:
        """Counts of its choices, with every other filter applied but not its own."""
        return summary.counts.get(self.name, {})

    def target(self) -> str:
        return self.error_target or f"facet-{self.name}"


class Registry:
    """The filters in the page's order, by name.

    The groups below are read from the declarations each time they are asked for, so a filter
    registered later is in the form, the conditions and the choices listed as the others are.
    (``FacetQuery``'s ``COUNTED``, the filters counted by value, is read once, at import.)
    """

    def __init__(self):
        self._filters: dict[str, SearchFilter] = {}

    def register(self, cls):
        """Register a ``SearchFilter`` class (a decorator); one of the same name is replaced."""
        declaration = cls()
        self._filters[declaration.name] = declaration
        return cls

    def unregister(self, name: str) -> None:
        del self._filters[name]

    def __getitem__(self, name: str) -> SearchFilter:
        return self._filters[name]

    def __contains__(self, name) -> bool:
        return name in self._filters

    def __iter__(self):
        return iter(list(self._filters.values()))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._filters)

    @property
    def counted(self) -> tuple[str, ...]:
        """The filters counted by value in the counting statement."""
        return tuple(f.name for f in self if f.counted)

    @property
    def uncounted(self) -> tuple[str, ...]:
        """The others: the archive's precomputed counts cannot apply them."""
        return tuple(f.name for f in self if not f.counted)

    @property
    def row_filters(self) -> tuple[str, ...]:
        """The filters narrowing the rows read before counting."""
        return tuple(f.name for f in self if f.applied_to_rows)

    @property
    def in_statement(self) -> tuple[str, ...]:
        """The filters applied inside the counting statement: the counted ones, then the
        others (the topics, counted by their own part of the statement)."""
        others = (f.name for f in self if not f.counted and not f.applied_to_rows)
        return (*self.counted, *others)


FILTERS = Registry()


def _marks(values) -> str:
    return ", ".join(["%s"] * len(values))


@FILTERS.register
class YearFilter(SearchFilter):
    name, label, legend = "year", "Year", "Year"
    counted = True
    column = "year"
    key = "coalesce(f.year, 0)"  # 0: undated meetings
    slot = INTEGER

    def form_filter(self, *, include_restricted):
        return MultipleValueFilter(
            label=self.label, item_field=forms.IntegerField(min_value=1, max_value=9999)
        )

    def condition(self, query, value):
        ranges = " OR ".join(["f.date BETWEEN %s AND %s"] * len(value))
        params = [
            day
            for year in value
            for day in (datetime.date(year, 1, 1), datetime.date(year, 12, 31))
        ]
        return f"({ranges})", params

    def count_condition(self, query, value):
        return f"f.year IN ({_marks(value)})", list(value)

    def facet(self, values, summary):
        counts = self.counts(summary)
        selected = set(values.get(self.name, []))
        years = sorted({year for year in counts if year} | selected, reverse=True)
        choices = [
            Choice(str(year), str(year), counts.get(year, 0), year in selected) for year in years
        ]
        return Facet(self.name, self.legend, shown_choices(choices, summary))

    def active(self, value, raw):
        return [(str(year), f"Year: {year}") for year in value]


DATE_PARTS = ("day", "month", "year")
# Each field of a date input: its label and width (in characters) on the page.
DATE_PART_FIELDS = {"day": ("Day", 2), "month": ("Month", 2), "year": ("Year", 4)}


@dataclass(frozen=True)
class DateParts:
    """A date as typed in the page's day, month and year fields, or given whole (ISO 8601)
    by an older link: ``?date_from=2024-05-01``."""

    day: str = ""
    month: str = ""
    year: str = ""
    iso: str = ""

    @classmethod
    def of(cls, value) -> "DateParts":
        if isinstance(value, DateParts):
            return value
        if isinstance(value, datetime.date):
            return cls(str(value.day), str(value.month), str(value.year))
        return cls(iso=str(value or ""))

    @property
    def typed(self) -> bool:
        return any((self.day, self.month, self.year))

    @property
    def empty(self) -> bool:
        return not self.typed and not self.iso

    def shown(self) -> "DateParts":
        """The three fields as the page fills them in: an ISO date split into its parts."""
        if self.typed or not self.iso:
            return self
        found = _ISO_DATE.fullmatch(self.iso)
        if not found:
            return self
        year, month, day = found.groups()
        return DateParts(str(int(day)), str(int(month)), year)


# ASCII digits only: ``\d`` would take other scripts' digits too.
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_NUMBER = re.compile(r"[0-9]{1,4}")


class DatePartsWidget(forms.Widget):
    """Reads ``<name>_day``, ``<name>_month`` and ``<name>_year``, or ``<name>`` whole."""

    def value_from_datadict(self, data, files, name):
        parts = [str(data.get(f"{name}_{part}") or "").strip()[:20] for part in DATE_PARTS]
        return DateParts(*parts, iso=str(data.get(name) or "").strip()[:20])

    def value_omitted_from_data(self, data, files, name):
        return all(key not in data for key in (name, *(f"{name}_{p}" for p in DATE_PARTS)))


class DateInputError(forms.ValidationError):
    """A date's error, naming the fields in error (``parts``), which the page marks."""

    def __init__(self, message: str, parts=DATE_PARTS):
        super().__init__(message, code="invalid", params={"parts": tuple(parts)})


class DatePartsField(forms.Field):
    """A date typed as day, month and year (GOV.UK's date input), with GOV.UK's messages
    ("Date from must include a year", "Date from must be a real date")."""

    widget = DatePartsWidget

    def to_python(self, value):
        parts = DateParts.of(value)
        if parts.empty:
            return None
        name = self.label
        if not parts.typed:
            found = _ISO_DATE.fullmatch(parts.iso)
            if not found:
                raise DateInputError(f"{name} must be a real date")
            year, month, day = found.groups()
            return self._date(name, year, month, day)
        missing = [part for part in DATE_PARTS if not getattr(parts, part)]
        if missing:
            raise DateInputError(f"{name} must include a {' and '.join(missing)}", missing)
        wrong = [part for part in DATE_PARTS if not _NUMBER.fullmatch(getattr(parts, part))]
        if wrong:
            raise DateInputError(f"{name} must be a real date", wrong)
        if len(parts.year) != 4:
            raise DateInputError(f"The year of {name.lower()} must include 4 numbers", ["year"])
        return self._date(name, parts.year, parts.month, parts.day)

    def _date(self, name, year, month, day) -> datetime.date:
        if not 1 <= int(month) <= 12:
            raise DateInputError(f"{name} must be a real date", ["month"])
        if int(year) < 1:
            raise DateInputError(f"{name} must be a real date", ["year"])
        try:
            return datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise DateInputError(f"{name} must be a real date", ["day"]) from None


class DatePartsFilter(django_filters.Filter):
    field_class = DatePartsField


class DateBoundFilter(SearchFilter):
    """One end of the meeting date range (the template's date range, not a list of choices).

    Typed as three fields, ``<name>_day``, ``<name>_month`` and ``<name>_year``; ``<name>``
    alone (an ISO date) is read too, so older links still work.
    """

    applied_to_rows = True
    lookup_expr = ""
    operator = ""
    errors_name_it = True
    date_input = True

    @property
    def parameters(self) -> tuple[str, ...]:
        return (self.name, *(f"{self.name}_{part}" for part in DATE_PARTS))

    def form_filter(self, *, include_restricted):
        return DatePartsFilter(
            field_name="meeting__date", lookup_expr=self.lookup_expr, label=self.label
        )

    def condition(self, query, value):
        return f"f.date {self.operator} %s", [value]

    def active(self, value, raw):
        return [(raw, f"{self.label} {date_format(value, 'j F Y')}")]

    def target(self) -> str:
        return f"{self.error_target}-day"


@FILTERS.register
class DateFromFilter(DateBoundFilter):
    name, label, error_target = "date_from", "Date from", "date-from"
    lookup_expr, operator = "gte", ">="


@FILTERS.register
class DateToFilter(DateBoundFilter):
    name, label, error_target = "date_to", "Date to", "date-to"
    lookup_expr, operator = "lte", "<="


def topics_condition(query, ids: list[int]) -> tuple[str, list]:
    """Items with any of the topics ``ids`` among those the user may see (``f.topics``, or
    ``f.topics_public``): a bigint[] on PostgreSQL, a JSON list on SQLite."""
    return query.backend.topic_condition(query._topics_column(), ids)


@FILTERS.register
class TopicFilter(SearchFilter):
    name, label, legend = "topic", "Topic", "Topic"
    shown, plural, show_all_param = TOPICS_SHOWN, "topics", "all_topics"

    def form_filter(self, *, include_restricted):
        return TopicChoiceFilter(label=self.label, include_restricted=include_restricted)

    def condition(self, query, value):
        return topics_condition(query, [topic.pk for topic in value])

    def facet(self, values, summary):
        selected = {topic.slug: topic for topic in values.get(self.name, [])}
        choices = [
            Choice(slug, name, count, slug in selected) for slug, name, count in summary.topics
        ]
        counted = {choice.value for choice in choices}
        choices += [
            Choice(slug, topic.name, 0, True)
            for slug, topic in selected.items()
            if slug not in counted
        ]
        return Facet(self.name, self.legend, shown_choices(choices, summary), plural=self.plural)

    def active(self, value, raw):
        return [(topic.slug, f"Topic: {topic.name}") for topic in value]


@FILTERS.register
class RestrictedFilter(SearchFilter):
    name, label, legend = "restricted", "Restricted", "Restricted items"
    counted = True
    column, key = "restricted", "f.restricted"
    slot = BOOLEAN

    def form_filter(self, *, include_restricted):
        return django_filters.ChoiceFilter(label=self.label, choices=RESTRICTED_CHOICES)

    def condition(self, query, value):
        return "f.restricted = %s", [value == "yes"]

    def count_value(self, row):
        return bool(row[BOOLEAN])

    def facet(self, values, summary):
        counts = self.counts(summary)
        value = values.get(self.name)
        choices = [
            Choice(key, label, counts.get(key == "yes", 0), value == key)
            for key, label in RESTRICTED_CHOICES
        ]
        return Facet(self.name, self.legend, shown_choices(choices, summary))

    def active(self, value, raw):
        return [(value, "Restricted items only" if value == "yes" else "Not restricted")]


class ValueListFilter(SearchFilter):
    """Items whose ``column`` of ``f`` is any of the values given."""

    counted = True
    slot = TEXT

    def condition(self, query, value):
        return f"f.{self.column} IN ({_marks(value)})", list(value)


@FILTERS.register
class StatusFilter(ValueListFilter):
    name, label, legend = "status", "Status", "Status"
    column, key = "status", "f.status"

    def form_filter(self, *, include_restricted):
        return django_filters.MultipleChoiceFilter(
            label=self.label, choices=AgendaItem.Status.choices
        )

    def facet(self, values, summary):
        counts = self.counts(summary)
        selected = set(values.get(self.name, []))
        choices = [
            Choice(value, label, counts.get(value, 0), value in selected)
            for value, label in AgendaItem.Status.choices
        ]
        return Facet(self.name, self.legend, shown_choices(choices, summary))

    def active(self, value, raw):
        labels = dict(AgendaItem.Status.choices)
        return [(status, f"Status: {labels[status]}") for status in value]


@FILTERS.register
class BodyFilter(ValueListFilter):
    name, label, legend = "body", "Body", "Body"
    column, key = "body", "f.body"
    shown, plural, show_all_param = BODIES_SHOWN, "bodies", "all_bodies"

    def form_filter(self, *, include_restricted):
        return MultipleValueFilter(
            label=self.label, field_name="meeting__body", item_field=forms.CharField(required=False)
        )

    def facet(self, values, summary):
        # Offered only when the archive holds more than one body.
        if summary.body_count < 2:
            return None
        counts = self.counts(summary)
        selected = set(values.get(self.name, []))
        # The largest first, as the topics; "body not known" after the named ones of its size.
        names = sorted(
            set(counts) | selected,
            key=lambda name: (-counts.get(name, 0), not name, name.casefold()),
        )
        choices = [
            Choice(name, name or UNKNOWN_BODY, counts.get(name, 0), name in selected)
            for name in names
        ]
        return Facet(self.name, self.legend, shown_choices(choices, summary), plural=self.plural)

    def active(self, value, raw):
        return [(body, f"Body: {body or UNKNOWN_BODY}") for body in value]
