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
address. Its items are matched to the stored items by title, then number, then position
(``ingest.matching``): a matched item keeps its row, so its address and its corrections made by
hand follow it, and an item inserted or removed changes only itself. The same bytes again
change nothing. A document that cannot be imported writes nothing but its
``SourceDocument`` with status "failed", the reason and the original bytes.
"""

import codecs
import dataclasses
import datetime
import functools
import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils.formats import date_format
from django.utils.text import slugify

from ingest import converters, diff, overrides
from ingest.parsers import ParsedMeeting, parse_minutes
from ingest.parsers.document import NO_BODY_WARNING, NO_DATE_WARNING
from ingest.topics import TopicIndex, TopicTerm, discover_topic_names, topic_index
from meetings import review
from meetings.models import (
    AgendaItem,
    Attendee,
    ImportEvent,
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
from meetings.search import BulkTable, next_ids, search_extra_text

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

    @functools.cached_property
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
    changes: diff.MeetingChanges | None = None  # what storing changed in the meeting
    unplaced: int = 0  # hand corrections whose items this import could not find again

    @property
    def failed(self) -> bool:
        return self.status == FAILED

    @property
    def review_reasons(self) -> list[str]:
        """Why the stored meeting needs a person to look at it (``meetings.review``), in lower
        case for a message: "date unknown"; empty when it does not."""
        if self.failed:
            return []
        facts = review.Facts(self.date, self.body, self.warnings, bool(self.unplaced))
        return [reason.label.lower() for reason in review.reasons(facts)]

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


@dataclass
class ReadDocument:
    """A minutes file read: what it is, its text as received, and the text the parser reads."""

    kind: str  # converters.TEXT, HTML, DOCX or PDF
    text: str  # as received, decoded; for Word and PDF, the text taken from the file
    encoding: str  # "" for Word and PDF, whose text is not stored as encoded bytes
    minutes_text: str  # plain text with one kind of line ending, for the parser


_KIND_LABELS = {
    converters.HTML: "web page",
    converters.DOCX: "Word document",
    converters.PDF: "PDF",
}


def read_document(data: bytes, file_name: str) -> ReadDocument:
    """Read any accepted minutes file, or raise RejectedDocument saying why it cannot be.

    Plain text and saved web pages are decoded as ``read_minutes`` does; a web page, a Word
    document or a PDF is then turned into text by ``ingest.converters``. What a file is comes
    from its content where that is certain (a PDF or a Word document is recognised under any
    name), else from its name.
    """
    _check_size(data)
    kind = converters.kind_of(file_name, data)
    try:
        if kind in (converters.TEXT, converters.HTML):
            text, encoding = read_minutes(data)
            converted = converters.convert(kind, data, text)
        else:
            converted = converters.convert(kind, data)
            text, encoding = converted, ""
    except converters.ConversionError as exc:
        raise RejectedDocument(str(exc)) from exc
    if not converted.strip():
        raise RejectedDocument(f"the {_KIND_LABELS.get(kind, 'file')} holds no text")
    return ReadDocument(kind, text, encoding, normalise_text(converted))


def parse_document(document: ReadDocument) -> ParsedMeeting:
    """Parse a file read by ``read_document`` as an import does, writing nothing.

    Raises RejectedDocument when the import would refuse it: no agenda items found. A value
    longer than its column is cut, with a warning, as an import cuts it.
    """
    return _parse(document.minutes_text)


def read_minutes(data: bytes) -> tuple[str, str]:
    """Decode the bytes of a minutes file: (text as received, encoding), or RejectedDocument.

    UTF-8 (with or without a byte-order mark) is tried first, then Windows-1252, the encoding
    of text saved from older Office programs; UTF-16 is read when it starts with its mark.
    """
    _check_size(data)
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


def _check_size(data: bytes) -> None:
    if not data.strip():
        raise RejectedDocument("empty file")
    if len(data) > settings.MINUTES_MAX_BYTES:
        raise RejectedDocument(too_large(len(data)))


def too_large(size: int) -> str:
    """Why a file of ``size`` bytes is refused: "file is 6 MB, over the 5 MB limit"."""
    return f"file is {_size(size)}, over the {_size(settings.MINUTES_MAX_BYTES)} limit"


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
    action: str = ImportEvent.Action.IMPORT,
    reparse: bool = False,
    source_document: SourceDocument | None = None,
) -> ImportOutcome:
    """Read, parse and store one minutes file; a bad file gives a FAILED outcome, never raises.

    ``body`` and ``meeting_date`` are for documents that state none; given, they are used even
    when the document states another (with a warning). With ``dry_run`` nothing at all is
    written: the outcome says what would happen and carries the parsed document. Otherwise the
    attempt is recorded in the import history as ``action``, whatever its outcome.

    ``reparse`` and ``source_document`` are for reading a stored original again (see
    ``store_document``); a re-read that fails leaves the document and its meeting as they were.
    """
    reading = _read_and_parse((file_name, data))
    source = SourceFile(
        file_name, data, imported_by, imported_by_name, reading.text, reading.encoding
    )
    return _import_parsed(
        _ParsedFile(source, reading.parsed, reading.reason),
        body=body,
        meeting_date=meeting_date,
        dry_run=dry_run,
        action=action,
        reparse=reparse,
        source_document=source_document,
    )


@dataclass
class _Reading:
    """A file read and parsed: its text as received, and the parsed document or the reason it
    cannot be imported. Plain data, so that a worker process can send it back."""

    text: str = ""
    encoding: str = ""
    parsed: ParsedMeeting | None = None
    reason: str = ""
    found: list["FoundTopics"] | None = None  # see ``start_reader``


@dataclass
class _ParsedFile:
    """A file offered for import, read and parsed; or the reason it cannot be."""

    source: SourceFile
    parsed: ParsedMeeting | None = None
    reason: str = ""
    found: list["FoundTopics"] | None = None


# The topics a reader process looks for in the documents it parses (see ``start_reader``).
_reader_topics: TopicIndex | None = None


def start_reader(terms: list[TopicTerm]) -> None:
    """Make this process, one of those reading and parsing files for ``import_documents``,
    find the topics ``terms`` in each document's items as well, beside the parsing: for new
    meetings, ``tag_topics`` then needs only to look for topics made since."""
    global _reader_topics
    _reader_topics = TopicIndex(terms)


def _read_and_parse(file: tuple[str, bytes]) -> _Reading:
    file_name, data = file
    reading = _Reading()
    try:
        read = read_document(data, file_name)
        reading.text, reading.encoding = read.text, read.encoding
        reading.parsed = _parse(read.minutes_text)
        if _reader_topics is not None:
            reading.found = [
                _found_topics(_reader_topics, item.title, _text_of(item, item.resolutions))
                for item in reading.parsed.items
            ]
    except RejectedDocument as exc:
        reading.reason = str(exc)
    except Exception as exc:
        # A fault in the parser must not stop the other files of a batch.
        logger.exception("Import of %s failed", file_name)
        reading.reason = f"unexpected error: {exc}"
    return reading


def _import_parsed(
    document: _ParsedFile,
    *,
    body=None,
    meeting_date=None,
    dry_run=False,
    action: str = ImportEvent.Action.IMPORT,
    reparse: bool = False,
    source_document: SourceDocument | None = None,
    topics: "TopicCache | None" = None,
) -> ImportOutcome:
    """Store (or, with ``dry_run``, preview) a parsed file; record it as failed if it cannot be."""
    source, parsed, reason = document.source, document.parsed, document.reason
    if not reason:
        try:
            if dry_run:
                return preview_document(parsed, source, body=body, meeting_date=meeting_date)
            return store_document(
                parsed,
                source,
                body=body,
                meeting_date=meeting_date,
                action=action,
                reparse=reparse,
                source_document=source_document,
                topics=topics,
            )
        except RejectedDocument as exc:
            reason = str(exc)
        except Exception as exc:
            # A fault in the database must not stop the other files of a batch.
            logger.exception("Import of %s failed", source.file_name)
            reason = f"unexpected error: {exc}"
        if topics is not None:
            topics.forget()  # topics created for this document were rolled back with it
    if not dry_run:
        failed = source_document or _record_failure(source, parsed, reason, body)
        record_event(
            action=action,
            outcome=FAILED,
            file_name=source.file_name,
            message=reason,
            meeting_id=failed.meeting_id,
            document=failed,
            by=source.imported_by,
            by_name=source.imported_by_name,
        )
    return ImportOutcome(FAILED, source.file_name, reason, parsed=parsed, dry_run=dry_run)


def refuse_oversized(
    file_name: str, size: int, *, imported_by=None, imported_by_name: str = ""
) -> ImportOutcome:
    """Refuse a file far too large to read at all, without loading it into memory.

    Its failed ``SourceDocument`` records the reason; the file itself stays where it was.
    """
    reason = f"{too_large(size)} (too large to keep a copy: the original was left where it is)"
    source = SourceFile(file_name, b"", imported_by, imported_by_name)
    document = _record_failure(source, None, reason)
    record_event(
        action=ImportEvent.Action.IMPORT,
        outcome=FAILED,
        file_name=file_name,
        message=reason,
        document=document,
        by=imported_by,
        by_name=imported_by_name,
    )
    return ImportOutcome(FAILED, file_name, reason)


def _parse(text: str) -> ParsedMeeting:
    parsed = parse_minutes(text)
    if not parsed.items:
        raise RejectedDocument("no agenda items found")
    _cut_to_columns(parsed)
    return parsed


def _record_failure(
    source: SourceFile, parsed: ParsedMeeting | None, reason: str, body: str | None = None
) -> SourceDocument:
    return SourceDocument.objects.create(
        **_source_fields(source, body),
        shape=parsed.shape if parsed else "",
        status=SourceDocument.Status.FAILED,
        error=reason,
    )


def _source_fields(source: SourceFile, body: str | None = None) -> dict:
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
    parsed: ParsedMeeting,
    source: SourceFile,
    *,
    body=None,
    meeting_date=None,
    action: str = ImportEvent.Action.IMPORT,
    reparse: bool = False,
    source_document: SourceDocument | None = None,
    topics: "TopicCache | None" = None,
) -> ImportOutcome:
    """Write one parsed document as a meeting: created, updated in place, or left unchanged.

    The corrections made by hand in the admin (``ingest.overrides``) are put back over what the
    document says, and the attempt is recorded as an ``ImportEvent`` in the same transaction.

    For reading a stored original again after a parser change: with ``reparse``, the same bytes
    do not mean "unchanged"; the parsed result is compared with the stored meeting instead.
    ``source_document``, a ``SourceDocument`` already stored, is reused rather than stored
    again, and the meeting it belongs to, if any, is the one updated. ``topics`` is a
    ``TopicCache`` shared by the documents stored in one transaction.
    """
    document = source_document
    target = _target(parsed, body, meeting_date)
    meeting = _meeting_for(target, source, document)
    changes = matching = None
    if reparse:
        matching = meeting and diff.stored_matching(meeting, parsed)
        changes = _changes(meeting, parsed, target, matching)
        status = _reparse_status(meeting, parsed, target, changes, document)
    else:
        status = _status_for(meeting, target, source)
        if status != UNCHANGED:
            matching = meeting and diff.stored_matching(meeting, parsed)
            changes = _changes(meeting, parsed, target, matching)
    if status == UNCHANGED:
        outcome = _outcome(status, source, parsed, meeting, target, changes=changes)
        _record_outcome(outcome, action, source, document.pk if document else meeting.source_id)
        return outcome

    stored_now = document is None
    if stored_now:
        document = SourceDocument.objects.create(
            **_source_fields(source, body),
            shape=parsed.shape,
            status=SourceDocument.Status.IMPORTED,
        )
    meeting = meeting or Meeting()
    _fill_meeting(meeting, parsed, target)
    overrides.apply_to_meeting(
        meeting, body=target.body, date=target.date, date_source=target.date_source
    )
    meeting.source = document
    meeting.save()
    document.meeting = meeting
    if stored_now:
        # Only the link is new: the original is not written a second time.
        document.save(update_fields=["meeting"])
    else:
        document.status, document.error, document.shape = (
            SourceDocument.Status.IMPORTED,
            "",
            parsed.shape,
        )
        document.original_text, document.encoding = source.text, source.encoding
        document.save(
            update_fields=["meeting", "status", "error", "shape", "original_text", "encoding"]
        )

    replaced, matches, unplaced = _store_items(meeting, parsed, matching, topics=topics)
    if unplaced and not meeting.needs_review:
        Meeting.objects.filter(pk=meeting.pk).update(needs_review=True)
        meeting.needs_review = True
    if status != CREATED:
        meeting.attendees.all().delete()
    insert_attendees([(meeting, parsed)])
    link_topics(replaced, matches, replaced=replaced)
    outcome = _outcome(status, source, parsed, meeting, target, changes=changes)
    outcome.unplaced = unplaced
    _record_outcome(outcome, action, source, document.pk)
    return outcome


def _meeting_for(
    target: _Target, source: SourceFile, document: SourceDocument | None
) -> Meeting | None:
    """The meeting to store into, locked: a re-read document's own meeting, else as found."""
    if document is None or document.meeting_id is None:
        return find_meeting(target, source, lock=True)
    meeting = Meeting.objects.select_for_update(of=("self",)).get(pk=document.meeting_id)
    body, date = _identity_after(meeting, target)
    if (
        date is not None
        and Meeting.objects.filter(body=body, date=date).exclude(pk=meeting.pk).exists()
    ):
        raise RejectedDocument(
            f"it now reads as {body or 'body unknown'}, {_date_label(date)}, "
            "and another meeting in the archive has that body and date"
        )
    return meeting


def _changes(meeting: Meeting | None, parsed: ParsedMeeting, target: _Target, matching):
    """What storing ``parsed`` changes in ``meeting``, once the overrides are put back."""
    if meeting is None:
        return diff.compare(None, parsed)
    stored = overrides.as_stored(
        parsed, meeting, body=target.body, date=target.date, matching=matching
    )
    return diff.compare(meeting, stored, matching)


def _reparse_status(meeting, parsed, target, changes, document) -> str:
    """Unchanged only when the document, read again, gives exactly what is stored."""
    if meeting is None:
        return CREATED
    same = (
        not changes.has_changes
        and list(meeting.warnings) == target.warnings
        and list(meeting.reading_notes) == parsed.notes
        and meeting.header_text == parsed.header_text
        and (document is None or document.shape == parsed.shape)
    )
    return UNCHANGED if same else UPDATED


def record_event(
    *,
    action: str,
    outcome: str,
    file_name: str,
    message: str = "",
    meeting_id: int | None = None,
    document: SourceDocument | None = None,
    document_id: int | None = None,
    by=None,
    by_name: str = "",
) -> ImportEvent:
    """Add one import attempt to the history: every import path records every attempt."""
    event = import_event(
        action=action,
        outcome=outcome,
        file_name=file_name,
        message=message,
        meeting_id=meeting_id,
        document_id=document.pk if document is not None else document_id,
        by=by,
        by_name=by_name,
    )
    event.save()
    return event


def import_event(
    *,
    action,
    outcome,
    file_name,
    message="",
    meeting_id=None,
    document_id=None,
    by=None,
    by_name="",
) -> ImportEvent:
    """An import attempt for the history, not saved yet."""
    return ImportEvent(
        meeting_id=meeting_id,
        source_document_id=document_id,
        file_name=file_name,
        action=action,
        outcome=outcome,
        message=message,
        by=by,
        by_name=by_name,
    )


def _record_outcome(outcome: ImportOutcome, action: str, source: SourceFile, document_id):
    message = outcome.message
    if outcome.status == UPDATED and outcome.changes is not None:
        message += f": {change_summary(outcome.changes)}"
    record_event(
        action=action,
        outcome=outcome.status,
        file_name=source.file_name,
        message=message,
        meeting_id=outcome.meeting.pk,
        document_id=document_id,
        by=source.imported_by,
        by_name=source.imported_by_name,
    )


def change_summary(changes: diff.MeetingChanges) -> str:
    """ "2 items changed (minutes_text), 1 added; venue changed", or "no changes"."""
    items = []
    if changes.changed:
        names = list(dict.fromkeys(name for item in changes.changed for name in item.fields))
        items.append(f"{_items(len(changes.changed))} changed ({', '.join(names)})")
    for label, found in (("added", changes.added), ("removed", changes.removed)):
        if found:
            count = str(len(found)) if items else _items(len(found))
            items.append(f"{count} {label}")
    parts = [", ".join(items)] if items else []
    if changes.fields:
        parts.append(f"{', '.join(changes.fields)} changed")
    if changes.attendees_changed:
        parts.append("attendance changed")
    return "; ".join(parts) or "no changes"


def _items(count: int) -> str:
    return f"{count} item{'' if count == 1 else 's'}"


def find_meeting(target: _Target, source: SourceFile, *, lock: bool = False) -> Meeting | None:
    """The stored meeting a document belongs to, if any (see the module's docstring)."""
    meetings = Meeting.objects.select_for_update(of=("self",)) if lock else Meeting.objects.all()
    # Reached from the documents' side: a meeting's current source belongs to it. From the
    # meetings' side SQLite read every meeting of an archive whose meetings have no source.
    same_bytes = SourceDocument.objects.filter(sha256=source.sha256, meeting__isnull=False)
    meeting = meetings.filter(
        pk__in=same_bytes.values("meeting_id"), source__sha256=source.sha256
    ).first()
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
    filled it in), and a body or date corrected in the admin (an override) is kept.
    """
    kept = overrides.meeting_values(meeting)
    body = kept.get(overrides.BODY, target.body or meeting.body)
    if overrides.DATE in kept:
        return body, kept[overrides.DATE]
    return body, meeting.date if target.date is None else target.date


def _fill_meeting(meeting: Meeting, parsed: ParsedMeeting, target: _Target) -> None:
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


# The item fields a document sets; the comparison of a document with its meeting uses the same.
ITEM_FIELDS = diff.ITEM_FIELDS


def _store_items(meeting: Meeting, parsed: ParsedMeeting, matching, *, topics=None):
    """Write the items, reusing the row of each stored item a parsed item matches.

    ``matching`` (``diff.stored_matching``) says which stored item each parsed item is; None
    for a new meeting, which costs no query more. Stored items matched by none are deleted,
    their overrides kept as unmatched (``overrides.apply_to_items``). Matched items keep their
    row, so their address and overrides follow them, and take their new positions.

    Each item is written once, its topics found first (``tag_topics``): an item written again
    with its ``search_extra`` had its full-text entry and its facet row written twice. New
    items are given their ids and linked to their topics before they are inserted
    (``insert_items``).

    Returns the items stored before, the topic matches of every item, for ``link_topics``,
    and the number of the meeting's unmatched overrides.
    """
    pairs, to_update, to_create, moving = [], [], [], []
    if matching is not None:
        past = max([len(parsed.items), *(item.position for item in matching.stored)])
    for index, parsed_item in enumerate(parsed.items):
        position = index + 1
        item = matching and matching.item_for(index)
        if item is None:
            item = AgendaItem(meeting=meeting, position=position)
        elif item.position != position:
            moving.append(item.pk)
            item.position = position
        fill_item(item, parsed_item)
        (to_update if item.pk else to_create).append((item, parsed_item))
        pairs.append((item, parsed_item))
    holds = None
    hand_links = {}
    if matching is not None:
        holds = overrides.apply_to_items(meeting, pairs, matching)
        hand_links = overrides.topic_links([item.pk for item, _ in to_update])
    items = [item for item, _ in pairs]
    matches = tag_topics(items, topics, hand_links=hand_links)
    if matching is not None and matching.removed:
        AgendaItem.objects.filter(pk__in=[item.pk for item in matching.removed]).delete()
    if to_update:
        updated = [item for item, _ in to_update]
        if moving:
            # Out of the way first, to positions past every old and new one, so that no two
            # rows share a position at any moment (PostgreSQL checks row by row).
            AgendaItem.objects.filter(pk__in=moving).update(position=F("position") + past)
        AgendaItem.objects.bulk_update(updated, ["position", *ITEM_FIELDS, "search_extra"])
        Resolution.objects.filter(item__in=updated).delete()
        insert_decisions(to_update)
    insert_items(to_create, matches)
    if holds is not None and holds.restrictions:
        holds.note()
    return [item for item, _ in to_update], matches, holds.unplaced if holds else 0


def fill_item(item: AgendaItem, parsed_item) -> None:
    """Set the fields a document gives an item, and its decisions' texts for topic tagging."""
    for name in ITEM_FIELDS:
        setattr(item, name, getattr(parsed_item, name))
    item.resolution_texts = [resolution.text for resolution in parsed_item.resolutions]


def insert_items(pairs: list[tuple[AgendaItem, object]], matches: dict) -> None:
    """Insert new items, from (item, parsed item) pairs, with their topic links and decisions.

    The items are given their ids first and linked to their topics before they are inserted
    (the foreign keys are checked at commit), so that the search index's triggers write each
    item's facet row once, topics and all, rather than again for each link. Many items in one
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
    items.flush()
    insert_decisions(pairs)


def insert_decisions(pairs: list[tuple[AgendaItem, object]]) -> None:
    """Insert the decisions of saved items, from (item, parsed item) pairs."""
    decisions = BulkTable(connection, Resolution, ["item_id", "order", "text", "kind"])
    for item, parsed_item in pairs:
        for order, resolution in enumerate(parsed_item.resolutions, start=1):
            decisions.add(item.pk, order, resolution.text, resolution.kind)
    decisions.flush()


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


def _cut_to_columns(parsed: ParsedMeeting) -> None:
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


def _outcome(
    status, source, parsed, meeting, target, *, dry_run=False, changes=None
) -> ImportOutcome:
    if meeting is None:
        body, meeting_date = target.body, target.date
    elif status == CREATED:
        body, meeting_date = meeting.body, meeting.date  # just made: no corrections to keep
    else:
        body, meeting_date = _identity_after(meeting, target)
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
        changes=changes,
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


class TopicCache:
    """The topics an import looks for, read once for all the documents stored together.

    Reading every topic again for each document of a batch cost more than storing it, so a
    batch uses the topics as they were when it began (with those it discovers itself). Topics
    discovered in a document are created at once and looked for in it and in the documents
    after it. After a document's savepoint is rolled back, ``forget`` drops what was read: the
    topics it created are gone again.
    """

    def __init__(self):
        self._index: TopicIndex | None = None
        self._known_names: set[str] = set()  # casefolded names and aliases
        self._slugs: set[str] = set()

    def index(self) -> TopicIndex:
        if self._index is None:
            terms, self._known_names, self._slugs = [], set(), set()
            rows = Topic.objects.values_list("pk", "name", "aliases", "case_sensitive", "slug")
            for pk, name, aliases, case_sensitive, slug in rows:
                terms.append(TopicTerm(pk, name, tuple(aliases), case_sensitive))
                self._known_names.update(known.casefold() for known in (name, *aliases))
                self._slugs.add(slug)
            self._index = topic_index(terms)
        return self._index

    def create_discovered(self, names) -> None:
        """Create a topic for each discovered name that is not a topic's name or alias yet."""
        self.index()
        new_topics = []
        limit = Topic._meta.get_field("name").max_length
        for discovered in names:
            name, aliases = _canonical_topic(discovered)
            if len(name) > limit:
                continue  # a run of letters that long names no operation
            if {name.casefold(), discovered.casefold()} & self._known_names:
                continue
            self._known_names.update({name.casefold(), discovered.casefold()})
            slug = unique_topic_slug(name, self._slugs)
            self._slugs.add(slug)
            new_topics.append(
                Topic(name=name, slug=slug, aliases=aliases, created_automatically=True)
            )
        if new_topics:
            # Another import may create the same topic at the same moment; its row is as good.
            # In name order, so that two imports creating the same topics wait for each other
            # in the same order, never each for the other.
            new_topics.sort(key=lambda topic: topic.name)
            Topic.objects.bulk_create(new_topics, ignore_conflicts=True)
            self._index = None

    def forget(self) -> None:
        self.__init__()


@dataclass
class FoundTopics:
    """What ``tag_topics`` finds in an item, found beforehand among some topics: the names of
    operations it mentions and the topics it names, {topic id: named in title}."""

    discovered: list[str]
    matches: dict


def _found_topics(index: TopicIndex, title: str, text: str) -> FoundTopics:
    return FoundTopics(discover_topic_names(text), index.match(title, text))


def tag_topics(
    items: list[AgendaItem],
    topics: TopicCache | None = None,
    *,
    found: list[FoundTopics] | None = None,
    looked_for: frozenset[TopicTerm] = frozenset(),
    hand_links: dict | None = None,
) -> dict:
    """Find the topics each item's title or text names, creating topics for new operations.

    Sets each item's ``search_extra`` (its topic names and decisions, for the search index)
    before the items are written, so that each is written once; ``link_topics`` then links
    the saved items. Returns the matches, {id(item): {topic id: named in title}}.

    Every "Operation X" / "Op X" / "Project X" named in the items becomes a topic unless it is
    already a topic's name or alias. "Op" is short for "Operation": "Op Fortress" creates
    "Operation Fortress" with the alias "Op Fortress".

    ``found``, for each item, is what was found in it beforehand among the topics
    ``looked_for`` (``start_reader``): only the topics made or changed since are looked for.

    ``hand_links``, {item id: links}, are the topic links added or removed by hand on stored
    items (``overrides.topic_links``): they are kept.
    """
    topics = topics or TopicCache()
    texts = {id(item): _item_text(item) for item in items}
    if found is None:
        found = [FoundTopics(discover_topic_names(texts[id(item)]), {}) for item in items]
        looked_for = frozenset()
    topics.create_discovered(name for item_found in found for name in item_found.discovered)
    index = topics.index()
    if looked_for:
        # Topics deleted or changed since were found with what they were: not kept.
        kept = {term.key for term in index.terms if term in looked_for}
        unseen = TopicIndex(term for term in index.terms if term not in looked_for)
        order = {term.key: position for position, term in enumerate(index.terms)}
        matches = {}
        for item, item_found in zip(items, found, strict=True):
            item_matches = {key: t for key, t in item_found.matches.items() if key in kept}
            item_matches.update(unseen.match(item.title, texts[id(item)]))
            matches[id(item)] = dict(sorted(item_matches.items(), key=lambda m: order[m[0]]))
    else:
        matches = {id(item): index.match(item.title, texts[id(item)]) for item in items}
    names = _topic_names(index)
    for item in items:
        if hand_links and item.pk in hand_links:
            matches[id(item)] = overrides.with_topic_links(
                matches[id(item)], hand_links[item.pk], names
            )
        item.search_extra = _search_extra(item, matches[id(item)], names)
    return matches


def link_topics(items: list[AgendaItem], matches: dict, *, replaced=()) -> None:
    """Link the saved items to the topics ``tag_topics`` found, replacing the links of the
    items ``replaced`` (items stored before)."""
    if replaced:
        ItemTopic.objects.filter(item__in=[item.pk for item in replaced]).delete()
    ItemTopic.objects.bulk_create(
        ItemTopic(item=item, topic_id=topic_id, in_title=in_title)
        for item in items
        for topic_id, in_title in matches[id(item)].items()
    )


@transaction.atomic
def retag_items(items=None, *, chunk_size: int = 500) -> int:
    """Tag every item again (or the items of the queryset ``items``) with the topics as they are.

    For after a topic is added, renamed or given other aliases in the admin. Topics are not
    discovered here: a topic an administrator deleted stays deleted. Links added or removed by
    hand on an item's page are kept (``overrides.topic_links``). One pass over the items in
    chunks of ``chunk_size``, a fixed number of queries per chunk whatever the number of items
    or topics. Returns the number of items tagged.
    """
    index = TopicIndex(topic_terms())
    names = _topic_names(index)
    items = (AgendaItem.objects.all() if items is None else items).order_by("pk")
    items = items.only("pk", "title", "agenda_text", "minutes_text", "search_extra")
    done, last_pk = 0, 0
    while chunk := list(items.filter(pk__gt=last_pk)[:chunk_size]):
        last_pk = chunk[-1].pk
        decisions = defaultdict(list)
        resolutions = Resolution.objects.filter(item_id__in=[item.pk for item in chunk])
        for item_id, text in resolutions.order_by("item_id", "order").values_list(
            "item_id", "text"
        ):
            decisions[item_id].append(text)
        hand_links = overrides.topic_links([item.pk for item in chunk])
        for item in chunk:
            item.resolution_texts = decisions[item.pk]
        matches = {
            id(item): overrides.with_topic_links(
                index.match(item.title, _item_text(item)), hand_links[item.pk], names
            )
            if item.pk in hand_links
            else index.match(item.title, _item_text(item))
            for item in chunk
        }
        link_topics(chunk, matches, replaced=chunk)
        _store_search_extra(chunk, matches, names)
        done += len(chunk)
    return done


def topic_terms() -> list[TopicTerm]:
    """Every topic, as ``ingest.topics.match_topics`` looks for it."""
    rows = Topic.objects.values_list("pk", "name", "aliases", "case_sensitive")
    return [
        TopicTerm(pk, name, tuple(aliases), case_sensitive)
        for pk, name, aliases, case_sensitive in rows
    ]


def _topic_names(index: TopicIndex) -> dict:
    return {term.key: term.name for term in index.terms}


@transaction.atomic
def merge_topics(keep: Topic, merged) -> int:
    """Fold the topics ``merged`` into ``keep``; returns the number of items linked to ``keep``.

    Their items are linked to ``keep`` (once each; named in the title if either link said so),
    their names and aliases become aliases of ``keep`` so that later imports find it under
    them, and they are deleted. Searching by topic name finds the items under ``keep``'s name.
    """
    merged = [topic for topic in merged if topic.pk != keep.pk]
    if not merged:
        return keep.item_topics.count()
    moved: dict[int, bool] = {}
    for item_id, in_title in ItemTopic.objects.filter(topic__in=merged).values_list(
        "item_id", "in_title"
    ):
        moved[item_id] = moved.get(item_id, False) or in_title
    linked = dict(
        ItemTopic.objects.filter(topic=keep, item_id__in=moved).values_list("item_id", "in_title")
    )
    names = {name.casefold() for name in keep.get_names()}
    for topic in merged:
        for name in topic.get_names():
            if name.casefold() not in names:
                names.add(name.casefold())
                keep.aliases.append(name)
        keep.description = keep.description or topic.description
    Topic.objects.filter(pk__in=[topic.pk for topic in merged]).delete()
    keep.save(update_fields=["aliases", "description"])
    ItemTopic.objects.filter(
        topic=keep,
        item_id__in=[pk for pk, in_title in moved.items() if in_title and not linked.get(pk, True)],
    ).update(in_title=True)
    ItemTopic.objects.bulk_create(
        ItemTopic(item_id=pk, topic=keep, in_title=in_title)
        for pk, in_title in moved.items()
        if pk not in linked
    )
    # Search: the index holds a copy of each item's topic names.
    AgendaItem.objects.filter(pk__in=moved).refresh_search_text()
    return keep.item_topics.count()


def _store_search_extra(items: list[AgendaItem], matches: dict, topic_names: dict) -> None:
    """Update the saved items' ``search_extra`` where their topics or decisions changed it."""
    changed = []
    for item in items:
        text = _search_extra(item, matches[id(item)], topic_names)
        if item.search_extra != text:
            item.search_extra = text
            changed.append(item)
    AgendaItem.objects.bulk_update(changed, ["search_extra"])


def _search_extra(item: AgendaItem, matches: dict, topic_names: dict) -> str:
    names = sorted(topic_names[topic_id] for topic_id in matches)
    return search_extra_text(names, getattr(item, "resolution_texts", []))


def _item_text(item: AgendaItem) -> str:
    return _text_of(item, getattr(item, "resolution_texts", []))


def _text_of(item, decisions) -> str:
    """The text topics are looked for in: an item's (or a parsed item's) and its decisions'."""
    decisions = [getattr(decision, "text", decision) for decision in decisions]
    parts = [item.title, item.agenda_text, item.minutes_text, *decisions]
    return "\n\n".join(part for part in parts if part)


def _canonical_topic(discovered: str) -> tuple[str, list[str]]:
    keyword, _, rest = discovered.partition(" ")
    if keyword.casefold() == "op" and rest:
        return f"Operation {rest}", [discovered]
    return discovered, []


def unique_topic_slug(name: str, taken: set[str]) -> str:
    """A slug for a topic named ``name`` that is not in ``taken`` and fits the column."""
    limit = Topic._meta.get_field("slug").max_length
    base = slugify(name)[: limit - 4] or "topic"
    slug, counter = base, 2
    while slug in taken:
        slug, counter = f"{base}-{counter}", counter + 1
    return slug
