from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import render

from . import selectors


def archive_access(view):
    """Let anyone in unless ``settings.ARCHIVE_LOGIN_REQUIRED`` is on."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if settings.ARCHIVE_LOGIN_REQUIRED and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


def _not_yet(request, *args, **kwargs):
    raise Http404("This page is not available yet.")


meeting_year = meeting_json = item_detail = _not_yet
topic_list = topic_detail = person_list = person_detail = _not_yet


@archive_access
def meeting_list(request):
    return render(request, "meetings/meeting_list.html", {"groups": selectors.meeting_groups()})


@archive_access
def meeting_detail(request, pk):
    meeting = selectors.meeting_detail(pk, request.user)
    context = {
        "meeting": meeting,
        "attendance_groups": selectors.attendance_groups(meeting),
        "adjacent": selectors.adjacent_meetings(meeting),
    }
    return render(request, "meetings/meeting_detail.html", context)


# Until the home page has its own content, it shows the meeting list.
home = meeting_list
