"""Minutes uploaded in the admin, held until a person has seen what they hold and confirmed.

An uploaded file is read and parsed as soon as it arrives. One that cannot be imported is
recorded at once as a failed ``SourceDocument`` with its reason and original bytes, as every
import path records it. One that can is kept as a ``SourceDocument`` with status "pending", so
nothing is lost if the person walks away from the preview; it is linked to no meeting and is
never taken for an imported file.

Confirming imports the pending original through ``services.import_document``, the path the
``import_minutes`` command takes, in one transaction with removing the pending row: the import
keeps its own record of the file (imported or failed), and a file that changes nothing is
already stored. Cancelling marks the pending row "cancelled" and keeps its original.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from ingest import converters, diff, reading, services
from ingest.history import record_event
from ingest.parsers import ParsedItem, ParsedMeeting
from ingest.topics import TopicTerm, preview_topics
from meetings.models import (
    AgendaItem,
    Attendee,
    ImportEvent,
    Resolution,
    Shape,
    SourceDocument,
)

logger = logging.getLogger(__name__)

IMPORT_PERMISSION = "meetings.import_minutes"

# Characters of an item's text shown on the preview.
PREVIEW_TEXT_LIMIT = 5000

KIND_LABELS = {
    converters.TEXT: "Plain text",
    converters.HTML: "Saved web page",
    converters.DOCX: "Word document",
    converters.PDF: "PDF",
}


def can_import(user) -> bool:
    """Whether ``user`` may upload, import and re-import minutes."""
    return (
        user is not None and user.is_active and user.is_staff and user.has_perm(IMPORT_PERMISSION)
    )


def uploader_name(user) -> str:
    return f"admin upload ({user.get_username()})"


# Receiving


def receive(uploaded, user) -> SourceDocument:
    """Hold one uploaded file for confirmation, or record why it cannot be imported.

    ``uploaded`` is a Django ``UploadedFile``. A file over the size limit is refused from its
    stated size, before it is read into memory; its record keeps the reason but not the bytes.
    """
    name = uploaded.name or "unnamed file"
    fields = {"file_name": name, "imported_by": user, "imported_by_name": uploader_name(user)}
    if uploaded.size > settings.MINUTES_MAX_BYTES:
        reason = f"{reading.too_large(uploaded.size)} (too large to keep a copy)"
        return _refuse(fields, reason, sha256="")
    data = b"".join(uploaded.chunks())
    fields.update(sha256=services.SourceFile(name, data).sha256, original_bytes=data)
    try:
        read = reading.read_document(data, name)
        fields.update(original_text=read.text, encoding=read.encoding)
        parsed = reading.parse_document(read)
    except reading.RejectedDocument as exc:
        reason = str(exc)
    except Exception as exc:
        # A fault in a converter or the parser must not stop the other files of an upload.
        logger.exception("Reading the upload %s failed", name)
        reason = f"unexpected error: {exc}"
    else:
        return SourceDocument.objects.create(
            **fields, shape=parsed.shape, status=SourceDocument.Status.PENDING
        )
    return _refuse(fields, reason)


@transaction.atomic
def _refuse(fields: dict, reason: str, **extra) -> SourceDocument:
    """Record an upload that cannot be imported, in the source documents and the history."""
    document = SourceDocument.objects.create(
        **fields, **extra, status=SourceDocument.Status.FAILED, error=reason
    )
    record_event(
        action=ImportEvent.Action.UPLOAD,
        outcome=services.FAILED,
        file_name=document.file_name,
        message=reason,
        document=document,
        by=document.imported_by,
        by_name=document.imported_by_name,
    )
    return document


def pending_for(user):
    """The uploads ``user`` has not yet confirmed or cancelled, oldest first."""
    return (
        SourceDocument.objects.filter(status=SourceDocument.Status.PENDING, imported_by=user)
        .defer("original_text", "original_bytes")
        .order_by("pk")
    )


# Previewing


@dataclass
class FoundTopic:
    name: str
    in_title: bool
    new: bool  # would be created by the import


@dataclass
class ItemPreview:
    """One item as it would be stored; text withheld when the reader may not see it."""

    position: int
    number: str
    number_printed: str
    title: str
    restricted: bool
    status: str
    withheld: bool = False
    agenda_text: str = ""
    minutes_text: str = ""
    decisions: list[tuple[str, str]] = field(default_factory=list)  # (kind label, text)
    attachments: list[str] = field(default_factory=list)
    topics: list[FoundTopic] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return AgendaItem.Status(self.status).label if self.status else ""


@dataclass
class Preview:
    """What importing one held upload would store, and change, for a person to check."""

    document: SourceDocument
    kind: str = ""
    parsed: ParsedMeeting | None = None
    outcome: services.ImportOutcome | None = None
    changes: diff.MeetingChanges | None = None
    # "Item 6 title: 'Community Safety Action Plan' → 'Community Safety Plan'", one per change.
    change_lines: list[str] = field(default_factory=list)
    items: list[ItemPreview] = field(default_factory=list)
    attendance: list[tuple[str, list[str]]] = field(default_factory=list)
    new_topics: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def shape_label(self) -> str:
        return Shape(self.parsed.shape).label if self.parsed else ""

    @property
    def topic_names(self) -> list[str]:
        """Every topic found in the items, once each, as shown."""
        names = {topic.name for item in self.items for topic in item.topics}
        return sorted(names, key=str.casefold)

    @property
    def asks_date(self) -> bool:
        """The document states no date, and the archive has none for its meeting either."""
        return self.outcome is not None and self.outcome.date is None

    @property
    def asks_body(self) -> bool:
        """The document names no body, and the archive has none for its meeting either."""
        return self.outcome is not None and not self.outcome.body

    @property
    def meeting(self):
        return self.outcome.meeting if self.outcome else None


def preview(
    document: SourceDocument,
    terms: list[TopicTerm],
    *,
    show_restricted: bool,
    body: str | None = None,
    meeting_date: datetime.date | None = None,
) -> Preview:
    """Read a held upload again and say what importing it would do, writing nothing.

    Unless ``show_restricted``, restricted items carry no text, no decisions and only the topics
    named in their title, as on the public site.
    """
    result = Preview(document)
    data = bytes(document.original_bytes)
    try:
        read = reading.read_document(data, document.file_name)
        parsed = reading.parse_document(read)
    except reading.RejectedDocument as exc:
        result.error = str(exc)
        return result
    source = services.SourceFile(document.file_name, data, text=read.text, encoding=read.encoding)
    outcome = services.preview_document(parsed, source, body=body, meeting_date=meeting_date)
    result.kind, result.parsed, result.outcome = read.kind, parsed, outcome
    if outcome.status == services.UPDATED:
        # As the import works them out, corrections made by hand and all.
        result.changes = outcome.changes
        if outcome.changes is not None:
            result.change_lines = diff.change_lines(
                outcome.changes.entries(), show_restricted=show_restricted
            )
    found, result.new_topics = _found_topics(parsed, terms, show_restricted)
    result.items = [
        _item_preview(position, item, topics, show_restricted)
        for (position, item), topics in zip(enumerate(parsed.items, start=1), found, strict=True)
    ]
    result.attendance = _attendance(parsed)
    return result


def _found_topics(
    parsed: ParsedMeeting, terms: list[TopicTerm], show_restricted: bool
) -> tuple[list[list[FoundTopic]], list[str]]:
    """Each item's topics, as the import tags them (``topics.preview_topics``), and the names
    of the topics it would create."""
    item_matches, new_terms = preview_topics(parsed.items, terms)
    names = {term.key: term.name for term in [*terms, *new_terms]}
    found, shown_new = [], set()
    for item, matches in zip(parsed.items, item_matches, strict=True):
        if item.restricted and not show_restricted:
            matches = {key: in_title for key, in_title in matches.items() if in_title}
        topics = sorted(
            (
                FoundTopic(names[key], in_title, isinstance(key, tuple))
                for key, in_title in matches.items()
            ),
            key=lambda topic: topic.name.casefold(),
        )
        shown_new.update(topic.name for topic in topics if topic.new)
        found.append(topics)
    new_names = [term.name for term in new_terms if term.name in shown_new]
    return found, new_names


def _item_preview(position, item: ParsedItem, topics, show_restricted: bool) -> ItemPreview:
    result = ItemPreview(
        position=position,
        number=item.number,
        number_printed=item.number_printed,
        title=item.title,
        restricted=item.restricted,
        status=item.status,
        attachments=list(item.attachments),
        topics=topics,
    )
    if item.restricted and not show_restricted:
        result.withheld = True
        return result
    result.agenda_text = _shortened(item.agenda_text)
    result.minutes_text = _shortened(item.minutes_text)
    result.decisions = [
        (_resolution_label(resolution.kind), resolution.text) for resolution in item.resolutions
    ]
    return result


def _shortened(text: str) -> str:
    # The preview is for checking what was read; the whole text is imported.
    if len(text) <= PREVIEW_TEXT_LIMIT:
        return text
    rest = len(text) - PREVIEW_TEXT_LIMIT
    return f"{text[:PREVIEW_TEXT_LIMIT].rstrip()} … ({rest:,} more characters)"


def _resolution_label(kind: str) -> str:
    try:
        return Resolution.Kind(kind).label
    except ValueError:
        return kind


def _attendance(parsed: ParsedMeeting) -> list[tuple[str, list[str]]]:
    groups: dict[str, list[str]] = {}
    for person in parsed.attendees:
        groups.setdefault(person.attendance, []).append(person.printed or person.name)
    return [
        (label, groups[value]) for value, label in Attendee.Attendance.choices if value in groups
    ]


# Confirming and cancelling


def confirm(
    document_id: int, user, *, body: str | None = None, meeting_date: datetime.date | None = None
) -> services.ImportOutcome | None:
    """Import a held upload of ``user``'s; None when it is no longer waiting.

    One transaction: the import (created, updated, unchanged or failed) and the removal of the
    pending row stand or fall together, so a second click imports nothing twice.
    """
    with transaction.atomic():
        document = (
            SourceDocument.objects.select_for_update()
            .filter(pk=document_id, status=SourceDocument.Status.PENDING, imported_by=user)
            .first()
        )
        if document is None:
            return None
        outcome = services.import_document(
            bytes(document.original_bytes),
            document.file_name,
            body=body or None,
            meeting_date=meeting_date,
            imported_by=user,
            imported_by_name=uploader_name(user),
            action=ImportEvent.Action.UPLOAD,
        )
        document.delete()
    return outcome


def cancel(document_ids, user) -> int:
    """Mark ``user``'s held uploads among ``document_ids`` cancelled; their originals are kept."""
    return SourceDocument.objects.filter(
        pk__in=document_ids, status=SourceDocument.Status.PENDING, imported_by=user
    ).update(status=SourceDocument.Status.CANCELLED)
