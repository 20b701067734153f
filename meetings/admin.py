from django.contrib import admin
from django.db.models import Count
from django.utils.html import format_html

from .models import (
    AgendaItem,
    Attendee,
    ItemTopic,
    Meeting,
    Person,
    Resolution,
    SourceDocument,
    Topic,
    can_view_restricted,
)

# Fields that carry what was said about an item; withheld from restricted items unless allowed.
RESTRICTED_TEXT_FIELDS = ("agenda_text", "minutes_text")


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


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "date", "body", "item_count", "needs_review", "updated"]
    list_filter = ["needs_review", "date_source", "body"]
    search_fields = ["body", "venue"]
    fieldsets = [
        (None, {"fields": ["body", "date", "date_source", "start_time", "venue", "contact"]}),
        ("Related meetings", {"fields": ["previous_meeting", "next_meeting"]}),
        (
            "Import",
            {"fields": ["needs_review", "warnings", "source", "header_text", "created", "updated"]},
        ),
    ]
    readonly_fields = ["date_source", "needs_review", "source", "created", "updated"]
    inlines = [AttendeeInline, AgendaItemInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_source_name().annotate(item_count=Count("items"))

    @admin.display(ordering="item_count", description="items")
    def item_count(self, meeting):
        return meeting.item_count

    def save_model(self, request, obj, form, change):
        # A date set here is kept when the minutes are imported again.
        if "date" in form.changed_data:
            obj.date_source = Meeting.DateSource.ADMIN if obj.date else Meeting.DateSource.UNKNOWN
        super().save_model(request, obj, form, change)


class ResolutionInline(admin.TabularInline):
    model = Resolution
    extra = 0
    fields = ["order", "text", "kind"]


class ItemTopicInline(admin.TabularInline):
    model = ItemTopic
    extra = 0
    fields = ["topic", "in_title"]
    autocomplete_fields = ["topic"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
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

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Search: the index holds a copy of the item's decisions and topic names.
        AgendaItem.objects.filter(pk=form.instance.pk).refresh_search_text()


@admin.register(Resolution)
class ResolutionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "item"]
    list_filter = ["kind"]
    list_select_related = ["item", "item__meeting"]
    raw_id_fields = ["item"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    # Search: the index holds a copy of each item's decisions.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        AgendaItem.objects.filter(pk=obj.item_id).refresh_search_text()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        AgendaItem.objects.filter(pk=obj.item_id).refresh_search_text()

    def delete_queryset(self, request, queryset):
        item_ids = list(queryset.values_list("item_id", flat=True))
        super().delete_queryset(request, queryset)
        AgendaItem.objects.filter(pk__in=item_ids).refresh_search_text()


@admin.register(Attendee)
class AttendeeAdmin(admin.ModelAdmin):
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
class PersonAdmin(admin.ModelAdmin):
    """People are found in the attendance lists; an admin may correct a name or its address."""

    list_display = ["name", "slug"]
    search_fields = ["name"]
    inlines = [PersonAttendanceInline]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "aliases", "case_sensitive", "created_automatically", "uses"]
    list_filter = ["created_automatically", "case_sensitive"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(use_count=Count("item_topics"))

    @admin.display(ordering="use_count", description="items")
    def uses(self, topic):
        return topic.use_count

    # Search: the index holds a copy of the names of each item's topics.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            AgendaItem.objects.filter(item_topics__topic=obj).refresh_search_text()

    def delete_model(self, request, obj):
        self.delete_queryset(request, Topic.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        item_ids = list(
            ItemTopic.objects.filter(topic__in=queryset).values_list("item_id", flat=True)
        )
        super().delete_queryset(request, queryset)
        AgendaItem.objects.filter(pk__in=item_ids).refresh_search_text()


@admin.register(SourceDocument)
class SourceDocumentAdmin(admin.ModelAdmin):
    """Read-only: the record of every file offered for import is never changed or deleted."""

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
        "imported_at",
        "imported_by_label",
        "original",
    ]
    readonly_fields = [*fields, "original_withheld"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("original_text", "original_bytes")

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

    @admin.display(description="original text")
    def original(self, document):
        if not document.original_text:
            return "The file could not be read as text; its bytes are kept."
        return format_html(
            '<pre style="white-space: pre-wrap; max-width: 60em">{}</pre>', document.original_text
        )

    @admin.display(description="original text")
    def original_withheld(self, document):
        return "Shown only to users who may view restricted items."

    def get_fields(self, request, obj=None):
        # The original minutes include the text of restricted items.
        if can_view_restricted(request.user):
            return self.fields
        return [name if name != "original" else "original_withheld" for name in self.fields]
