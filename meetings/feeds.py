"""Atom feeds: meetings as they are added, and the items on each topic.

A restricted item appears by its number and title only, unless the reader may see restricted
items (a feed reader usually reads anonymously). Descriptions are HTML built from escaped text.
"""

import datetime
from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from . import selectors
from .models import AgendaItem, Meeting, Topic, can_view_restricted
from .views import login_redirect

SITE_NAME = "Safer Stockton Partnership meetings archive"
WITHHELD = "Restricted item: its papers, minutes and decisions are not public."


class ArchiveFeed(Feed):
    feed_type = Atom1Feed
    author_name = "Safer Stockton Partnership"

    def __call__(self, request, *args, **kwargs):
        return login_redirect(request) or super().__call__(request, *args, **kwargs)


class LatestMeetingsFeed(ArchiveFeed):
    title = f"New meetings – {SITE_NAME}"
    subtitle = "Meetings of the Safer Stockton Partnership as they are added to the archive."

    def link(self):
        return reverse("meetings:meeting_list")

    def items(self):
        return selectors.latest_meetings_for_feed()

    def item_title(self, meeting: Meeting):
        # Not str(meeting), the admin's "Unknown body, date unknown": a reader is told what the
        # minutes leave out, not given the parser's placeholder.
        date = (
            date_format(meeting.date, "j F Y") if meeting.date else "date not stated in the minutes"
        )
        return f"{meeting.body or 'Meeting'}, {date}"

    def item_description(self, meeting: Meeting):
        items = meeting.items.all()
        if not items:
            return format_html("<p>{}</p>", "No agenda items were found in these minutes.")
        return format_html(
            "<p>Agenda items:</p><ul>{}</ul>",
            format_html_join("", "<li>{}</li>", ((item.label,) for item in items)),
        )

    def item_pubdate(self, meeting: Meeting):
        return meeting.created

    def item_updateddate(self, meeting: Meeting):
        return meeting.updated


@dataclass
class TopicFeedSubject:
    topic: Topic
    items: list[AgendaItem]


class ItemEntries:
    """A feed's entries of agenda items, as ``selectors`` shows them: a restricted item a reader
    may not see (``withheld``) by its number and title only. ``decisions_shown``: an entry
    lists the item's decisions, when it has any, rather than the opening of its minutes."""

    decisions_shown = True

    def item_title(self, item: AgendaItem):
        return f"{item.label} ({item.meeting.date_label})"

    def item_link(self, item: AgendaItem):
        return reverse("meetings:item_detail", args=[item.pk])

    def item_description(self, item: AgendaItem):
        meeting = format_html("<p>{}</p>", str(item.meeting))
        if item.withheld:
            return format_html("{}<p>{}</p>", meeting, WITHHELD)
        decisions = item.resolutions.all() if self.decisions_shown else ()
        if decisions:
            return format_html(
                "{}<p>Decisions:</p><ol>{}</ol>",
                meeting,
                format_html_join("", "<li>{}</li>", ((d.text,) for d in decisions)),
            )
        if item.minutes_text_shown:
            excerpt = Truncator(item.minutes_text_shown).words(60)
            return format_html("{}<p>{}</p>", meeting, excerpt)
        return meeting

    def item_updateddate(self, item: AgendaItem):
        return item.meeting.updated


class TopicItemsFeed(ItemEntries, ArchiveFeed):
    def get_object(self, request, slug):
        topic = Topic.objects.filter(slug=slug).first()
        if topic is None:
            raise Http404(selectors.NO_SUCH_TOPIC)
        items = selectors.topic_items_for_feed(topic, can_view_restricted(request.user))
        if not items:
            raise Http404(selectors.NO_SUCH_TOPIC)
        return TopicFeedSubject(topic, items)

    def title(self, subject: TopicFeedSubject):
        return f"{subject.topic.name} – {SITE_NAME}"

    def subtitle(self, subject: TopicFeedSubject):
        return f"Agenda items on {subject.topic.name}, newest meeting first."

    def link(self, subject: TopicFeedSubject):
        return reverse("meetings:topic_detail", args=[subject.topic.slug])

    def items(self, subject: TopicFeedSubject):
        return subject.items

    def item_pubdate(self, item: AgendaItem):
        if item.meeting.date is None:
            return item.meeting.created
        return timezone.make_aware(datetime.datetime.combine(item.meeting.date, datetime.time()))
