"""What importing a parsed document would change in a stored meeting.

Items are matched by position, as the import matches them. Changes name fields, never values,
so a report may be shown to someone who is not allowed to read a restricted item's text.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from ingest.parsers import ParsedItem, ParsedMeeting
from meetings.models import AgendaItem, Meeting, Resolution

MEETING_FIELDS = [
    "body",
    "date",
    "start_time",
    "venue",
    "contact",
    "previous_meeting",
    "next_meeting",
]
# What a parsed item sets on its stored item; the import writes exactly these.
ITEM_FIELDS = [
    "number",
    "number_printed",
    "title",
    "agenda_text",
    "minutes_text",
    "restricted",
    "restricted_reason",
    "status",
    "attachments",
]
DECISIONS = "decisions"


@dataclass
class ItemChange:
    position: int
    number: str
    title: str
    fields: list[str] = field(default_factory=list)  # names of the fields that change


@dataclass
class MeetingChanges:
    fields: list[str] = field(default_factory=list)
    added: list[ItemChange] = field(default_factory=list)
    removed: list[ItemChange] = field(default_factory=list)
    changed: list[ItemChange] = field(default_factory=list)
    attendees_changed: bool = False

    @property
    def has_changes(self) -> bool:
        return bool(
            self.fields or self.added or self.removed or self.changed or self.attendees_changed
        )

    def summary(self) -> str:
        """One line for a person: "2 items changed, 1 added; venue changed" or "no changes"."""
        parts = []
        for count, label in (
            (len(self.changed), "changed"),
            (len(self.added), "added"),
            (len(self.removed), "removed"),
        ):
            if count:
                parts.append(f"{count} item{'' if count == 1 else 's'} {label}")
        if self.fields:
            parts.append(f"{', '.join(self.fields)} changed")
        if self.attendees_changed:
            parts.append("attendance changed")
        return "; ".join(parts) or "no changes"


def compare(meeting: Meeting | None, parsed: ParsedMeeting) -> MeetingChanges:
    """The changes storing ``parsed`` would make to ``meeting`` (everything added if None).

    Meeting fields the document leaves empty are not counted: the import keeps the stored
    value (an administrator may have filled it in).
    """
    if meeting is None:
        return MeetingChanges(
            added=[_summary(position, item) for position, item in _numbered(parsed)]
        )
    changes = MeetingChanges()
    for name in MEETING_FIELDS:
        new = getattr(parsed, name)
        if new in (None, "") and name in ("body", "date"):
            continue
        if getattr(meeting, name) != new:
            changes.fields.append(name)
    stored = {
        item.position: item
        for item in AgendaItem.objects.filter(meeting=meeting).prefetch_related(
            Prefetch("resolutions", queryset=Resolution.objects.order_by("order"))
        )
    }
    for position, parsed_item in _numbered(parsed):
        item = stored.pop(position, None)
        if item is None:
            changes.added.append(_summary(position, parsed_item))
            continue
        changed = [
            name for name in ITEM_FIELDS if getattr(item, name) != getattr(parsed_item, name)
        ]
        old_decisions = [(r.text, r.kind) for r in item.resolutions.all()]
        if old_decisions != [(r.text, r.kind) for r in parsed_item.resolutions]:
            changed.append(DECISIONS)
        if changed:
            changes.changed.append(ItemChange(position, item.number, item.title, changed))
    changes.removed = [
        ItemChange(item.position, item.number, item.title) for item in stored.values()
    ]
    changes.removed.sort(key=lambda change: change.position)
    old_people = list(
        meeting.attendees.order_by("order").values_list(
            "printed", "name", "title", "role", "organisation", "attendance"
        )
    )
    new_people = [
        (p.printed, p.name, p.title, p.role, p.organisation, p.attendance) for p in parsed.attendees
    ]
    changes.attendees_changed = old_people != new_people
    return changes


def _numbered(parsed: ParsedMeeting):
    return enumerate(parsed.items, start=1)


def _summary(position: int, item: ParsedItem) -> ItemChange:
    return ItemChange(position, item.number, item.title)
