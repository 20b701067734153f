"""What the archive stores: meetings, who attended, agenda items, decisions, topics and sources.

Values printed in the minutes are kept as printed (``number_printed``, ``Attendee.printed``) beside
what is derived from them (``number``, ``position``, ``Attendee.name``), so a parsing mistake can
always be seen and corrected against the source.
"""

import datetime
import secrets
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Case, F, FloatField, Q, Value, When
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from . import constants, review
from .search.backends import backend_for
from .search.query import parsed as parsed_query
from .search.query import search_extra_text

VIEW_RESTRICTED = "meetings.view_restricted"


def can_view_restricted(user) -> bool:
    """Whether ``user`` may read the text and decisions of restricted agenda items."""
    return user is not None and user.has_perm(VIEW_RESTRICTED)


class Shape(models.TextChoices):
    PIPE_TABLE = constants.SHAPE_PIPE_TABLE, "Pipe table export"
    MODERNGOV = constants.SHAPE_MODERNGOV, "ModernGov agenda and minutes"
    MODERNGOV_UNNUMBERED = constants.SHAPE_MODERNGOV_UNNUMBERED, "ModernGov, unnumbered items"
    FORMAL = constants.SHAPE_FORMAL, "Formal minutes"
    NUMBERED = constants.SHAPE_NUMBERED, "Numbered minutes"
    EGENDA = constants.SHAPE_EGENDA, "Egenda decision record"
    UNKNOWN = constants.SHAPE_UNKNOWN, "Unknown layout"


class MeetingQuerySet(models.QuerySet):
    def newest_first(self):
        """Dated meetings from the newest, then meetings whose date is unknown."""
        return self.order_by(F("date").desc(nulls_last=True), "body", "pk")

    def oldest_first(self):
        """Dated meetings from the oldest, then meetings whose date is unknown."""
        return self.order_by(F("date").asc(nulls_last=True), "body", "pk")

    def in_year(self, year: int):
        """Meetings held in ``year``."""
        return self.filter(date__year=year)

    def undated(self):
        """Meetings whose date is not known yet."""
        return self.filter(date__isnull=True)

    def needing_review(self):
        """Meetings flagged for review, for any of the reasons in ``meetings.review``."""
        return self.filter(needs_review=True)

    def with_source_name(self):
        """Join the current source document without loading its (large) original text."""
        return self.select_related("source").defer(
            "source__original_text", "source__original_bytes", "source__error"
        )


class Meeting(models.Model):
    class DateSource(models.TextChoices):
        UNKNOWN = "unknown", "Unknown"
        DOCUMENT = "document", "Stated in the document"
        OPTION = "option", "Given when importing"
        ADMIN = "admin", "Set by an administrator"

    body = models.CharField(
        max_length=300, blank=True, help_text='The committee, e.g. "Safer Stockton Partnership".'
    )
    date = models.DateField(null=True, blank=True)
    date_source = models.CharField(
        max_length=10,
        choices=DateSource.choices,
        default=DateSource.UNKNOWN,
        help_text="A date set by an administrator is kept when the minutes are imported again.",
    )
    start_time = models.TimeField(null=True, blank=True)
    venue = models.CharField(max_length=1000, blank=True)
    contact = models.CharField(max_length=1000, blank=True)
    previous_meeting = models.DateField(
        null=True, blank=True, help_text="Date of the meeting whose minutes this one approved."
    )
    next_meeting = models.DateField(null=True, blank=True)
    header_text = models.TextField(
        blank=True, help_text="Everything printed before the first item, as printed."
    )
    warnings = models.JSONField(default=list, blank=True, help_text="Problems met when parsing.")
    reading_notes = models.JSONField(
        default=list,
        blank=True,
        help_text="How the document was read: the layout found and what was inferred.",
    )
    needs_review = models.BooleanField(default=False, editable=False)
    source = models.ForeignKey(
        "SourceDocument",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The document the stored minutes currently come from.",
    )
    # The original may hold text the reading missed (a restricted item read as open), so it is
    # offered to everyone only once someone who may read restricted items has checked it; the
    # admin's history of the meeting says who and when.
    original_checked_for_publication = models.BooleanField(
        default=False,
        help_text="The original file has been read and holds nothing that may not be public: "
        "anyone may download it from the meeting's page. Cleared when a re-import brings a file "
        "with other content.",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = [F("date").desc(nulls_last=True), "body", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "date"],
                condition=Q(date__isnull=False),
                name="meeting_unique_body_date",
                violation_error_message="There is already a meeting of this body on this date.",
            ),
            models.CheckConstraint(
                condition=Q(date__isnull=True, date_source="unknown")
                | (Q(date__isnull=False) & ~Q(date_source="unknown")),
                name="meeting_date_source_matches_date",
            ),
            models.CheckConstraint(
                condition=Q(date_source__in=["unknown", "document", "option", "admin"]),
                name="meeting_date_source_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["date"], name="meeting_date_idx"),
            models.Index(fields=["needs_review"], name="meeting_needs_review_idx"),
        ]

    def __str__(self):
        return f"{self.body or 'Unknown body'}, {self.date_label}"

    def save(self, *args, **kwargs):
        self.set_needs_review()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "needs_review"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("meetings:meeting_detail", args=[self.pk])

    def set_needs_review(self) -> None:
        """Flag a meeting for any of the reasons in ``meetings.review`` (``save`` does this)."""
        self.needs_review = review.needs_review(review.meeting_facts(self))

    def review_reasons(self) -> list[str]:
        """Why the meeting needs review, as shown to administrators; one query."""
        return [reason.label for reason in review.meeting_reasons(self)]

    @property
    def date_label(self) -> str:
        return date_format(self.date, "j F Y") if self.date else "date unknown"


class Attendee(models.Model):
    class Attendance(models.TextChoices):
        PRESENT = constants.PRESENT, "Present"
        OFFICER = constants.OFFICER, "Officers"
        IN_ATTENDANCE = constants.IN_ATTENDANCE, "Also in attendance"
        APOLOGIES = constants.APOLOGIES, "Apologies"

    # Indexed by ``attendee_unique_order``, which starts with it. Here and below, a foreign
    # key with ``db_index=False`` is indexed by the index named beside it: an index of the
    # column alone as well would only cost writes (migration 0030).
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendees", db_index=False
    )
    order = models.PositiveIntegerField()
    name = models.CharField(max_length=200, help_text="Without title or honours.")
    printed = models.CharField(max_length=1000, blank=True, help_text="The entry as printed.")
    title = models.CharField(max_length=50, blank=True, help_text='e.g. "Cllr"')
    honours = models.CharField(max_length=100, blank=True, help_text='e.g. "O.B.E."')
    role = models.CharField(max_length=100, blank=True, help_text='e.g. "Chair"')
    organisation = models.CharField(max_length=200, blank=True)
    attendance = models.CharField(max_length=20, choices=Attendance.choices)
    # People: the person this entry names (see the "People" block at the end of this module).
    person = models.ForeignKey(
        "Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attendances",
        help_text="The same person under every title and spacing of the name.",
    )

    class Meta:
        ordering = ["meeting", "order"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "order"], name="attendee_unique_order"),
            models.CheckConstraint(
                condition=Q(attendance__in=[
                    constants.PRESENT, constants.OFFICER, constants.IN_ATTENDANCE,
                    constants.APOLOGIES,
                ]),
                name="attendee_attendance_valid",
            ),
        ]  # fmt: skip

    def __str__(self):
        return self.printed or self.name


def _unless_restricted(field):
    return Case(
        When(restricted=True, then=Value("")),
        default=F(field),
        output_field=models.TextField(),
    )


class AgendaItemQuerySet(models.QuerySet):
    def in_order(self):
        """Items in the order printed in the minutes."""
        return self.order_by("meeting", "position")

    def visible_to(self, user):
        """Every item, with the text of restricted items withheld from ``user`` unless allowed.

        Items are never hidden: the number and title of a restricted item are public.
        See ``with_restricted_text``.
        """
        return self.with_restricted_text(can_view_restricted(user))

    def with_restricted_text(self, include: bool):
        """Annotate ``withheld``, ``agenda_text_shown`` and ``minutes_text_shown``.

        Unless ``include``, a restricted item's agenda and minutes text is replaced by "" in the
        database query itself and the stored text is not loaded, so it cannot leak into a page.
        Read the ``*_shown`` values, never ``agenda_text`` / ``minutes_text``, from these items.
        """
        if include:
            return self.annotate(
                withheld=Value(False),
                agenda_text_shown=F("agenda_text"),
                minutes_text_shown=F("minutes_text"),
            )
        return self.annotate(
            withheld=F("restricted"),
            agenda_text_shown=_unless_restricted("agenda_text"),
            minutes_text_shown=_unless_restricted("minutes_text"),
        ).defer("agenda_text", "minutes_text")

    # Search: the full-text indexes are described in meetings/search/. ----------------------

    def search(self, query, *, include_restricted: bool = False):
        """Items matching ``query`` (web search syntax), with the alias ``search_rank``.

        Unless ``include_restricted``, a restricted item matches on its number and title only,
        never on its text, decisions or topics. ``query`` is a string or a ``ParsedQuery``.
        Order by ``-search_rank`` for the best matches first.
        """
        parsed = parsed_query(query)
        if parsed.is_empty:
            return self.none().alias(search_rank=Value(0.0, output_field=FloatField()))
        backend = backend_for(connections[self.db])
        return backend.search(self, parsed, include_restricted=include_restricted)

    def with_search_snippets(self, query, *, include_restricted: bool = False):
        """Annotate ``search_snippet``: text around the matched words, marked (not escaped).

        Meant for the few items of one page (costly); ``search.results.snippet_html`` turns
        it into safe HTML. A restricted item's snippet comes from its title unless
        ``include_restricted``.
        """
        parsed = parsed_query(query)
        if parsed.is_empty:
            return self.none()
        backend = backend_for(connections[self.db])
        return backend.with_snippets(self, parsed, include_restricted=include_restricted)

    def refresh_search_text(self) -> int:
        """Copy the items' topic names and decisions into ``search_extra`` for the index.

        Triggers keep the copy as decisions, topic links and topic names change
        (``meetings.search.extra``), and the import works it out for new items beforehand,
        with the same text (``search.search_extra_text``), so that each is written once. This
        recomputes it for the repair of data stored otherwise (``rebuild_search_index``).
        Returns the number of items changed.
        """
        return refresh_search_extra(self.values_list("pk", flat=True), using=self.db)

    # End of search ---------------------------------------------------------------------------


class AgendaItem(models.Model):
    class Status(models.TextChoices):
        HEARD = constants.HEARD, "Heard"
        DEFERRED = constants.DEFERRED, "Deferred"
        NOT_HEARD = constants.NOT_HEARD, "Not heard"
        NO_MINUTES = constants.NO_MINUTES, "No minutes recorded"

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="items", db_index=False
    )  # by ``item_unique_position``
    position = models.PositiveIntegerField(help_text="1 for the first item in the minutes.")
    number = models.CharField(
        max_length=100, blank=True, help_text='Normalised, e.g. "SSP/47/24"; blank when none.'
    )
    number_printed = models.CharField(max_length=100, blank=True, help_text='e.g. "SSP/4724"')
    title = models.CharField(max_length=1000, blank=True)
    agenda_text = models.TextField(blank=True)
    minutes_text = models.TextField(blank=True)
    restricted = models.BooleanField(default=False)
    restricted_reason = models.CharField(max_length=1000, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.HEARD)
    attachments = models.JSONField(default=list, blank=True, help_text='e.g. ["PDF 282 KB"]')
    topics = models.ManyToManyField("Topic", through="ItemTopic", related_name="items", blank=True)
    # Search: the item's topic names and decision texts, copied here so that the full-text index
    # (see meetings/search/) can be built from this row alone. Kept by triggers
    # (meetings/search/extra.py).
    search_extra = models.TextField(
        blank=True, default="", editable=False, help_text="Topic names and decisions, for search."
    )
    # When the item was first stored: a re-import that keeps the item keeps its time, so alerts
    # (meetings/alerts.py) tell of an item once, when it is new to the archive.
    created = models.DateTimeField(
        default=timezone.now, editable=False, help_text="When the item was first stored."
    )

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "position"]
        permissions = [("view_restricted", "Can view restricted items")]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="item_unique_position"),
            models.CheckConstraint(condition=Q(position__gte=1), name="item_position_positive"),
            models.CheckConstraint(
                condition=Q(status__in=[
                    constants.HEARD, constants.DEFERRED, constants.NOT_HEARD, constants.NO_MINUTES
                ]),
                name="item_status_valid",
            ),
        ]  # fmt: skip
        indexes = [
            models.Index(fields=["number"], name="item_number_idx"),
            models.Index(fields=["created"], name="item_created_idx"),
        ]

    def __str__(self):
        # The admin's name for the record: the number as printed in the minutes.
        label = " ".join(part for part in (self.number_printed, self.title) if part)
        return label or f"Item {self.position}"

    def save(self, *args, **kwargs):
        adding = self._state.adding
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if not adding and (update_fields is None or {"meeting", "meeting_id"} & set(update_fields)):
            # Its follow-ups keep its meeting (``FollowUp.meeting``): an item moved to another
            # meeting in the admin takes them along.
            FollowUp.objects.filter(item=self).exclude(meeting_id=self.meeting_id).update(
                meeting_id=self.meeting_id
            )

    @property
    def shown_number(self) -> str:
        """The item's number on the site: the normalised one, else as printed ("" if none)."""
        return self.number or self.number_printed

    @property
    def label(self) -> str:
        """The item as pages, feeds and headings name it: "SSP/47/24 Community Safety Plan"."""
        title = self.title or "Item without a title"
        return f"{self.shown_number} {title}" if self.shown_number else title


class ResolutionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Decisions ``user`` may read: those of restricted items only with the permission."""
        return self.with_restricted(can_view_restricted(user))

    def with_restricted(self, include: bool):
        """All decisions, or (unless ``include``) only those of items that are not restricted."""
        return self if include else self.filter(item__restricted=False)


class Resolution(models.Model):
    class Kind(models.TextChoices):
        NOTED = constants.NOTED, "Noted"
        APPROVED = constants.APPROVED, "Approved"
        ACTION = constants.AGREED_ACTION, "Agreed action"
        DEFERRED = constants.DEFERRAL, "Deferred"
        OTHER = constants.OTHER, "Other"

    item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="resolutions", db_index=False
    )  # by ``resolution_unique_order``
    order = models.PositiveIntegerField()
    text = models.TextField()
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)

    objects = ResolutionQuerySet.as_manager()

    class Meta:
        ordering = ["item", "order"]
        constraints = [
            models.UniqueConstraint(fields=["item", "order"], name="resolution_unique_order"),
            models.CheckConstraint(
                condition=Q(kind__in=[
                    constants.NOTED, constants.APPROVED, constants.AGREED_ACTION,
                    constants.DEFERRAL, constants.OTHER,
                ]),
                name="resolution_kind_valid",
            ),
        ]  # fmt: skip

    def __str__(self):
        return self.text[:80]


class TopicQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Topics ``user`` may see named; see ``with_restricted``."""
        return self.with_restricted(can_view_restricted(user))

    def with_restricted(self, include: bool):
        """All topics, or (unless ``include``) only those tagging an item by a visible link.

        A topic whose only links are found in restricted items' text may be named in that text
        alone; one with no links at all is left out too, so that adding a topic and seeing it
        disappear or stay tells nothing about restricted text.
        """
        if include:
            return self
        links = ItemTopic.objects.with_restricted(False).filter(topic=models.OuterRef("pk"))
        return self.filter(models.Exists(links))


class Topic(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    aliases = models.JSONField(
        default=list, blank=True, help_text='Other names that tag an item, e.g. ["Op Harmony"].'
    )
    description = models.TextField(blank=True)
    case_sensitive = models.BooleanField(
        default=False,
        help_text='Match only in this exact case ("Prevent" the programme, not "prevent").',
    )
    created_automatically = models.BooleanField(
        default=False, help_text="Created on import from a name found in the minutes."
    )

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="topic_unique_name",
                violation_error_message="There is already a topic with this name.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_names(self) -> list[str]:
        return [self.name, *self.aliases]


def visible_links(path: str = "") -> Q:
    """The topic links anyone may see: those of open items, and those of restricted items whose
    topic is named in the title. ``path`` leads from another model to ``ItemTopic``, e.g.
    "item_topics__" from ``Topic``."""
    return Q(**{f"{path}in_title": True}) | Q(**{f"{path}item__restricted": False})


def link_visible(in_title: bool, restricted: bool) -> bool:
    """``visible_links`` for a link already read, with whether its item is restricted."""
    return in_title or not restricted


class ItemTopicQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Topic links ``user`` may see; see ``with_restricted``."""
        return self.with_restricted(can_view_restricted(user))

    def with_restricted(self, include: bool):
        """All links, or (unless ``include``) for restricted items only topics in the title.

        A topic found only in a restricted item's text would disclose that text.
        """
        return self if include else self.filter(visible_links())


class ItemTopic(models.Model):
    item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="item_topics", db_index=False
    )  # by ``itemtopic_unique_pair``
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="item_topics")
    in_title = models.BooleanField(
        default=False, help_text="The topic is named in the item's title, not only in its text."
    )

    objects = ItemTopicQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "topic"], name="itemtopic_unique_pair"),
        ]

    def __str__(self):
        return f"{self.item} – {self.topic}"


class SourceDocument(models.Model):
    """A file offered for import, kept whatever became of it."""

    class Status(models.TextChoices):
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Failed"
        # Uploaded in the admin and waiting for the preview to be confirmed or cancelled.
        PENDING = "pending", "Awaiting confirmation"
        CANCELLED = "cancelled", "Cancelled"

    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the bytes as received.")
    original_text = models.TextField(
        blank=True, help_text="The text as received, decoded; empty when it could not be decoded."
    )
    original_bytes = models.BinaryField(help_text="The file exactly as received.")
    encoding = models.CharField(max_length=20, blank=True)
    shape = models.CharField(max_length=30, choices=Shape.choices, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    error = models.TextField(blank=True)
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="source_documents",
    )
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    imported_by_name = models.CharField(
        max_length=150, blank=True, help_text="Who or what ran the import, e.g. a command."
    )
    body_given = models.CharField(
        max_length=300,
        blank=True,
        help_text="The body given with the import (--body, or on the upload's preview); "
        "given again when the file is re-imported.",
    )

    class Meta:
        ordering = ["-imported_at", "-pk"]
        permissions = [("import_minutes", "Can import and re-import minutes")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["imported", "failed", "pending", "cancelled"]),
                name="source_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""), name="source_failed_has_error"
            ),
        ]
        indexes = [
            models.Index(fields=["sha256"], name="source_sha256_idx"),
            models.Index(fields=["file_name", "-imported_at"], name="source_file_name_idx"),
        ]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display().lower()})"


# People ------------------------------------------------------------------------------------
# Everyone named in the attendance lists. An attendee's printed entry stays on ``Attendee``;
# ``Person`` groups the entries that name the same person ("Cllr Steve Nelson (Chair)" and
# "Steve Nelson"), matched on ``person_key`` of the name without title or honours.

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014", "-"))


def person_name(name: str) -> str:
    """An attendee's name as shown for the person: spacing tidied, otherwise as printed."""
    return " ".join(name.split())


def person_key(name: str) -> str:
    """What two names must share to be the same person: case, spacing and quote marks aside.

    ``name`` is an attendee's name, already without title or honours.
    """
    return person_name(name).translate(_APOSTROPHES).translate(_DASHES).casefold()


def person_sort_name(name: str) -> str:
    """The key people are listed by: surname (the last word of the name), then the rest."""
    words = person_key(name).split(" ")
    return " ".join([words[-1], *words[:-1]])


class PersonQuerySet(models.QuerySet):
    def alphabetical(self):
        """By surname, then forenames."""
        return self.order_by("sort_name", "name", "pk")

    def with_attendance_counts(self):
        """Annotate ``meeting_count``, ``attended_count`` and ``apologies_count``.

        A person sending apologies to a meeting is named in its minutes but did not attend it.
        """
        apologies = Q(attendances__attendance=Attendee.Attendance.APOLOGIES)
        return self.annotate(
            meeting_count=models.Count("attendances__meeting", distinct=True),
            attended_count=models.Count("attendances__meeting", filter=~apologies, distinct=True),
            apologies_count=models.Count("attendances__meeting", filter=apologies, distinct=True),
        )

    def listed(self):
        """People named in at least one stored meeting's minutes.

        A corrected re-import can leave a person with no attendances; they are not shown.
        """
        return self.filter(attendances__isnull=False).distinct()


class Person(models.Model):
    name = models.CharField(max_length=200, help_text="As first printed, without title or honours.")
    slug = models.SlugField(max_length=200, unique=True)
    key = models.CharField(
        max_length=200, editable=False, help_text="The name in lower case with single spaces."
    )
    sort_name = models.CharField(max_length=200, editable=False)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "people"
        ordering = ["sort_name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["key"], name="person_unique_key"),
            models.CheckConstraint(condition=~Q(key=""), name="person_key_not_empty"),
        ]
        indexes = [models.Index(fields=["sort_name", "name"], name="person_sort_name_idx")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = person_name(self.name)
        self.key = person_key(self.name)
        self.sort_name = person_sort_name(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "key", "sort_name"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("meetings:person_detail", args=[self.slug])


# End of the People block --------------------------------------------------------------------


# Search ------------------------------------------------------------------------------------
# The SQLite full-text index, reached from ``AgendaItem`` as ``search_entry``. Its table and the
# triggers that fill it are made by migration 0003 on SQLite only; PostgreSQL keeps its index in
# columns of the item table instead. See meetings/search/backends/sqlite.py.


class FullTextMatch(models.Lookup):
    """``document__match="..."``: SQLite's ``MATCH`` operator on an FTS5 table."""

    lookup_name = "match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


class FullTextDocumentField(models.TextField):
    """The hidden column named after an FTS5 table, for ``MATCH``, ``bm25()`` and ``snippet()``."""


FullTextDocumentField.register_lookup(FullTextMatch)


class _NoRows(models.Manager):
    # The index is reached through joins from AgendaItem only; dumpdata and the like see no
    # rows (and no table to read on PostgreSQL, which has none).
    def get_queryset(self):
        return super().get_queryset().none()


class ItemSearchEntry(models.Model):
    """One agenda item's row in the SQLite full-text index (FTS5); never loaded as an object."""

    item = models.OneToOneField(
        AgendaItem,
        primary_key=True,
        db_column="rowid",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="search_entry",
    )
    document = FullTextDocumentField(db_column="meetings_agendaitem_fts")

    objects = _NoRows()

    class Meta:
        managed = False
        db_table = "meetings_agendaitem_fts"

    def __str__(self):
        return f"Search index entry of item {self.item_id}"


# End of the Search block --------------------------------------------------------------------


# Overrides and import history --------------------------------------------------------------
# Corrections made by hand in the admin, put back every time a meeting's minutes are imported
# again (see ingest/overrides.py), and the record of every import attempt.


class Override(models.Model):
    """A value corrected by hand in the admin, kept when the meeting's minutes are imported again.

    It belongs to a meeting (its date or body) or to an agenda item (its title, restricted
    flag or topic links). An import matches the items of the minutes to the stored items (see
    ``ingest/matching.py``), so an item's override follows its item. When an import cannot find
    the item again, its override is kept on the meeting, ``unmatched``, until an administrator
    places it on an item or drops it. So is a follow-up of that item whose status or returned
    item was set by hand (``follow_up``), and a follow-up's return confirmed by hand at that item
    (``follow_up_return``): these are only ever unmatched, as the follow-up itself keeps what is
    set by hand while its items are there.
    """

    class Field(models.TextChoices):
        DATE = "date", "date"
        BODY = "body", "body"
        TITLE = "title", "title"
        RESTRICTED = "restricted", "restricted"
        TOPICS = "topics", "topics"
        FOLLOW_UP = "follow_up", "follow-up"
        FOLLOW_UP_RETURN = "follow_up_return", "confirmed return"

    MEETING_FIELDS = (Field.DATE, Field.BODY)
    # An item's fields edited on its form; its topic links are edited in their own inline.
    ITEM_FIELDS = (Field.TITLE, Field.RESTRICTED)

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="overrides"
    )
    item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, null=True, blank=True, related_name="overrides"
    )
    field = models.CharField(max_length=20, choices=Field.choices)
    value = models.JSONField(
        null=True, blank=True, help_text="The value set by hand; a date as YYYY-MM-DD."
    )
    imported = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text='What the latest import gave, as {"value": ...}; put back when the override '
        "is dropped. Empty when not known.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    unmatched = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text="For an item's override whose item an import could not find again: the item "
        'as it was, {"position", "number", "title"}, and for a restriction the items held '
        'restricted until it is placed, {"held": {item id: what the minutes say}}.',
    )

    class Meta:
        ordering = ["meeting", "item", "field"]
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting__isnull=False, item__isnull=True)
                | Q(meeting__isnull=True, item__isnull=False),
                name="override_one_target",
            ),
            models.CheckConstraint(
                condition=Q(
                    meeting__isnull=True,
                    unmatched__isnull=True,
                    field__in=["title", "restricted", "topics"],
                )
                | Q(item__isnull=True, unmatched__isnull=True, field__in=["date", "body"])
                | Q(
                    item__isnull=True,
                    unmatched__isnull=False,
                    field__in=["title", "restricted", "topics", "follow_up", "follow_up_return"],
                ),
                name="override_field_fits_target",
            ),
            models.UniqueConstraint(
                fields=["meeting", "field"],
                condition=Q(meeting__isnull=False, unmatched__isnull=True),
                name="override_unique_meeting_field",
            ),
            models.UniqueConstraint(
                fields=["item", "field"],
                condition=Q(item__isnull=False),
                name="override_unique_item_field",
            ),
        ]

    def __str__(self):
        return f"{self.get_field_display()}: {self.value_label}"

    @property
    def value_label(self) -> str:
        return override_value_label(self.field, self.value)

    @property
    def set_by(self) -> str:
        return str(self.created_by or self.created_by_name or "an administrator")


def override_value_label(field: str, value) -> str:
    """An override's value (or the value it replaced) as a person reads it."""
    if field == Override.Field.DATE:
        return date_format(datetime.date.fromisoformat(value), "j F Y") if value else "date unknown"
    if field == Override.Field.RESTRICTED:
        return "restricted" if value else "not restricted"
    if field == Override.Field.TOPICS:
        # Counts only: a topic linked to a restricted item may be named only in its text.
        added, removed = len((value or {}).get("added", {})), len((value or {}).get("removed", []))
        parts = [f"{added} link{'s' * (added != 1)} added"] if added else []
        parts += [f"{removed} link{'s' * (removed != 1)} removed"] if removed else []
        return ", ".join(parts) or "none"
    if field == Override.Field.FOLLOW_UP:
        return follow_up_label(value or {})
    if field == Override.Field.FOLLOW_UP_RETURN:
        return follow_up_return_label(value or {})
    return value or "(blank)"


def _status_label(value: dict) -> str:
    """The status a follow-up's override keeps, as the follow-up pages name it."""
    return dict(FollowUp.Status.choices).get(value.get("status"), "Status unknown")


def follow_up_label(value: dict) -> str:
    """A follow-up kept by an override, without its wording: "Closed by hand (agreed action)".

    What is to come back, who brings it and the note may quote restricted minutes: they are
    never named. The kind of a restricted item's follow-up is read from them too: only the
    status, set by hand, is named for one.
    """
    status = _status_label(value)
    if value.get("restricted"):
        return f"{status} (from a restricted item)"
    kind = dict(FollowUp.Kind.choices).get(value.get("kind"))
    return f"{status} ({kind.lower()})" if kind else status


def follow_up_return_label(value: dict) -> str:
    """A return confirmed by hand, kept by an override, without the follow-up's wording:
    "Returned (a follow-up raised at Safer Stockton Partnership, 22 January 2025, item 2)".

    The follow-up is named by its meeting and its item's position, both shown to everyone, as
    its wording may quote restricted minutes; both are kept in the override, so that a list of
    overrides makes no query for each.
    """
    status = _status_label(value)
    raised = value.get("raised_at_label") or "an earlier meeting"
    position = value.get("position")
    where = f"{raised}, item {position}" if position else raised
    restricted = ", of a restricted item" if value.get("restricted") else ""
    return f"{status} (a follow-up raised at {where}{restricted})"


class ImportEvent(models.Model):
    """One attempt to import a minutes file, whatever became of it."""

    class Action(models.TextChoices):
        IMPORT = "import", "Import"
        UPLOAD = "upload", "Upload"
        REIMPORT = "reimport", "Re-import"

    class Outcome(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"
        UNCHANGED = "unchanged", "Unchanged"
        FAILED = "failed", "Failed"

    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_events",
        db_index=False,  # by ``importevent_meeting_idx``
    )
    source_document = models.ForeignKey(
        SourceDocument,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_events",
    )
    file_name = models.CharField(max_length=255)
    action = models.CharField(max_length=10, choices=Action.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    message = models.TextField(blank=True, help_text="What changed, or why the import failed.")
    # What each field changed was and became (``ingest.diff.MeetingChanges.entries``), shown
    # by ``ingest.diff.change_lines``; empty for events recorded before it was kept.
    changes = models.JSONField(default=list, blank=True, editable=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    by_name = models.CharField(
        max_length=150, blank=True, help_text="Who or what ran the import, e.g. a command."
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=["import", "upload", "reimport"]),
                name="importevent_action_valid",
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=["created", "updated", "unchanged", "failed"]),
                name="importevent_outcome_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["meeting", "-at"], name="importevent_meeting_idx"),
            models.Index(fields=["-at"], name="importevent_at_idx"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} of {self.file_name}: {self.outcome}"


# End of the Overrides and import history block ----------------------------------------------


# Alerts ------------------------------------------------------------------------------------
# A signed-in user's saved searches, followed topics and followed bodies, the email digests
# telling them of new items (meetings/alerts.py) and a private Atom feed for each.


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class Alert(models.Model):
    """A saved search of one user: a followed topic or body is a search for that topic or body.

    ``params`` holds the search page's query string (``q`` and the filters, in a fixed order),
    so the alert finds what that search would find, with the permissions of whoever reads it.
    """

    class Kind(models.TextChoices):
        SEARCH = "search", "Search"
        TOPIC = "topic", "Topic"
        BODY = "body", "Body"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts", db_index=False
    )  # by ``alert_unique_search``
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SEARCH)
    params = models.CharField(
        max_length=2000, blank=True, help_text="The search's query string: q and the filters."
    )
    label = models.CharField(max_length=1000, help_text="The search as its owner reads it.")
    email = models.BooleanField(default=True, help_text="Told of in the email digests.")
    feed_token = models.CharField(
        max_length=64, unique=True, default=new_feed_token, editable=False
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user", "created", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "params"], name="alert_unique_search"),
            models.CheckConstraint(
                condition=Q(kind__in=["search", "topic", "body"]), name="alert_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.label}"

    def get_search_url(self) -> str:
        return reverse("meetings:search") + (f"?{self.params}" if self.params else "")


class AlertRecipient(models.Model):
    """How far a user's digests have got: items stored up to ``mark`` have been told of."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_recipient"
    )
    mark = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Alerts of {self.user} up to {self.mark:%Y-%m-%d %H:%M}"


class AlertDigest(models.Model):
    """One digest email, written here before it is sent and marked sent after (the outbox).

    A run of ``send_alerts`` that dies between the two leaves the digest unsent; the next run
    sends it again under the same ``message_id`` (the items of ``since`` to ``until``, as the
    user may see them then), so no digest is lost and at most that one is sent twice.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_digests"
    )
    message_id = models.CharField(max_length=255, unique=True)
    since = models.DateTimeField(help_text="Items stored after this time…")
    until = models.DateTimeField(help_text="…and up to this one.")
    created = models.DateTimeField(default=timezone.now)
    sent = models.DateTimeField(null=True, blank=True)
    item_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(sent__isnull=True),
                name="alertdigest_one_unsent_per_user",
            ),
            models.CheckConstraint(condition=Q(until__gt=F("since")), name="alertdigest_window"),
        ]

    def __str__(self):
        return f"Digest for {self.user} ({'sent' if self.sent else 'not sent'})"


# End of the Alerts block ----------------------------------------------------------------------


# Follow-ups ------------------------------------------------------------------------------
# What the minutes say will come back to a later meeting ("deferred to the next meeting", "a
# report would be coming to the November meeting"), read from each item on import, and the
# later item that took it up, found by ``meetings.followups`` or set by an administrator.


class FollowUpQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Follow-ups ``user`` may see; see ``with_restricted``."""
        return self.with_restricted(can_view_restricted(user))

    def with_restricted(self, include: bool):
        """All follow-ups, or (unless ``include``) only those of items that are not restricted
        and whose own text is not (``restricted_text``).

        A follow-up's wording comes from its item's minutes: that of a restricted item is not
        shown, counted or listed at all.
        """
        return self if include else self.filter(item__restricted=False, restricted_text=False)


class FollowUp(models.Model):
    """Something an item's minutes say will come back to a later meeting, and whether it did."""

    class Kind(models.TextChoices):
        DEFERRED = "deferred", "Deferred item"
        ACTION = "action", "Agreed action"
        PROMISE = "promise", "Promised"

    class Due(models.TextChoices):
        NEXT_MEETING = "next_meeting", "The next meeting"
        MONTH = "month", "A named month"
        FUTURE_MEETING = "future_meeting", "A future meeting"
        DATE = "date", "A stated date"
        NOT_SAID = "", "Not said"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        POSSIBLY_RETURNED = "possibly_returned", "Possibly returned"
        RETURNED = "returned", "Returned"
        OVERDUE = "overdue", "Overdue"
        CLOSED = "closed", "Closed by hand"

    item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="follow_ups", db_index=False
    )  # by ``followup_item_idx``
    # The item's meeting, kept with it (``save`` here and ``AgendaItem.save``): matching reads
    # the follow-ups of hundreds of meetings at a time, which by way of the items PostgreSQL
    # did by reading the whole table.
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
        help_text="The meeting of the item that raised it.",
    )
    position = models.PositiveIntegerField(help_text="1 for the item's first follow-up.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    what = models.TextField(help_text="What is to come back, as the minutes say it.")
    who = models.CharField(
        max_length=300, blank=True, help_text='Who brings it, as printed, e.g. "Police".'
    )
    due = models.CharField(max_length=20, choices=Due.choices, blank=True)
    due_date = models.DateField(
        null=True, blank=True, help_text="The stated date, or the first day of the named month."
    )
    phrase = models.TextField(blank=True, help_text="The sentence it was read from, as printed.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    returned_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="returned_follow_ups",
        help_text="The later item that took it up: suggested, or confirmed by an administrator.",
        db_index=False,  # by ``followup_returned_item_idx``
    )
    set_by_hand = models.BooleanField(
        default=False,
        help_text="The status and returned item were set by an administrator: matching and "
        "re-imports keep them.",
    )
    rejected_items = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="Ids of items an administrator said are not its return; never suggested again.",
    )
    note = models.TextField(blank=True, help_text="Why it was closed or set by hand.")
    # Set for good once an administrator sets it while its item is restricted, or a re-import
    # keeps it set by hand on a restricted item: its note, or wording the item's later minutes
    # no longer hold, may then be restricted text, and opening the item (in the admin, or by
    # placing or dropping a correction) judges only the item's own text.
    restricted_text = models.BooleanField(
        default=False,
        editable=False,
        help_text="Its note or wording was set while its item was restricted: shown only to "
        "those who may read restricted items, whatever its item is now.",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["item", "position"]
        constraints = [
            models.CheckConstraint(condition=Q(position__gte=1), name="followup_position_positive"),
            models.CheckConstraint(
                condition=Q(kind__in=["deferred", "action", "promise"]), name="followup_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(due__in=["next_meeting", "month", "future_meeting", "date", ""]),
                name="followup_due_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[
                    "open", "possibly_returned", "returned", "overdue", "closed"
                ]),
                name="followup_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(returned_item__isnull=True) | ~Q(returned_item=F("item")),
                name="followup_returns_elsewhere",
            ),
        ]  # fmt: skip
        indexes = [
            models.Index(fields=["item", "position"], name="followup_item_idx"),
            # By status, and within one by due date: ``followups.rematch_places`` asks for those
            # still open whose date a changed meeting has passed, and those overdue whose date
            # is recent (with the status alone, SQLite read every overdue follow-up).
            models.Index(fields=["status", "due_date"], name="followup_status_due_idx"),
            models.Index(fields=["returned_item"], name="followup_returned_item_idx"),
            # The follow-ups due in a month: a meeting's page lists those due at it.
            models.Index(fields=["due_date"], name="followup_due_date_idx"),
        ]

    def __str__(self):
        # Without its wording, which may come from a restricted item's minutes: the admin's
        # history and delete pages name it so.
        return f"Follow-up {self.position} of item {self.item_id}"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"item", "item_id"} & set(update_fields):
            # Its item's meeting (``meeting``), read only when the item may have changed.
            self.meeting_id = self.item.meeting_id
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "meeting"}
        if self.set_by_hand and not self.restricted_text and self.item.restricted:
            self.restricted_text = True
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "restricted_text"}
        super().save(*args, **kwargs)

    def clean(self):
        # Returned, or possibly returned, is returned at an item: matching takes one without
        # its item for a return whose item was removed, and looks for another.
        returning = (self.Status.RETURNED, self.Status.POSSIBLY_RETURNED)
        if self.status in returning and self.returned_item_id is None:
            raise ValidationError(
                {"returned_item": "Choose the item it returned at, or close it with a note."}
            )

    @property
    def due_label(self) -> str:
        """When the minutes say it comes back: "the next meeting", "November 2025"."""
        if self.due == self.Due.MONTH and self.due_date:
            return date_format(self.due_date, "F Y")
        if self.due == self.Due.DATE and self.due_date:
            return date_format(self.due_date, "j F Y")
        if self.due in (self.Due.NEXT_MEETING, self.Due.FUTURE_MEETING):
            return self.get_due_display().lower()
        return ""


# End of the Follow-ups block ----------------------------------------------------------------


def refresh_search_extra(item_ids, *, using: str = "default") -> int:
    """Recompute ``search_extra`` of these items from their topics and decisions (4 queries)."""
    ids = list(item_ids)
    names, decisions = defaultdict(list), defaultdict(list)
    links = ItemTopic.objects.using(using).filter(item_id__in=ids)
    for item_id, name in links.values_list("item_id", "topic__name"):
        names[item_id].append(name)
    resolutions = Resolution.objects.using(using).filter(item_id__in=ids)
    for item_id, text in resolutions.order_by("item_id", "order").values_list("item_id", "text"):
        decisions[item_id].append(text)
    changed = []
    items = AgendaItem.objects.using(using).filter(pk__in=ids).only("pk", "search_extra")
    for item in items:
        text = search_extra_text(sorted(names[item.pk]), decisions[item.pk])
        if item.search_extra != text:
            item.search_extra = text
            changed.append(item)
    AgendaItem.objects.using(using).bulk_update(changed, ["search_extra"], batch_size=500)
    return len(changed)
