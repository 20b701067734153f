"""Whether what the minutes promised came back: matching follow-ups to later items.

A follow-up (``FollowUp``) raised at a meeting is taken up by an item of one of the next
``settings.FOLLOW_UPS_WINDOW_MEETINGS`` meetings of the same body, held within
``settings.FOLLOW_UPS_WINDOW_DAYS`` of it, that

- shares a topic with the item that raised it, or
- names the significant words of what is to come back (``what``) in its title or the opening
  of its agenda text (only its title when it is restricted: its text must not decide anything
  a visitor can see).

The first such meeting's best item is suggested: the follow-up is "possibly returned" until an
administrator confirms or rejects it. One with no match is overdue once its time has passed in
the archive: the next meeting was held, a meeting was held after the stated date or month, or
``settings.FOLLOW_UPS_OVERDUE_AFTER_MEETINGS`` meetings went by when no time was stated. Status
and link set by hand (``FollowUp.set_by_hand``) are kept.

Meetings arrive out of date order, and are deleted: ``rematch`` is called with a body and the
dates where its meetings changed, and works out again the follow-ups that change can touch:
those raised at each changed date and at the ``reach`` meetings before it (``reach``: the
window, or the meetings that make one overdue if more). A fixed number of queries for each
hundred dates, whatever the size of the archive; of the body's other meetings only their
dates are read. Undated meetings take no part: they have no place in the order.
"""

import bisect
import calendar
import datetime
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.db.models.functions import Substr
from django.utils import timezone

from .models import AgendaItem, FollowUp, ItemTopic, Meeting, visible_links

# Of an item's agenda text, only the opening is read for the words of a follow-up.
TEXT_READ = 600
# Dates matched around in one go; more are taken in runs of this many.
CHUNK = 100
# The share of a follow-up's significant words an item must name to take it up.
WORDS_NEEDED = 0.6

_WORD = re.compile(r"[^\W_]+")
_STOPWORDS = frozenset(
    " ".join([
        "a about after again all also an and any are as at back be been before being brief",
        "brought but by can come coming could do each for from further future given had has",
        "have if in into is it its made may meeting meetings members more next no not of on",
        "or other our provide provided report reports should some than that the their them",
        "then there these they this those to update updated updates was were what when which",
        "who will with would",
    ]).split()
)  # fmt: skip


def significant_words(text: str) -> set[str]:
    """The words of ``text`` that say what it is about: lower case, without common words."""
    return _significant(_folded(text))


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold()


def _significant(folded: str) -> set[str]:
    return {word for word in set(_WORD.findall(folded)) - _STOPWORDS if len(word) > 2}


def window() -> int:
    return max(1, settings.FOLLOW_UPS_WINDOW_MEETINGS)


def window_days() -> int:
    return max(1, settings.FOLLOW_UPS_WINDOW_DAYS)


def overdue_after() -> int:
    return max(1, settings.FOLLOW_UPS_OVERDUE_AFTER_MEETINGS)


@dataclass
class _Candidate:
    pk: int
    meeting_id: int
    text: str  # its title, and the opening of its agenda text unless it is restricted
    topics: set[int]
    _folded: str | None = None
    _words: set[str] | None = None

    def share(self, wanted: set[str], needed: int) -> float:
        """The share of the ``wanted`` words the item names; 0 when under ``needed`` of them.

        Worked out only for the meetings a follow-up is matched against, and the item's words
        only when it holds enough of the wanted ones at least as parts of words: most items
        hold none."""
        if self._folded is None:
            self._folded = _folded(self.text)
        if sum(word in self._folded for word in wanted) < needed:
            return 0.0
        if self._words is None:
            self._words = _significant(self._folded)
        named = len(wanted & self._words)
        return named / len(wanted) if named >= needed else 0.0


def rematch_places(places) -> int:
    """``rematch`` around each ``(body, date)`` of ``places``, once for each body."""
    dates = defaultdict(set)
    for body, date in places:
        dates[body].add(date)
    return sum(rematch(body, found) for body, found in dates.items())


def rematch(body: str, dates) -> int:
    """Match again the follow-ups of ``body`` that meetings changed on ``dates`` can touch.

    ``dates`` are the dates of meetings imported, re-imported or deleted (None for an undated
    one is ignored). Returns the number of follow-ups whose status or suggestion changed.
    """
    dates = sorted({date for date in dates if date is not None})
    if not dates:
        return 0
    order = list(
        Meeting.objects.filter(body=body, date__isnull=False)
        .order_by("date", "pk")
        .values_list("pk", "date")
    )  # (pk, date) of the body's meetings, oldest first
    # A large import in runs of dates, so that no query names too many meetings.
    return sum(_rematch(order, dates[i : i + CHUNK]) for i in range(0, len(dates), CHUNK))


def _rematch(order: list[tuple[int, datetime.date]], dates: list[datetime.date]) -> int:
    reach = max(window(), overdue_after())
    held = [date for _pk, date in order]
    sources = set()
    for date in dates:
        first, last = bisect.bisect_left(held, date), bisect.bisect_right(held, date)
        sources.update(pk for pk, _date in order[max(0, first - reach) : last])
    follow_ups = list(
        FollowUp.objects.filter(item__meeting__in=sources)
        .exclude(status=FollowUp.Status.CLOSED, set_by_hand=True)
        .only(
            "pk", "item_id", "what", "due", "due_date", "status", "returned_item_id",
            "set_by_hand", "rejected_items", "item__meeting_id",
        )
        .select_related("item")
    )  # fmt: skip
    if not follow_ups:
        return 0
    place = {pk: index for index, (pk, _date) in enumerate(order)}
    later_ids = {
        pk
        for follow_up in follow_ups
        for pk, _date in _next(order, place[follow_up.item.meeting_id], window())
    }
    candidates = _candidates(later_ids)
    source_topics = defaultdict(set)
    links = ItemTopic.objects.filter(item__in={follow_up.item_id for follow_up in follow_ups})
    for item_id, topic_id in links.values_list("item_id", "topic_id"):
        source_topics[item_id].add(topic_id)

    changed = []
    for follow_up in follow_ups:
        index = place[follow_up.item.meeting_id]
        reset = False
        if follow_up.set_by_hand:
            if follow_up.returned_item_id is not None or follow_up.status not in (
                FollowUp.Status.RETURNED,
                FollowUp.Status.POSSIBLY_RETURNED,
            ):
                continue
            follow_up.set_by_hand, reset = False, True  # its confirmed return is gone
        # The next meetings, as long as they are held within the window's days: a gap in the
        # archive (no minutes for years) must not make an item years later its return.
        until = order[index][1] + datetime.timedelta(days=window_days())
        within = [(pk, date) for pk, date in _next(order, index, window()) if date <= until]
        found = _best_match(follow_up, within, candidates, source_topics)
        if found is not None:
            status, returned = FollowUp.Status.POSSIBLY_RETURNED, found
        elif _overdue(follow_up, len(order) - index - 1, held[-1]):
            status, returned = FollowUp.Status.OVERDUE, None
        else:
            status, returned = FollowUp.Status.OPEN, None
        if reset or (status, returned) != (follow_up.status, follow_up.returned_item_id):
            follow_up.status, follow_up.returned_item_id = status, returned
            changed.append(follow_up)
    _write(changed)
    return len(changed)


def _next(order, index: int, count: int):
    """The ``count`` meetings after the one at ``index``."""
    return order[index + 1 : index + 1 + count]


def _write(changed: list[FollowUp]) -> None:
    """Save the status, suggestion and hand flag of ``changed``: one statement run for each
    row (``bulk_update`` builds a CASE of every row, which took most of the import's time)."""
    if not changed:
        return
    meta = FollowUp._meta
    table = connection.ops.quote_name(meta.db_table)
    columns = ["status", "returned_item", "set_by_hand", "updated"]
    assignments = ", ".join(
        f"{connection.ops.quote_name(meta.get_field(name).column)} = %s" for name in columns
    )
    key = connection.ops.quote_name(meta.pk.column)
    now = meta.get_field("updated").get_db_prep_value(timezone.now(), connection)
    rows = [
        (follow_up.status, follow_up.returned_item_id, follow_up.set_by_hand, now, follow_up.pk)
        for follow_up in changed
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {key} = %s", rows)


def _candidates(meeting_ids) -> dict[int, list[_Candidate]]:
    """The items of these meetings, by meeting, with their significant words and topics."""
    if not meeting_ids:
        return {}
    items = AgendaItem.objects.filter(meeting__in=meeting_ids).order_by("meeting", "position")
    by_item, found = {}, defaultdict(list)
    for pk, meeting_id, title, text, restricted in items.values_list(
        "pk", "meeting_id", "title", Substr("agenda_text", 1, TEXT_READ), "restricted"
    ):
        by_item[pk] = _Candidate(pk, meeting_id, title if restricted else f"{title} {text}", set())
        found[meeting_id].append(by_item[pk])
    links = ItemTopic.objects.filter(item__meeting__in=meeting_ids).filter(
        visible_links() | Q(item__restricted=False)
    )
    for item_id, topic_id in links.values_list("item_id", "topic_id"):
        by_item[item_id].topics.add(topic_id)
    return found


def _best_match(follow_up, later, candidates, source_topics) -> int | None:
    """The item of the earliest of the ``later`` meetings that takes ``follow_up`` up."""
    wanted = significant_words(follow_up.what)
    # The fewest of them an item must name.
    needed = next(
        (count for count in range(1, len(wanted) + 1) if count / len(wanted) >= WORDS_NEEDED), 1
    )
    topics = source_topics.get(follow_up.item_id, set())
    rejected = set(follow_up.rejected_items or [])
    for meeting_id, _date in later:
        best, best_score = None, (0.0, False)
        for candidate in candidates.get(meeting_id, []):
            if candidate.pk in rejected:
                continue
            share = candidate.share(wanted, needed) if wanted else 0.0
            shares_topic = bool(topics & candidate.topics)
            if not share and not shares_topic:
                continue
            score = (share, shares_topic)
            if best is None or score > best_score:
                best, best_score = candidate.pk, score
        if best is not None:
            return best
    return None


def _overdue(follow_up, held_after: int, latest: datetime.date) -> bool:
    """Whether the time the minutes gave has passed in the archive, with no return found:
    ``held_after`` meetings of the body were held after the one that raised it, the last of
    them on ``latest``."""
    due = follow_up.due
    if due == FollowUp.Due.NEXT_MEETING:
        return held_after > 0
    if due in (FollowUp.Due.MONTH, FollowUp.Due.DATE) and follow_up.due_date:
        deadline = follow_up.due_date
        if due == FollowUp.Due.MONTH:
            deadline = deadline.replace(day=calendar.monthrange(deadline.year, deadline.month)[1])
            return held_after > 0 and latest > deadline
        return held_after > 0 and latest >= deadline
    return held_after >= overdue_after()


def meeting_deleted(sender, instance, using, **kwargs):
    """``post_delete`` of a meeting: the follow-ups of its body around its date are matched
    again (the items it held are gone, and with them the returns found there)."""
    if instance.date is not None:
        rematch(instance.body, [instance.date])
