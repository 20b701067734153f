"""Atom feeds: in progress."""

from django.http import Http404


class LatestMeetingsFeed:
    def __call__(self, request, *args, **kwargs):
        raise Http404("Feeds are not available yet.")


class TopicItemsFeed(LatestMeetingsFeed):
    pass
