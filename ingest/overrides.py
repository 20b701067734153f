"""Corrections made by hand in the admin, kept when a meeting's minutes are imported again.

A meeting's date and body, and an agenda item's title, restricted flag and topic links, may be
corrected in the admin. Each correction is stored as an ``Override``. The import writes what
the minutes say and then puts the overrides back (``apply_to_meeting``, ``apply_to_items``,
and ``topic_links`` for the links), noting in each override what the minutes said
(``Override.imported``), so the admin can show both and dropping an override can put the
minutes' value back at once (``drop``).

The import matches the items of the minutes to the stored items by title, then number, then
position (``ingest.matching``): an item's override follows its item, whatever its position.
An override whose item the import cannot find again is kept on the meeting as *unmatched*
(``Override.unmatched``), listed on the meeting's admin page, and puts the meeting on the
needs-review list until an administrator places it on an item (``place``) or drops it. A
restriction set by hand never lapses that way: while one is unmatched, every item of the
meeting that the import did not match with certainty (by the same title) is held restricted.
A restriction set or lifted by hand follows only a certain match: an item found again only by
a guess (a title changed slightly, its number or its position) leaves it unmatched. So does a
restriction lifted by hand when the minutes restrict the item with other text than before.

A follow-up whose status or returned item was set by hand goes with its item when the import
deletes it; it is kept first as an unmatched override of its own field (``FOLLOW_UP``), with
the item's restricted flag, and placing it on an item gives that item the follow-up again.
Its wording may quote restricted minutes: it is never shown in the admin's lists of overrides,
and one from a restricted item is placed only on a restricted item.

A follow-up's return confirmed by hand is kept too when a re-import of the later meeting deletes
the item it was confirmed at: an unmatched override of that meeting (``FOLLOW_UP_RETURN``)
naming the follow-up, whose matching goes on meanwhile; placing it on an item confirms that
item as the follow-up's return.

``Meeting.date_source`` follows the date override: "admin" while an override gives a date.
"""

import datetime
from dataclasses import dataclass, field, replace

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from ingest.parsers import ParsedMeeting
from ingest.writers import same_what
from meetings import followups
from meetings.models import (
    AgendaItem,
    FollowUp,
    ItemTopic,
    Meeting,
    Override,
    Topic,
    can_view_restricted,
    override_value_label,
)

DATE, BODY = Override.Field.DATE, Override.Field.BODY
TITLE, RESTRICTED = Override.Field.TITLE, Override.Field.RESTRICTED
TOPICS, FOLLOW_UP = Override.Field.TOPICS, Override.Field.FOLLOW_UP
FOLLOW_UP_RETURN = Override.Field.FOLLOW_UP_RETURN
# The reason given for an item held restricted by a restriction waiting to be placed.
HELD_REASON = "held until a correction made by hand is placed on its item"


def to_json(field_name: str, value):
    """A field's value as an override stores it."""
    if field_name == DATE:
        return value.isoformat() if value else None
    if field_name == RESTRICTED:
        return bool(value)
    return value or ""


def from_json(field_name: str, value):
    """An override's stored value as the model field holds it."""
    if field_name == DATE:
        return datetime.date.fromisoformat(value) if value else None
    if field_name == RESTRICTED:
        return bool(value)
    return value or ""


def _date_source(date) -> str:
    return Meeting.DateSource.ADMIN if date else Meeting.DateSource.UNKNOWN


def _restored_date_source(date, imported: dict) -> str:
    if date is None:
        return Meeting.DateSource.UNKNOWN
    source = imported.get("date_source")
    if source in (Meeting.DateSource.DOCUMENT, Meeting.DateSource.OPTION):
        return source
    return Meeting.DateSource.OPTION  # a date the document did not state, given some other way


# Set by hand


def record(obj: Meeting | AgendaItem, field_name: str, previous, *, user) -> Override | None:
    """Keep a correction made by hand: ``obj`` (not saved yet) holds the new value.

    ``previous`` is the value it had before. The first override of a field remembers that
    value as what the minutes say; setting a field back to what the minutes say drops its
    override. For the date, ``obj.date_source`` is set to match; the caller saves ``obj``.
    """
    target = {"meeting": obj} if isinstance(obj, Meeting) else {"item": obj}
    value = to_json(field_name, getattr(obj, field_name))
    override = Override.objects.filter(**target, field=field_name).first()
    if override is None:
        imported = {"value": to_json(field_name, previous)}
        if field_name == DATE:
            imported["date_source"] = obj.date_source
        override = Override(**target, field=field_name, imported=imported)
    if override.imported is not None and override.imported["value"] == value:
        # Back to what the minutes say: nothing is overridden any more.
        if override.pk:
            override.delete()
        if field_name == DATE:
            obj.date_source = _restored_date_source(obj.date, override.imported)
        return None
    override.value = value
    override.created_by = user
    override.created_by_name = user.get_username() if user else ""
    override.created_at = timezone.now()
    override.save()
    if field_name == DATE:
        obj.date_source = _date_source(obj.date)
    return override


# Put back on import


def apply_to_meeting(meeting: Meeting, *, body: str, date, date_source: str) -> None:
    """Put a meeting's overrides back after the import has written what the document says.

    ``body``, ``date`` and ``date_source`` are what the import took from the document (and its
    options): empty when it stated nothing, and then the override's note of what the minutes say
    is left as it was.
    """
    if meeting.pk is None:
        return
    noted = []
    for override in Override.objects.filter(meeting=meeting, unmatched__isnull=True):
        if override.field == DATE:
            if date is not None:
                override.imported = {"value": to_json(DATE, date), "date_source": date_source}
            meeting.date = from_json(DATE, override.value)
            meeting.date_source = _date_source(meeting.date)
        else:
            if body:
                override.imported = {"value": body}
            meeting.body = from_json(override.field, override.value)
        noted.append(override)
    Override.objects.bulk_update(noted, ["imported"])


def apply_to_items(meeting: Meeting, entries: list, matching) -> "Holds":
    """Put the items' overrides back over the values just parsed (items not saved yet).

    ``entries`` holds (item, parsed item) pairs in the new order, and ``matching`` says which
    stored item each is (``ingest.diff.StoredMatching``). The overrides of the stored items
    no parsed item matches are kept as unmatched, before those items are deleted. Items held
    restricted by an unmatched restriction are restricted; once the new items have ids, the
    caller notes them with ``Holds.note``.
    """
    was = {item.pk: state for item, state in zip(matching.stored, matching.was, strict=True)}
    for item in matching.removed:
        Override.objects.filter(item=item).update(
            item=None, meeting=meeting, unmatched=was[item.pk]
        )
    keep_follow_ups(meeting, matching.removed, was)
    keep_returns(meeting, matching.removed, was)
    # A restriction set or lifted by hand is never carried to an item on a guess, nor is a
    # lifted one kept over new restricted text: it waits, unmatched, to be placed again.
    for item in matching.stored:
        if item.pk in matching.aside:
            Override.objects.filter(item=item, field=RESTRICTED).update(
                item=None, meeting=meeting, unmatched=was[item.pk]
            )
    by_pk = {item.pk: item for item, _parsed in entries if item.pk is not None}
    noted = list(Override.objects.filter(item_id__in=by_pk).exclude(field=TOPICS))
    for override in noted:
        item = by_pk[override.item_id]
        override.imported = {"value": to_json(override.field, getattr(item, override.field))}
        setattr(item, override.field, from_json(override.field, override.value))
    Override.objects.bulk_update(noted, ["imported"])
    unplaced = list(Override.objects.filter(meeting=meeting, unmatched__isnull=False))
    restrictions = [o for o in unplaced if o.field == RESTRICTED and o.value]
    held = _held(restrictions, matching)
    for index in held:
        item, parsed_item = entries[index]
        item.restricted = True
        if not parsed_item.restricted:
            item.restricted_reason = HELD_REASON
    return Holds(len(unplaced), restrictions, [entries[index] for index in sorted(held)])


def keep_follow_ups(meeting: Meeting, removed: list[AgendaItem], was: dict) -> None:
    """Keep the follow-ups set by hand of the ``removed`` items, about to be deleted, as
    unmatched overrides of ``meeting`` (two queries); ``was`` has each item as it was.

    Their status, returned item and note are an administrator's: deleted with their item,
    they would be lost. Each keeps its item's restricted flag, as its wording is its item's.
    """
    restricted = {item.pk: item.restricted for item in removed}
    if not restricted:
        return
    kept = FollowUp.objects.filter(item_id__in=restricted, set_by_hand=True)
    _keep_as_overrides(
        meeting, kept.order_by("item_id", "position"), was, lambda f: restricted[f.item_id]
    )


def _keep_as_overrides(meeting: Meeting, follow_ups, was: dict, restricted) -> None:
    """Keep ``follow_ups`` as unmatched follow-up overrides of ``meeting``, each restricted if
    ``restricted(follow_up)`` says its item is, or its own text is; ``was`` has each one's item
    as it was."""
    Override.objects.bulk_create(
        Override(
            meeting=meeting,
            field=FOLLOW_UP,
            value=follow_up_value(
                follow_up, restricted=restricted(follow_up) or follow_up.restricted_text
            ),
            unmatched=was[follow_up.item_id],
        )
        for follow_up in follow_ups
    )


def keep_returns(meeting: Meeting, removed: list[AgendaItem], was: dict) -> None:
    """Keep the returns confirmed by hand at the ``removed`` items, about to be deleted, as
    unmatched overrides of ``meeting`` (two queries); ``was`` has each item as it was.

    Deleting an item clears the return of every follow-up confirmed there, and matching then
    looks for another: the administrator's confirmation would be lost. The override names the
    follow-up (raised at an earlier meeting, which keeps it) and notes whether its item is
    restricted, as only those who may read that item may confirm where it came back.
    """
    if not removed:
        return
    gone = [item.pk for item in removed]
    # A follow-up of a removed item goes with it (``keep_follow_ups`` keeps it, its return too).
    # Only a return confirmed is kept: one closed by hand had only a suggestion.
    confirmed = (
        FollowUp.objects.filter(
            returned_item_id__in=gone, set_by_hand=True, status=FollowUp.Status.RETURNED
        )
        .exclude(item_id__in=gone)
        .select_related("meeting", "item")
        .order_by("returned_item_id", "meeting_id", "item_id", "position")
    )
    Override.objects.bulk_create(
        Override(
            meeting=meeting,
            field=FOLLOW_UP_RETURN,
            value={
                "follow_up": follow_up.pk,
                "status": follow_up.status,
                "raised_at": follow_up.meeting_id,
                # Named in the override's label without a query; never shown.
                "raised_at_label": str(follow_up.meeting),
                "position": follow_up.item.position,
                # To tell the follow-up is still the one confirmed when it is placed: a
                # re-import of its meeting rewrites follow-ups in place.
                "what": same_what(follow_up.what),
                "restricted": follow_up.item.restricted or follow_up.restricted_text,
            },
            unmatched=was[follow_up.returned_item_id],
        )
        for follow_up in confirmed
    )


def keep_opened_follow_ups(meeting: Meeting, opened: list, matching) -> int:
    """Take the follow-ups set by hand that the new reading of items it no longer restricts
    does not hold off those items, and keep them as unmatched overrides of ``meeting``.

    ``opened`` holds (item, parsed item) pairs of items restricted before the import and open
    now, their follow-ups already replaced (``writers.replace_follow_ups``), which puts such a
    follow-up after those read now. Its wording is the restricted minutes': left on the item,
    it would be shown to everyone. ``matching`` says what each item was. Returns how many.
    """
    if not opened:
        return 0
    after_read = Q()
    for item, parsed_item in opened:
        after_read |= Q(item_id=item.pk, position__gt=len(getattr(parsed_item, "follow_ups", ())))
    kept = list(FollowUp.objects.filter(after_read, set_by_hand=True).order_by("item", "position"))
    if not kept:
        return 0
    was = {item.pk: state for item, state in zip(matching.stored, matching.was, strict=True)}
    _keep_as_overrides(meeting, kept, was, lambda _follow_up: True)
    FollowUp.objects.filter(pk__in=[follow_up.pk for follow_up in kept]).delete()
    return len(kept)


def follow_up_value(follow_up: FollowUp, *, restricted: bool) -> dict:
    """A follow-up as its override keeps it: what the minutes say of it, what was set by hand
    (the returned item by its id), and whether its item was restricted."""
    return {
        "kind": follow_up.kind,
        "what": follow_up.what,
        "who": follow_up.who,
        "due": follow_up.due,
        "due_date": follow_up.due_date.isoformat() if follow_up.due_date else None,
        "phrase": follow_up.phrase,
        "position": follow_up.position,
        "status": follow_up.status,
        "returned_item": follow_up.returned_item_id,
        "note": follow_up.note,
        "rejected_items": list(follow_up.rejected_items or []),
        "restricted": restricted,
    }


@dataclass
class Holds:
    """The unmatched overrides of a meeting after an import, and the items held restricted."""

    unplaced: int
    restrictions: list[Override]
    held: list  # (item, parsed item) pairs

    def note(self) -> None:
        """Note in each unmatched restriction the items it holds, with what the minutes say."""
        held = {str(item.pk): parsed_item.restricted for item, parsed_item in self.held}
        for override in self.restrictions:
            override.unmatched = {**override.unmatched, "held": held}
        Override.objects.bulk_update(self.restrictions, ["unmatched"])


def _held(restrictions: list[Override], matching) -> set[int]:
    """The parsed items (indices) held restricted by ``restrictions``: those not matched with
    certainty, and those held before."""
    if not restrictions:
        return set()
    before = {int(pk) for o in restrictions for pk in (o.unmatched or {}).get("held", {})}
    held = set()
    for index, match in enumerate(matching.matches):
        if match is None or not match.certain or matching.stored[match.stored].pk in before:
            held.add(index)
    return held


def topic_links(item_ids) -> dict[int, tuple[dict[int, bool], set[int]]]:
    """The topic links set by hand on these items: {item id: ({topic id: in title}, removed)}."""
    links = {}
    rows = Override.objects.filter(item_id__in=item_ids, field=TOPICS).values_list(
        "item_id", "value"
    )
    for item_id, value in rows:
        value = value or {}
        added = {int(pk): bool(link["in_title"]) for pk, link in value.get("added", {}).items()}
        links[item_id] = (added, {int(pk) for pk in value.get("removed", {})})
    return links


def with_topic_links(matches: dict, hand: tuple[dict[int, bool], set[int]], known) -> dict:
    """An item's topic matches ({topic id: in title}) with the links set by hand."""
    added, removed = hand
    matches = {pk: in_title for pk, in_title in matches.items() if pk not in removed}
    matches.update((pk, in_title) for pk, in_title in added.items() if pk in known)
    return matches


def record_topic_links(item: AgendaItem, before: dict[int, bool], *, user) -> None:
    """Keep as an override the topic links added or removed by hand on ``item``'s page.

    ``before`` is the item's links as they were, {topic id: in title}; the item's links now
    are read from the database. Topic names are kept for the admin's list of overrides.
    """
    now = dict(ItemTopic.objects.filter(item=item).values_list("topic_id", "in_title"))
    if now == before:
        return
    override = Override.objects.filter(item=item, field=TOPICS).first()
    value = (override.value if override else None) or {"added": {}, "removed": {}}
    added, removed = dict(value.get("added", {})), dict(value.get("removed", {}))
    names = dict(ItemTopic.objects.filter(item=item).values_list("topic_id", "topic__name"))
    for topic_id in before.keys() - now.keys():
        added.pop(str(topic_id), None)
        removed[str(topic_id)] = True
    for topic_id, in_title in now.items():
        if topic_id not in before or before[topic_id] != in_title:
            removed.pop(str(topic_id), None)
            added[str(topic_id)] = {"in_title": in_title, "name": names[topic_id]}
    if not added and not removed:
        if override is not None:
            override.delete()
        return
    override = override or Override(item=item, field=TOPICS)
    override.value = {"added": added, "removed": removed}
    override.created_by = user
    override.created_by_name = user.get_username() if user else ""
    override.created_at = timezone.now()
    override.save()


def meeting_values(meeting: Meeting) -> dict:
    """The meeting's overridden fields, {"date": date, "body": str}, as the model holds them."""
    if meeting.pk is None:
        return {}
    rows = Override.objects.filter(meeting=meeting, unmatched__isnull=True).values_list(
        "field", "value"
    )
    return {field_name: from_json(field_name, value) for field_name, value in rows}


def as_stored(
    parsed: ParsedMeeting, meeting: Meeting, *, body: str, date, matching
) -> ParsedMeeting:
    """``parsed`` as the import will store it in ``meeting``: the overrides applied.

    For comparing with what is stored, so that a correction kept by an override (or an item
    held restricted) is not reported as a change on every re-import. ``matching`` is
    ``ingest.diff.stored_matching`` of the two. ``parsed`` itself is left as it is.
    """
    stored = replace(parsed, body=body, date=date)
    rows = Override.objects.filter(
        Q(meeting=meeting, unmatched__isnull=True) | Q(item__meeting=meeting)
    ).exclude(field=TOPICS)
    by_item: dict[int, dict] = {}
    for field_name, value, item_id in rows.values_list("field", "value", "item_id"):
        if item_id is None:
            setattr(stored, field_name, from_json(field_name, value))
        else:
            by_item.setdefault(item_id, {})[field_name] = from_json(field_name, value)
    restrictions = [
        o
        for o in Override.objects.filter(meeting=meeting, unmatched__isnull=False, field=RESTRICTED)
        if o.value
    ]
    removed = [item.pk for item in matching.removed] + list(matching.aside)
    if not restrictions and removed:
        # Restrictions that this import leaves unmatched hold items too.
        lost = Override.objects.filter(item_id__in=removed, field=RESTRICTED)
        restrictions = [Override(unmatched={}) for o in lost if o.value]
    held = _held(restrictions, matching)
    items = []
    for index, item in enumerate(parsed.items):
        stored_item = matching.item_for(index)
        values = by_item.get(stored_item.pk, {}) if stored_item is not None else {}
        if stored_item is not None and stored_item.pk in matching.aside:
            values = {name: value for name, value in values.items() if name != RESTRICTED}
        if index in held:
            values = {**values, "restricted": True}
            if not item.restricted:
                values["restricted_reason"] = HELD_REASON
        items.append(replace(item, **values) if values else item)
    stored.items = items
    return stored


# Shown in the admin


def describe(override: Override) -> str:
    """ "date: 6 March 2024 (set by jo on 3 May 2025; the minutes say 22 January 2025)"."""
    when = date_format(timezone.localtime(override.created_at), "j F Y")
    note = f"set by {override.set_by} on {when}"
    if override.field == FOLLOW_UP:
        # Who set it and when is not kept with a follow-up: only when its item went.
        note = f"set by hand; its item removed on {when}"
    elif override.field == FOLLOW_UP_RETURN:
        note = f"confirmed by hand; the item removed on {when}"
    if override.imported is not None:
        minutes_say = override_value_label(override.field, override.imported["value"])
        note += f"; the minutes say {minutes_say}"
    text = f"{override.get_field_display()}: {override.value_label} ({note})"
    if override.unmatched is not None:
        return f"not matched since a re-import, for {unmatched_label(override)}: {text}"
    return text


def unmatched_label(override: Override) -> str:
    """ "item 5, SSP 16/22 Recorded Crime and Disorder Report" (the item as it was)."""
    was = override.unmatched or {}
    label = " ".join(part for part in (was.get("number"), was.get("title")) if part)
    return f"item {was.get('position', '?')}, {label or 'untitled'}"


# Placed


def place(override: Override, item: AgendaItem, *, user) -> str:
    """Put an unmatched override on ``item``, an item of its meeting; "" or why it cannot be.

    The item takes the override's value at once; what it had is noted as what the minutes
    say. An override of the same field already on the item is replaced. A placed restriction
    no longer holds the meeting's other items restricted (``_release``). A restriction, and
    topic links adding a topic named only in restricted text, are placed only by those who may
    read restricted items.
    """
    if override.unmatched is None:
        return "it is not unmatched"
    if item.meeting_id != override.meeting_id:
        return "the item belongs to another meeting"
    if not can_view_restricted(user) and (
        needs_restricted(override)
        or _links_hidden_topics(override)
        # A restricted item's follow-ups are written only by those who may read them.
        or (override.field in (FOLLOW_UP, FOLLOW_UP_RETURN) and item.restricted)
    ):
        return "needs the permission to view restricted items"
    if override.field == FOLLOW_UP:
        return _place_follow_up(override, item)
    if override.field == FOLLOW_UP_RETURN:
        return _place_return(override, item)
    with transaction.atomic():
        held = override.unmatched.get("held", {})
        Override.objects.filter(item=item, field=override.field).delete()
        if override.field == TOPICS:
            override.imported = None
        else:
            minutes = held.get(str(item.pk), getattr(item, override.field))
            override.imported = {"value": to_json(override.field, minutes)}
        meeting_id = override.meeting_id
        override.item, override.meeting, override.unmatched = item, None, None
        override.save()
        if override.field != TOPICS:
            setattr(item, override.field, from_json(override.field, override.value))
            item.save(update_fields=[override.field])
        if override.field == RESTRICTED:
            _release(meeting_id, held)
        Meeting.objects.get(pk=meeting_id).save(update_fields=["needs_review"])
    return ""


def needs_restricted(override: Override) -> bool:
    """Whether only those who may view restricted items may place or drop ``override``: a
    restricted flag (placing or dropping it may lift a restriction), or a follow-up kept from
    a restricted item (its wording is restricted minutes), or a return confirmed for one."""
    if override.field == FOLLOW_UP:
        return bool((override.value or {}).get("restricted"))
    if override.field == FOLLOW_UP_RETURN:
        # Its follow-up's item may have been restricted since.
        follow_up = returned_follow_up(override)
        restricted_now = follow_up is not None and (
            follow_up.item.restricted or follow_up.restricted_text
        )
        return bool((override.value or {}).get("restricted")) or restricted_now
    return override.field == RESTRICTED


def _place_follow_up(override: Override, item: AgendaItem) -> str:
    """Give ``item`` the follow-up ``override`` kept, with what was set by hand; "" or why not.

    The item's own follow-up with the same wording takes it, else the one of the same kind at
    its position, else it is added after the item's others. One set by hand since is never
    overwritten: with the same wording it is refused, at the same position it is passed over.
    The follow-ups of the meeting's body are then matched again, as after a status set by hand
    in the admin.

    One kept from a restricted item goes only to an item its own minutes restrict: an item
    restricted by hand, or held restricted while a restriction waits to be placed, may be
    opened later by someone judging its own text, who would not know the follow-up's came
    from elsewhere.
    """
    saved = override.value or {}
    if saved.get("restricted") and not _restricted_by_its_minutes(item):
        return (
            "its wording comes from restricted minutes: place it on an item its own minutes "
            "restrict"
        )
    with transaction.atomic():
        follow_up = _follow_up_for(item, saved)
        if follow_up.set_by_hand:
            # Set since, by someone who saw the item as it is now: not overwritten. Its status
            # is not named: its text may be restricted (``restricted_text``) where the item is
            # not, and the follow-up hidden from whoever is placing this.
            return (
                "the item's follow-up with this wording has been set by hand since: drop this "
                "correction, or set that follow-up as wanted"
            )
        returned_id = saved.get("returned_item")
        if returned_id is not None and (
            returned_id == item.pk or not AgendaItem.objects.filter(pk=returned_id).exists()
        ):
            returned_id = None  # matching looks for another return of one said returned
        follow_up.status = saved.get("status") or FollowUp.Status.OPEN
        follow_up.returned_item_id = returned_id
        follow_up.note = saved.get("note") or ""
        follow_up.rejected_items = list(saved.get("rejected_items") or [])
        follow_up.set_by_hand = True
        # Its wording and note are restricted text wherever it goes from now on.
        follow_up.restricted_text = follow_up.restricted_text or bool(saved.get("restricted"))
        follow_up.save()
        meeting = Meeting.objects.get(pk=override.meeting_id)
        override.delete()
        meeting.save(update_fields=["needs_review"])
        followups.rematch_places([(meeting.body, meeting.date)])
    return ""


def returned_follow_up(override: Override) -> FollowUp | None:
    """The follow-up whose confirmed return ``override`` keeps, with its item and meeting;
    None when it has been deleted since."""
    pk = (override.value or {}).get("follow_up")
    return FollowUp.objects.filter(pk=pk).select_related("item", "meeting").first()


def _place_return(override: Override, item: AgendaItem) -> str:
    """Confirm ``item`` as the return of the follow-up ``override`` names; "" or why not.

    The follow-up takes the status saved (returned) and the item, set by hand as in the
    admin, and the follow-ups of its body are matched again. Only an item of a meeting held
    after the follow-up's can be its return.
    """
    follow_up = returned_follow_up(override)
    if follow_up is None:
        return "its follow-up has since been deleted"
    saved = override.value or {}
    if "what" in saved and same_what(follow_up.what) != saved["what"]:
        return "its follow-up has been read again with other words since: drop this correction"
    if follow_up.set_by_hand:
        return (
            "its follow-up has been set by hand again since "
            f"({follow_up.get_status_display().lower()}): drop this correction"
        )
    if item.pk == follow_up.item_id:
        return "it is the follow-up's own item"
    raised, held = follow_up.meeting, Meeting.objects.get(pk=item.meeting_id)
    if raised.date is None or held.date is None or held.date <= raised.date:
        return f"the item's meeting is not held after the follow-up's ({raised})"
    with transaction.atomic():
        follow_up.status = saved.get("status") or FollowUp.Status.RETURNED
        follow_up.returned_item = item
        follow_up.set_by_hand = True
        follow_up.save(update_fields=["status", "returned_item", "set_by_hand", "updated"])
        override.delete()
        held.save(update_fields=["needs_review"])
        followups.rematch_places([(raised.body, raised.date)])
    return ""


def _restricted_by_its_minutes(item: AgendaItem) -> bool:
    """Whether ``item`` is restricted by what its minutes say, not by hand or held so."""
    return (
        item.restricted
        and item.restricted_reason != HELD_REASON
        and not Override.objects.filter(item=item, field=RESTRICTED).exists()
    )


def _follow_up_for(item: AgendaItem, saved: dict) -> FollowUp:
    """The follow-up of ``item`` a kept follow-up ``saved`` is placed on; a new one (not saved
    yet) when the item has none with its wording, or of its kind at its position."""
    own = list(item.follow_ups.order_by("position", "pk"))
    wording = same_what(saved.get("what"))
    for follow_up in own:
        if same_what(follow_up.what) == wording:
            return follow_up
    for follow_up in own:
        if (
            follow_up.position == saved.get("position")
            and follow_up.kind == saved.get("kind")
            and not follow_up.set_by_hand
        ):
            return follow_up
    due_date = saved.get("due_date")
    return FollowUp(
        item=item,
        meeting_id=item.meeting_id,
        position=max((f.position for f in own), default=0) + 1,
        kind=saved.get("kind") or FollowUp.Kind.ACTION,
        what=saved.get("what") or "",
        who=saved.get("who") or "",
        due=saved.get("due") or "",
        due_date=datetime.date.fromisoformat(due_date) if due_date else None,
        phrase=saved.get("phrase") or "",
    )


def _links_hidden_topics(override: Override) -> bool:
    """Whether a topic links override adds a topic named only in restricted text: placed on an
    item that is not restricted, it would name that topic to everyone."""
    if override.field != TOPICS:
        return False
    added = {int(pk) for pk in (override.value or {}).get("added", {})}
    visible = Topic.objects.with_restricted(False).filter(pk__in=added).count()
    return visible != len(added)


def _release(meeting_id: int, held: dict) -> None:
    """Give the items ``held`` (by a restriction placed or dropped) their restricted flag back:
    what the minutes say, or their own override's, unless another restriction holds them."""
    still = {
        pk
        for o in Override.objects.filter(
            meeting_id=meeting_id, unmatched__isnull=False, field=RESTRICTED
        )
        if o.value
        for pk in (o.unmatched or {}).get("held", {})
    }
    own = dict(
        Override.objects.filter(item_id__in=[int(pk) for pk in held], field=RESTRICTED).values_list(
            "item_id", "value"
        )
    )
    flags = {True: [], False: []}
    for pk, minutes in held.items():
        if pk not in still:
            flags[bool(own.get(int(pk), minutes))].append(int(pk))
    for restricted, pks in flags.items():
        if pks:
            AgendaItem.objects.filter(pk__in=pks, meeting_id=meeting_id).update(
                restricted=restricted
            )
    released = [int(pk) for pk in held if pk not in still]
    AgendaItem.objects.filter(
        pk__in=released, meeting_id=meeting_id, restricted_reason=HELD_REASON
    ).update(restricted_reason="")


# Dropped


@dataclass
class Dropped:
    """What ``drop`` did."""

    restored: list[str] = field(default_factory=list)  # "date of <meeting>" put back
    refused: list[str] = field(default_factory=list)  # why an override was kept
    unknown: set[int] = field(default_factory=set)  # meetings whose minutes must be read again
    retitled: set[int] = field(default_factory=set)  # items to tag again (title, topic links)
    # (body, date) where meetings or items changed: their follow-ups are to be matched again.
    places: set[tuple] = field(default_factory=set)


def drop(queryset, *, user) -> Dropped:
    """Delete these overrides and put back at once what the latest import gave.

    An override from before such values were noted (``imported`` empty) is deleted and its
    meeting listed in ``Dropped.unknown``, for the caller to import again from its source. An
    override that cannot be dropped is kept, with the reason: a restricted flag needs the
    permission to view restricted items (dropping it may lift a restriction), and a date or body
    cannot be put back when another meeting of that body already has that date.
    """
    result = Dropped()
    seen = {}  # one instance per meeting or item, so that each save sees the others' changes
    for override in queryset.select_related("meeting", "item", "item__meeting"):
        obj = override.meeting or override.item
        obj = seen.setdefault((type(obj), obj.pk), obj)
        name = override.get_field_display()
        label = f"{name} of {obj}"
        if override.unmatched is not None:
            label = f"{name} of the unmatched {unmatched_label(override)} ({obj})"
        elif override.item is not None:
            label += f" ({override.item.meeting})"
        if needs_restricted(override) and not can_view_restricted(user):
            result.refused.append(f"{label}: needs the permission to view restricted items")
            continue
        meeting = obj if override.item is None else override.item.meeting
        if override.unmatched is not None:
            # Its item is gone: nothing to put back, but the items it held are released.
            with transaction.atomic():
                override.delete()
                if override.field == RESTRICTED:
                    _release(override.meeting_id, override.unmatched.get("held", {}))
                obj.save(update_fields=["needs_review"])
            result.restored.append(label)
            result.places.add((meeting.body, meeting.date))
            continue
        if override.field == TOPICS:
            override.delete()
            result.retitled.add(obj.pk)  # tagged again from what the minutes name
            result.restored.append(label)
            result.places.add((meeting.body, meeting.date))
            continue
        if override.imported is None:
            override.delete()
            result.unknown.add(override.meeting_id or override.item.meeting_id)
            continue
        value = from_json(override.field, override.imported["value"])
        update_fields = [override.field]
        if override.field == DATE:
            update_fields.append("date_source")
        kept = {name: getattr(obj, name) for name in update_fields}
        was = (meeting.body, meeting.date)
        setattr(obj, override.field, value)
        if override.field == DATE:
            obj.date_source = _restored_date_source(value, override.imported)
        try:
            with transaction.atomic():
                obj.save(update_fields=update_fields)
                override.delete()
        except IntegrityError:
            for name, old in kept.items():
                setattr(obj, name, old)
            result.refused.append(
                f"{label}: another meeting of {obj.body or 'this body'} has that date"
            )
            continue
        result.restored.append(label)
        result.places.update([was, (meeting.body, meeting.date)])
        if override.field == TITLE:
            result.retitled.add(obj.pk)
    return result
