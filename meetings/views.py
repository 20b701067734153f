"""The archive's pages: each view asks a selector for what to show and renders it.

Every view here, the feeds and the JSON are behind ``archive_access``.
"""

import re
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from . import charts, selectors
from .exports import export_meetings, meeting_to_dict
from .models import can_view_restricted


def login_redirect(request):
    """The redirect to sign in when ``settings.ARCHIVE_LOGIN_REQUIRED`` keeps ``request`` out."""
    if settings.ARCHIVE_LOGIN_REQUIRED and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


def archive_access(view):
    """Let anyone in unless ``settings.ARCHIVE_LOGIN_REQUIRED`` is on."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return login_redirect(request) or view(request, *args, **kwargs)

    return wrapped


@archive_access
def home(request):
    return render(request, "meetings/home.html", {"summary": selectors.home_summary(request.user)})


@archive_access
def meeting_list(request):
    page = selectors.meeting_list_page(request.GET.get("page"))
    context = {
        "groups": page.groups,
        "years": selectors.meeting_years(),
        "undated_page": selectors.undated_meetings_page(page),
        **pagination_context(page, "Pages of meetings"),
    }
    return render(request, "meetings/meeting_list.html", context)


@archive_access
def meeting_year(request, year):
    page = selectors.meetings_in_year(year, request.GET.get("page"))
    context = {
        "year": year,
        "meetings": page.object_list,
        "years": selectors.meeting_years(),
        **pagination_context(page, f"Pages of meetings in {year}"),
    }
    return render(request, "meetings/meeting_year.html", context)


def pagination_context(page, label: str = "Pages of results") -> dict:
    """What templates/meetings/search/pagination.html needs to link to the other pages."""
    return {
        "pagination_label": label,
        "page_obj": page,
        "paginator": page.paginator,
        "page_range": list(page.paginator.get_elided_page_range(page.number, on_each_side=2)),
    }


@archive_access
def meeting_detail(request, pk):
    meeting = selectors.meeting_detail(pk, request.user)
    adjacent, neighbours = selectors.linked_meetings(meeting)
    context = {
        "meeting": meeting,
        "attendance_groups": selectors.attendance_groups(meeting),
        "chairs": selectors.chairs(meeting),
        "adjacent": adjacent,
        "neighbours": neighbours,
        "original": selectors.original_file(meeting, request.user),
    }
    return render(request, "meetings/meeting_detail.html", context)


def original_file_response(document) -> HttpResponse:
    """A ``SourceDocument``'s file exactly as received, as a download that no browser will
    display or run."""
    response = HttpResponse(bytes(document.original_bytes), content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, document.file_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@archive_access
@require_GET
def meeting_original(request, pk):
    """The file the meeting's minutes were imported from (``selectors.original_document``)."""
    response = original_file_response(selectors.original_document(pk, request.user))
    # Who may download it depends on who asks: no shared cache keeps it.
    patch_cache_control(response, private=True)
    return response


@archive_access
def meeting_json(request, pk):
    """One meeting in the ``export_archive`` schema, restricted text withheld unless allowed."""
    meetings = export_meetings(include_restricted=can_view_restricted(request.user))
    meeting = get_object_or_404(meetings, pk=pk)
    return JsonResponse(meeting_to_dict(meeting), json_dumps_params={"indent": 2})


@archive_access
def item_detail(request, pk):
    item = selectors.item_detail(pk, request.user)
    context = {
        "item": item,
        "meeting": item.meeting,
        "item_neighbours": selectors.item_neighbours(item),
        "original": selectors.original_file(item.meeting, request.user),
    }
    return render(request, "meetings/item_detail.html", context)


@archive_access
def topic_list(request):
    topics = selectors.topics_by_name(request.user)
    return render(request, "meetings/topic_list.html", {"topics": topics})


_YEAR = re.compile(r"[0-9]{4}")


def _year_param(value) -> int | None:
    """A year given in a query string ("2019", or a date such as "2019-04-01"), or None."""
    value = (value or "").strip()[:4]
    return int(value) if _YEAR.fullmatch(value) and 1900 <= int(value) <= 2100 else None


@archive_access
def topic_detail(request, slug):
    newest = request.GET.get("order") != "oldest"
    first, last = _year_param(request.GET.get("from")), _year_param(request.GET.get("to"))
    if first and last and first > last:
        first, last = last, first
    page = selectors.topic_page(
        slug, request.user, request.GET.get("page"), newest=newest, years=(first, last)
    )
    context = {
        "page": page,
        "topic": page.topic,
        "year_from": first,
        "year_to": last,
        "chart": charts.items_per_year_chart(page.topic.name, page.per_year),
        **pagination_context(page.page_obj, f"Pages of items on {page.topic.name}"),
    }
    return render(request, "meetings/topic_detail.html", context)


@archive_access
def person_list(request):
    # Printable characters only (PostgreSQL refuses NUL in text), spaces made single.
    query = "".join(char for char in request.GET.get("q", "")[:200] if char.isprintable())
    query = " ".join(query.split())
    page = selectors.people_page(query, request.GET.get("page"))
    context = {
        "people": page.object_list,
        "query": query,
        **pagination_context(page, "Pages of people"),
    }
    return render(request, "meetings/person_list.html", context)


@archive_access
def person_detail(request, slug):
    page = selectors.person_page(slug)
    return render(request, "meetings/person_detail.html", {"page": page, "person": page.person})
