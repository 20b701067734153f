"""The admin's side of restricted items: what staff without ``view_restricted`` may learn there.

The text and decisions of a restricted item, and topics found only in that text, are withheld
from staff who may not view restricted items, as on the public site. Besides the pages that show
them (``meetings/admin.py``), the admin could disclose them through the lookups a changelist
accepts from its query string, the labels of related objects on delete confirmation pages and
the change messages of an item's history, and deleting a user lists the history entries they
made, each named by what was changed. ``RestrictedTextAdmin`` closes those for every
``ModelAdmin`` of the site, Django's users and groups included.
"""

import json

from django import forms
from django.contrib.admin import FieldListFilter, SimpleListFilter, widgets
from django.contrib.admin.models import LogEntry
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import NestedObjects, get_fields_from_path, quote
from django.contrib.contenttypes.models import ContentType
from django.db import models, router
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst

from .models import AgendaItem, ItemTopic, Resolution, Topic, can_view_restricted

# What the history of a restricted item shows for an object edited on its page.
WITHHELD_OBJECT = "withheld: the item is restricted"


class RestrictedTextAdmin:
    """Mixin for a ``ModelAdmin``: filters only as offered, neutral labels for restricted items.

    - A changelist accepts from the query string only the lookups its own filters and date
      hierarchy make (Django's default also accepts any lookup on the model's own fields, such
      as ``?minutes_text__icontains=...``, which counts restricted items by their hidden text).
    - Delete confirmation pages name the decisions and hidden topic links of restricted items,
      hidden topics and history entries without their text (``WithheldLabels``).
    - The history of an object whose text is withheld (``withholds_text``) does not name the
      objects edited on its page: a decision's name is its text.
    """

    def lookup_allowed(self, lookup, value, request):
        """Only the parameters of ``offered_lookups`` (and raw-id popups), for every user."""
        if lookup in self.offered_lookups(request):
            return True
        # The popups of raw-id fields filter by the field's ``limit_choices_to``, as in Django.
        for fk_lookup in self.model._meta.related_fkey_lookups:
            if callable(fk_lookup):
                fk_lookup = fk_lookup()
            if (lookup, value) in widgets.url_params_from_lookup_dict(fk_lookup).items():
                return True
        return False

    def get_changelist_instance(self, request):
        """As Django's, refusing as it refuses other wrong filters the values no database
        query can take: a NUL character (PostgreSQL text cannot hold one) and a date part past
        any date (Python's dates overflow)."""
        for name, values in request.GET.lists():
            if any("\x00" in value for value in [name, *values]):
                raise IncorrectLookupParameters(f"{name!r} holds a NUL character")
        if self.date_hierarchy:
            for part in ("year", "month", "day"):
                value = request.GET.get(f"{self.date_hierarchy}__{part}")
                if value is not None and not (value.isascii() and value.isdigit()):
                    raise IncorrectLookupParameters(f"{part} is not a number")
                if value is not None and len(value) > 4:
                    raise IncorrectLookupParameters(f"{part} is out of range")
        return super().get_changelist_instance(request)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.JSONField):
            kwargs.setdefault("form_class", JSONWithoutNulField)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        # A NUL character matches nothing, and PostgreSQL refuses it (changelists and
        # autocomplete alike).
        if "\x00" in search_term:
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    def offered_lookups(self, request) -> set[str]:
        """The query string parameters the changelist's filters and date hierarchy use."""
        offered = set()
        for list_filter in self.get_list_filter(request):
            if isinstance(list_filter, type) and issubclass(list_filter, SimpleListFilter):
                offered.add(list_filter.parameter_name)
                continue
            if callable(list_filter):
                spec = list_filter(request, {}, self.model, self)
            else:
                if isinstance(list_filter, (tuple, list)):
                    field_path, filter_class = list_filter
                else:
                    field_path, filter_class = list_filter, FieldListFilter.create
                field = get_fields_from_path(self.model, field_path)[-1]
                spec = filter_class(field, request, {}, self.model, self, field_path=field_path)
            offered.update(spec.expected_parameters())
        if self.date_hierarchy:
            offered.update(f"{self.date_hierarchy}__{part}" for part in ("year", "month", "day"))
        return offered

    def withholds_text(self, request, obj) -> bool:
        """Whether ``obj`` holds text withheld from this user (e.g. a restricted item)."""
        return False

    def get_deleted_objects(self, objs, request):
        """As Django's, with the objects that carry restricted text named neutrally."""
        try:
            first = objs[0]
        except IndexError:
            return [], {}, set(), []
        collector = NestedObjects(using=router.db_for_write(first._meta.model), origin=objs)
        collector.collect(objs)
        perms_needed = set()
        labels = WithheldLabels(request.user)

        def format_callback(obj):
            opts = obj._meta
            name = capfirst(opts.verbose_name)
            if labels.unlisted(obj):
                return None
            withheld = labels.label(obj)
            if not self.admin_site.is_registered(obj.__class__):
                return format_html("{}: {}", name, withheld or str(obj))
            model_admin = self.admin_site.get_model_admin(obj.__class__)
            if not model_admin.has_delete_permission(request, obj):
                perms_needed.add(opts.verbose_name)
            if withheld:
                return format_html("{}: {}", name, withheld)
            try:
                url = reverse(
                    f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                    args=[quote(obj.pk)],
                )
            except NoReverseMatch:
                return format_html("{}: {}", name, obj)
            return format_html('{}: <a href="{}">{}</a>', name, url, obj)

        to_delete = _listed(collector.nested(format_callback))
        protected = [format_callback(obj) for obj in collector.protected]
        model_count = {
            model._meta.verbose_name_plural: count
            for model, objects in collector.model_objs.items()
            if (count := len([obj for obj in objects if not labels.unlisted(obj)]))
        }
        return to_delete, model_count, perms_needed, [obj for obj in protected if obj]

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        page = getattr(response, "context_data", {}).get("action_list")
        if page is not None and self.withholds_text(request, response.context_data["object"]):
            page.object_list = [withhold_object_names(entry) for entry in page]
        return response


class JSONWithoutNulField(forms.JSONField):
    """A JSON value that holds no NUL character ("\\u0000"): PostgreSQL cannot store one."""

    def validate(self, value):
        super().validate(value)
        if "\\u0000" in json.dumps(value):
            raise forms.ValidationError("Enter text without a NUL character (\\u0000).")


def _listed(nested: list) -> list:
    """``nested`` (Django's nested list of labels) without the objects not listed (None)."""
    listed = [_listed(entry) if isinstance(entry, list) else entry for entry in nested]
    return [entry for entry in listed if entry]


def withhold_object_names(entry):
    """``entry`` (a ``LogEntry``, not saved again) without the names of related objects.

    Django names the objects edited inline by their ``__str__``; for a decision that is its text.
    A message that is not Django's JSON could say anything, so it is replaced as a whole.
    """
    try:
        parts = json.loads(entry.change_message) if entry.change_message else []
    except ValueError:
        parts = None
    if not isinstance(parts, list):
        entry.change_message = json.dumps([{"changed": {"fields": []}}])
        return entry
    for part in parts:
        for detail in part.values() if isinstance(part, dict) else ():
            if isinstance(detail, dict) and "object" in detail:
                detail["object"] = WITHHELD_OBJECT
    entry.change_message = json.dumps(parts)
    return entry


class WithheldLabels:
    """Neutral labels for the objects that would show restricted text to ``user``."""

    def __init__(self, user):
        self.include = can_view_restricted(user)
        self._items = {}
        self._visible_topics = None

    def unlisted(self, obj) -> bool:
        """Whether ``obj`` is left out of the list altogether: a topic link found only in a
        restricted item's text says, under its topic, that the text names that topic."""
        if self.include or not isinstance(obj, ItemTopic) or obj.in_title:
            return False
        return self._item(obj.item_id).restricted

    def label(self, obj) -> str | None:
        """What to call ``obj`` instead of its ``__str__``; None when it may be shown."""
        if self.include:
            return None
        if isinstance(obj, Resolution):
            item = self._item(obj.item_id)
            if item.restricted:
                return f"decision {obj.order} of the restricted item “{item}”"
        elif isinstance(obj, Topic) and obj.pk not in self.visible_topics():
            return "a topic named only in the text of restricted items"
        elif isinstance(obj, LogEntry):
            # Named by the object it records (a decision's text) and the objects changed with
            # it; deleting a user lists every entry they made.
            model_name = ContentType.objects.get_for_id(obj.content_type_id).name
            return f"an entry in the history of a {model_name}"
        return None

    def _item(self, pk) -> AgendaItem:
        if pk not in self._items:
            self._items[pk] = AgendaItem.objects.only(
                "number_printed", "title", "position", "restricted"
            ).get(pk=pk)
        return self._items[pk]

    def visible_topics(self) -> set[int]:
        if self._visible_topics is None:
            self._visible_topics = set(
                Topic.objects.with_restricted(False).values_list("pk", flat=True)
            )
        return self._visible_topics
