"""The search page and the CSV download of its results."""

import csv
from urllib.parse import urlencode

from django.db.models import Prefetch, prefetch_related_objects
from django.db.models.functions import Lower
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse

from . import selectors
from .filters import SORT_CHOICES
from .models import AgendaItem, ItemTopic, Resolution
from .search.facets import CANDIDATES, RELEVANCE
from .search.filters import DATE_PART_FIELDS, DATE_PARTS, FILTERS, MAX_VALUES, DatePartsWidget
from .search.results import load_items
from .views import archive_access, pagination_context

PAGE_SIZE = 20
EXPORT_TIME_LIMIT = 30.0  # seconds to find the results of a CSV download
# Downloads of more results than this are streamed, a chunk of items at a time, rather than
# held in memory whole.
STREAM_FROM = 2000
# Parameters that are not filters: kept by "clear all", or only about the page shown.
KEPT_BY_CLEAR = ("q", "sort")
# The parameter that lists every choice of a filter that shows its largest few at first.
SHOW_ALL = {f.name: f.show_all_param for f in FILTERS if f.show_all_param}
PAGE_ONLY = ("page", *SHOW_ALL.values())


def _url(pairs) -> str:
    """``?`` and the query string of ``pairs``, or ``?`` alone when there are none."""
    return "?" + urlencode(list(pairs))


def _pairs(params, *, drop=(), without=None):
    """Every (name, value) of ``params`` except the names in ``drop`` and the pair ``without``."""
    return [
        (name, value)
        for name in params
        if name not in drop
        for value in params.getlist(name)
        if (name, value) != without
    ]


def _active_filters(filterset, params) -> list[dict]:
    """The filters applied, each with a link that removes it and keeps everything else."""
    values = filterset.values
    links = []
    for filter_ in FILTERS:
        if filter_.name not in values:
            continue
        for value, label in filter_.active(values[filter_.name], params.get(filter_.name)):
            if filter_.date_input:
                # A date typed in three fields: removing it drops them all.
                pairs = _pairs(params, drop=(*PAGE_ONLY, *filter_.parameters))
            else:
                pairs = _pairs(params, drop=PAGE_ONLY, without=(filter_.name, value))
            links.append({"label": label, "remove_url": _url(pairs)})
    return links


def _show_all_links(facets, params) -> None:
    """Give the shortened filters a link to list every choice, and the open ones a link back.

    Plain links keeping the rest of the page's state, so they work without JavaScript.
    """
    for facet in facets:
        param = SHOW_ALL.get(facet.name)
        if param is None:
            continue
        pairs = _pairs(params, drop=(param,))
        anchor = f"#facet-{facet.name}"
        facet.show_all_url = _url([*pairs, (param, "1")]) + anchor
        facet.show_fewer_url = _url(pairs) + anchor


def _sort_options(filterset, params) -> list[dict]:
    options = []
    for value, label in SORT_CHOICES:
        if value == RELEVANCE and not filterset.query:
            continue
        pairs = _pairs(params, drop=("sort", "page")) + [("sort", value)]
        current = filterset.sort_order == value
        options.append({"label": label, "url": _url(pairs), "current": current})
    return options


# Where each parameter's error message links to on the page.
ERROR_TARGETS = {"q": "search-q", **{f.name: f.target() for f in FILTERS}}


def _error_text(filterset, name: str, message: str) -> str:
    if name in FILTERS and FILTERS[name].errors_name_it:
        return message
    return f"{filterset.filters[name].label}: {message}"


def _errors(filterset) -> list[dict]:
    return [
        {
            "href": "#" + _error_target(filterset, name),
            "text": _error_text(filterset, name, message),
        }
        for name, messages in filterset.form.errors.items()
        if name in filterset.filters
        for message in messages
    ]


def _error_parts(filterset, name: str) -> tuple[str, ...]:
    """The fields of a date in error (``DateInputError``): all three unless it names some."""
    errors = filterset.form.errors.as_data().get(name, [])
    parts = [part for error in errors for part in (error.params or {}).get("parts", DATE_PARTS)]
    return tuple(part for part in DATE_PARTS if part in parts)


def _error_target(filterset, name: str) -> str:
    if name in FILTERS and FILTERS[name].date_input:
        parts = _error_parts(filterset, name) or DATE_PARTS
        return f"{FILTERS[name].error_target}-{parts[0]}"
    return ERROR_TARGETS.get(name, f"facet-{name}")


def _date_inputs(filterset, params) -> list[dict]:
    """The date range's two dates, each as GOV.UK's day, month and year fields, filled in
    with what was typed (or the ISO date of an older link), the fields in error marked."""
    widget = DatePartsWidget()
    inputs = []
    for filter_ in FILTERS:
        if not filter_.date_input:
            continue
        shown = widget.value_from_datadict(params, None, filter_.name).shown()
        errors = list(filterset.form.errors.get(filter_.name, []))
        in_error = _error_parts(filterset, filter_.name) if errors else ()
        inputs.append(
            {
                "name": filter_.name,
                "id": filter_.error_target,
                "label": filter_.label,
                "errors": errors,
                "parts": [
                    {
                        "name": f"{filter_.name}_{part}",
                        "id": f"{filter_.error_target}-{part}",
                        "label": DATE_PART_FIELDS[part][0],
                        "width": DATE_PART_FIELDS[part][1],
                        "value": getattr(shown, part) if shown.typed else "",
                        "error": part in in_error,
                    }
                    for part in DATE_PARTS
                ],
            }
        )
    return inputs


def _applied_count(filterset) -> int:
    """How many filters are applied, as the control showing them says ("3 applied")."""
    values = filterset.values
    return sum(
        len(value) if isinstance(value, list) else 1
        for name, value in values.items()
        if name in FILTERS
    )


def _unknown_topics(filterset, params) -> list[str]:
    """The topics asked for that the filter left out (shortened as the query is).

    A topic no longer in the archive, and one found only in text the user may not read, are
    left out alike and named alike here.
    """
    if "topic" in filterset.form.errors:
        return []
    applied = {topic.slug for topic in filterset.values.get("topic", [])}
    asked = dict.fromkeys(slug for slug in params.getlist("topic")[:MAX_VALUES] if slug)
    return [_shortened(slug) for slug in asked if slug not in applied]


# Characters of the query repeated in the page's title and headings; the box keeps it whole.
QUERY_SHOWN = 100


def _shortened(query: str) -> str:
    if len(query) <= QUERY_SHOWN:
        return query
    return query[:QUERY_SHOWN].rstrip() + "…"


def _total_text(summary, count: int) -> str:
    if not summary.exact and count > CANDIDATES:
        return f"More than {CANDIDATES:,}"
    return str(count)


@archive_access
def search(request):
    return _search_page(request)


def _search_page(request, *, status: int = 200, base_href: str = ""):
    params = request.GET
    show_all = [name for name, param in SHOW_ALL.items() if params.get(param) == "1"]
    found = selectors.search_page(
        params, request.user, params.get("page"), show_all=show_all, per_page=PAGE_SIZE
    )
    filterset, paginator, page, facets = found.filterset, found.paginator, found.page, found.facets
    include = filterset.include_restricted
    _show_all_links(facets, params)
    for facet in facets:
        facet.errors = list(filterset.form.errors.get(facet.name, []))
    parsed = filterset.parsed_query
    context = {
        "filterset": filterset,
        "form": filterset.form,
        "query": filterset.query,
        "query_shown": _shortened(filterset.query),
        "query_unsearchable": bool(filterset.query) and parsed.is_empty,
        **pagination_context(page),
        "results": page.object_list,
        "facets": facets,
        "summary": filterset.summary,
        "total_text": _total_text(filterset.summary, paginator.count),
        "ranked_among": paginator.object_list.ranked_among,
        "active_filters": _active_filters(filterset, params),
        "filters_active": filterset.active,
        "clear_url": _url(_pairs(params, drop=[n for n in params if n not in KEPT_BY_CLEAR])),
        "query_only_url": _url([("q", filterset.query)] if filterset.query else []),
        "sort_options": _sort_options(filterset, params),
        "csv_url": reverse("meetings:search_csv") + _url(_pairs(params, drop=PAGE_ONLY)),
        # The search box and the filters are two forms; each carries the other's state.
        "search_state": _pairs(params, drop=("q", "page")),
        "filter_state": [
            (name, value) for name, value in _pairs(params, drop=("page",)) if name in ("q", "sort")
        ]
        + [(SHOW_ALL[name], "1") for name in show_all],
        "date_inputs": _date_inputs(filterset, params),
        # Items without a meeting date are left out by a date range: the page says so.
        "date_range_set": any(f.date_input and f.name in filterset.values for f in FILTERS),
        "applied_count": _applied_count(filterset),
        "can_view_restricted": include,
        "errors": _errors(filterset),
        "unknown_topics": _unknown_topics(filterset, params),
        # The page's links are relative to the search page's address ("?q=...&page=2").
        "base_href": base_href,
    }
    return render(request, "meetings/search.html", context, status=status)


# CSV

CSV_COLUMNS = [
    "date",
    "body",
    "number",
    "title",
    "status",
    "restricted",
    "topics",
    "decisions",
    "minutes",
    "url",
]
WITHHELD = "Withheld: restricted item"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A cell's text, with a ' before anything a spreadsheet would read as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _csv_rows(items, *, base_url: str, include_restricted: bool):
    yield CSV_COLUMNS
    for item in items:
        if item.restricted and not include_restricted:
            decisions = minutes = WITHHELD
        else:
            decisions = "\n".join(decision.text for decision in item.shown_decisions)
            minutes = item.minutes_shown
        yield [
            csv_cell(value)
            for value in (
                item.meeting.date.isoformat() if item.meeting.date else "",
                item.meeting.body,
                item.shown_number or f"Item {item.position}",
                item.title,
                item.get_status_display(),
                "yes" if item.restricted else "no",
                "; ".join(link.topic.name for link in item.shown_topics),
                decisions,
                minutes,
                base_url + reverse("meetings:item_detail", args=[item.pk]),
            )
        ]


CSV_CHUNK = 500


def _csv_items(ids, *, include_restricted: bool):
    """The items of these ids in order, with the topics and decisions shown, a chunk at a time."""
    topics = (
        ItemTopic.objects.with_restricted(include_restricted)
        .select_related("topic")
        .order_by(Lower("topic__name"))
    )
    decisions = Resolution.objects.with_restricted(include_restricted).order_by("order")
    for start in range(0, len(ids), CSV_CHUNK):
        chunk = ids[start : start + CSV_CHUNK]
        items = load_items(chunk)
        prefetch_related_objects(
            items,
            Prefetch("item_topics", queryset=topics, to_attr="shown_topics"),
            Prefetch("resolutions", queryset=decisions, to_attr="shown_decisions"),
        )
        # The minutes as the user may read them: a restricted item's are not even loaded.
        shown = AgendaItem.objects.filter(pk__in=chunk).with_restricted_text(include_restricted)
        minutes = dict(shown.values_list("pk", "minutes_text_shown"))
        for item in items:
            item.minutes_shown = minutes.get(item.pk, "")
        yield from items


class _Echo:
    """A file for ``csv.writer`` that hands back each line instead of keeping it."""

    def write(self, value):
        return value


@archive_access
def search_csv(request):
    """Every result of the search (not only one page), in the page's order, as CSV.

    A long download (more than ``STREAM_FROM`` results) is streamed: a search matching most of
    the archive is written out a chunk of items at a time.
    """
    export = selectors.search_export(request.GET, request.user, seconds=EXPORT_TIME_LIMIT)
    if not export.valid:
        # The same search as a page shows what is wrong; nothing is downloaded.
        return _search_page(request, status=400, base_href=reverse("meetings:search"))
    ids, include = export.ids, export.include_restricted
    rows = _csv_rows(
        _csv_items(ids, include_restricted=include),
        base_url=request.build_absolute_uri("/").rstrip("/"),
        include_restricted=include,
    )
    if len(ids) > STREAM_FROM:
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse(
            (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        csv.writer(response).writerows(rows)
    response["Content-Disposition"] = 'attachment; filename="search-results.csv"'
    return response
