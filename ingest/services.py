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

import datetime
import functools
import hashlib
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils.formats import date_format

from ingest import diff, overrides, writers
from ingest.history import record_event, record_outcome
from ingest.parsers import ParsedMeeting
from ingest.reading import RejectedDocument, read_and_parse, too_large
from ingest.topics import FoundTopics, TopicCache, link_topics, tag_topics
from meetings import followups, review
from meetings.constants import NO_BODY_WARNING, NO_DATE_WARNING
from meetings.models import AgendaItem, ImportEvent, Meeting, SourceDocument

logger = logging.getLogger(__name__)

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
FAILED = "failed"
OUTCOMES = (CREATED, UPDATED, UNCHANGED, FAILED)


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
    # (body, date) of the meeting before this import changed it, for matching follow-ups
    # around where it was as well as where it is (``meetings.followups.rematch``).
    was: tuple[str, datetime.date | None] | None = None

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
class Target:
    """The body and date a document is stored under, after the import options."""

    body: str
    date: datetime.date | None
    date_source: str
    warnings: list[str]


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
    reading = read_and_parse((file_name, data))
    source = SourceFile(
        file_name, data, imported_by, imported_by_name, reading.text, reading.encoding
    )
    return import_parsed(
        ParsedFile(source, reading.parsed, reading.reason),
        body=body,
        meeting_date=meeting_date,
        dry_run=dry_run,
        action=action,
        reparse=reparse,
        source_document=source_document,
    )


@dataclass
class ParsedFile:
    """A file offered for import, read and parsed; or the reason it cannot be."""

    source: SourceFile
    parsed: ParsedMeeting | None = None
    reason: str = ""
    found: list[FoundTopics] | None = None


def import_parsed(
    document: ParsedFile,
    *,
    body=None,
    meeting_date=None,
    dry_run=False,
    action: str = ImportEvent.Action.IMPORT,
    reparse: bool = False,
    source_document: SourceDocument | None = None,
    topics: TopicCache | None = None,
    match_follow_ups: bool = True,
) -> ImportOutcome:
    """Store (or, with ``dry_run``, preview) a parsed file; record it as failed if it cannot be.

    Without ``match_follow_ups`` the follow-ups of the meeting's body are not matched again:
    the caller does it once for many documents (``ingest.batch``)."""
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
                match_follow_ups=match_follow_ups,
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


def _record_failure(
    source: SourceFile, parsed: ParsedMeeting | None, reason: str, body: str | None = None
) -> SourceDocument:
    return SourceDocument.objects.create(
        **writers.source_fields(source, body),
        shape=parsed.shape if parsed else "",
        status=SourceDocument.Status.FAILED,
        error=reason,
    )


def preview_document(
    parsed: ParsedMeeting, source: SourceFile, *, body=None, meeting_date=None
) -> ImportOutcome:
    """What ``store_document`` would do with this document, without writing anything: the same
    outcome, and the same changes (``_status_and_changes``)."""
    target = target_for(parsed, body, meeting_date)
    meeting = find_meeting(target, source)
    status, _matching, changes = _status_and_changes(meeting, parsed, target, source)
    return outcome_for(status, source, parsed, meeting, target, dry_run=True, changes=changes)


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
    topics: TopicCache | None = None,
    match_follow_ups: bool = True,
) -> ImportOutcome:
    """Write one parsed document as a meeting: created, updated in place, or left unchanged.

    The corrections made by hand in the admin (``ingest.overrides``) are put back over what the
    document says, and the attempt is recorded as an ``ImportEvent`` in the same transaction.

    For reading a stored original again after a parser change: with ``reparse``, the same bytes
    do not mean "unchanged"; the parsed result is compared with the stored meeting instead.
    ``source_document``, a ``SourceDocument`` already stored, is reused rather than stored
    again, and the meeting it belongs to, if any, is the one updated. ``topics`` is a
    ``TopicCache`` shared by the documents stored in one transaction.

    The follow-ups of the meeting's body are matched again around its old and new date
    (``meetings.followups``), unless ``match_follow_ups`` is False.
    """
    document = source_document
    target = target_for(parsed, body, meeting_date)
    meeting = _meeting_for(target, source, document)
    status, matching, changes = _status_and_changes(
        meeting, parsed, target, source, reparse=reparse, document=document
    )
    if status == UNCHANGED:
        outcome = outcome_for(status, source, parsed, meeting, target, changes=changes)
        record_outcome(outcome, action, source, document.pk if document else meeting.source_id)
        return outcome

    stored_now = document is None
    if stored_now:
        document = SourceDocument.objects.create(
            **writers.source_fields(source, body),
            shape=parsed.shape,
            status=SourceDocument.Status.IMPORTED,
        )
    was = (meeting.body, meeting.date) if meeting is not None else None
    meeting = meeting or Meeting()
    writers.fill_meeting(meeting, parsed, target)
    overrides.apply_to_meeting(
        meeting, body=target.body, date=target.date, date_source=target.date_source
    )
    if meeting.original_checked_for_publication and _original_changes(meeting, document):
        # What was checked is no longer what would be offered for download.
        meeting.original_checked_for_publication = False
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
    writers.insert_attendees([(meeting, parsed)])
    link_topics(replaced, matches, replaced=replaced)
    outcome = outcome_for(status, source, parsed, meeting, target, changes=changes)
    outcome.unplaced = unplaced
    outcome.was = was
    if match_follow_ups:
        rematch_follow_ups([outcome])
    record_outcome(outcome, action, source, document.pk)
    return outcome


def _original_changes(meeting: Meeting, document: SourceDocument) -> bool:
    """Whether making ``document`` the source of ``meeting`` changes the bytes of its original."""
    if meeting.source_id == document.pk:
        return False
    return (
        meeting.source_id is None
        or not SourceDocument.objects.filter(pk=meeting.source_id, sha256=document.sha256).exists()
    )


def rematch_follow_ups(outcomes: list[ImportOutcome]) -> None:
    """Match again the follow-ups these outcomes' meetings can touch, around each meeting's
    old and new place (``meetings.followups.rematch_places``), all in one pass."""
    places = []
    for outcome in outcomes:
        if outcome.failed or outcome.dry_run or outcome.meeting is None:
            continue
        if outcome.status == UNCHANGED:
            continue
        places.append((outcome.meeting.body, outcome.meeting.date))
        if outcome.was is not None:
            places.append(outcome.was)
    followups.rematch_places(places, incremental=True)


def _meeting_for(
    target: Target, source: SourceFile, document: SourceDocument | None
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


def _status_and_changes(meeting, parsed, target, source, *, reparse=False, document=None):
    """(status, matching, changes) of storing ``parsed`` into ``meeting``: the one reckoning
    of what an import changes, for storing and for previewing alike.

    ``matching`` (``diff.stored_matching``) says which stored item each parsed item is;
    ``changes`` what storing changes, once the corrections made by hand are put back. Neither
    is worked out for a document left unchanged (the same bytes), unless ``reparse``.
    """
    matching = changes = None
    if reparse:
        matching = meeting and diff.stored_matching(meeting, parsed)
        changes = _changes(meeting, parsed, target, matching)
        return _reparse_status(meeting, parsed, target, changes, document), matching, changes
    status = _status_for(meeting, target, source)
    if status != UNCHANGED:
        matching = meeting and diff.stored_matching(meeting, parsed)
        changes = _changes(meeting, parsed, target, matching)
    return status, matching, changes


def _changes(meeting: Meeting | None, parsed: ParsedMeeting, target: Target, matching):
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


def find_meeting(target: Target, source: SourceFile, *, lock: bool = False) -> Meeting | None:
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


def target_for(
    parsed: ParsedMeeting, body: str | None, meeting_date: datetime.date | None
) -> Target:
    """The body and date ``parsed`` is stored under, given the import's options."""
    warnings = [w for w in parsed.warnings if w not in (NO_DATE_WARNING, NO_BODY_WARNING)]
    if meeting_date is not None:
        if parsed.date is not None and parsed.date != meeting_date:
            warnings.append(
                f"The document states {parsed.date.isoformat()}; "
                f"the date given when importing, {meeting_date.isoformat()}, was used."
            )
        return Target(body or parsed.body, meeting_date, Meeting.DateSource.OPTION, warnings)
    if parsed.date is not None:
        return Target(body or parsed.body, parsed.date, Meeting.DateSource.DOCUMENT, warnings)
    return Target(body or parsed.body, None, Meeting.DateSource.UNKNOWN, warnings)


def _status_for(meeting: Meeting | None, target: Target, source: SourceFile) -> str:
    if meeting is None:
        return CREATED
    same_bytes = (
        meeting.source_id is not None
        and SourceDocument.objects.filter(pk=meeting.source_id, sha256=source.sha256).exists()
    )
    if same_bytes and _identity_after(meeting, target) == (meeting.body, meeting.date):
        return UNCHANGED
    return UPDATED


def _identity_after(meeting: Meeting, target: Target) -> tuple[str, datetime.date | None]:
    """(body, date) of ``meeting`` once ``target`` is applied to it.

    What a document does not state does not erase what is stored (an administrator may have
    filled it in), and a body or date corrected in the admin (an override) is kept.
    """
    kept = overrides.meeting_values(meeting)
    body = kept.get(overrides.BODY, target.body or meeting.body)
    if overrides.DATE in kept:
        return body, kept[overrides.DATE]
    return body, meeting.date if target.date is None else target.date


def _store_items(meeting: Meeting, parsed: ParsedMeeting, matching, *, topics=None):
    """Write the items, reusing the row of each stored item a parsed item matches.

    ``matching`` (``diff.stored_matching``) says which stored item each parsed item is; None
    for a new meeting, which costs no query more. Stored items matched by none are deleted,
    their overrides kept as unmatched (``overrides.apply_to_items``). Matched items keep their
    row, so their address and overrides follow them, and take their new positions.

    Each item is written once, its topics found first (``tag_topics``): an item written again
    with its ``search_extra`` had its full-text entry and its facet row written twice. New
    items are given their ids and linked to their topics before they are inserted
    (``writers.insert_items``).

    Returns the items stored before, the topic matches of every item, for ``link_topics``,
    and the number of the meeting's unmatched overrides.
    """
    pairs, to_update, to_create, moving = [], [], [], []
    was_restricted = set()  # the stored items restricted before this reading
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
        if item.restricted and item.pk is not None:
            was_restricted.add(item.pk)
        writers.fill_item(item, parsed_item)
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
        AgendaItem.objects.bulk_update(updated, ["position", *writers.ITEM_FIELDS, "search_extra"])
        writers.replace_decisions(to_update)
    writers.insert_items(to_create, matches)
    writers.replace_follow_ups(to_update)
    unplaced = holds.unplaced if holds else 0
    if was_restricted:
        opened = [(i, p) for i, p in to_update if i.pk in was_restricted and not i.restricted]
        unplaced += overrides.keep_opened_follow_ups(meeting, opened, matching)
    writers.insert_follow_ups(to_create)
    if holds is not None and holds.restrictions:
        holds.note()
    return [item for item, _ in to_update], matches, unplaced


def outcome_for(
    status, source, parsed, meeting, target, *, dry_run=False, changes=None
) -> ImportOutcome:
    """The outcome of storing ``parsed`` from ``source`` into ``meeting`` (None: not stored)."""
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
