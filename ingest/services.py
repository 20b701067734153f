"""Store one minutes document: read its bytes, parse them, write the meeting in one transaction.

Which stored meeting a document belongs to, tried in this order:

1. the meeting whose current source has the very same bytes (SHA-256), whatever the file name;
2. when a date is known (stated in the document, or given with ``meeting_date``), the meeting of
   the same body on that date;
3. the meeting last imported from a file of the same name, unless a document stated a different
   date for it (then the name was used again for another meeting). So an undated document, a
   date given when importing and a date set by an administrator all keep pointing at the same
   meeting.

A corrected document updates that meeting in place: same primary key, so its page keeps its
address, and items updated position by position so their keys stay stable too. The same bytes
again change nothing. A document that cannot be imported writes nothing but its
``SourceDocument`` with status "failed", the reason and the original bytes.
"""

import codecs
import datetime
import hashlib
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.text import slugify

from ingest.parsers import ParsedMeeting, parse_minutes
from ingest.parsers.document import NO_BODY_WARNING, NO_DATE_WARNING
from ingest.topics import TopicTerm, discover_topic_names, match_topics
from meetings.models import (
    AgendaItem,
    Attendee,
    ItemTopic,
    Meeting,
    Person,
    Resolution,
    SourceDocument,
    Topic,
    person_key,
    person_name,
    person_sort_name,
)
from meetings.search import search_extra_text

logger = logging.getLogger(__name__)

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
FAILED = "failed"
OUTCOMES = (CREATED, UPDATED, UNCHANGED, FAILED)

BINARY = "binary data, not text minutes"

# Bytes that never appear in text minutes; tab, line feed, form feed and carriage return do.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
_MAX_CONTROL_SHARE = 0.01


class RejectedDocument(Exception):
    """The document cannot be imported; the message says why, for the person importing it."""


@dataclass
class SourceFile:
    """A file offered for import, as received, and who offered it."""

    file_name: str
    data: bytes
    imported_by: object = None  # a User, or None for a command run
    imported_by_name: str = ""
    text: str = ""  # decoded, as received
    encoding: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class ImportOutcome:
    status: str  # CREATED, UPDATED, UNCHANGED or FAILED
    file_name: str
    message: str  # the meeting stored, or why the document failed
    meeting: Meeting | None = None
    parsed: ParsedMeeting | None = None
    body: str = ""
    date: datetime.date | None = None
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def failed(self) -> bool:
        return self.status == FAILED

    @property
    def review_reasons(self) -> list[str]:
        """Why the stored meeting needs a person to look at it; empty when it does not."""
        if self.failed:
            return []
        reasons = ["date unknown"] if self.date is None else []
        reasons += ["body unknown"] if not self.body else []
        return reasons + (["parse warnings"] if self.warnings else [])

    @property
    def needs_review(self) -> bool:
        return bool(self.review_reasons)


@dataclass
class _Target:
    """The body and date a document is stored under, after the import options."""

    body: str
    date: datetime.date | None
    date_source: str
    warnings: list[str]


# Reading


def read_minutes(data: bytes) -> tuple[str, str]:
    """Decode the bytes of a minutes file: (text as received, encoding), or RejectedDocument.

    UTF-8 (with or without a byte-order mark) is tried first, then Windows-1252, the encoding
    of text saved from older Office programs; UTF-16 is read when it starts with its mark.
    """
    if not data.strip():
        raise RejectedDocument("empty file")
    limit = settings.MINUTES_MAX_BYTES
    if len(data) > limit:
        raise RejectedDocument(f"file is {_size(len(data))}, over the {_size(limit)} limit")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, encoding = _decode(data, ["utf-16"], "not valid UTF-16 text")
    elif _looks_binary(data):
        raise RejectedDocument(BINARY)
    else:
        utf8 = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
        text, encoding = _decode(data, [utf8, "cp1252"], "not UTF-8 or Windows-1252 text")
    if not text.strip():
        raise RejectedDocument("empty file")
    return text, encoding


def _decode(data: bytes, encodings: list[str], failure: str) -> tuple[str, str]:
    for encoding in encodings:
        try:
            return data.decode(encoding), codecs.lookup(encoding).name
        except UnicodeDecodeError as exc:
            error = exc
    line = data.count(b"\n", 0, error.start) + 1
    raise RejectedDocument(
        f"{failure} (byte 0x{data[error.start]:02X} on line {line} cannot be read)"
    )


def normalise_text(text: str) -> str:
    """The text the parser reads: one kind of line ending."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _looks_binary(data: bytes) -> bool:
    if b"\x00" in data:
        return True
    control = len(data) - len(data.translate(None, _CONTROL_BYTES))
    return control > len(data) * _MAX_CONTROL_SHARE


def _size(size: int) -> str:
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"


# Importing


def import_document(
    data: bytes,
    file_name: str,
    *,
    body: str | None = None,
    meeting_date: datetime.date | None = None,
    dry_run: bool = False,
    imported_by=None,
    imported_by_name: str = "",
) -> ImportOutcome:
    """Read, parse and store one minutes file; a bad file gives a FAILED outcome, never raises.

    ``body`` and ``meeting_date`` are for documents that state none; given, they are used even
    when the document states another (with a warning). With ``dry_run`` nothing at all is
    written: the outcome says what would happen and carries the parsed document.
    """
    source = SourceFile(file_name, data, imported_by, imported_by_name)
    parsed = None
    try:
        source.text, source.encoding = read_minutes(data)
        parsed = _parse(normalise_text(source.text))
        if dry_run:
            return preview_document(parsed, source, body=body, meeting_date=meeting_date)
        return store_document(parsed, source, body=body, meeting_date=meeting_date)
    except RejectedDocument as exc:
        reason = str(exc)
    except Exception as exc:
        # A fault in the parser or the database must not stop the other files of a batch.
        logger.exception("Import of %s failed", file_name)
        reason = f"unexpected error: {exc}"
    if not dry_run:
        _record_failure(source, parsed, reason)
    return ImportOutcome(FAILED, file_name, reason, parsed=parsed, dry_run=dry_run)


def refuse_oversized(
    file_name: str, size: int, *, imported_by=None, imported_by_name: str = ""
) -> ImportOutcome:
    """Refuse a file far too large to read at all, without loading it into memory.

    Its failed ``SourceDocument`` records the reason; the file itself stays where it was.
    """
    reason = (
        f"file is {_size(size)}, over the {_size(settings.MINUTES_MAX_BYTES)} limit "
        "(too large to keep a copy: the original was left where it is)"
    )
    source = SourceFile(file_name, b"", imported_by, imported_by_name)
    _record_failure(source, None, reason)
    return ImportOutcome(FAILED, file_name, reason)


def _parse(text: str) -> ParsedMeeting:
    parsed = parse_minutes(text)
    if not parsed.items:
        raise RejectedDocument("no agenda items found")
    _check_lengths(parsed)
    return parsed


def _record_failure(source: SourceFile, parsed: ParsedMeeting | None, reason: str) -> None:
    SourceDocument.objects.create(
        **_source_fields(source),
        shape=parsed.shape if parsed else "",
        status=SourceDocument.Status.FAILED,
        error=reason,
    )


def _source_fields(source: SourceFile) -> dict:
    return {
        "file_name": source.file_name,
        "sha256": source.sha256,
        "original_text": source.text,
        "original_bytes": source.data,
        "encoding": source.encoding,
        "imported_by": source.imported_by,
        "imported_by_name": source.imported_by_name,
    }


def preview_document(
    parsed: ParsedMeeting, source: SourceFile, *, body=None, meeting_date=None
) -> ImportOutcome:
    """What ``store_document`` would do with this document, without writing anything."""
    target = _target(parsed, body, meeting_date)
    meeting = find_meeting(target, source)
    status = _status_for(meeting, target, source)
    return _outcome(status, source, parsed, meeting, target, dry_run=True)


@transaction.atomic
def store_document(
    parsed: ParsedMeeting, source: SourceFile, *, body=None, meeting_date=None
) -> ImportOutcome:
    """Write one parsed document as a meeting: created, updated in place, or left unchanged."""
    target = _target(parsed, body, meeting_date)
    meeting = find_meeting(target, source, lock=True)
    status = _status_for(meeting, target, source)
    if status == UNCHANGED:
        return _outcome(status, source, parsed, meeting, target)

    document = SourceDocument.objects.create(
        **_source_fields(source), shape=parsed.shape, status=SourceDocument.Status.IMPORTED
    )
    meeting = meeting or Meeting()
    _fill_meeting(meeting, parsed, target)
    meeting.source = document
    meeting.save()
    document.meeting = meeting
    document.save(update_fields=["meeting"])

    items = _store_items(meeting, parsed, created=status == CREATED)
    _store_attendees(meeting, parsed, created=status == CREATED)
    tag_topics(items)
    return _outcome(status, source, parsed, meeting, target)


def find_meeting(target: _Target, source: SourceFile, *, lock: bool = False) -> Meeting | None:
    """The stored meeting a document belongs to, if any (see the module's docstring)."""
    meetings = Meeting.objects.select_for_update(of=("self",)) if lock else Meeting.objects.all()
    meeting = meetings.filter(source__sha256=source.sha256).first()
    if meeting is not None:
        return meeting  # the very same file, whatever its name
    if target.date is not None:
        meeting = meetings.filter(body=target.body, date=target.date).first()
        if meeting is not None:
            return meeting
    meeting_id = (
        SourceDocument.objects.filter(
            file_name=source.file_name,
            status=SourceDocument.Status.IMPORTED,
            meeting__isnull=False,
        )
        .order_by("-imported_at", "-pk")
        .values_list("meeting_id", flat=True)
        .first()
    )
    if meeting_id is None:
        return None
    meeting = meetings.get(pk=meeting_id)
    if (
        target.date is not None
        and meeting.date_source == Meeting.DateSource.DOCUMENT
        and meeting.date != target.date
    ):
        return None  # the file name was used again for another meeting
    return meeting


def _target(parsed: ParsedMeeting, body: str | None, meeting_date: datetime.date | None) -> _Target:
    warnings = [w for w in parsed.warnings if w not in (NO_DATE_WARNING, NO_BODY_WARNING)]
    if meeting_date is not None:
        if parsed.date is not None and parsed.date != meeting_date:
            warnings.append(
                f"The document states {parsed.date.isoformat()}; "
                f"the date given when importing, {meeting_date.isoformat()}, was used."
            )
        return _Target(body or parsed.body, meeting_date, Meeting.DateSource.OPTION, warnings)
    if parsed.date is not None:
        return _Target(body or parsed.body, parsed.date, Meeting.DateSource.DOCUMENT, warnings)
    return _Target(body or parsed.body, None, Meeting.DateSource.UNKNOWN, warnings)


def _status_for(meeting: Meeting | None, target: _Target, source: SourceFile) -> str:
    if meeting is None:
        return CREATED
    same_bytes = (
        meeting.source_id is not None
        and SourceDocument.objects.filter(pk=meeting.source_id, sha256=source.sha256).exists()
    )
    if same_bytes and _identity_after(meeting, target) == (meeting.body, meeting.date):
        return UNCHANGED
    return UPDATED


def _identity_after(meeting: Meeting, target: _Target) -> tuple[str, datetime.date | None]:
    """(body, date) of ``meeting`` once ``target`` is applied to it.

    What a document does not state does not erase what is stored (an administrator may have
    filled it in), and a date set by an administrator is kept.
    """
    body = target.body or meeting.body
    if meeting.date_source == Meeting.DateSource.ADMIN or target.date is None:
        return body, meeting.date
    return body, target.date


def _fill_meeting(meeting: Meeting, parsed: ParsedMeeting, target: _Target) -> None:
    if meeting.pk is None:
        meeting.body, meeting.date = target.body, target.date
        meeting.date_source = target.date_source
    else:
        meeting.body = target.body or meeting.body
        if target.date is not None and meeting.date_source != Meeting.DateSource.ADMIN:
            meeting.date, meeting.date_source = target.date, target.date_source
    meeting.start_time = parsed.start_time
    meeting.venue = parsed.venue
    meeting.contact = parsed.contact
    meeting.previous_meeting = parsed.previous_meeting
    meeting.next_meeting = parsed.next_meeting
    meeting.header_text = parsed.header_text
    meeting.warnings = target.warnings


_ITEM_FIELDS = [
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


def _store_items(meeting: Meeting, parsed: ParsedMeeting, *, created: bool) -> list[AgendaItem]:
    """Write the items position by position, reusing the rows already at those positions.

    Returns the items, each with ``resolution_texts`` set, for topic tagging.
    """
    existing = {} if created else {item.position: item for item in meeting.items.all()}
    items, to_update, to_create = [], [], []
    for position, parsed_item in enumerate(parsed.items, start=1):
        item = existing.pop(position, None) or AgendaItem(meeting=meeting, position=position)
        for name in _ITEM_FIELDS:
            setattr(item, name, getattr(parsed_item, name))
        item.resolution_texts = [resolution.text for resolution in parsed_item.resolutions]
        (to_update if item.pk else to_create).append(item)
        items.append(item)
    if existing:
        AgendaItem.objects.filter(pk__in=[item.pk for item in existing.values()]).delete()
    if to_update:
        AgendaItem.objects.bulk_update(to_update, _ITEM_FIELDS)
        Resolution.objects.filter(item__in=to_update).delete()
    AgendaItem.objects.bulk_create(to_create)
    Resolution.objects.bulk_create(
        Resolution(item=item, order=order, text=resolution.text, kind=resolution.kind)
        for item, parsed_item in zip(items, parsed.items, strict=True)
        for order, resolution in enumerate(parsed_item.resolutions, start=1)
    )
    return items


def _store_attendees(meeting: Meeting, parsed: ParsedMeeting, *, created: bool) -> None:
    if not created:
        meeting.attendees.all().delete()
    people = people_for_names(person.name for person in parsed.attendees)
    Attendee.objects.bulk_create(
        Attendee(
            meeting=meeting,
            order=order,
            name=person.name,
            printed=person.printed,
            title=person.title,
            honours=person.honours,
            role=person.role,
            organisation=person.organisation,
            attendance=person.attendance,
            person=people.get(person_key(person.name)),
        )
        for order, person in enumerate(parsed.attendees, start=1)
    )


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
        missing = {key: name for key, name in wanted.items() if key not in people}
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


def _check_lengths(parsed: ParsedMeeting) -> None:
    """Refuse values longer than their columns, the same way on every database."""
    checks = [(Meeting, "body", parsed.body), (Meeting, "venue", parsed.venue)]
    checks.append((Meeting, "contact", parsed.contact))
    for position, item in enumerate(parsed.items, start=1):
        for name in ("number", "number_printed", "title", "restricted_reason"):
            checks.append((AgendaItem, name, getattr(item, name), f"item {position}"))
    for person in parsed.attendees:
        for name in ("name", "printed", "title", "honours", "role", "organisation"):
            checks.append((Attendee, name, getattr(person, name), "an attendee"))
    for model, name, value, *where in checks:
        limit = model._meta.get_field(name).max_length
        if value and len(value) > limit:
            place = f"{where[0]}: " if where else ""
            raise RejectedDocument(f"{place}{name} is longer than {limit} characters")


def _outcome(status, source, parsed, meeting, target, *, dry_run=False) -> ImportOutcome:
    body, meeting_date = _identity_after(meeting, target) if meeting else (target.body, target.date)
    warnings = list(meeting.warnings) if status == UNCHANGED else target.warnings
    label = f"{body or 'body unknown'}, {_date_label(meeting_date)}"
    if status != UNCHANGED:
        label += f" ({len(parsed.items)} item{'' if len(parsed.items) == 1 else 's'})"
    return ImportOutcome(
        status,
        source.file_name,
        label,
        meeting=meeting,
        parsed=parsed,
        body=body,
        date=meeting_date,
        warnings=warnings,
        dry_run=dry_run,
    )


def describe_parsed(outcome: ImportOutcome) -> list[str]:
    """Lines saying what an import stores (or, in a dry run, would store) for one document."""
    parsed = outcome.parsed
    if parsed is None:
        return []
    lines = [
        f"shape: {parsed.shape}",
        f"body: {outcome.body or '(unknown)'}",
        f"date: {outcome.date.isoformat() if outcome.date else '(unknown: needs review)'}",
        f"attendees: {len(parsed.attendees)}",
        f"items: {len(parsed.items)}",
    ]
    for position, item in enumerate(parsed.items, start=1):
        flags = [item.status] + (["RESTRICTED"] if item.restricted else [])
        label = " ".join(part for part in (item.number, item.title) if part) or "(no title)"
        lines.append(f"  {position}. {label} [{', '.join(flags)}]")
        lines.extend(f"       {r.kind}: {r.text}" for r in item.resolutions)
    lines.extend(f"warning: {warning}" for warning in outcome.warnings)
    return lines


def _date_label(value: datetime.date | None) -> str:
    return date_format(value, "j F Y") if value else "date unknown"


# Topics


def tag_topics(items: list[AgendaItem]) -> None:
    """Link each item to the topics its title or text names, creating topics for new operations.

    Every "Operation X" / "Op X" / "Project X" named in the items becomes a topic unless it is
    already a topic's name or alias. "Op" is short for "Operation": "Op Fortress" creates
    "Operation Fortress" with the alias "Op Fortress".
    """
    texts = {id(item): _item_text(item) for item in items}
    _create_discovered_topics(
        name for text in texts.values() for name in discover_topic_names(text)
    )

    terms = [
        TopicTerm(topic.pk, topic.name, tuple(topic.aliases), topic.case_sensitive)
        for topic in Topic.objects.all()
    ]
    matches = {id(item): match_topics(terms, item.title, texts[id(item)]) for item in items}
    ItemTopic.objects.filter(item__in=[item.pk for item in items]).delete()
    ItemTopic.objects.bulk_create(
        ItemTopic(item=item, topic_id=topic_id, in_title=in_title)
        for item in items
        for topic_id, in_title in matches[id(item)].items()
    )
    _store_search_extra(items, matches, {term.key: term.name for term in terms})


def _store_search_extra(items: list[AgendaItem], matches: dict, topic_names: dict) -> None:
    """Copy each item's topic names and decisions to ``search_extra`` for the search index."""
    changed = []
    for item in items:
        names = sorted(topic_names[topic_id] for topic_id in matches[id(item)])
        text = search_extra_text(names, getattr(item, "resolution_texts", []))
        if item.search_extra != text:
            item.search_extra = text
            changed.append(item)
    AgendaItem.objects.bulk_update(changed, ["search_extra"])


def _item_text(item: AgendaItem) -> str:
    resolutions = getattr(item, "resolution_texts", [])
    parts = [item.title, item.agenda_text, item.minutes_text, *resolutions]
    return "\n\n".join(part for part in parts if part)


def _create_discovered_topics(names) -> None:
    known_names = set()
    slugs = set()
    for topic_name, aliases, slug in Topic.objects.values_list("name", "aliases", "slug"):
        known_names.update(name.casefold() for name in (topic_name, *aliases))
        slugs.add(slug)
    new_topics = []
    for discovered in names:
        name, aliases = _canonical_topic(discovered)
        if {name.casefold(), discovered.casefold()} & known_names:
            continue
        known_names.update({name.casefold(), discovered.casefold()})
        slug = _unique_slug(name, slugs)
        slugs.add(slug)
        new_topics.append(Topic(name=name, slug=slug, aliases=aliases, created_automatically=True))
    # Another import may create the same topic at the same moment; its row is as good as ours.
    Topic.objects.bulk_create(new_topics, ignore_conflicts=True)


def _canonical_topic(discovered: str) -> tuple[str, list[str]]:
    keyword, _, rest = discovered.partition(" ")
    if keyword.casefold() == "op" and rest:
        return f"Operation {rest}", [discovered]
    return discovered, []


def _unique_slug(name: str, taken: set[str]) -> str:
    limit = Topic._meta.get_field("slug").max_length
    base = slugify(name)[: limit - 4] or "topic"
    slug, counter = base, 2
    while slug in taken:
        slug, counter = f"{base}-{counter}", counter + 1
    return slug
