"""The import history: an ``ImportEvent`` for every attempt to import a file, whatever its end."""

from ingest import diff
from meetings.models import ImportEvent, SourceDocument


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
    changes: list | None = None,
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
        changes=changes,
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
    changes=None,
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
        changes=changes or [],
    )


def record_outcome(outcome, action: str, source, document_id) -> ImportEvent:
    """Add a stored document's outcome (``services.ImportOutcome``) to the history; an update
    says what it changed."""
    message, entries = outcome.message, []
    if outcome.status == ImportEvent.Outcome.UPDATED and outcome.changes is not None:
        message += f": {change_summary(outcome.changes)}"
        entries = outcome.changes.entries()
    return record_event(
        action=action,
        outcome=outcome.status,
        file_name=source.file_name,
        message=message,
        meeting_id=outcome.meeting.pk,
        document_id=document_id,
        by=source.imported_by,
        by_name=source.imported_by_name,
        changes=entries,
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
