"""What each page shows, built with a fixed number of queries whatever the size of a meeting."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404

from .models import AgendaItem, Attendee, ItemTopic, Meeting, Resolution, can_view_restricted

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
    queryset methods). Each item has ``shown_topics`` (a list of ``ItemTopic``, by topic name).
    """
    items = AgendaItem.objects.with_restricted_text(include_restricted).order_by("position")
    resolutions = Resolution.objects.with_restricted(include_restricted).order_by("order")
    item_topics = (
        ItemTopic.objects.with_restricted(include_restricted)
        .select_related("topic")
        .order_by(Lower("topic__name"))
    )
    return Meeting.objects.with_source_name().prefetch_related(
        Prefetch("attendees", queryset=Attendee.objects.order_by("order")),
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


def adjacent_meetings(meeting: Meeting) -> dict[str, Meeting | None]:
    """The stored meetings of the same body on the previous and next meeting dates, if any."""
    wanted = {"previous": meeting.previous_meeting, "next": meeting.next_meeting}
    dates = [value for value in wanted.values() if value]
    found = {}
    if dates:
        found = {
            other.date: other
            for other in Meeting.objects.filter(body=meeting.body, date__in=dates).only(
                "pk", "date"
            )
        }
    return {key: found.get(value) for key, value in wanted.items()}
