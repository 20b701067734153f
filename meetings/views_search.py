"""Search pages: in progress."""

from django.http import Http404


def search(request):
    raise Http404("Search is not available yet.")


def search_csv(request):
    raise Http404("Search is not available yet.")
