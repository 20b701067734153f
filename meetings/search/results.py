"""A page of search results: its items, the topics shown with them, and their snippets.

Snippets are cut by the database around the matched words (``SearchBackend.page_snippets``),
the words marked with private-use characters; ``snippet_html`` escapes the text and turns the
marks into ``<mark>``. Without a query a result shows the opening words of its minutes
(``excerpt``). A restricted item's snippet comes from its title unless the user may read it.
"""

import re

from django.db import connections
from django.db.models import Case, Prefetch, When, prefetch_related_objects
from django.db.models.functions import Lower, Substr
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ..models import AgendaItem, ItemTopic
from .backends import backend_for
from .backends.base import MARK_START, MARK_STOP, SNIPPET_WORDS
from .query import parsed as _parsed

__all__ = [
    "EXCERPT_CHARACTERS",
    "RESULT_FIELDS",
    "SNIPPET_WORDS",
    "excerpt",
    "load_items",
    "prepare_page",
    "snippet_html",
]

_MARKED = re.compile(f"{MARK_START}([^{MARK_START}{MARK_STOP}]*){MARK_STOP}")
EXCERPT_CHARACTERS = 240


def snippet_html(marked: str) -> SafeString:
    """Snippet text as HTML: escaped first, then the matched words wrapped in ``<mark>``."""
    html = _MARKED.sub(r"<mark>\1</mark>", escape(" ".join((marked or "").split())))
    return mark_safe(html.replace(MARK_START, "").replace(MARK_STOP, ""))


def excerpt(text: str) -> str:
    """The opening words of ``text``, for a result when there is no query to cut a snippet."""
    text = " ".join((text or "").split())
    if len(text) <= EXCERPT_CHARACTERS:
        return text
    return text[:EXCERPT_CHARACTERS].rsplit(" ", 1)[0] + " …"


def prepare_page(items, query, *, include_restricted: bool) -> None:
    """Give each item of one page of results ``snippet`` (safe HTML) and ``shown_topics``.

    Two queries whatever the number of items: the topics the user may see (for a restricted
    item, only those named in its title), and the snippets, cut from the text around the
    matched words, or the opening words of the minutes when there is no query.
    """
    items = list(items)
    topics = (
        ItemTopic.objects.with_restricted(include_restricted)
        .select_related("topic")
        .order_by(Lower("topic__name"))
    )
    prefetch_related_objects(
        items, Prefetch("item_topics", queryset=topics, to_attr="shown_topics")
    )
    if not items:
        return
    ids = [item.pk for item in items]
    parsed = _parsed(query)
    page = AgendaItem.objects.filter(pk__in=ids)
    if parsed.is_empty:
        shown = page.with_restricted_text(include_restricted).annotate(
            opening=Case(
                When(minutes_text_shown="", then=Substr("agenda_text_shown", 1, 400)),
                default=Substr("minutes_text_shown", 1, 400),
            )
        )
        snippets = {pk: excerpt(text) for pk, text in shown.values_list("pk", "opening")}
    else:
        backend = backend_for(connections[page.db])
        rows = backend.page_snippets(page, ids, parsed, include_restricted=include_restricted)
        snippets = {pk: snippet_html(text) for pk, text in rows}
    for item in items:
        item.snippet = snippets.get(item.pk, "")


RESULT_FIELDS = [
    "number",
    "number_printed",
    "title",
    "restricted",
    "status",
    "position",
    "meeting__date",
    "meeting__body",
]


def load_items(ids, *, using="default") -> list[AgendaItem]:
    """The items with these ids, in this order, each with its meeting (only what results show)."""
    items = AgendaItem.objects.using(using).filter(pk__in=ids)
    by_id = {item.pk: item for item in items.select_related("meeting").only(*RESULT_FIELDS)}
    return [by_id[pk] for pk in ids if pk in by_id]
