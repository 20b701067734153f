"""The admin of importing minutes: uploads, re-imports, overrides and the import history.

The files offered for import (``SourceDocumentAdmin``, with the upload pages of
``ingest.admin_views``), the history of every import attempt and the overrides in force have
admins of their own here. The meetings, items and topics are administered by
``meetings.admin``; this module registers them again with what importing adds to them: the
re-import and drop-overrides actions, the overrides in force and the import history on a
meeting's page, corrections made by hand kept as overrides, and items tagged again when what
tags them changes. So ``meetings`` needs nothing of ``ingest``.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from ingest import admin_views, diff, overrides, reimport, uploads
from ingest.topics import merge_topics, retag_items
from meetings import admin as meetings_admin
from meetings import followups
from meetings.admin_restricted import RestrictedTextAdmin
from meetings.models import (
    AgendaItem,
    ImportEvent,
    ItemTopic,
    Meeting,
    Override,
    SourceDocument,
    Topic,
    can_view_restricted,
)

# Re-importing, overrides and import history ------------------------------------------------
# Corrections made here to a meeting's date or body, or to an item's title or restricted flag,
# are kept across re-imports as overrides (ingest/overrides.py); see the README.


class ImportPermissionMixin:
    """``has_import_minutes_permission`` for actions with ``permissions=["import_minutes"]``."""

    def has_import_minutes_permission(self, request):
        return uploads.can_import(request.user)


@admin.action(description="Re-import from source", permissions=["import_minutes"])
def reimport_from_source(model_admin, request, queryset):
    """Source documents: read the selected files again with the current parser.

    The meetings list has an action of the same name, ``MeetingAdmin.reimport_from_source``.
    """
    reimport_messages(
        model_admin,
        request,
        [
            (document.file_name, reimport.reimport_document(document, user=request.user))
            for document in queryset.order_by("imported_at", "pk")
        ],
    )


def reimport_messages(model_admin, request, outcomes) -> None:
    """One message per meeting or file re-imported, failures as errors."""
    for label, outcome in outcomes:
        level = messages.ERROR if outcome.failed else messages.SUCCESS
        model_admin.message_user(request, reimport.report(outcome, label), level)


def drop_messages(model_admin, request, dropped: reimport.DropReport) -> None:
    for message in dropped.messages:
        model_admin.message_user(request, message, messages.SUCCESS)
    for refusal in dropped.refused:
        model_admin.message_user(request, f"Override kept: {refusal}.", messages.WARNING)
    if not dropped.messages and not dropped.refused:
        model_admin.message_user(request, "There were no overrides to drop.", messages.INFO)


def record_hand_changes(request, obj, changed_data, initial, names) -> bool:
    """Keep as overrides the fields of ``names`` changed by hand; True if the title was."""
    if obj.pk is None:
        return False
    for name in names:
        if name in changed_data:
            overrides.record(obj, name, initial.get(name), user=request.user)
    return "title" in names and "title" in changed_data


def overrides_list(rows, return_url: str, *, with_items: bool = False):
    """The overrides in force, each with a link to drop it (and back to ``return_url``)."""
    rows = list(rows)
    if not rows:
        return "None."

    def drop_url(row):
        url = reverse("admin:meetings_override_delete", args=[row.pk])
        return f"{url}?{urlencode({'next': return_url})}"

    def item_link(row):
        if not with_items or row.item_id is None:
            return ""
        url = reverse("admin:meetings_agendaitem_change", args=[row.item_id])
        return format_html('<a href="{}">Item {}</a>: ', url, row.item.position)

    def place_link(row):
        if row.unmatched is None:
            return ""
        url = reverse("admin:meetings_override_place", args=[row.pk])
        return format_html(' <a href="{}">Place on an item</a>', url)

    return format_html(
        "<ul>{}</ul>",
        format_html_join(
            "",
            '<li>{}{}{} <a href="{}">Drop</a></li>',
            (
                (item_link(row), overrides.describe(row), place_link(row), drop_url(row))
                for row in rows
            ),
        ),
    )


def import_history_table(meeting):
    """The meeting's import events, newest first, as a table."""
    events = meeting.import_events.select_related("by").order_by("-at", "-pk")
    if not events:
        return "No imports recorded."
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                date_format(timezone.localtime(event.at), "j M Y H:i"),
                event.get_action_display(),
                event.get_outcome_display(),
                event.file_name or "–",
                event.by or event.by_name or "–",
                event.message,
            )
            for event in events
        ),
    )
    return format_html(
        "<table><thead><tr><th>When</th><th>Action</th><th>Outcome</th><th>File</th>"
        "<th>By</th><th>Details</th></tr></thead><tbody>{}</tbody></table>",
        rows,
    )


# Meetings, items and topics, with what importing adds to them -----------------------------


admin.site.unregister(Meeting)


@admin.register(Meeting)
class MeetingAdmin(ImportPermissionMixin, meetings_admin.MeetingAdmin):
    fieldsets = [
        *meetings_admin.MeetingAdmin.fieldsets,
        ("Corrections kept across re-imports", {"fields": ["overrides_in_force"]}),
        ("Import history", {"fields": ["import_history"]}),
    ]
    readonly_fields = [
        *meetings_admin.MeetingAdmin.readonly_fields,
        "overrides_in_force",
        "import_history",
    ]
    actions = ["reimport_from_source", "drop_overrides"]

    @admin.display(description="overrides")
    def overrides_in_force(self, meeting):
        rows = (
            Override.objects.filter(Q(meeting=meeting) | Q(item__meeting=meeting))
            .select_related("item", "created_by")
            .order_by(
                F("unmatched").asc(nulls_first=True),
                F("item__position").asc(nulls_first=True),
                "field",
            )
        )
        here = reverse("admin:meetings_meeting_change", args=[meeting.pk])
        return overrides_list(rows, here, with_items=True)

    @admin.display(description="imports, newest first")
    def import_history(self, meeting):
        return import_history_table(meeting)

    def save_model(self, request, obj, form, change):
        # A date or body set here is an override: kept when the minutes are imported again.
        record_hand_changes(request, obj, form.changed_data, form.initial, Override.MEETING_FIELDS)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        retitled = []
        if formset.model is AgendaItem:
            for item_form in formset.forms:
                if item_form in formset.deleted_forms or not item_form.has_changed():
                    continue
                item = item_form.instance
                names = [name for name in Override.ITEM_FIELDS if name in item_form.fields]
                if record_hand_changes(
                    request, item, item_form.changed_data, item_form.initial, names
                ):
                    retitled.append(item.pk)
        super().save_formset(request, form, formset, change)
        if retitled:
            # An item's topics may be named in its title.
            retag_items(AgendaItem.objects.filter(pk__in=retitled))

    @admin.action(description="Re-import from source", permissions=["import_minutes"])
    def reimport_from_source(self, request, queryset):
        reimport_messages(
            self,
            request,
            [(str(m), reimport.reimport_meeting(m, user=request.user)) for m in queryset],
        )

    @admin.action(
        description="Drop overrides (put back what the minutes say)", permissions=["change"]
    )
    def drop_overrides(self, request, queryset):
        chosen = Override.objects.filter(Q(meeting__in=queryset) | Q(item__meeting__in=queryset))
        drop_messages(self, request, reimport.drop_overrides(chosen, user=request.user))


admin.site.unregister(AgendaItem)


@admin.register(AgendaItem)
class AgendaItemAdmin(meetings_admin.AgendaItemAdmin):
    actions = ["drop_overrides"]
    fields = [*meetings_admin.AgendaItemAdmin.fields, "overrides_in_force"]

    @admin.display(description="overrides (kept across re-imports)")
    def overrides_in_force(self, item):
        if item is None or item.pk is None:
            return "None."
        rows = item.overrides.select_related("created_by").order_by("field")
        here = reverse("admin:meetings_agendaitem_change", args=[item.pk])
        return overrides_list(rows, here)

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "overrides_in_force"]

    def save_model(self, request, obj, form, change):
        # A title or restricted flag set here is an override: kept across re-imports.
        if change:
            names = [name for name in Override.ITEM_FIELDS if name in form.fields]
            record_hand_changes(request, obj, form.changed_data, form.initial, names)
        super().save_model(request, obj, form, change)

    def before_related_saved(self, request, form, change):
        return dict(
            ItemTopic.objects.filter(item=form.instance).values_list("topic_id", "in_title")
        )

    def after_related_saved(self, request, form, change, before):
        if change:
            # Topic links added or removed here are kept across re-tagging and re-imports.
            overrides.record_topic_links(form.instance, before, user=request.user)
        if change and "title" in form.changed_data:
            # Its topics may be named in its title.
            retag_items(AgendaItem.objects.filter(pk=form.instance.pk))
        else:
            super().after_related_saved(request, form, change, before)

    @admin.action(
        description="Drop overrides (put back what the minutes say)", permissions=["change"]
    )
    def drop_overrides(self, request, queryset):
        chosen = Override.objects.filter(item__in=queryset)
        drop_messages(self, request, reimport.drop_overrides(chosen, user=request.user))


admin.site.unregister(Topic)


@admin.register(Topic)
class TopicAdmin(meetings_admin.TopicAdmin):
    """Topics are curated here; every change to what tags an item tags every item again."""

    actions = ["retag_items", "merge_topics"]

    # What decides which items a topic tags.
    TAGGING_FIELDS = {"name", "aliases", "case_sensitive"}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or self.TAGGING_FIELDS & set(form.changed_data):
            self.retag_every_item(request)

    def retag_every_item(self, request):
        # One pass over every item.
        count = retag_items()
        self.message_user(
            request,
            f"Every item ({count}) was tagged again with the topics as they are now.",
            messages.SUCCESS,
        )

    @admin.action(
        description="Re-tag every item with the topics as they are", permissions=["change"]
    )
    def retag_items(self, request, queryset):
        self.retag_every_item(request)

    @admin.action(description="Merge selected topics", permissions=["change"])
    def merge_topics(self, request, queryset):
        """Ask which topic to keep, then fold the others into it (``topics.merge_topics``)."""
        if not self.has_delete_permission(request):
            self.message_user(request, "Merging deletes topics: you may not.", messages.ERROR)
            return None
        topics = list(queryset.order_by("name"))
        if len(topics) < 2:
            self.message_user(request, "Select two or more topics to merge.", messages.WARNING)
            return None
        keep = next((t for t in topics if str(t.pk) == request.POST.get("keep")), None)
        if request.POST.get("post") == "yes" and keep is not None:
            merged = [topic for topic in topics if topic.pk != keep.pk]
            merge_topics(keep, merged)
            # Only the items whose topics the user may see: a link found in a restricted
            # item's text says what that text names.
            include = can_view_restricted(request.user)
            count = ItemTopic.objects.with_restricted(include).filter(topic=keep).count()
            names = ", ".join(f'"{topic.name}"' for topic in merged)
            self.message_user(
                request,
                f'Merged {names} into "{keep.name}", which now tags {count} items and keeps '
                "the merged names as aliases.",
                messages.SUCCESS,
            )
            return None
        # Suggest keeping a curated topic, then the most used, then the longest name.
        suggested = max(
            topics,
            key=lambda t: (not t.created_automatically, t.use_count, len(t.name)),
        )
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge topics",
            "subtitle": None,
            "opts": self.model._meta,
            "topics": topics,
            "suggested": suggested,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/meetings/topic/merge_topics.html", context)


# The files offered for import --------------------------------------------------------------


@admin.register(SourceDocument)
class SourceDocumentAdmin(RestrictedTextAdmin, ImportPermissionMixin, admin.ModelAdmin):
    """Read-only: the record of every file offered for import is never changed or deleted.

    Minutes are imported from here too ("Import minutes", see ``ingest.admin_views``): an upload
    waits as "awaiting confirmation" until its preview is confirmed, when the import records it
    as imported or failed, or cancelled.
    """

    change_list_template = "admin/ingest/sourcedocument_change_list.html"
    actions = [reimport_from_source]
    list_display = ["file_name", "status", "shape", "meeting", "imported_at", "imported_by_label"]
    list_filter = ["status", "shape"]
    list_select_related = ["meeting", "imported_by"]
    search_fields = ["file_name", "sha256", "error"]
    date_hierarchy = "imported_at"
    fields = [
        "file_name",
        "status",
        "error",
        "meeting",
        "shape",
        "encoding",
        "sha256",
        "size",
        "download",
        "imported_at",
        "imported_by_label",
        "original",
    ]
    readonly_fields = [*fields, "original_withheld"]

    def get_urls(self):
        return admin_views.get_urls(self) + super().get_urls()

    def get_queryset(self, request):
        return super().get_queryset(request).defer("original_text", "original_bytes")

    def has_view_permission(self, request, obj=None):
        # Whoever may import minutes may see what became of the files.
        return super().has_view_permission(request, obj) or request.user.has_perm(
            "meetings.import_minutes"
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="imported by")
    def imported_by_label(self, document):
        return document.imported_by or document.imported_by_name or "–"

    @admin.display(description="size (bytes)")
    def size(self, document):
        return len(document.original_bytes)

    @admin.display(description="original file")
    def download(self, document):
        if not len(document.original_bytes):
            return "Not kept."
        url = reverse("admin:meetings_sourcedocument_original", args=[document.pk])
        return format_html('<a href="{}">Download {}</a>', url, document.file_name)

    @admin.display(description="original text")
    def original(self, document):
        if not document.original_text:
            return "The file could not be read as text; its bytes are kept."
        return format_html('<pre class="original-text">{}</pre>', document.original_text)

    @admin.display(description="original text")
    def original_withheld(self, document):
        return "Shown only to users who may view restricted items."

    def get_fields(self, request, obj=None):
        # The original minutes include the text of restricted items.
        if can_view_restricted(request.user):
            return self.fields
        fields = [name for name in self.fields if name != "download"]
        return [name if name != "original" else "original_withheld" for name in fields]


# The admin's home page links to "Import minutes" for those who may import.
admin.site.index_template = "admin/ingest/index.html"


# Re-importing, overrides and import history: the lists of their own -------------------------


@admin.register(ImportEvent)
class ImportEventAdmin(RestrictedTextAdmin, admin.ModelAdmin):
    """Every import attempt, read-only: who imported which file, when, and what became of it."""

    list_display = ["at", "action", "outcome", "file_name", "meeting", "by_label", "message"]
    list_filter = ["outcome", "action", ("by", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["meeting", "by"]
    search_fields = ["file_name", "message", "by_name"]
    date_hierarchy = "at"
    fields = ["at", "action", "outcome", "file_name", "meeting", "source_document", "by_label"]
    fields += ["message", "what_changed"]
    readonly_fields = fields

    @admin.display(description="by")
    def by_label(self, event):
        return event.by or event.by_name or "–"

    def get_object(self, request, object_id, from_field=None):
        event = super().get_object(request, object_id, from_field)
        if event is not None:
            # The values of a restricted item's text are shown only to those who may read it.
            event.show_restricted = can_view_restricted(request.user)
        return event

    @admin.display(description="what changed")
    def what_changed(self, event):
        """ "Item 6 title: 'Community Safety Action Plan' → 'Community Safety Plan'", one line
        for each change; events recorded before the values were kept have only the message."""
        lines = diff.change_lines(
            event.changes or [], show_restricted=getattr(event, "show_restricted", False)
        )
        if not lines:
            return "–"
        return format_html(
            '<ul class="plain-list">{}</ul>',
            format_html_join("", "<li>{}</li>", ((line,) for line in lines)),
        )

    def has_view_permission(self, request, obj=None):
        # Whoever may import minutes may see what became of the imports.
        return super().has_view_permission(request, obj) or uploads.can_import(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PlaceForm(forms.Form):
    item = forms.ModelChoiceField(queryset=AgendaItem.objects.none(), label="Item")

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        items = AgendaItem.objects.filter(meeting=meeting).order_by("position")
        self.fields["item"].queryset = items.only("pk", "position", "number_printed", "title")
        self.fields["item"].label_from_instance = lambda item: f"Item {item.position}: {item}"


@admin.register(Override)
class OverrideAdmin(RestrictedTextAdmin, admin.ModelAdmin):
    """Every override in force; dropping one puts back what the minutes say."""

    list_display = ["__str__", "meeting_label", "item", "created_by", "created_at"]
    list_filter = ["field"]
    list_select_related = ["meeting", "item", "item__meeting", "created_by"]
    actions = ["drop_overrides"]
    fields = ["description"]
    readonly_fields = ["description"]

    @admin.display(description="meeting")
    def meeting_label(self, override):
        return override.meeting or override.item.meeting

    @admin.display(description="override")
    def description(self, override):
        return overrides.describe(override)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deleting would not put the minutes' value back
        return actions

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        place = self.admin_site.admin_view(self.place_view)
        return [
            path("<int:override_id>/place/", place, name="meetings_override_place"),
            *super().get_urls(),
        ]

    def place_view(self, request, override_id):
        """Place an unmatched override on an item of its meeting."""
        override = Override.objects.filter(pk=override_id, unmatched__isnull=False).first()
        if override is None or not request.user.has_perm("meetings.change_agendaitem"):
            raise Http404
        meeting = override.meeting
        back = reverse("admin:meetings_meeting_change", args=[meeting.pk])
        form = PlaceForm(request.POST or None, meeting=meeting)
        if request.method == "POST" and form.is_valid():
            item = form.cleaned_data["item"]
            # Placed, tagged again and matched again together, or not at all.
            with transaction.atomic():
                refused = overrides.place(override, item, user=request.user)
                if not refused:
                    if override.field in (Override.Field.TITLE, Override.Field.TOPICS):
                        retag_items(AgendaItem.objects.filter(pk=item.pk))
                    if (
                        override.field in Override.ITEM_FIELDS
                        or override.field == Override.Field.TOPICS
                    ):
                        # What takes follow-ups up changed (placed follow-ups are matched
                        # already).
                        followups.rematch_meetings([meeting.pk])
            if refused:
                self.message_user(request, f"Not placed: {refused}.", messages.ERROR)
            else:
                name = override.get_field_display()
                self.message_user(request, f"Placed the {name} correction on {item}.")
            return HttpResponseRedirect(back)
        # Placing a restricted flag may lift a restriction, and a restricted item's follow-up
        # is restricted minutes: say so before the form is filled.
        refused = overrides.needs_restricted(override) and not can_view_restricted(request.user)
        follow_up = None
        if override.field == Override.Field.FOLLOW_UP:
            follow_up = override.value
        elif override.field == Override.Field.FOLLOW_UP_RETURN:
            # The follow-up whose return was confirmed, as it stands now (``needs_restricted``
            # reads whether its text is restricted now, too).
            follow_up = overrides.returned_follow_up(override)
        context = {
            **self.admin_site.each_context(request),
            "title": "Place a correction",
            "opts": self.opts,
            "meeting": meeting,
            "form": form,
            "description": overrides.describe(override),
            "holds": override.field == Override.Field.RESTRICTED and override.value,
            "refused": refused,
            # Its wording, to choose the item by: shown only when the user may place it.
            "follow_up": None if refused else follow_up,
            "returns": override.field == Override.Field.FOLLOW_UP_RETURN,
        }
        return TemplateResponse(request, "admin/meetings/override/place.html", context)

    def has_delete_permission(self, request, obj=None):
        # Dropping an override changes its meeting or item; dropping a restricted flag may lift
        # a restriction, which only those who may read restricted items may do.
        user = request.user
        if obj is None:
            return user.has_perm("meetings.change_meeting") or user.has_perm(
                "meetings.change_agendaitem"
            )
        if obj.item_id is None and obj.unmatched is None:
            return user.has_perm("meetings.change_meeting")
        if overrides.needs_restricted(obj) and not can_view_restricted(user):
            return False
        return user.has_perm("meetings.change_agendaitem")

    def delete_view(self, request, object_id, extra_context=None):
        # The meeting's page offers "Drop" for every override: say why this one stays rather
        # than answering 403 (as a confirmed drop still does).
        override = self.get_object(request, unquote(object_id))
        if (
            request.method == "GET"
            and override is not None
            and overrides.needs_restricted(override)
            and not can_view_restricted(request.user)
        ):
            # Refused before anything is written; an unmatched one has a meeting but no item.
            dropped = overrides.drop(Override.objects.filter(pk=override.pk), user=request.user)
            for refusal in dropped.refused:
                self.message_user(request, f"Override kept: {refusal}.", messages.WARNING)
            return self.redirect_to_next(request) or HttpResponseRedirect(
                reverse("admin:meetings_override_change", args=[override.pk])
            )
        return super().delete_view(request, object_id, extra_context)

    def response_delete(self, request, obj_display, obj_id):
        if Override.objects.filter(pk=obj_id).exists():  # kept: the messages say why
            response = HttpResponseRedirect(reverse("admin:meetings_override_changelist"))
        else:
            response = super().response_delete(request, obj_display, obj_id)
        return self.redirect_to_next(request) or response

    def redirect_to_next(self, request):
        """A redirect to the page named by ``?next=`` if it is on this site, else None."""
        next_url = request.GET.get("next")
        if next_url and url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return HttpResponseRedirect(next_url)
        return None

    def delete_model(self, request, obj):
        drop_messages(
            self,
            request,
            reimport.drop_overrides(Override.objects.filter(pk=obj.pk), user=request.user),
        )

    @admin.action(
        description="Drop overrides (put back what the minutes say)", permissions=["delete"]
    )
    def drop_overrides(self, request, queryset):
        drop_messages(self, request, reimport.drop_overrides(queryset, user=request.user))
