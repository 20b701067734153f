"""Read stored minutes again with the current parser, after the parser has been improved.

A re-import goes through ``services.import_document``, the path every import takes, with the
stored original's bytes: the same reading, conversion and parsing. It differs in three ways:

- the file is not stored a second time: its ``SourceDocument`` becomes the meeting's current
  source again;
- the meeting updated is the document's own meeting, even when the parser now reads another
  date for it;
- the same bytes do not mean "unchanged": what the parser now makes of them is compared with
  what is stored (``ingest.diff``), and the report says what changed.

The body and date given when the file was imported (``--body``, ``--date``, or on the
upload's preview) are given again. Items are matched to the stored items as on every import
(``ingest.matching``), so each keeps its row and its corrections.

Corrections made by hand (``ingest.overrides``) are put back as on every import, and each
re-import is recorded in the meeting's import history with the action "reimport".
"""

from dataclasses import dataclass

from django.db import transaction

from ingest import overrides, services
from ingest.history import change_summary, record_event
from ingest.topics import retag_items
from meetings import followups
from meetings.models import AgendaItem, ImportEvent, Meeting, Override, SourceDocument

REIMPORTABLE = (SourceDocument.Status.IMPORTED, SourceDocument.Status.FAILED)


def by_name(user) -> str:
    return f"admin re-import ({user.get_username()})" if user else "re-import"


def reimport_meeting(meeting: Meeting, *, user=None) -> services.ImportOutcome:
    """Read ``meeting``'s current source document again and store what it now gives."""
    if meeting.source_id is None:
        reason = "the meeting has no source document to read again"
        record_event(
            action=ImportEvent.Action.REIMPORT,
            outcome=services.FAILED,
            file_name="",
            message=reason,
            meeting_id=meeting.pk,
            by=user,
            by_name=by_name(user),
        )
        return services.ImportOutcome(services.FAILED, "", reason)
    return reimport_document(SourceDocument.objects.get(pk=meeting.source_id), user=user)


def reimport_document(document: SourceDocument, *, user=None) -> services.ImportOutcome:
    """Read a stored original again and store what it now gives in its meeting (or a new one).

    A document that failed before may now be imported. Uploads still awaiting confirmation, or
    cancelled, are not re-imported: their outcome is FAILED, with the reason, and not recorded.
    """
    if document.status not in REIMPORTABLE:
        reason = f"{document.get_status_display().lower()}: not imported, so not re-imported"
        return services.ImportOutcome(services.FAILED, document.file_name, reason)
    data = bytes(document.original_bytes)
    if not data:
        reason = "the original file was not kept, so it cannot be read again"
        record_event(
            action=ImportEvent.Action.REIMPORT,
            outcome=services.FAILED,
            file_name=document.file_name,
            message=reason,
            meeting_id=document.meeting_id,
            document=document,
            by=user,
            by_name=by_name(user),
        )
        return services.ImportOutcome(services.FAILED, document.file_name, reason)
    return services.import_document(
        data,
        document.file_name,
        body=document.body_given or None,
        meeting_date=_date_given_when_importing(document.meeting_id),
        imported_by=user,
        imported_by_name=by_name(user),
        action=ImportEvent.Action.REIMPORT,
        reparse=True,
        source_document=document,
    )


def _date_given_when_importing(meeting_id):
    """The date given with the import (``--date``, or on the upload's preview), if it was.

    A re-import reads only the file, so without it an undated document would keep the date
    anyway, but a document stating another date would win over the date given.
    """
    if meeting_id is None:
        return None
    meeting = Meeting.objects.only("date", "date_source").get(pk=meeting_id)
    if meeting.date_source == Meeting.DateSource.OPTION:
        return meeting.date
    override = Override.objects.filter(meeting_id=meeting_id, field=overrides.DATE).first()
    imported = override.imported if override is not None else None
    if imported and imported.get("date_source") == Meeting.DateSource.OPTION:
        return overrides.from_json(overrides.DATE, imported["value"])
    return None


def report(outcome: services.ImportOutcome, label: str = "") -> str:
    """One line per meeting for the person who ran the re-import.

    "Safer Stockton Partnership, 22 January 2025: 2 items changed (minutes_text), 1 added",
    "…: no changes", or "<label>: failed: <reason>".
    """
    if outcome.failed:
        return f"{label or outcome.file_name}: failed: {outcome.message}"
    meeting = str(outcome.meeting)
    if outcome.status == services.CREATED:
        items = len(outcome.parsed.items)
        return f"{meeting}: created from {outcome.file_name} ({items} item{'s' * (items != 1)})"
    if outcome.status == services.UNCHANGED or outcome.changes is None:
        return f"{meeting}: no changes"
    if not outcome.changes.has_changes:
        return f"{meeting}: no changes to the minutes; the parser's warnings or layout updated"
    return f"{meeting}: {change_summary(outcome.changes)}"


@dataclass
class DropReport:
    messages: list[str]
    refused: list[str]


def drop_overrides(queryset, *, user) -> DropReport:
    """Drop these overrides: what the latest import gave is put back at once.

    Overrides older than that record are dropped by reading their meeting's source again.
    """
    with transaction.atomic():
        dropped = overrides.drop(queryset, user=user)
        if dropped.retitled:
            # An item's topics may be named in its title.
            retag_items(AgendaItem.objects.filter(pk__in=dropped.retitled))
        # Titles, restrictions, topics and dates put back decide what takes follow-ups up.
        followups.rematch_places(dropped.places, incremental=True)
    messages = [f"Dropped the override of the {label}." for label in dropped.restored]
    for meeting in Meeting.objects.filter(pk__in=dropped.unknown):
        outcome = reimport_meeting(meeting, user=user)
        messages.append(f"Dropped its overrides and read the minutes again: {report(outcome)}")
    return DropReport(messages, dropped.refused)
