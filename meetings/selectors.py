"""What each page shows, built with a fixed number of queries whatever the size of a meeting."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q
from django.db.models.functions import Lower
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import (
    AgendaItem,
    Attendee,
    ItemTopic,
    Meeting,
    Person,
    Resolution,
    Topic,
    can_view_restricted,
)

UNDATED_GROUP = "Date unknown"


@dataclass
class MeetingGroup:
    label: str  # "2025" or "Date unknown"
    meetings: list[Meeting]


def meeting_groups() -> list[MeetingGroup]:
    """All meetings, newest first, grouped by year; undated meetings in a last group."""
    meetings = Meeting.objects.with_source_name().newest_first().annotate(item_count=Count("items"))
    groups: list[MeetingGroup] = []
    for meeting in meetings:
        label = str(meeting.date.year) if meeting.date else UNDATED_GROUP
        if not groups or groups[-1].label != label:
            groups.append(MeetingGroup(label, []))
        groups[-1].meetings.append(meeting)
    return groups


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


def attendance_groups(meeting: Meeting) -> list[tuple[str, list[Attendee]]]:
    """The meeting's attendees by kind of attendance, in the order printed; empty kinds left out."""
    groups = []
    for value, label in Attendee.Attendance.choices:
        people = [a for a in meeting.attendees.all() if a.attendance == value]
        if people:
            groups.append((label, people))
    return groups


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


def adjacent_meetings(meeting: Meeting) -> dict[str, Meeting | None]:
    """The stored meetings of the same body on the previous and next meeting dates, if any."""
    return linked_meetings(meeting)[0]


# Meetings by year


def meeting_years() -> list[int]:
    """The years the archive holds meetings of, newest first."""
    return [day.year for day in Meeting.objects.dates("date", "year", order="DESC")]


def group_years(groups: list[MeetingGroup]) -> list[int]:
    """The years of ``meeting_groups()``, newest first, without another query."""
    return [int(group.label) for group in groups if group.label != UNDATED_GROUP]


def meetings_in_year(year: int) -> list[Meeting]:
    """The meetings of ``year`` in date order, each with ``item_count``; 404 if there are none."""
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        raise Http404("Not a year.")
    meetings = list(
        Meeting.objects.in_year(year).oldest_first().annotate(item_count=Count("items"))
    )
    if not meetings:
        raise Http404(f"The archive holds no meetings in {year}.")
    return meetings


# Home page


@dataclass
class HomeSummary:
    meeting_count: int
    item_count: int
    latest_meetings: list[Meeting]
    top_topics: list[Topic]
    years: list[int]


def home_summary(user, *, latest: int = 5, topics: int = 10) -> HomeSummary:
    """Counts, the latest meetings and the most discussed topics, as ``user`` may see them."""
    counts = Meeting.objects.aggregate(meetings=Count("pk", distinct=True), items=Count("items"))
    latest_meetings = list(
        Meeting.objects.filter(date__isnull=False)
        .newest_first()
        .annotate(item_count=Count("items"))[:latest]
    )
    return HomeSummary(
        meeting_count=counts["meetings"],
        item_count=counts["items"],
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


# Topics


def topic_counts(user):
    """Topics with ``item_count``, the number of items on each that ``user`` may see tagged.

    A topic found only in the text of a restricted item is not counted for a user who may not
    read that text, and a topic with no such items is left out: its very name could come from
    restricted text.
    """
    links = ItemTopic.objects.visible_to(user)
    # Filtering before annotating makes the count use the same, filtered join.
    return Topic.objects.filter(item_topics__in=links).annotate(item_count=Count("item_topics"))


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
    return list(topic_counts(user).order_by("-item_count", Lower("name"), "pk")[:limit])


@dataclass
class YearCount:
    year: int
    count: int


@dataclass
class TopicPage:
    topic: Topic
    items: list[AgendaItem]
    per_year: list[YearCount] = field(default_factory=list)  # every year from first to last
    undated_count: int = 0

    @property
    def years(self) -> tuple[int, int] | None:
        return (self.per_year[0].year, self.per_year[-1].year) if self.per_year else None


def topic_page(slug: str, user) -> TopicPage:
    """A topic's items as ``user`` may see them, oldest meeting first, with their decisions.

    404 when the user may see no item on the topic (see ``topic_counts``).
    """
    include = can_view_restricted(user)
    topic = get_object_or_404(Topic, slug=slug)
    items = list(
        _topic_items(topic, include).order_by(
            F("meeting__date").asc(nulls_last=True), "meeting__body", "meeting", "position"
        )
    )
    if not items:
        raise Http404("No items on this topic.")
    return TopicPage(topic, items, *_per_year(item.meeting.date for item in items))


def _per_year(dates) -> tuple[list[YearCount], int]:
    counts: dict[int, int] = {}
    undated = 0
    for day in dates:
        if day is None:
            undated += 1
        else:
            counts[day.year] = counts.get(day.year, 0) + 1
    if not counts:
        return [], undated
    years = range(min(counts), max(counts) + 1)
    return [YearCount(year, counts.get(year, 0)) for year in years], undated


# People


@dataclass
class PeopleGroup:
    letter: str
    people: list[Person]


def people_groups() -> list[PeopleGroup]:
    """Everyone named in the attendance lists, by surname, in groups by the surname's initial."""
    groups: list[PeopleGroup] = []
    for person in Person.objects.listed().with_attendance_counts().alphabetical():
        initial = person.sort_name[:1].upper()
        letter = initial if initial.isalpha() and initial.isascii() else "#"
        if not groups or groups[-1].letter != letter:
            groups.append(PeopleGroup(letter, []))
        groups[-1].people.append(person)
    return groups


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
    items = AgendaItem.objects.order_by("position").only("meeting", "position", "number", "title")
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
