"""Row writers of an import: a parsed document's meeting, items, decisions and attendance.

Rows are filled from the parsed dataclasses and written many to a statement
(``meetings.search.bulk``); ``ingest.services`` decides what is written when, in one transaction.
"""

import dataclasses
import functools
from collections import defaultdict

from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from ingest import diff
from ingest.parsers import ParsedMeeting
from meetings import review
from meetings.models import (
    AgendaItem,
    Attendee,
    FollowUp,
    ItemTopic,
    Meeting,
    Person,
    Resolution,
    SourceDocument,
    person_key,
    person_name,
    person_sort_name,
)
from meetings.search import BulkTable, next_ids

# The item fields a document sets; the comparison of a document with its meeting uses the same.
ITEM_FIELDS = diff.ITEM_FIELDS


def source_fields(source, body: str | None = None) -> dict:
    """A stored original's fields; ``body``, given with the import, is given again when the
    file is re-imported."""
    return {
        "body_given": body or "",
        "file_name": source.file_name,
        "sha256": source.sha256,
        "original_text": source.text,
        "original_bytes": source.data,
        "encoding": source.encoding,
        "imported_by": source.imported_by,
        "imported_by_name": source.imported_by_name,
    }


def fill_meeting(meeting: Meeting, parsed: ParsedMeeting, target) -> None:
    """Set the fields a document gives a meeting; ``target`` (``services.Target``) says which
    body and date it is stored under."""
    if meeting.pk is None:
        meeting.body, meeting.date = target.body, target.date
        meeting.date_source = target.date_source
    else:
        # Overrides are put back afterwards (ingest.overrides.apply_to_meeting).
        meeting.body = target.body or meeting.body
        if target.date is not None:
            meeting.date, meeting.date_source = target.date, target.date_source
    meeting.start_time = parsed.start_time
    meeting.venue = parsed.venue
    meeting.contact = parsed.contact
    meeting.previous_meeting = parsed.previous_meeting
    meeting.next_meeting = parsed.next_meeting
    meeting.header_text = parsed.header_text
    meeting.warnings = target.warnings
    meeting.reading_notes = list(parsed.notes)


def fill_item(item: AgendaItem, parsed_item) -> None:
    """Set the fields a document gives an item, and its decisions' texts for topic tagging."""
    for name in ITEM_FIELDS:
        setattr(item, name, getattr(parsed_item, name))
    item.resolution_texts = [resolution.text for resolution in parsed_item.resolutions]


def insert_items(pairs: list[tuple[AgendaItem, object]], matches: dict) -> None:
    """Insert new items, from (item, parsed item) pairs, with their topic links and decisions.

    The items are given their ids first and linked to their topics and given their decisions
    before they are inserted (the foreign keys are checked at commit), so that the search
    index's triggers write each item's facet row once, topics and all, rather than again for
    each link, and those of ``meetings.search.extra`` find no item to write again (on SQLite
    they run for each decision, and would write each item once a decision). Many items in one
    statement: on PostgreSQL the triggers run once for them all. Only inside a transaction
    holding the write lock (on SQLite every transaction takes it at once), so that no other
    writer takes the same ids.
    """
    if not pairs:
        return
    ids = next_ids(connection, AgendaItem, len(pairs))
    names = ["id", "meeting_id", "position", *ITEM_FIELDS, "search_extra"]
    links = BulkTable(connection, ItemTopic, ["item_id", "topic_id", "in_title"])
    items = BulkTable(connection, AgendaItem, names)
    for (item, _parsed_item), pk in zip(pairs, ids, strict=True):
        item.pk = pk
        for topic_id, in_title in matches[id(item)].items():
            links.add(pk, topic_id, in_title)
        items.add(*(getattr(item, name) for name in names))
    links.flush()
    insert_decisions(pairs)
    items.flush()


def insert_decisions(pairs: list[tuple[AgendaItem, object]]) -> None:
    """Insert the decisions of saved items, from (item, parsed item) pairs."""
    decisions = BulkTable(connection, Resolution, ["item_id", "order", "text", "kind"])
    for item, parsed_item in pairs:
        for order, resolution in enumerate(parsed_item.resolutions, start=1):
            decisions.add(item.pk, order, resolution.text, resolution.kind)
    decisions.flush()


def replace_decisions(pairs: list[tuple[AgendaItem, object]]) -> None:
    """Give stored items, from (item, parsed item) pairs, the decisions of the parsed items.

    Only the decisions that change are written (by their order), so that the triggers of
    ``meetings.search.extra`` write again only the items whose decisions changed.
    """
    wanted = {
        (item.pk, order): resolution
        for item, parsed_item in pairs
        for order, resolution in enumerate(parsed_item.resolutions, start=1)
    }
    stale, changed, kept = [], [], set()
    stored = Resolution.objects.filter(item__in=[item.pk for item, _ in pairs])
    for pk, item_id, order, text, kind in stored.values_list(
        "pk", "item_id", "order", "text", "kind"
    ):
        resolution = wanted.get((item_id, order))
        if resolution is None:
            stale.append(pk)
            continue
        kept.add((item_id, order))
        if (text, kind) != (resolution.text, resolution.kind):
            changed.append(Resolution(pk=pk, text=resolution.text, kind=resolution.kind))
    Resolution.objects.filter(pk__in=stale).delete()
    Resolution.objects.bulk_update(changed, ["text", "kind"], batch_size=500)
    decisions = BulkTable(connection, Resolution, ["item_id", "order", "text", "kind"])
    for (item_id, order), resolution in wanted.items():
        if (item_id, order) not in kept:
            decisions.add(item_id, order, resolution.text, resolution.kind)
    decisions.flush()


# What a reading of the minutes gives a follow-up; the rest (status, link, note) is the
# archive's own.
FOLLOW_UP_FIELDS = ("kind", "what", "who", "due", "due_date", "phrase")
_WHO_LENGTH = FollowUp._meta.get_field("who").max_length


def follow_up_values(parsed) -> dict:
    """The stored fields of a follow-up as read (``ParsedFollowUp``)."""
    values = {name: getattr(parsed, name) for name in FOLLOW_UP_FIELDS}
    values["who"] = (values["who"] or "")[:_WHO_LENGTH]
    values["due"] = values["due"] or ""
    return values


def insert_follow_ups(pairs: list[tuple[AgendaItem, object]]) -> None:
    """Insert the follow-ups of saved new items, from (item, parsed item) pairs, many to a
    statement; open until ``meetings.followups.rematch_places`` matches them."""
    now = timezone.now()
    rows = BulkTable(
        connection,
        FollowUp,
        ["item_id", "meeting_id", "position", *FOLLOW_UP_FIELDS, "created", "updated"],
    )
    for item, parsed_item in pairs:
        for position, parsed in enumerate(getattr(parsed_item, "follow_ups", ()), start=1):
            values = follow_up_values(parsed)
            rows.add(
                item.pk,
                item.meeting_id,
                position,
                *(values[name] for name in FOLLOW_UP_FIELDS),
                now,
                now,
            )
    rows.flush()


def same_what(text: str) -> str:
    """What is to come back, as compared: case and spacing aside."""
    return " ".join((text or "").casefold().split())


def replace_follow_ups(pairs: list[tuple[AgendaItem, object]]) -> None:
    """Give stored items, from (item, parsed item) pairs, the follow-ups of the new reading.

    A follow-up whose status or link was set by hand keeps them: it is found again in its
    item's new reading by the same wording of what is to come back, else by its position
    (and kind), and takes that reading's wording. One the new reading no longer has is kept,
    after the others. The rest are rewritten in place by position; their status is worked
    out again by ``meetings.followups.rematch_places``. Three queries at most, and none that writes
    when nothing changed.
    """
    if not pairs:
        return
    stored = defaultdict(list)
    for follow_up in FollowUp.objects.filter(item__in=[item.pk for item, _ in pairs]).order_by(
        "item", "position", "pk"
    ):
        stored[follow_up.item_id].append(follow_up)
    to_create, to_update, to_delete = [], [], []
    for item, parsed_item in pairs:
        new = list(getattr(parsed_item, "follow_ups", ()))
        hand = [f for f in stored[item.pk] if f.set_by_hand]
        plain = [f for f in stored[item.pk] if not f.set_by_hand]
        claimed = {}
        for follow_up in hand:
            free = [i for i in range(len(new)) if i not in claimed]
            same = [i for i in free if same_what(new[i].what) == same_what(follow_up.what)]
            placed = [
                i for i in free if i + 1 == follow_up.position and new[i].kind == follow_up.kind
            ]
            if same or placed:
                claimed[(same or placed)[0]] = follow_up
        kept = [follow_up for follow_up in hand if follow_up not in claimed.values()]
        if item.restricted:
            # Kept set by hand on a restricted item, its note and any wording later minutes
            # no longer hold are restricted text, whatever becomes of the item.
            for follow_up in hand:
                if not follow_up.restricted_text:
                    follow_up.restricted_text = True
                    to_update.append(follow_up)
        for index, parsed in enumerate(new):
            follow_up = claimed.get(index) or (plain.pop(0) if plain else None)
            values = {**follow_up_values(parsed), "position": index + 1}
            if follow_up is None:
                to_create.append(FollowUp(item_id=item.pk, meeting_id=item.meeting_id, **values))
                continue
            if any(getattr(follow_up, name) != value for name, value in values.items()):
                if not follow_up.set_by_hand and follow_up.what != values["what"]:
                    follow_up.rejected_items = []
                for name, value in values.items():
                    setattr(follow_up, name, value)
                if follow_up not in to_update:
                    to_update.append(follow_up)
        for offset, follow_up in enumerate(kept, start=len(new) + 1):
            if follow_up.position != offset:
                follow_up.position = offset
                if follow_up not in to_update:
                    to_update.append(follow_up)
        to_delete += [follow_up.pk for follow_up in plain]
    if to_delete:
        FollowUp.objects.filter(pk__in=to_delete).delete()
    FollowUp.objects.bulk_update(
        to_update,
        ["position", *FOLLOW_UP_FIELDS, "rejected_items", "restricted_text"],
        batch_size=500,
    )
    FollowUp.objects.bulk_create(to_create, batch_size=500)


def insert_attendees(meetings: list[tuple[Meeting, ParsedMeeting]]) -> None:
    """Insert the attendance of saved meetings, from (meeting, parsed document) pairs."""
    people = people_for_names(
        person.name for _meeting, parsed in meetings for person in parsed.attendees
    )
    names = ["meeting_id", "order", "name", "printed", "title", "honours", "role"]
    attendees = BulkTable(connection, Attendee, [*names, "organisation", "attendance", "person_id"])
    for meeting, parsed in meetings:
        for order, person in enumerate(parsed.attendees, start=1):
            found = people.get(person_key(person.name))
            attendees.add(
                meeting.pk, order, person.name, person.printed, person.title, person.honours,
                person.role, person.organisation, person.attendance, found and found.pk,
            )  # fmt: skip
    attendees.flush()


def people_for_names(names) -> dict[str, Person]:
    """The people with these attendee names, by ``person_key``, created when new.

    A fixed number of queries whatever the number of names. Another import may create the same
    person at the same moment; its row is used. If it took a slug this one wanted, the slug is
    chosen again.
    """
    wanted: dict[str, str] = {}
    for name in names:
        key = person_key(name)
        if key:
            wanted.setdefault(key, person_name(name))
    people = {person.key: person for person in Person.objects.filter(key__in=wanted)}
    for _attempt in range(3):
        # In key order: two imports creating the same people wait for each other in turn.
        missing = {key: wanted[key] for key in sorted(wanted) if key not in people}
        if not missing:
            break
        Person.objects.bulk_create(_new_people(missing), ignore_conflicts=True)
        people.update((person.key, person) for person in Person.objects.filter(key__in=missing))
    return people


def _new_people(names: dict[str, str]) -> list[Person]:
    limit = Person._meta.get_field("slug").max_length
    bases = {key: slugify(name)[: limit - 10] or "person" for key, name in names.items()}
    clashes = Q()
    for base in set(bases.values()):
        clashes |= Q(slug=base) | Q(slug__startswith=f"{base}-")
    taken = set(Person.objects.filter(clashes).values_list("slug", flat=True))
    people = []
    for key, name in names.items():
        slug, counter = bases[key], 2
        while slug in taken:
            slug, counter = f"{bases[key]}-{counter}", counter + 1
        taken.add(slug)
        people.append(Person(name=name, slug=slug, key=key, sort_name=person_sort_name(name)))
    return people


def cut_to_columns(parsed: ParsedMeeting) -> None:
    """Cut every value longer than its column, with a warning naming each value cut.

    A document is never refused for one overlong value (PostgreSQL would refuse the row, SQLite
    would store it whole): the rest of it is worth having, and the warning puts the meeting on
    the needs-review list. Every string the import stores in a column of limited length is
    checked: a parsed field is stored in the column of the same name.
    """
    parts = [(Meeting, parsed, "Meeting"), (SourceDocument, parsed, "Document")]
    parts += [(Attendee, attendee, "Attendee") for attendee in parsed.attendees]
    for position, item in enumerate(parsed.items, start=1):
        parts.append((AgendaItem, item, f"Item {position}"))
        parts += [
            (Resolution, resolution, f"Item {position} decision {order}")
            for order, resolution in enumerate(item.resolutions, start=1)
        ]
    for model, part, what in parts:
        for name, limit, column_name in _limited_columns(model, type(part)):
            value = getattr(part, name)
            if isinstance(value, str) and len(value) > limit:
                setattr(part, name, value[:limit])
                label = f"{what} {column_name}"
                parsed.warnings.append(review.cut_warning(label, limit, value))


@functools.cache
def _limited_columns(model, parsed_type) -> tuple[tuple[str, int, str], ...]:
    """The parsed fields stored in a column of limited length: (name, length, the column's
    name). Found once for each pair, as every document's every item and decision is checked."""
    found = []
    for parsed_field in dataclasses.fields(parsed_type):
        try:
            column = model._meta.get_field(parsed_field.name)
        except FieldDoesNotExist:
            continue
        limit = getattr(column, "max_length", None)  # None: a relation, or any length
        if limit is not None:
            found.append((parsed_field.name, limit, column.verbose_name))
    return tuple(found)
