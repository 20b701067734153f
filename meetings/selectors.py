"""What each page shows, built with a fixed number of queries whatever the size of a meeting."""

import datetime
import logging
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db import OperationalError, connection, connections
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length, Lower, Substr
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from . import filters
from .models import (
    AgendaItem,
    Attendee,
    ItemTopic,
    Meeting,
    Person,
    Resolution,
    SourceDocument,
    Topic,
    can_view_restricted,
)
from .search import backend_for, facets, results, time_limit, timed_out
from .search.filters import Facet
from .search.index import COUNT_TABLE, FACET_TABLE, TOPIC_COUNT_TABLE

logger = logging.getLogger(__name__)

UNDATED_GROUP = "Date unknown"


def pk_url(name: str):
    """A function giving the URL named ``name`` for a primary key, ``reverse``-d only once.

    For the pages listing dozens of items: ``reverse`` took a tenth of their rendering.
    """
    marker = "987654321987654321"
    pattern = reverse(name, args=[int(marker)])
    return lambda pk: pattern.replace(marker, str(int(pk)))


def link_items(items) -> None:
    """Give each item its ``url`` and its meeting's, ``meeting_url``, for a list of items."""
    item_url, meeting_url = pk_url("meetings:item_detail"), pk_url("meetings:meeting_detail")
    for item in items:
        item.url = item_url(item.pk)
        item.meeting_url = meeting_url(item.meeting_id)


@dataclass
class MeetingGroup:
    label: str  # "2025" or "Date unknown"
    meetings: list[Meeting]


# A page of the meeting list or of a year's meetings: an archive of every committee of a
# council holds thousands of meetings a year.
MEETINGS_PAGE_SIZE = 100


def meeting_list_page(page_number=None) -> Page:
    """A page of all meetings, newest first, undated meetings last; each with ``item_count``.

    ``page.groups`` holds the page's meetings grouped by year, undated meetings in a last group.
    """
    meetings = Meeting.objects.with_source_name().newest_first()
    page = _meetings_page(meetings, page_number)
    page.groups = []
    for meeting in page.object_list:
        label = str(meeting.date.year) if meeting.date else UNDATED_GROUP
        if not page.groups or page.groups[-1].label != label:
            page.groups.append(MeetingGroup(label, []))
        page.groups[-1].meetings.append(meeting)
    return page


def undated_meetings_page(page: Page) -> int | None:
    """The number of the meeting list's page where the undated meetings start, if any."""
    undated = Meeting.objects.undated().count()
    if not undated:
        return None
    return (page.paginator.count - undated) // MEETINGS_PAGE_SIZE + 1


def _meetings_page(meetings, page_number) -> Page:
    """One page of ``meetings``, each with ``item_count``, counted for that page alone."""
    page = Paginator(meetings, MEETINGS_PAGE_SIZE).get_page(page_number)
    page.object_list = list(page.object_list)
    counts = dict(
        AgendaItem.objects.filter(meeting__in=[meeting.pk for meeting in page.object_list])
        .values_list("meeting")
        .annotate(n=Count("pk"))
        .values_list("meeting", "n")
    )
    for meeting in page.object_list:
        meeting.item_count = counts.get(meeting.pk, 0)
    return page


def meetings_with_content(include_restricted: bool):
    """Meetings with attendees, items, decisions and topics prefetched.

    Unless ``include_restricted``, restricted items come with their text withheld, without their
    decisions, and with only the topics named in their titles (see the ``with_restricted*``
    queryset methods). Each item has ``shown_topics`` (a list of ``ItemTopic``, by topic name);
    each attendee comes with its ``person``, for a link to the person's page.
    """
    items = AgendaItem.objects.with_restricted_text(include_restricted).order_by("position")
    resolutions = Resolution.objects.with_restricted(include_restricted).order_by("order")
    item_topics = (
        ItemTopic.objects.with_restricted(include_restricted)
        .select_related("topic")
        .order_by(Lower("topic__name"))
    )
    return Meeting.objects.with_source_name().prefetch_related(
        Prefetch("attendees", queryset=Attendee.objects.select_related("person").order_by("order")),
        Prefetch("items", queryset=items),
        Prefetch("items__resolutions", queryset=resolutions),
        Prefetch("items__item_topics", queryset=item_topics, to_attr="shown_topics"),
    )


def meeting_detail(pk: int, user) -> Meeting:
    """One meeting as ``user`` may see it; 404 if there is none."""
    return get_object_or_404(meetings_with_content(can_view_restricted(user)), pk=pk)


# The original minutes file


# The kind of file, as a reader knows it, by the file name's extension.
FILE_KINDS = {
    ".pdf": "PDF",
    ".doc": "Word document",
    ".docx": "Word document",
    ".odt": "OpenDocument text",
    ".rtf": "Rich Text Format",
    ".htm": "web page",
    ".html": "web page",
    ".txt": "plain text",
}


@dataclass
class OriginalFile:
    """The file a meeting's minutes were imported from, as its page links to it."""

    url: str
    file_name: str
    kind: str
    size: int  # bytes
    checked: bool  # checked for publication: offered to everyone


def may_download_original(meeting: Meeting, user) -> bool:
    """Whether ``user`` may download the original file of ``meeting``: anyone once it is
    checked for publication, before that only those who may read restricted items (the file
    holds their text)."""
    return meeting.source_id is not None and (
        meeting.original_checked_for_publication or can_view_restricted(user)
    )


def original_file(meeting: Meeting, user) -> OriginalFile | None:
    """The original file of ``meeting`` if ``user`` may download it, else None; one query, and
    none when the user may not."""
    if not may_download_original(meeting, user):
        return None
    found = (
        SourceDocument.objects.filter(pk=meeting.source_id)
        .annotate(size=Length("original_bytes"))
        .values_list("file_name", "size")
        .first()
    )
    if found is None or not found[1]:
        return None
    file_name, size = found
    suffix = "." + file_name.rpartition(".")[2].lower() if "." in file_name else ""
    return OriginalFile(
        url=reverse("meetings:meeting_original", args=[meeting.pk]),
        file_name=file_name,
        kind=FILE_KINDS.get(suffix, "file"),
        size=size,
        checked=meeting.original_checked_for_publication,
    )


def original_document(pk: int, user) -> SourceDocument:
    """The original file of meeting ``pk`` for download, or 404: also when ``user`` may not
    download it, so that its very existence is not told."""
    meeting = get_object_or_404(
        Meeting.objects.only("pk", "source_id", "original_checked_for_publication"), pk=pk
    )
    if not may_download_original(meeting, user):
        raise Http404("No original file is offered for this meeting.")
    document = get_object_or_404(
        SourceDocument.objects.only("file_name", "original_bytes"), pk=meeting.source_id
    )
    if not len(document.original_bytes):
        raise Http404("No copy of this file was kept.")
    return document


def attendance_groups(meeting: Meeting) -> list[tuple[str, list[Attendee]]]:
    """The meeting's attendees by kind of attendance, in the order printed; empty kinds left out."""
    groups = []
    for value, label in Attendee.Attendance.choices:
        people = [a for a in meeting.attendees.all() if a.attendance == value]
        if people:
            groups.append((label, people))
    return groups


def _chair_kind(role: str) -> str:
    """ "chair", "vice chair" or "" for an attendance role as printed ("Chairman", "Vice-Chair")."""
    words = role.lower().replace("-", " ").split()
    if not any(word.startswith("chair") for word in words):
        return ""
    return "vice chair" if "vice" in words else "chair"


def chairs(meeting: Meeting) -> list[tuple[str, list[Attendee]]]:
    """Who chaired the meeting, from the roles printed in its attendance (prefetched).

    ``[("Chair", [...]), ("Vice chair", [...])]``, each in the order printed; a role no one
    held is left out.
    """
    found = {"chair": [], "vice chair": []}
    for attendee in meeting.attendees.all():
        kind = _chair_kind(attendee.role)
        if kind:
            found[kind].append(attendee)
    return [(kind.capitalize(), people) for kind, people in found.items() if people]


def linked_meetings(meeting: Meeting) -> tuple[dict, dict]:
    """The meetings a meeting page links to, in one query: ``(adjacent, neighbours)``.

    ``adjacent``: the stored meetings of the same body on the previous and next meeting dates
    printed in the minutes, if any. ``neighbours``: the meetings of the same body just before
    and just after it in the archive, whatever the minutes say; none for an undated meeting.
    Each is ``{"previous": Meeting | None, "next": Meeting | None}``.
    """
    wanted = {"previous": meeting.previous_meeting, "next": meeting.next_meeting}
    dates = [value for value in wanted.values() if value]
    same_body = Meeting.objects.filter(body=meeting.body)
    condition = Q(date__in=dates) if dates else Q(pk__in=[])
    if meeting.date is not None:
        before = same_body.filter(date__lt=meeting.date).order_by("-date").values("pk")[:1]
        after = same_body.filter(date__gt=meeting.date).order_by("date").values("pk")[:1]
        condition |= Q(pk__in=before) | Q(pk__in=after)
    found = list(same_body.filter(condition).only("pk", "date", "body"))
    by_date = {other.date: other for other in found}
    adjacent = {key: by_date.get(value) for key, value in wanted.items()}
    neighbours = {"previous": None, "next": None}
    if meeting.date is not None:
        earlier = [other for other in found if other.date < meeting.date]
        later = [other for other in found if other.date > meeting.date]
        neighbours["previous"] = max(earlier, key=lambda other: other.date, default=None)
        neighbours["next"] = min(later, key=lambda other: other.date, default=None)
    return adjacent, neighbours


# Meetings by year


def meeting_years() -> list[int]:
    """The years the archive holds meetings of, newest first.

    One look-up in the date index per year (the latest meeting before the year of the one
    found last), rather than reading every meeting's date.
    """
    backend = backend_for(connection)
    before = backend.start_of_year("y.date")
    year = backend.year_of("date")
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH RECURSIVE y(date) AS ("
            " SELECT max(date) FROM meetings_meeting"
            " UNION ALL"
            f" SELECT (SELECT max(date) FROM meetings_meeting WHERE date < {before})"
            " FROM y WHERE y.date IS NOT NULL"
            f") SELECT {year} FROM y WHERE date IS NOT NULL"
        )
        return [row[0] for row in cursor.fetchall()]


def meetings_in_year(year: int, page_number=None) -> Page:
    """A page of the meetings of ``year`` in date order, each with ``item_count``; 404 if
    there are none."""
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        raise Http404("Not a year.")
    page = _meetings_page(Meeting.objects.in_year(year).oldest_first(), page_number)
    if not page.object_list:
        raise Http404(f"The archive holds no meetings in {year}.")
    return page


# Home page


@dataclass
class HomeSummary:
    meeting_count: int
    item_count: int
    latest_meetings: list[Meeting]
    top_topics: list[Topic]
    years: list[int]


def home_summary(user, *, latest: int = 5, topics: int = 10) -> HomeSummary:
    """Counts, the latest meetings and the most discussed topics, as ``user`` may see them.

    The item count comes from the search index's counts (``meetings.search.index``), and each
    latest meeting's item count is counted for that meeting alone: the page takes the same
    time for a million items as for a hundred.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM meetings_meeting),"
            f" (SELECT coalesce(sum(items), 0) FROM {COUNT_TABLE})"
        )
        meeting_count, item_count = cursor.fetchone()
    items = AgendaItem.objects.filter(meeting=OuterRef("pk")).order_by().values("meeting")
    # Dated meetings only, so "nulls last" is not needed and the date index gives the order.
    latest_meetings = list(
        Meeting.objects.filter(date__isnull=False)
        .order_by("-date", "body", "pk")
        .annotate(item_count=Subquery(items.annotate(n=Count("pk")).values("n")))[:latest]
    )
    return HomeSummary(
        meeting_count=meeting_count,
        item_count=item_count,
        latest_meetings=latest_meetings,
        top_topics=most_discussed_topics(user, topics),
        years=meeting_years(),
    )


# Items


def _item_relations(include_restricted: bool) -> list[Prefetch]:
    resolutions = Resolution.objects.with_restricted(include_restricted).order_by("order")
    item_topics = (
        ItemTopic.objects.with_restricted(include_restricted)
        .select_related("topic")
        .order_by(Lower("topic__name"))
    )
    return [
        Prefetch("resolutions", queryset=resolutions),
        Prefetch("item_topics", queryset=item_topics, to_attr="shown_topics"),
    ]


def item_detail(pk: int, user) -> AgendaItem:
    """One agenda item as ``user`` may see it, with its meeting, decisions and topics; or 404.

    Read ``agenda_text_shown`` / ``minutes_text_shown`` and ``shown_topics``
    (see ``AgendaItemQuerySet.with_restricted_text``).
    """
    include = can_view_restricted(user)
    items = (
        AgendaItem.objects.with_restricted_text(include)
        .select_related("meeting")
        .prefetch_related(*_item_relations(include))
    )
    return get_object_or_404(items, pk=pk)


def item_neighbours(item: AgendaItem) -> dict:
    """The items just before and after ``item`` in its meeting, in one query.

    ``{"previous": AgendaItem | None, "next": AgendaItem | None}``, each with only what its
    label needs. Every item of a meeting is listed on its page, so every one may be linked.
    """
    same_meeting = AgendaItem.objects.filter(meeting_id=item.meeting_id)
    before = same_meeting.filter(position__lt=item.position).order_by("-position").values("pk")[:1]
    after = same_meeting.filter(position__gt=item.position).order_by("position").values("pk")[:1]
    found = same_meeting.filter(Q(pk__in=before) | Q(pk__in=after)).only(
        "pk", "position", "number", "number_printed", "title"
    )
    neighbours = {"previous": None, "next": None}
    for other in found:
        neighbours["previous" if other.position < item.position else "next"] = other
    return neighbours


# Topics


def topic_counts(user):
    """Topics with ``item_count``, the number of items on each that ``user`` may see tagged.

    A topic found only in the text of a restricted item is not counted for a user who may not
    read that text, and a topic with no such items is left out: its very name could come from
    restricted text. Read from the search index's counts (``meetings.search.index``).
    """
    column = "items" if can_view_restricted(user) else "items_public"
    count = RawSQL(
        f"SELECT sum(c.{column}) FROM {TOPIC_COUNT_TABLE} c WHERE c.topic_id = meetings_topic.id",
        [],
        output_field=IntegerField(),
    )
    return Topic.objects.annotate(item_count=count).filter(item_count__gt=0)


def _topic_items(topic: Topic, include_restricted: bool):
    """Items tagged ``topic`` by a link the reader may see, with their meeting and decisions.

    Decisions of restricted items come only with ``include_restricted``.
    """
    links = ItemTopic.objects.with_restricted(include_restricted).filter(topic=topic)
    resolutions = Resolution.objects.with_restricted(include_restricted).order_by("order")
    return (
        AgendaItem.objects.with_restricted_text(include_restricted)
        .filter(item_topics__in=links)
        .select_related("meeting")
        .prefetch_related(Prefetch("resolutions", queryset=resolutions))
    )


def topics_by_name(user) -> list[Topic]:
    """``topic_counts`` in alphabetical order."""
    return list(topic_counts(user).order_by(Lower("name"), "pk"))


def most_discussed_topics(user, limit: int) -> list[Topic]:
    """The ``limit`` topics with the most items ``user`` may see tagged."""
    column = "items" if can_view_restricted(user) else "items_public"
    # Only topics with at least as many items as the limit-th: the per-topic count runs for a
    # few topics rather than every one.
    table = TOPIC_COUNT_TABLE
    threshold = RawSQL(
        f"SELECT min(n) FROM (SELECT sum({column}) AS n FROM {table} GROUP BY topic_id"
        f" ORDER BY n DESC LIMIT %s) top",
        [limit],
    )
    busy = RawSQL(
        f"SELECT topic_id FROM {table} GROUP BY topic_id HAVING sum({column}) > 0"
        f" AND sum({column}) >= ({threshold.sql})",
        threshold.params,
    )
    return list(
        topic_counts(user).filter(pk__in=busy).order_by("-item_count", Lower("name"), "pk")[:limit]
    )


@dataclass
class YearCount:
    year: int
    count: int
    has_minutes: bool = True  # false: the archive holds no meeting of that year at all


TOPIC_PAGE_SIZE = 50
# A topic on fewer items than this has its page of items sorted from its links; a topic on
# more is read from the narrow search table in date order until a page is full.
FEW_ITEMS = 2000


@dataclass
class TopicPage:
    topic: Topic
    items: list[AgendaItem]  # those of the page shown
    per_year: list[YearCount] = field(default_factory=list)  # every year from first to last
    undated_count: int = 0
    count: int = 0  # every item on the topic the reader may see
    page_obj: Page | None = None
    shown_count: int = 0  # those of them in the years asked for (all when none are)
    newest: bool = False
    span: tuple[int, int] | None = None  # the years asked for

    @property
    def years(self) -> tuple[int, int] | None:
        return (self.per_year[0].year, self.per_year[-1].year) if self.per_year else None


class _TopicItems:
    """A topic's items, oldest (or newest) meeting first, sliced by a ``Paginator`` a page at
    a time; only those of the years ``years`` (first, last) when given, undated ones left out.

    Each item carries ``snippet``: the opening words of the minutes (or of the agenda text)
    as the reader may see them, empty for a restricted item's withheld text.
    """

    def __init__(
        self,
        topic: Topic,
        include_restricted: bool,
        count: int,
        *,
        newest: bool = False,
        years: tuple[int, int] | None = None,
        size: int | None = None,
    ):
        self.topic, self.include, self.total = topic, include_restricted, count
        self.newest, self.years = newest, years
        self.size = count if size is None else size  # all the topic's items, for the plan

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index: slice) -> list[AgendaItem]:
        start, stop = index.start or 0, index.stop
        table = FACET_TABLE
        backend = backend_for(connection)
        conditions = []
        if self.size < FEW_ITEMS:
            # The links first, then their items sorted: left to itself, PostgreSQL would walk
            # the date index looking up each item's link, tens of thousands for a page.
            if not self.include:
                conditions.append("(l.in_title OR NOT f.restricted)")
            sql = (
                "WITH l AS MATERIALIZED (SELECT item_id, in_title FROM meetings_itemtopic"
                f" WHERE topic_id = %s) SELECT f.item_id FROM l JOIN {table} f"
                " ON f.item_id = l.item_id"
            )
        else:
            column = "f.topics" if self.include else "f.topics_public"
            conditions.append(backend.array_contains(column))
            sql = f"SELECT f.item_id FROM {table} f"
        # The topic's id for each of its placeholders (SQLite's list test names it four times).
        params = [self.topic.pk] * (sql + " ".join(conditions)).count("%s")
        if self.years:
            conditions.append("f.year >= %s AND f.year <= %s")
            params += list(self.years)
        if conditions:
            sql += " WHERE " + " AND ".join(conditions)
        order = backend.newest_order if self.newest else backend.oldest_order
        sql += f" ORDER BY {order} LIMIT {stop - start} OFFSET {start}"
        # The page's ids as a subquery of the items' own query (they are already only those
        # the reader may see tagged); ordered again here.
        resolutions = Resolution.objects.with_restricted(self.include).order_by("order")
        items = (
            AgendaItem.objects.with_restricted_text(self.include)
            .filter(pk__in=RawSQL(f"SELECT item_id FROM ({sql}) page", params))
            .annotate(
                opening=Case(
                    When(minutes_text_shown="", then=Substr("agenda_text_shown", 1, 400)),
                    default=Substr("minutes_text_shown", 1, 400),
                )
            )
            .select_related("meeting")
            .prefetch_related(Prefetch("resolutions", queryset=resolutions))
        )
        sign = -1 if self.newest else 1  # newest: each meeting's items still in order

        def place(item):
            meeting = item.meeting
            day = meeting.date.toordinal() if meeting.date else 0
            return (
                meeting.date is None,
                sign * day,
                meeting.body,
                sign * meeting.pk,
                item.position,
            )

        items = sorted(items, key=place)
        for item in items:
            item.snippet = results.excerpt(item.opening)
        return items


# The one answer for a topic that does not exist and for one the user may see no item on:
# a topic named only in restricted text must not be told apart from a made-up slug.
NO_SUCH_TOPIC = "No topic found at this address."


def topic_page(
    slug: str,
    user,
    page_number=None,
    *,
    newest: bool = False,
    years: tuple[int | None, int | None] | None = None,
) -> TopicPage:
    """A page of a topic's items as ``user`` may see them, oldest (or newest) meeting first,
    with their decisions and opening words, and the number of items per year (from the search
    index's counts). ``years`` (first, last, either ``None`` for open) keeps only the items of
    meetings in those years; the counts per year are those of every year all the same.

    404 when the user may see no item on the topic (see ``topic_counts``).
    """
    include = can_view_restricted(user)
    column = "items" if include else "items_public"
    pairs = backend_for(connection).joined_pairs("c.year", f"c.{column}")
    # The topic and its items per year (year 0: undated) in one query.
    per_year = RawSQL(
        f"SELECT {pairs} FROM {TOPIC_COUNT_TABLE} c"
        f" WHERE c.topic_id = meetings_topic.id AND c.{column} > 0",
        [],
        output_field=CharField(),
    )
    # The years of which the archive holds minutes at all (any item, on any topic): a year
    # between with none is a gap in the chart, not a 0. Years of meetings are public.
    held_pairs = backend_for(connection).joined_pairs("y.year", "y.n")
    held_years = RawSQL(
        f"SELECT {held_pairs} FROM (SELECT year, 1 AS n FROM {COUNT_TABLE}"
        " WHERE items > 0 AND year > 0 GROUP BY year) y",
        [],
        output_field=CharField(),
    )
    topic = (
        Topic.objects.annotate(year_counts=per_year, held_years=held_years)
        .filter(slug=slug)
        .first()
    )
    if topic is None:
        raise Http404(NO_SUCH_TOPIC)
    counts = {
        int(year): int(n)
        for year, n in (pair.split(":") for pair in (topic.year_counts or "").split(",") if pair)
    }
    total = sum(counts.values())
    if not total:
        raise Http404(NO_SUCH_TOPIC)
    dated = {year: n for year, n in counts.items() if year}
    shown, span = total, None
    if years and years != (None, None) and dated:
        span = (years[0] or min(dated), years[1] or max(dated))
        shown = sum(n for year, n in dated.items() if span[0] <= year <= span[1])
    elif years and years != (None, None):
        span, shown = years, 0
    items = _TopicItems(topic, include, shown, newest=newest, years=span, size=total)
    page = Paginator(items, TOPIC_PAGE_SIZE).get_page(page_number)
    page.object_list = list(page.object_list)
    link_items(page.object_list)
    per_year = []
    if dated:
        first, last = min(dated), max(dated)
        held = {int(pair.split(":")[0]) for pair in (topic.held_years or "").split(",") if pair}
        per_year = [
            YearCount(year, dated.get(year, 0), year in held or year in dated)
            for year in range(first, last + 1)
        ]
    return TopicPage(
        topic,
        page.object_list,
        per_year,
        undated_count=counts.get(0, 0),
        count=total,
        page_obj=page,
        shown_count=shown,
        newest=newest,
        span=span,
    )


# People


PEOPLE_PAGE_SIZE = 50


def people_page(query: str = "", page_number=None) -> Page:
    """A page of everyone named in the attendance lists, by surname, with their counts and
    ``main_organisation``: the organisation they are most often listed for ("" if none).

    ``query`` keeps those whose name holds it (any case). Two queries: the count and the page.
    """
    organisations = (
        Attendee.objects.filter(person=OuterRef("pk"))
        .exclude(organisation="")
        .values("organisation")
        .annotate(times=Count("pk"))
        .order_by("-times", "organisation")
        .values("organisation")[:1]
    )
    people = (
        Person.objects.listed()
        .with_attendance_counts()
        .annotate(main_organisation=Subquery(organisations, output_field=CharField()))
        .alphabetical()
    )
    query = " ".join(query.split())
    if query:
        people = people.filter(name__icontains=query)
    return Paginator(people, PEOPLE_PAGE_SIZE).get_page(page_number)


@dataclass
class PersonPage:
    person: Person
    attendances: list[Attendee]

    @property
    def attended_count(self) -> int:
        return len({a.meeting_id for a in self.attendances if a.attendance != "apologies"})

    @property
    def apologies_count(self) -> int:
        return len({a.meeting_id for a in self.attendances if a.attendance == "apologies"})

    @property
    def names_printed(self) -> list[str]:
        """The different ways the minutes print this person, in first-seen order."""
        return list(dict.fromkeys(a.printed or a.name for a in self.attendances))


def person_page(slug: str) -> PersonPage:
    """A person and every attendance list naming them, newest meeting first; 404 if none."""
    person = get_object_or_404(Person, slug=slug)
    attendances = list(
        person.attendances.select_related("meeting").order_by(
            F("meeting__date").desc(nulls_last=True), "meeting__body", "meeting", "order"
        )
    )
    if not attendances:
        raise Http404("This person is not named in any stored minutes.")
    return PersonPage(person, attendances)


# Feeds


def latest_meetings_for_feed(limit: int = 20) -> list[Meeting]:
    """The meetings added to the archive most recently, with their item numbers and titles."""
    items = AgendaItem.objects.order_by("position").only(
        "meeting", "position", "number", "number_printed", "title"
    )
    return list(
        Meeting.objects.order_by(
            "-created", F("date").desc(nulls_last=True), "-pk"
        ).prefetch_related(Prefetch("items", queryset=items))[:limit]
    )


def topic_items_for_feed(topic: Topic, include_restricted: bool, limit: int = 50):
    """The items on ``topic`` the reader may see, newest meeting first, with their decisions."""
    items = _topic_items(topic, include_restricted).order_by(
        F("meeting__date").desc(nulls_last=True), "-meeting__created", "meeting", "position"
    )
    return list(items[:limit])


# Search


@dataclass
class SearchPage:
    """A page of the search page's results, with what is shown beside them."""

    filterset: filters.ItemSearchFilter  # the query, filters and sort order read
    paginator: Paginator  # over ``filters.SearchResults``
    page: Page  # the page's items, each with its snippet and links
    facets: list[Facet]  # each filter's choices with their counts

    @property
    def summary(self) -> facets.Summary:
        return self.filterset.summary

    @property
    def results(self) -> list[AgendaItem]:
        return self.page.object_list


def search_page(data, user, page_number=None, *, show_all=(), per_page: int = 20) -> SearchPage:
    """The page ``page_number`` of the search that ``data`` (the GET parameters) describes, as
    ``user`` may see it, with the counts beside each filter's choices.

    The filters named in ``show_all`` list every choice (see ``ItemSearchFilter.facets``).
    """
    filterset = filters.ItemSearchFilter(data, user=user)
    paginator, page = paginate(filterset, page_number, per_page)
    results.prepare_page(
        page.object_list, filterset.query, include_restricted=filterset.include_restricted
    )
    link_items(page.object_list)
    return SearchPage(filterset, paginator, page, filterset.facets(show_all=show_all))


def paginate(filterset, number, per_page: int) -> tuple[Paginator, Page]:
    """The page ``number`` of a search's results, and the counts of ``filterset.summary``.

    All within ``facets.TIME_LIMIT``. When that runs out the page is made again without
    counts (``summary.exact`` is false and the total a lower bound); if even that runs out,
    with no results (``summary.failed``).
    """
    database = connections[filterset.queryset.db]
    for attempt in ("full", "rough", "none"):
        try:
            with time_limit(database, facets.TIME_LIMIT):
                if attempt == "rough":
                    filterset._summary = facets.FacetQuery(filterset).rough_summary()
                elif attempt == "none":
                    filterset._summary = facets.Summary(total=0, exact=False, failed=True)
                else:
                    filterset.summary  # noqa: B018 (counted inside the time limit)
                paginator = Paginator(filterset.results(), per_page)
                page = paginator.get_page(number)
                page.object_list = list(page.object_list)
                return paginator, page
        except (OperationalError, database.Database.OperationalError) as error:
            # In debug mode an interrupted SQLite query raises the driver's own error.
            if attempt == "none" or not timed_out(database, error):
                raise
            logger.warning("Search took too long (%s counts): %r", attempt, filterset.data)
    raise AssertionError("unreachable")


@dataclass
class SearchExport:
    """Every result of a search, for a download."""

    ids: list[int]  # in the page's order
    include_restricted: bool  # whether the user may read restricted items
    valid: bool = True  # false: the search page would show an error, and nothing is exported


def search_export(data, user, *, seconds: float) -> SearchExport:
    """The ids of every result of the search ``data`` describes (not only one page), in the
    page's order, found within ``seconds``."""
    filterset = filters.ItemSearchFilter(data, user=user)
    if not filterset.is_valid():
        return SearchExport([], filterset.include_restricted, valid=False)
    query = facets.FacetQuery(filterset)
    with time_limit(query.connection, seconds):
        ids = query.ids(0, ALL_RESULTS)
    return SearchExport(ids, filterset.include_restricted)


ALL_RESULTS = 10**12
