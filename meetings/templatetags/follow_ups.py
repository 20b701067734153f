"""The follow-ups shown on an item's and a meeting's page, read by their includes
(templates/meetings/includes/follow_ups_*.html) so that the pages' views need not know of them."""

from django import template

from .. import selectors_follow_ups

register = template.Library()


@register.simple_tag(takes_context=True)
def item_follow_ups(context, item):
    """``{% item_follow_ups item as found %}``: ``found.raised`` and ``found.returned_here``."""
    return selectors_follow_ups.item_follow_ups(item, _user(context))


@register.simple_tag(takes_context=True)
def meeting_follow_ups(context, meeting):
    """``{% meeting_follow_ups meeting as found %}``: ``found.raised`` and ``found.due``."""
    return selectors_follow_ups.meeting_follow_ups(meeting, _user(context))


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None)
