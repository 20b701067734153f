"""Follow-ups in the admin: confirm or reject a suggested return, close one with a note.

A status or returned item set here is kept by matching and re-imports (``set_by_hand``); a
rejected suggestion is never suggested again. As on the public site, a restricted item's
follow-ups are not there at all for staff who may not view restricted items (list, counts,
filters and change pages); its wording is also withheld should one be reached another way.
"""

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils.html import format_html

from . import followups
from .admin_restricted import RestrictedTextAdmin
from .models import FollowUp, can_view_restricted

TEXT_FIELDS = ("what", "who", "phrase", "note")


@admin.register(FollowUp)
class FollowUpAdmin(RestrictedTextAdmin, admin.ModelAdmin):
    list_display = ["shown_what", "status", "kind", "raised_at", "returned_at", "set_by_hand"]
    list_filter = ["status", "kind", "set_by_hand"]
    list_select_related = ["item__meeting", "returned_item__meeting"]
    raw_id_fields = ["returned_item"]
    actions = ["confirm_returns", "reject_returns", "close", "match_again"]
    fields = [
        "raised_at",
        "kind",
        "what",
        "who",
        "due",
        "due_date",
        "phrase",
        "status",
        "returned_item",
        "note",
        "set_by_hand",
        "created",
        "updated",
    ]
    readonly_fields = [
        "raised_at",
        "kind",
        "what",
        "who",
        "due",
        "due_date",
        "phrase",
        "set_by_hand",
        "created",
        "updated",
    ]

    def has_add_permission(self, request):
        return False  # read from the minutes on import

    def withholds_text(self, request, obj) -> bool:
        return (
            obj is not None
            and (obj.item.restricted or obj.restricted_text)
            and not can_view_restricted(request.user)
        )

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if self.withholds_text(request, obj):
            return [name for name in fields if name not in TEXT_FIELDS]
        return fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("item__meeting")
        queryset = queryset.annotate(what_shown=F("what"))
        if can_view_restricted(request.user):
            return queryset
        # Its kind, due date and status are read from restricted minutes too: a restricted
        # item's follow-ups are not listed, counted or opened for staff who may not read it.
        return queryset.exclude(item__restricted=True).exclude(restricted_text=True)

    @admin.display(description="what is to come back")
    def shown_what(self, follow_up):
        return follow_up.what_shown[:120]

    @admin.display(description="raised at", ordering="item__meeting__date")
    def raised_at(self, follow_up):
        item = follow_up.item
        url = reverse("admin:meetings_agendaitem_change", args=[item.pk])
        return format_html('<a href="{}">{}: {}</a>', url, item.meeting, item)

    @admin.display(description="returned at")
    def returned_at(self, follow_up):
        item = follow_up.returned_item
        if item is None:
            return "-"
        url = reverse("admin:meetings_agendaitem_change", args=[item.pk])
        return format_html('<a href="{}">{}: {}</a>', url, item.meeting, item)

    def save_model(self, request, obj, form, change):
        if change and {"status", "returned_item", "note"} & set(form.changed_data):
            previous = form.initial.get("returned_item")
            if previous and obj.returned_item_id is None and previous not in obj.rejected_items:
                obj.rejected_items = [*obj.rejected_items, previous]
            obj.set_by_hand = True
        super().save_model(request, obj, form, change)

    # Actions

    @admin.action(description="Confirm the suggested return", permissions=["change"])
    def confirm_returns(self, request, queryset):
        suggested = queryset.filter(returned_item__isnull=False)
        _set_by_hand_while_restricted(suggested)
        count = suggested.update(status=FollowUp.Status.RETURNED, set_by_hand=True)
        self.message_user(request, f"{count} return{'s' * (count != 1)} confirmed.")
        if skipped := queryset.count() - count:
            self.message_user(
                request, f"{skipped} had no suggested return to confirm.", messages.WARNING
            )

    @admin.action(description="Reject the suggested return", permissions=["change"])
    def reject_returns(self, request, queryset):
        rejected = list(queryset.filter(returned_item__isnull=False))
        with transaction.atomic():
            for follow_up in rejected:
                follow_up.rejected_items = [*follow_up.rejected_items, follow_up.returned_item_id]
                follow_up.returned_item = None
                follow_up.status = FollowUp.Status.OPEN
                follow_up.set_by_hand = False
            FollowUp.objects.bulk_update(
                rejected, ["rejected_items", "returned_item", "status", "set_by_hand"]
            )
            _match_again(rejected)
        count = len(rejected)
        self.message_user(
            request,
            f"{count} suggested return{'s' * (count != 1)} rejected; "
            "they will not be suggested again.",
        )

    @admin.action(description="Close by hand", permissions=["change"])
    def close(self, request, queryset):
        _set_by_hand_while_restricted(queryset)
        count = queryset.update(status=FollowUp.Status.CLOSED, set_by_hand=True)
        self.message_user(
            request,
            f"{count} follow-up{'s' * (count != 1)} closed. Add a note on each one's page "
            "to say why.",
        )

    @admin.action(description="Let matching decide again", permissions=["change"])
    def match_again(self, request, queryset):
        chosen = list(queryset)
        with transaction.atomic():
            FollowUp.objects.filter(pk__in=[f.pk for f in chosen]).update(
                set_by_hand=False, status=FollowUp.Status.OPEN, returned_item=None
            )
            _match_again(chosen)
        count = len(chosen)
        self.message_user(request, f"{count} follow-up{'s' * (count != 1)} matched again.")


def _match_again(follow_ups) -> None:
    """Match again the bodies of these follow-ups around the meetings that raised them."""
    followups.rematch_places((f.item.meeting.body, f.item.meeting.date) for f in follow_ups)


def _set_by_hand_while_restricted(queryset) -> None:
    """Mark the text of those of ``queryset`` whose items are restricted as restricted for good
    (``FollowUp.restricted_text``), before they are set by hand in one statement (``save``
    does so for one)."""
    queryset.filter(item__restricted=True, restricted_text=False).update(restricted_text=True)
