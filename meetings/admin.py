import json

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from . import followups, review
from .admin_restricted import RestrictedTextAdmin
from .models import (
    AgendaItem,
    Attendee,
    ItemTopic,
    Meeting,
    Person,
    Resolution,
    Topic,
    can_view_restricted,
    visible_links,
)

# The site's name in the admin's header and page titles, instead of "Django administration";
# the header has the site's colour (static/css/admin.css).
SITE_NAME = "Safer Stockton Partnership meetings archive"
admin.site.site_header = SITE_NAME
admin.site.site_title = f"{SITE_NAME} admin"
admin.site.index_title = "Administration"

# Fields that carry what was said about an item; withheld from restricted items unless allowed.
RESTRICTED_TEXT_FIELDS = ("agenda_text", "minutes_text")
# What follow-up matching reads of an item, besides its topics (``meetings.followups``).
MATCHED_ITEM_FIELDS = {"meeting", "title", "agenda_text", "restricted"}


class AttendeeInline(admin.TabularInline):
    model = Attendee
    extra = 0
    fields = ["order", "name", "printed", "title", "honours", "role", "organisation", "attendance"]


class AgendaItemInline(admin.TabularInline):
    """Items listed on their meeting; their text is edited on the item's own page."""

    model = AgendaItem
    extra = 0
    fields = ["position", "number", "number_printed", "title", "restricted", "status"]
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        # Lifting a restriction would disclose the item's text to the person who lifted it.
        return [] if can_view_restricted(request.user) else ["restricted"]


class ReviewReasonFilter(admin.SimpleListFilter):
    """Why a meeting needs review: one choice for each reason in ``meetings.review``."""

    title = "review reason"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [(reason.code, reason.label) for reason in review.REASONS]

    def queryset(self, request, queryset):
        if self.value() in review.BY_CODE:
            return review.filter_meetings(queryset, self.value())
        return queryset


def _plain_list(lines, empty: str):
    if not lines:
        return empty
    return format_html(
        '<ul class="plain-list">{}</ul>',
        format_html_join("", "<li>{}</li>", ((line,) for line in lines)),
    )


@admin.register(Meeting)
class MeetingAdmin(RestrictedTextAdmin, admin.ModelAdmin):
    """Meetings; ``ingest.admin`` registers this again with what importing adds (re-import,
    overrides, import history)."""

    list_display = ["__str__", "date", "body", "item_count", "review_status", "updated"]
    list_filter = ["needs_review", ReviewReasonFilter, "date_source", "body"]
    search_fields = ["body", "venue"]
    fieldsets = [
        (None, {"fields": ["body", "date", "date_source", "start_time", "venue", "contact"]}),
        ("Related meetings", {"fields": ["previous_meeting", "next_meeting"]}),
        (
            "Import",
            {
                "fields": [
                    "needs_review",
                    "review_reasons",
                    "warnings",
                    "how_read",
                    "source",
                    "original_checked_for_publication",
                    "header_text",
                    "created",
                    "updated",
                ]
            },
        ),
    ]
    readonly_fields = [
        "date_source",
        "needs_review",
        "review_reasons",
        "how_read",
        "source",
        "created",
        "updated",
    ]
    inlines = [AttendeeInline, AgendaItemInline]

    def get_readonly_fields(self, request, obj=None):
        # Only someone who may read restricted items may read the original to check it.
        if can_view_restricted(request.user):
            return self.readonly_fields
        return [*self.readonly_fields, "original_checked_for_publication"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).with_source_name()
        return review.with_review_facts(queryset.annotate(item_count=Count("items")))

    @admin.display(ordering="item_count", description="items")
    def item_count(self, meeting):
        return meeting.item_count

    @admin.display(ordering="needs_review", description="needs review")
    def review_status(self, meeting):
        """In words, not a tick whose colour says the opposite of what it means: "Needs
        review: date unknown, body unknown", or "No"."""
        if not meeting.needs_review:
            return "No"
        labels = [reason.label for reason in review.listed_reasons(meeting)]
        if not labels:
            return "Needs review"
        return "Needs review: " + ", ".join(label[:1].lower() + label[1:] for label in labels)

    @admin.display(description="why it needs review")
    def review_reasons(self, meeting):
        return _plain_list(meeting.review_reasons(), "None: it does not need review.")

    @admin.display(description="How this document was read")
    def how_read(self, meeting):
        return _plain_list(meeting.reading_notes, "No notes.")

    def save_model(self, request, obj, form, change):
        if not change and "date" in form.changed_data:
            obj.date_source = Meeting.DateSource.ADMIN if obj.date else Meeting.DateSource.UNKNOWN
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is AgendaItem and formset.has_changed():
            # A restriction made in doubt and lifted here no longer needs review.
            form.instance.save(update_fields=["needs_review"])

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Matched once its items are saved and their topics tagged again: around its place,
        # and the place it left when its date or body changed.
        meeting, places = form.instance, []
        if {"date", "body"} & set(form.changed_data):
            places.append((form.initial.get("body", meeting.body), form.initial.get("date")))
        if (
            places
            or not change
            or any(formset.model is AgendaItem and formset.has_changed() for formset in formsets)
        ):
            places.append((meeting.body, meeting.date))
            followups.rematch_places(places, incremental=True)


class ResolutionInline(admin.TabularInline):
    model = Resolution
    extra = 0
    fields = ["order", "text", "kind"]


class ItemTopicForm(forms.ModelForm):
    # Set by ItemTopicFormSet on the forms of new links.
    unshown_links: dict = {}

    def clean(self):
        cleaned = super().clean()
        topic = cleaned.get("topic")
        if topic is not None and topic.pk in self.unshown_links:
            self.instance = self.unshown_links[topic.pk]
        return cleaned


class ItemTopicFormSet(forms.BaseInlineFormSet):
    """A topic added that the item already has by a link not shown here updates that link.

    A link found only in a restricted item's text is not shown to users who may not view it;
    refusing its topic as "already exists" would tell them what the text names.
    """

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if form.instance.pk is None and self.instance.pk is not None:
            form.unshown_links = self.unshown_links()
        return form

    def unshown_links(self) -> dict:
        """{topic id: link} of the item's links that are not on the page."""
        if not hasattr(self, "_unshown_links"):
            links = ItemTopic.objects.filter(item=self.instance).exclude(
                pk__in=self.get_queryset().values("pk")
            )
            self._unshown_links = {link.topic_id: link for link in links}
        return self._unshown_links


class ItemTopicInline(admin.TabularInline):
    model = ItemTopic
    form = ItemTopicForm
    formset = ItemTopicFormSet
    extra = 0
    fields = ["topic", "in_title"]
    autocomplete_fields = ["topic"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "topic":
            # Linking a topic to an open item would show its name, which may be restricted.
            kwargs["queryset"] = Topic.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(AgendaItem)
class AgendaItemAdmin(RestrictedTextAdmin, admin.ModelAdmin):
    list_display = ["__str__", "meeting", "position", "restricted", "status"]
    list_filter = ["restricted", "status"]
    list_select_related = ["meeting"]
    search_fields = ["number", "number_printed", "title"]
    raw_id_fields = ["meeting"]
    fields = [
        "meeting",
        "position",
        "number",
        "number_printed",
        "title",
        "restricted",
        "restricted_reason",
        "status",
        "agenda_text",
        "minutes_text",
        "attachments",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).defer(*RESTRICTED_TEXT_FIELDS)

    def withholds_text(self, request, obj) -> bool:
        return obj is not None and obj.restricted and not can_view_restricted(request.user)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if self.withholds_text(request, obj):
            return [name for name in fields if name not in RESTRICTED_TEXT_FIELDS]
        return fields

    def get_readonly_fields(self, request, obj=None):
        # Lifting the restriction would disclose the text to the person who lifted it.
        if self.withholds_text(request, obj):
            return ["restricted", "restricted_reason"]
        return []

    def get_inlines(self, request, obj):
        if self.withholds_text(request, obj):
            return [ItemTopicInline]
        return [ResolutionInline, ItemTopicInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "restricted" in form.changed_data:
            # A restriction made in doubt and lifted here no longer needs review.
            obj.meeting.save(update_fields=["needs_review"])

    def save_related(self, request, form, formsets, change):
        before = self.before_related_saved(request, form, change)
        super().save_related(request, form, formsets, change)
        self.after_related_saved(request, form, change, before)
        if (
            not change
            or MATCHED_ITEM_FIELDS & set(form.changed_data)
            or any(formset.has_changed() for formset in formsets)
        ):
            # Once its topics are tagged again: the follow-ups around its meeting (and the
            # one it left) are matched with the item as it is now.
            followups.rematch_meetings({form.instance.meeting_id, form.initial.get("meeting")})

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        followups.rematch_meetings([obj.meeting_id])

    def delete_queryset(self, request, queryset):
        meetings = set(queryset.values_list("meeting_id", flat=True))
        with transaction.atomic():  # none deleted unless matched again
            super().delete_queryset(request, queryset)
            followups.rematch_meetings(meetings)

    def before_related_saved(self, request, form, change):
        """What ``after_related_saved`` needs to know of the item before its decisions and
        topic links are saved (``ingest.admin`` keeps the links it had)."""
        return None

    def after_related_saved(self, request, form, change, before):
        """Called once the item's decisions and topic links are saved (``ingest.admin``).

        The search copy of its decisions and topic names is kept by the database
        (``meetings.search.extra``)."""


@admin.register(Resolution)
class ResolutionAdmin(RestrictedTextAdmin, admin.ModelAdmin):
    list_display = ["__str__", "kind", "item"]
    list_filter = ["kind"]
    list_select_related = ["item", "item__meeting"]
    raw_id_fields = ["item"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(Attendee)
class AttendeeAdmin(RestrictedTextAdmin, admin.ModelAdmin):
    list_display = ["name", "title", "role", "organisation", "attendance", "meeting"]
    list_filter = ["attendance"]
    list_select_related = ["meeting"]
    search_fields = ["name", "printed", "organisation"]
    raw_id_fields = ["meeting", "person"]


class PersonAttendanceInline(admin.TabularInline):
    model = Attendee
    extra = 0
    fields = ["meeting", "printed", "role", "organisation", "attendance"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Person)
class PersonAdmin(RestrictedTextAdmin, admin.ModelAdmin):
    """People are found in the attendance lists; an admin may correct a name or its address."""

    list_display = ["name", "slug"]
    search_fields = ["name"]
    inlines = [PersonAttendanceInline]


class AliasesField(forms.CharField):
    """A topic's aliases, one per line, stored as a list."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 40})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        text = super().to_python(value) or ""
        try:
            # Also read as a JSON list, the form the aliases are stored in.
            lines = json.loads(text) if text.lstrip().startswith("[") else None
        except ValueError:
            lines = None
        if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
            lines = text.splitlines()
        names, seen = [], set()
        if any("\x00" in line for line in lines):
            raise forms.ValidationError("Enter aliases without a NUL character.")
        for line in lines:
            name = " ".join(line.split())
            if name and name.casefold() not in seen:
                seen.add(name.casefold())
                names.append(name)
        return names


class TopicForm(forms.ModelForm):
    aliases = AliasesField(
        required=False,
        help_text='Other names that tag an item, one per line, e.g. "Op Harmony".',
    )

    class Meta:
        model = Topic
        fields = ["name", "slug", "aliases", "description", "case_sensitive"]


@admin.register(Topic)
class TopicAdmin(RestrictedTextAdmin, admin.ModelAdmin):
    """Topics are curated here; ``ingest.admin`` registers this again with the re-tagging of
    every item when what tags them changes, and the merging of topics."""

    form = TopicForm
    list_display = ["name", "slug", "aliases", "case_sensitive", "created_automatically", "uses"]
    list_filter = ["created_automatically", "case_sensitive"]
    search_fields = ["name", "slug", "aliases"]
    fields = ["name", "slug", "aliases", "description", "case_sensitive", "created_automatically"]
    readonly_fields = ["created_automatically"]
    prepopulated_fields = {"slug": ["name"]}
    # Counting the uses groups the rows, which drops the model's ordering; autocomplete pages.
    ordering = ["name"]

    def get_queryset(self, request):
        # A topic found only in restricted items' text may be named in that text alone.
        # Its uses count only the links the user may see.
        include = can_view_restricted(request.user)
        visible = visible_links("item_topics__")
        return (
            super()
            .get_queryset(request)
            .with_restricted(include)
            .annotate(use_count=Count("item_topics", filter=None if include else visible))
        )

    def response_add(self, request, obj, post_url_continue=None):
        if not self.get_queryset(request).filter(pk=obj.pk).exists():
            return self.saved_but_hidden(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if not self.get_queryset(request).filter(pk=obj.pk).exists():
            return self.saved_but_hidden(request, obj)
        return super().response_change(request, obj)

    def saved_but_hidden(self, request, topic):
        """After saving a topic the user may no longer see: say so, back to the list."""
        self.message_user(
            request,
            f"The topic “{topic.name}” was saved. It tags no item whose topics you may see, so "
            "it is listed only for users who may view restricted items.",
            messages.WARNING,
        )
        return HttpResponseRedirect(reverse("admin:meetings_topic_changelist"))

    @admin.display(ordering="use_count", description="items")
    def uses(self, topic):
        return topic.use_count


# Users and groups, with the rules of every admin here: deleting a user lists the entries of the
# history they made, which name what they changed.

admin.site.unregister(get_user_model())
admin.site.unregister(Group)


@admin.register(get_user_model())
class UserAdmin(RestrictedTextAdmin, auth_admin.UserAdmin):
    pass


@admin.register(Group)
class GroupAdmin(RestrictedTextAdmin, auth_admin.GroupAdmin):
    pass


from . import admin_follow_ups  # noqa: E402, F401 (registers the follow-ups' admin)
