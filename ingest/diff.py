"""What importing a parsed document would change in a stored meeting.

Items are matched as the import matches them (``stored_matching``, see ``ingest.matching``).
The counts (``MeetingChanges.summary``) name fields, never values, so they may be shown to
anyone. What each field was and becomes (``MeetingChanges.entries``, kept with the import
history) is shown by ``change_lines``, the values of a restricted item's text only to those who
may read it.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from ingest.matching import Match, match_items
from ingest.parsers import ParsedItem, ParsedMeeting
from meetings.models import AgendaItem, Meeting, Override, Resolution

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
# A restricted item's fields whose values anyone may see, as its admin page shows them; the
# values of the others are "(restricted)" to those who may not view restricted items.
OPEN_ITEM_FIELDS = {"position", "number", "number_printed", "title", "restricted", "status"}
RESTRICTED = "(restricted)"
# The item fields with choices: a change line names their labels ("Not heard"), as the pages
# do, not the values stored ("not_heard").
ITEM_CHOICES = {"status": dict(AgendaItem.Status.choices)}
# Characters of a value quoted in a line of ``change_lines``.
QUOTE_LENGTH = 80


@dataclass
class ItemChange:
    position: int
    number: str
    title: str
    fields: list[str] = field(default_factory=list)  # names of the fields that change
    # {field name: (what it was, what it becomes)}, as text, for the fields that change.
    values: dict[str, tuple[str, str]] = field(default_factory=dict)
    restricted: bool = False  # the item is restricted, before or after


@dataclass
class MeetingChanges:
    fields: list[str] = field(default_factory=list)
    # {field name: (what it was, what it becomes)}, as text, for ``fields``.
    values: dict[str, tuple[str, str]] = field(default_factory=dict)
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

    def entries(self) -> list[dict]:
        """Each change, as kept with the import history (JSON) and shown by ``change_lines``:
        {"what": "Item 6 title", "field": "title", "old": ..., "new": ..., "restricted": bool}
        (a meeting's fields without "field"), or
        {"what": "Item 14 added", "new": title} for an item added or removed."""
        found = [
            {"what": f"Meeting {_label(name)}", **_kept(old, new), "restricted": False}
            for name, (old, new) in self.values.items()
        ]
        if self.attendees_changed:
            found.append({"what": "attendance changed"})
        for label, changes in (("added", self.added), ("removed", self.removed)):
            for change in changes:
                found.append({"what": f"Item {change.position} {label}", "new": change.title})
        for change in self.changed:
            for name in change.fields:
                old, new = change.values.get(name, ("", ""))
                withheld = change.restricted and name not in OPEN_ITEM_FIELDS
                found.append(
                    {
                        "what": f"Item {change.position} {_label(name)}",
                        "field": name,
                        **_kept(old, new),
                        "restricted": withheld,
                    }
                )
        return found


def change_lines(entries: list[dict], *, show_restricted: bool) -> list[str]:
    """``MeetingChanges.entries`` for a person: "Item 6 title: 'Community Safety Action Plan'
    → 'Community Safety Plan'", a choice by its label ("Item 3 status: 'Not heard' → 'Heard'");
    a restricted item's text is "(restricted)" unless ``show_restricted``."""
    lines = []
    for entry in entries:
        what = entry.get("what", "")
        if "old" not in entry:
            new = entry.get("new")
            lines.append(what if new is None else f"{what}: {_quoted(new)}")
        elif entry.get("restricted") and not show_restricted:
            lines.append(f"{what}: {RESTRICTED}")
        else:
            labels = ITEM_CHOICES.get(_item_field(entry), {})
            old, new = (labels.get(entry[key], entry[key]) for key in ("old", "new"))
            old, new = _excerpts(old, new)
            lines.append(f"{what}: {_quoted(old)} → {_quoted(new)}")
    return lines


def _item_field(entry: dict) -> str | None:
    """The item field an entry is about, also for entries kept before they named it, whose
    "what" alone says ("Item 6 status")."""
    if "field" in entry:
        return entry["field"]
    what = entry.get("what", "")
    if what.startswith("Item "):
        return next((name for name in ITEM_CHOICES if what.endswith(f" {_label(name)}")), None)
    return None


def _excerpts(old: str, new: str) -> tuple[str, str]:
    """Long values from a little before where they first differ, so the change is seen."""
    old, new = " ".join(str(old).split()), " ".join(str(new).split())
    if max(len(old), len(new)) <= QUOTE_LENGTH:
        return old, new
    same = 0
    while same < min(len(old), len(new)) and old[same] == new[same]:
        same += 1
    start = old.rfind(" ", 0, max(same - QUOTE_LENGTH // 4, 0)) + 1
    if start <= 0:
        return old, new
    return "…" + old[start:], "…" + new[start:]


def _kept(old: str, new: str) -> dict:
    """What is kept of two values: the part around where they first differ, no more than
    ``change_lines`` shows, so a re-import's history does not hold every text twice."""
    old, new = _excerpts(old, new)
    return {"old": _cut(old), "new": _cut(new)}


def _label(name: str) -> str:
    return name.replace("_", " ")


def _quoted(value: str) -> str:
    value = _cut(value)
    return f"'{value}'" if value else "(empty)"


def _cut(value: str) -> str:
    value = " ".join(str(value).split())
    if len(value) > QUOTE_LENGTH:
        value = value[: QUOTE_LENGTH - 1].rstrip() + "…"
    return value


def _text(value) -> str:
    """A field's value as text for ``MeetingChanges.values``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return "; ".join(_text(part) for part in value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


@dataclass
class StoredMatching:
    """A meeting's stored items, in order, and which of them each parsed item is."""

    stored: list[AgendaItem]
    matches: list[Match | None]  # one per parsed item
    # Each stored item as it was before the import: {"position", "number", "title"}.
    was: list[dict] = field(default_factory=list)
    # The stored items (ids) whose restricted flag set or lifted by hand the import sets aside,
    # unmatched, to be placed again (``ingest.overrides``).
    aside: set[int] = field(default_factory=set)

    @property
    def removed(self) -> list[AgendaItem]:
        """The stored items no parsed item matches: the import deletes them."""
        kept = {match.stored for match in self.matches if match is not None}
        return [item for index, item in enumerate(self.stored) if index not in kept]

    def item_for(self, index: int) -> AgendaItem | None:
        match = self.matches[index]
        return None if match is None else self.stored[match.stored]


def stored_matching(meeting: Meeting, parsed: ParsedMeeting) -> StoredMatching:
    """Match the parsed items to ``meeting``'s stored items (see ``ingest.matching``).

    A stored item is known by the title the minutes gave it: a title corrected by hand is
    not what the next reading of the minutes will say.

    A restricted flag set or lifted by hand is set aside (``StoredMatching.aside``) when its
    item is found again only by a guess (a title changed, a number or a position), and a lifted
    one when the minutes now restrict the item with other text than before: the lift was
    decided on what the item said then.
    """
    stored = list(
        AgendaItem.objects.filter(meeting=meeting)
        .order_by("position")
        .prefetch_related(Prefetch("resolutions", queryset=Resolution.objects.order_by("order")))
    )
    minutes_titles, lifted = {}, set()
    for item_id, field_name, value, imported in Override.objects.filter(
        item__meeting=meeting, field__in=[Override.Field.TITLE, Override.Field.RESTRICTED]
    ).values_list("item_id", "field", "value", "imported"):
        if field_name == Override.Field.TITLE and imported:
            minutes_titles[item_id] = imported["value"]
        elif field_name == Override.Field.RESTRICTED and not value:
            lifted.add(item_id)
    matches = match_items(
        [(minutes_titles.get(item.pk, item.title), item.number) for item in stored],
        [(item.title, item.number) for item in parsed.items],
    )
    was = [
        {
            "position": item.position,
            "number": item.number_printed or item.number,
            "title": item.title,
        }
        for item in stored
    ]
    aside = set()
    for match, parsed_item in zip(matches, parsed.items, strict=True):
        if match is None:
            continue
        item = stored[match.stored]
        if not match.certain:
            aside.add(item.pk)
        elif item.pk in lifted and parsed_item.restricted:
            before = [r.text for r in item.resolutions.all()]
            now = [r.text for r in parsed_item.resolutions]
            if (item.agenda_text, item.minutes_text, before) != (
                parsed_item.agenda_text,
                parsed_item.minutes_text,
                now,
            ):
                aside.add(item.pk)
    return StoredMatching(stored, matches, was, aside)


def compare(
    meeting: Meeting | None, parsed: ParsedMeeting, matching: StoredMatching | None = None
) -> MeetingChanges:
    """The changes storing ``parsed`` would make to ``meeting`` (everything added if None).

    Meeting fields the document leaves empty are not counted: the import keeps the stored
    value (an administrator may have filled it in). ``matching`` is ``stored_matching`` of
    the two, when already known. An item out of order with those around it is changed in its
    "position".
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
            changes.values[name] = (_text(getattr(meeting, name)), _text(new))
    if matching is None:
        matching = stored_matching(meeting, parsed)
    for position, parsed_item in _numbered(parsed):
        item = matching.item_for(position - 1)
        if item is None:
            changes.added.append(_summary(position, parsed_item))
            continue
        values = {
            name: (_text(getattr(item, name)), _text(getattr(parsed_item, name)))
            for name in ITEM_FIELDS
            if getattr(item, name) != getattr(parsed_item, name)
        }
        old_decisions = [(r.text, r.kind) for r in item.resolutions.all()]
        if old_decisions != [(r.text, r.kind) for r in parsed_item.resolutions]:
            values[DECISIONS] = (
                _text([r.text for r in item.resolutions.all()]),
                _text([r.text for r in parsed_item.resolutions]),
            )
        if matching.matches[position - 1].moved:
            values["position"] = (str(item.position), str(position))
        if values:
            changes.changed.append(
                ItemChange(
                    position,
                    item.number,
                    item.title,
                    list(values),
                    values,
                    restricted=bool(item.restricted or parsed_item.restricted),
                )
            )
    changes.removed = [
        ItemChange(item.position, item.number, item.title) for item in matching.removed
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
