"""What the follow-up pages show: the list with its filters and counts, and the follow-ups of
an item and of a meeting.

A follow-up of a restricted item is read only by users with ``meetings.view_restricted``
(``FollowUpQuerySet.visible_to``): for everyone else it is not listed, counted or offered as a
filter's choice. The item it returned at is named by its number and title, which are public.
"""

from dataclasses import dataclass

import django_filters
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q

from .models import FollowUp, ItemTopic, Meeting, Topic

PAGE_SIZE = 50

# Status tags: the GOV.UK tag colour of each status.
STATUS_COLOURS = {
    FollowUp.Status.OPEN: "",
    FollowUp.Status.POSSIBLY_RETURNED: "govuk-tag--yellow",
    FollowUp.Status.RETURNED: "govuk-tag--green",
    FollowUp.Status.OVERDUE: "govuk-tag--red",
    FollowUp.Status.CLOSED: "govuk-tag--grey",
}


class FollowUpFilter(django_filters.FilterSet):
    """The list's filters, read from GET: body, status, topic (slug) and year raised.

    The choices offered are those of the follow-ups ``user`` may see.
    """

    body = django_filters.ChoiceFilter(
        label="Body", field_name="item__meeting__body", empty_label="Any body"
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=FollowUp.Status.choices, empty_label="Any status"
    )
    topic = django_filters.ChoiceFilter(
        label="Topic", method="filter_topic", empty_label="Any topic"
    )
    year = django_filters.ChoiceFilter(
        label="Year raised", method="filter_year", empty_label="Any year"
    )

    class Meta:
        model = FollowUp
        fields = []

    def __init__(self, data=None, queryset=None, *, choices=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        for name, offered in (choices or filter_choices(queryset)).items():
            self.filters[name].extra["choices"] = offered

    def filter_year(self, queryset, name, value):
        return queryset.filter(item__meeting__date__year=int(value))

    def filter_topic(self, queryset, name, value):
        return queryset.filter(item__in=ItemTopic.objects.filter(topic__slug=value).values("item"))

    @property
    def values(self) -> dict:
        self.is_valid()
        cleaned = getattr(self.form, "cleaned_data", {})
        return {name: value for name, value in cleaned.items() if value}


def filter_choices(visible) -> dict:
    """The bodies, topics and years offered: those of the follow-ups in ``visible`` (3 queries)."""
    bodies = (
        visible.order_by("item__meeting__body")
        .values_list("item__meeting__body", flat=True)
        .distinct()
    )
    years = visible.filter(item__meeting__date__isnull=False).dates(
        "item__meeting__date", "year", order="DESC"
    )
    topics = Topic.objects.filter(items__follow_ups__in=visible).distinct().order_by("name")
    return {
        "body": [(body, body or "Body not stated") for body in bodies],
        "year": [(str(date.year), str(date.year)) for date in years],
        "topic": list(topics.values_list("slug", "name")),
    }


@dataclass
class StatusCount:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class FollowUpPage:
    filterset: FollowUpFilter
    page_obj: Page
    status_counts: list[StatusCount]

    @property
    def total(self) -> int:
        return sum(status.count for status in self.status_counts)


def follow_up_page(data, user, page_number=None) -> FollowUpPage:
    """A page of follow-ups ``user`` may see, newest meeting first, and the count of each
    status with the other filters applied (not the status's own, so another can be chosen)."""
    visible = FollowUp.objects.visible_to(user)
    data = data if data is not None else {}
    choices = filter_choices(visible)
    filterset = FollowUpFilter(data, visible, choices=choices)
    values = filterset.values
    others = FollowUpFilter(
        {name: value for name, value in data.items() if name not in ("status", "page")},
        visible,
        choices=choices,
    )
    counted = dict(others.qs.order_by().values_list("status").annotate(n=Count("pk")))
    status_counts = [
        StatusCount(value, label, counted.get(value, 0), values.get("status") == value)
        for value, label in FollowUp.Status.choices
    ]
    follow_ups = filterset.qs.select_related("item__meeting", "returned_item__meeting").order_by(
        "-item__meeting__date", "item__meeting__body", "item__position", "position", "pk"
    )
    page = Paginator(follow_ups, PAGE_SIZE).get_page(page_number)
    page.object_list = list(page.object_list)
    for follow_up in page.object_list:
        follow_up.colour = STATUS_COLOURS.get(follow_up.status, "")
    return FollowUpPage(filterset, page, status_counts)


@dataclass
class ItemFollowUps:
    raised: list[FollowUp]  # what the item's minutes said would come back
    returned_here: list[FollowUp]  # what earlier items raised and this one took up


def item_follow_ups(item, user) -> ItemFollowUps:
    """The follow-ups ``item`` raised and those it took up, as ``user`` may see them (1 query)."""
    found = (
        FollowUp.objects.visible_to(user)
        .filter(Q(item=item.pk) | Q(returned_item=item.pk))
        .select_related("item__meeting", "returned_item__meeting")
        .order_by("item__meeting__date", "item__position", "position")
    )
    result = ItemFollowUps([], [])
    for follow_up in found:
        follow_up.colour = STATUS_COLOURS.get(follow_up.status, "")
        if follow_up.item_id == item.pk:
            result.raised.append(follow_up)
        else:
            result.returned_here.append(follow_up)
    return result


@dataclass
class MeetingFollowUps:
    raised: list[FollowUp]  # raised by the meeting's items
    due: list[FollowUp]  # taken up at this meeting, or due at it


def meeting_follow_ups(meeting: Meeting, user) -> MeetingFollowUps:
    """The follow-ups the meeting raised, and those due at it: taken up by one of its items
    (suggested or confirmed), or raised at its body's previous meeting for the next one, or
    for its month or date. Two queries."""
    visible = FollowUp.objects.visible_to(user).select_related(
        "item__meeting", "returned_item__meeting"
    )
    due_here = Q(returned_item__meeting=meeting.pk)
    if meeting.date is not None:
        previous = (
            Meeting.objects.filter(body=meeting.body, date__lt=meeting.date)
            .order_by("-date")
            .values("pk")[:1]
        )
        earlier = Q(item__meeting__body=meeting.body, item__meeting__date__lt=meeting.date)
        due_here |= Q(item__meeting__in=previous, due=FollowUp.Due.NEXT_MEETING)
        due_here |= earlier & Q(
            due=FollowUp.Due.MONTH,
            due_date__year=meeting.date.year,
            due_date__month=meeting.date.month,
        )
        due_here |= earlier & Q(due=FollowUp.Due.DATE, due_date=meeting.date)
    found = visible.filter(Q(item__meeting=meeting.pk) | due_here).order_by(
        "item__meeting__date", "item__position", "position", "pk"
    )
    result = MeetingFollowUps([], [])
    for follow_up in found:
        follow_up.colour = STATUS_COLOURS.get(follow_up.status, "")
        if follow_up.item.meeting_id == meeting.pk:
            result.raised.append(follow_up)
        else:
            result.due.append(follow_up)
    return result
