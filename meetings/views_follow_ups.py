"""The follow-ups page: what the minutes said would come back, and whether it did."""

from django.shortcuts import render

from . import selectors_follow_ups
from .views import archive_access, pagination_context


@archive_access
def follow_up_list(request):
    page = selectors_follow_ups.follow_up_page(request.GET, request.user, request.GET.get("page"))
    context = {
        "page": page,
        "filter": page.filterset,
        "follow_ups": page.page_obj.object_list,
        **pagination_context(page.page_obj, "Pages of follow-ups"),
    }
    return render(request, "meetings/follow_up_list.html", context)
