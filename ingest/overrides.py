"""Corrections made by hand in the admin, kept when a meeting's minutes are imported again.

A meeting's date and body, and an agenda item's title and restricted flag, may be corrected in
the admin. Each correction is stored as an ``Override``. The import writes what the minutes say
and then puts the overrides back (``apply_to_meeting``, ``apply_to_items``), noting in each
override what the minutes said (``Override.imported``), so the admin can show both and dropping
an override can put the minutes' value back at once (``drop``).

Items are matched by position, as the import matches them: an item's override stays with the
item row at that position, and goes when a re-import removes that item.

``Meeting.date_source`` follows the date override: "admin" while an override gives a date.
"""

import datetime
from dataclasses import dataclass, field, replace

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from ingest.parsers import ParsedMeeting
from meetings.models import AgendaItem, Meeting, Override, can_view_restricted, override_value_label

DATE, BODY = Override.Field.DATE, Override.Field.BODY
TITLE, RESTRICTED = Override.Field.TITLE, Override.Field.RESTRICTED


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
    for override in Override.objects.filter(meeting=meeting):
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


def apply_to_items(items: list[AgendaItem]) -> None:
    """Put the items' overrides back over the values just parsed (items not saved yet)."""
    by_pk = {item.pk: item for item in items if item.pk is not None}
    if not by_pk:
        return
    noted = list(Override.objects.filter(item_id__in=by_pk))
    for override in noted:
        item = by_pk[override.item_id]
        override.imported = {"value": to_json(override.field, getattr(item, override.field))}
        setattr(item, override.field, from_json(override.field, override.value))
    Override.objects.bulk_update(noted, ["imported"])


def meeting_values(meeting: Meeting) -> dict:
    """The meeting's overridden fields, {"date": date, "body": str}, as the model holds them."""
    if meeting.pk is None:
        return {}
    rows = Override.objects.filter(meeting=meeting).values_list("field", "value")
    return {field_name: from_json(field_name, value) for field_name, value in rows}


def as_stored(parsed: ParsedMeeting, meeting: Meeting, *, body: str, date) -> ParsedMeeting:
    """``parsed`` as the import will store it in ``meeting``: the overrides applied.

    For comparing with what is stored, so that a correction kept by an override is not reported
    as a change on every re-import. ``parsed`` itself is left as it is.
    """
    stored = replace(parsed, body=body, date=date)
    rows = Override.objects.filter(Q(meeting=meeting) | Q(item__meeting=meeting))
    by_position: dict[int, dict] = {}
    for field_name, value, position in rows.values_list("field", "value", "item__position"):
        if position is None:
            setattr(stored, field_name, from_json(field_name, value))
        else:
            by_position.setdefault(position, {})[field_name] = from_json(field_name, value)
    if by_position:
        stored.items = [
            replace(item, **by_position.get(position, {}))
            for position, item in enumerate(parsed.items, start=1)
        ]
    return stored


# Shown in the admin


def describe(override: Override) -> str:
    """ "date: 6 March 2024 (set by jo on 3 May 2025; the minutes say 22 January 2025)"."""
    when = date_format(timezone.localtime(override.created_at), "j F Y")
    note = f"set by {override.set_by} on {when}"
    if override.imported is not None:
        minutes_say = override_value_label(override.field, override.imported["value"])
        note += f"; the minutes say {minutes_say}"
    return f"{override.field}: {override.value_label} ({note})"


# Dropped


@dataclass
class Dropped:
    """What ``drop`` did."""

    restored: list[str] = field(default_factory=list)  # "date of <meeting>" put back
    refused: list[str] = field(default_factory=list)  # why an override was kept
    unknown: set[int] = field(default_factory=set)  # meetings whose minutes must be read again
    retitled: set[int] = field(default_factory=set)  # items whose title was put back


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
        label = f"{override.field} of {obj}"
        if override.item is not None:
            label += f" ({override.item.meeting})"
        if override.field == RESTRICTED and not can_view_restricted(user):
            result.refused.append(f"{label}: needs the permission to view restricted items")
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
        if override.field == TITLE:
            result.retitled.add(obj.pk)
    return result
