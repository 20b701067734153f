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

Meetings arrive out of date order, and are deleted: ``rematch_places`` is called with the
(body, date) places where meetings changed, and works out again the follow-ups those changes
can touch: those raised at each place and at the ``reach`` meetings of its body before it
(``reach``: the window, or the meetings that make one overdue if more), and, however far back,
those due by a date or month that a changed place may make overdue, or no longer overdue. A
fixed number of queries for each ``CHUNK`` places, whatever the size of the archive and however
many bodies; of the bodies' other meetings only their dates are read. Undated meetings take no
part: they have no place in the order.
"""

import bisect
import calendar
import datetime
import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from operator import itemgetter

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, Expression, F, Q
from django.db.models.functions import Substr
from django.utils import timezone

from .models import AgendaItem, FollowUp, ItemTopic, Meeting, link_visible

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


class _Among(Expression):
    """Whether a field's id is one of ``ids``, with the ids sent as one parameter: an array
    on PostgreSQL, a JSON list on SQLite. ``__in`` writes a placeholder for each id, and for
    the thousands matching reads at a time, building and sending those cost more than the
    query does to run."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, lhs, ids):
        super().__init__()
        self.lhs = lhs
        self.ids = [int(pk) for pk in ids]

    def get_source_expressions(self):
        return [self.lhs]

    def set_source_expressions(self, expressions):
        (self.lhs,) = expressions

    def as_sql(self, compiler, connection):
        column, params = compiler.compile(self.lhs)
        if connection.vendor == "postgresql":
            return f"{column} = ANY(%s::bigint[])", [*params, self.ids]
        return f"{column} IN (SELECT value FROM json_each(%s))", [*params, json.dumps(self.ids)]


def _among(field: str, ids) -> _Among:
    """A filter: the id of ``field`` (a foreign key, possibly across relations) is in ``ids``
    (any iterable of ids: the keys of a dict, say)."""
    return _Among(F(field), sorted(ids))


def _rows(values_list) -> list[tuple]:
    """The rows of a ``values_list`` query as the database's driver gives them. Django
    converts every value of every row again, which took matching longer than the queries
    did; for the ids, text, dates and booleans read here the drivers of both databases give
    the Python values already."""
    sql, params = values_list.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _names_enough(folded: str, wanted: set[str], needed: int) -> bool:
    """Whether the ``folded`` text holds ``needed`` of the ``wanted`` words, at least as parts
    of words: the quick first look, before an item's words are worked out."""
    return sum(word in folded for word in wanted) >= needed


def window() -> int:
    return max(1, settings.FOLLOW_UPS_WINDOW_MEETINGS)


def window_days() -> int:
    return max(1, settings.FOLLOW_UPS_WINDOW_DAYS)


def overdue_after() -> int:
    return max(1, settings.FOLLOW_UPS_OVERDUE_AFTER_MEETINGS)


# The topics of an item with none: shared, as most items of the meetings read have none that
# may be shown.
_NO_TOPICS = frozenset()


@dataclass(slots=True)
class _Candidate:
    pk: int
    meeting_id: int
    text: str  # its title, and the opening of its agenda text unless it is restricted
    restricted: bool
    topics: frozenset[int] | set[int] = _NO_TOPICS
    _folded_text: str | None = None
    _words: set[str] | None = None

    def share(self, wanted: set[str], needed: int) -> float:
        """The share of the ``wanted`` words the item names; 0 when under ``needed`` of them.

        Worked out only for the meetings a follow-up is matched against, and the item's words
        only when it holds enough of the wanted ones at least as parts of words: most items
        hold none."""
        if self._folded_text is None:
            self._folded_text = _folded(self.text)
        if not _names_enough(self._folded_text, wanted, needed):
            return 0.0
        if self._words is None:
            self._words = _significant(self._folded_text)
        named = len(wanted & self._words)
        return named / len(wanted) if named >= needed else 0.0


# A meeting (pk, date) is put in order by its date, then its id.
_BY_DATE = itemgetter(1, 0)


def rematch_places(places, *, incremental: bool = False) -> int:
    """Match again the follow-ups that meetings changed at ``places`` can touch.

    ``places`` are the ``(body, date)`` of meetings imported, re-imported or deleted (an
    undated one is ignored). Returns the number of follow-ups whose status or suggestion
    changed. All the bodies are matched together, in runs of ``CHUNK`` places: a large import
    makes a few queries, not a few for each body.

    With ``incremental``, the statuses stored are taken to be those of the archive before
    these changes (as they are after every import and deletion): a follow-up that no item
    took up, raised at a meeting that did not change, is looked for only at the changed
    meetings of its window. Without it (after a status set by hand, or a setting changed),
    every follow-up the places can touch is looked for at every meeting of its window.
    """
    dates = defaultdict(set)
    for body, date in places:
        if date is not None:
            dates[body].add(date)
    if not dates:
        return 0
    orders = defaultdict(list)  # {body: [(pk, date) of its meetings, oldest first]}
    meetings = Meeting.objects.filter(body__in=list(dates), date__isnull=False)
    # Put in order here: PostgreSQL sorted tens of thousands of rows by body for this.
    for body, pk, date in _rows(meetings.order_by().values_list("body", "pk", "date")):
        orders[body].append((pk, date))
    for order in orders.values():
        order.sort(key=_BY_DATE)
    held = {body: [date for _pk, date in order] for body, order in orders.items()}
    places = [(body, date) for body in sorted(dates) for date in sorted(dates[body])]
    return sum(
        _rematch(orders, held, places[i : i + CHUNK], incremental)
        for i in range(0, len(places), CHUNK)
    )


def rematch_meetings(meeting_ids) -> int:
    """``rematch_places`` at these meetings' places: after what matching reads of their items
    (title, agenda text, restriction, topics; the items themselves) was changed by hand. An
    item restricted since a follow-up was taken up by its text must not stay its return: the
    text would still decide what visitors see."""
    ids = [pk for pk in meeting_ids if pk is not None]
    places = Meeting.objects.filter(pk__in=ids).values_list("body", "date")
    return rematch_places(list(places), incremental=True)


def rematch(body: str, dates, *, incremental: bool = False) -> int:
    """``rematch_places`` for the meetings of one body changed on ``dates``."""
    return rematch_places(((body, date) for date in dates), incremental=incremental)


def _rematch(orders: dict, held: dict, places: list, incremental: bool) -> int:
    """``rematch_places`` for a run of places; ``held`` has the dates of ``orders``."""
    changes = defaultdict(set)  # {body: {date}} of the places
    for body, date in places:
        changes[body].add(date)
    sources = _sources(orders, held, changes)
    follow_ups = _stored(sources)
    if not follow_ups:
        return 0
    source_topics = defaultdict(set)
    raised_by = {follow_up.item_id for follow_up in follow_ups}
    links = ItemTopic.objects.filter(_among("item", raised_by))
    for item_id, topic_id in _rows(links.values_list("item_id", "topic_id")):
        source_topics[item_id].add(topic_id)

    seeking, reset = [], set()
    for follow_up in follow_ups:
        body, order, index, changed_on = sources[follow_up.meeting_id]
        # The next meetings, as long as they are held within the window's days: a gap in the
        # archive (no minutes for years) must not make an item years later its return.
        until = order[index][1] + datetime.timedelta(days=window_days())
        later = [
            (pk, date) for pk, date in order[index + 1 : index + 1 + window()] if date <= until
        ]
        returned_at = (follow_up.returned_meeting, follow_up.returned_on)
        if (
            follow_up.status == FollowUp.Status.POSSIBLY_RETURNED
            and not follow_up.set_by_hand
            and returned_at in later
            and follow_up.returned_on < changed_on
        ):
            # Taken up at a meeting of its window held before the first change after its
            # own: the earliest return is the one suggested, and nothing up to it changed.
            continue
        if follow_up.set_by_hand:
            if follow_up.returned_item_id is not None or follow_up.status not in (
                FollowUp.Status.RETURNED,
                FollowUp.Status.POSSIBLY_RETURNED,
            ):
                continue
            follow_up.set_by_hand = False  # its confirmed return is gone
            reset.add(follow_up.pk)
        otherwise = None
        if incremental and follow_up.pk not in reset:
            later, otherwise = _to_look_at(follow_up, order[index][1], later, changes[body], until)
        seeking.append(
            _Seeking(
                follow_up,
                [pk for pk, _date in later],
                source_topics.get(follow_up.item_id, set()),
                otherwise,
            )
        )
    found = _returns(seeking)

    changed = []
    for wanted in seeking:
        follow_up = wanted.follow_up
        _body, order, index, _changed_on = sources[follow_up.meeting_id]
        if follow_up.pk in found:
            status, returned = FollowUp.Status.POSSIBLY_RETURNED, found[follow_up.pk]
        elif _overdue(follow_up, len(order) - index - 1, order[-1][1]):
            status, returned = FollowUp.Status.OVERDUE, None
        else:
            status, returned = FollowUp.Status.OPEN, None
        if follow_up.pk in reset or (status, returned) != (
            follow_up.status,
            follow_up.returned_item_id,
        ):
            follow_up.status, follow_up.returned_item_id = status, returned
            changed.append(follow_up)
    _write(changed)
    return len(changed)


@dataclass(slots=True)
class _Stored:
    """A follow-up as matching reads it: what it needs, without a model instance each."""

    pk: int
    item_id: int
    meeting_id: int  # of the item that raised it
    what: str
    due: str
    due_date: datetime.date | None
    status: str
    returned_item_id: int | None
    set_by_hand: bool
    rejected_items: list | None
    returned_meeting: int | None
    returned_on: datetime.date | None


def _stored(meeting_ids) -> list[_Stored]:
    """The follow-ups raised at these meetings, but those closed by hand, oldest first."""
    rows = (
        FollowUp.objects.filter(_among("meeting", meeting_ids))
        .exclude(status=FollowUp.Status.CLOSED, set_by_hand=True)
        .order_by("pk")
        .values_list(
            "pk", "item_id", "meeting_id", "what", "due", "due_date", "status",
            "returned_item_id", "set_by_hand", "rejected_items", "returned_item__meeting_id",
            "returned_item__meeting__date",
        )
    )  # fmt: skip
    return [_Stored(*row) for row in rows]


def _sources(orders: dict, held: dict, changes: dict) -> dict:
    """{meeting id: (its body, the body's meetings, its place among them, the first changed
    date on or after it)} of the meetings whose follow-ups the ``changes`` ({body: {date}})
    can touch: those at each changed place and the ``reach`` before it, and further back the
    meetings of follow-ups due by a date or month whose status the body's last meetings
    decide: those still open whose time a changed place has passed (a meeting held after it
    may make them overdue), and those overdue whose time is not over by the body's last
    meeting now (the meeting after it was removed or moved)."""
    reach = max(window(), overdue_after())
    sources = {}
    for body, dates in changes.items():
        order, on = orders[body], held.get(body, [])
        for date in sorted(dates):
            first, last = bisect.bisect_left(on, date), bisect.bisect_right(on, date)
            for index in range(max(0, first - reach), last):
                sources.setdefault(order[index][0], (body, order, index, date))
    latest = {body: max(dates) for body, dates in changes.items()}
    last_held = {body: held[body][-1] for body in changes if held.get(body)}
    month = datetime.timedelta(days=31)
    waiting = Q(status=FollowUp.Status.OPEN, due_date__lte=max(latest.values()))
    if last_held:
        waiting |= Q(status=FollowUp.Status.OVERDUE, due_date__gt=min(last_held.values()) - month)
    # Read by the index on status and due date alone, in no order, and placed among the
    # bodies' meetings here: joined to the meetings to keep only those of the bodies, SQLite
    # read every follow-up the bodies' meetings raised; sorted, PostgreSQL read them all.
    dated = FollowUp.objects.filter(waiting, due__in=(FollowUp.Due.MONTH, FollowUp.Due.DATE))
    places = None  # {meeting id: (body, its place among the body's meetings)}
    for meeting_id, status, due_date in dated.order_by().values_list(
        "meeting_id", "status", "due_date"
    ):
        if meeting_id in sources:
            continue
        if places is None:
            places = {
                pk: (body, index)
                for body in last_held
                for index, (pk, _date) in enumerate(orders[body])
            }
        if meeting_id not in places:
            # Another body's, undated, or stored after the meetings were read (its own
            # matching will come).
            continue
        body, index = places[meeting_id]
        if (status == FollowUp.Status.OPEN and due_date <= latest[body]) or (
            status == FollowUp.Status.OVERDUE and due_date > last_held[body] - month
        ):
            sources[meeting_id] = (body, orders[body], index, held[body][index])
    return sources


def _to_look_at(follow_up, raised_on, later, changed, until):
    """Of the meetings ``later`` (pk, date) in a follow-up's window, those it may now be
    taken up at, with the item that takes it up if none of them does (or None), when its
    stored status is right for the archive before its body's meetings changed on the dates
    ``changed``. The items of a meeting that did not change take it up as before, so when its
    own meeting did not change:

    - taken up at a meeting that did not change and is still in the window: the changed
      meetings before that one, or else the item it was taken up by;
    - taken up nowhere: the changed meetings, unless a meeting of its window was removed
      (the window then reaches one more meeting).

    Otherwise, all of them.
    """
    if raised_on in changed:
        return later, None  # read again, or newly
    if follow_up.status == FollowUp.Status.POSSIBLY_RETURNED:
        at = (follow_up.returned_meeting, follow_up.returned_on)
        if at[1] is None or at[1] in changed or at not in later:
            return later, None
        before = [(pk, date) for pk, date in later if date in changed and date < at[1]]
        return before, follow_up.returned_item_id
    if follow_up.status not in (FollowUp.Status.OPEN, FollowUp.Status.OVERDUE):
        return later, None
    last = later[-1][1] if later else until
    held = {date for _pk, date in later}
    if any(raised_on < date <= last and date not in held for date in changed):
        return later, None  # a meeting removed: the window now reaches one it did not
    return [(pk, date) for pk, date in later if date in changed], None


def _write(changed: list[_Stored]) -> None:
    """Save the status, suggestion and hand flag of ``changed``. On PostgreSQL in one statement
    that reads the new values from arrays; elsewhere one statement run for each row, which
    SQLite does quickly (``bulk_update`` builds a CASE of every row, which took most of the
    import's time)."""
    if not changed:
        return
    meta = FollowUp._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    status, returned, hand, updated = (
        quote(meta.get_field(name).column)
        for name in ("status", "returned_item", "set_by_hand", "updated")
    )
    key = quote(meta.pk.column)
    now = meta.get_field("updated").get_db_prep_value(timezone.now(), connection)
    # All or none of them, inside a transaction or not.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} SET {status} = new.status, {returned} = new.returned, "
                f"{hand} = new.hand, {updated} = %s "
                "FROM unnest(%s::bigint[], %s::text[], %s::bigint[], %s::boolean[]) "
                "AS new (id, status, returned, hand) "
                f"WHERE {table}.{key} = new.id",
                [
                    now,
                    [follow_up.pk for follow_up in changed],
                    [follow_up.status for follow_up in changed],
                    [follow_up.returned_item_id for follow_up in changed],
                    [follow_up.set_by_hand for follow_up in changed],
                ],
            )
            return
        cursor.executemany(
            f"UPDATE {table} SET {status} = %s, {returned} = %s, {hand} = %s, {updated} = %s "
            f"WHERE {key} = %s",
            [
                (
                    follow_up.status,
                    follow_up.returned_item_id,
                    follow_up.set_by_hand,
                    now,
                    follow_up.pk,
                )
                for follow_up in changed
            ],
        )


class _Agenda:
    """The items of one meeting, as follow-ups are looked for among them."""

    def __init__(self):
        self.items: list[_Candidate] = []
        self.topics: set[int] = set()  # of all its items
        self._folded_text: str | None = None

    def may_take_up(self, wanted: set[str], needed: int, topics: set[int]) -> bool:
        """Whether any item may: one shares a topic of ``topics``, or the items together hold
        ``needed`` of the ``wanted`` words at least as parts of words. Most meetings do
        neither, and their items need not be looked at one by one."""
        if topics & self.topics:
            return True
        if not wanted:
            return False
        if self._folded_text is None:
            self._folded_text = _folded("\n".join(item.text for item in self.items))
        return _names_enough(self._folded_text, wanted, needed)


def _candidates(meeting_ids) -> dict[int, _Agenda]:
    """The items of these meetings, by meeting, with their text and topics."""
    if not meeting_ids:
        return {}
    items = AgendaItem.objects.filter(_among("meeting", meeting_ids)).order_by(
        "meeting_id", "position"
    )
    by_item, found = {}, {meeting_id: _Agenda() for meeting_id in meeting_ids}
    for pk, meeting_id, title, text, restricted in _rows(
        items.values_list(
            "pk", "meeting_id", "title", Substr("agenda_text", 1, TEXT_READ), "restricted"
        )
    ):
        shown = title if restricted else f"{title} {text}"
        candidate = _Candidate(pk, meeting_id, shown, restricted)
        by_item[pk] = candidate
        found[meeting_id].items.append(candidate)
    # Asked for by the items' ids, not their meetings' (PostgreSQL then read every link in
    # the archive), and without joining the items (a row read for each link): whether an
    # item is restricted is known already.
    links = ItemTopic.objects.filter(_among("item", by_item))
    for item_id, topic_id, in_title in _rows(links.values_list("item_id", "topic_id", "in_title")):
        candidate = by_item[item_id]
        if link_visible(in_title, candidate.restricted):
            if candidate.topics is _NO_TOPICS:
                candidate.topics = set()
            candidate.topics.add(topic_id)
            found[candidate.meeting_id].topics.add(topic_id)
    return found


class _Seeking:
    """A follow-up looked for at the meetings after the one that raised it."""

    def __init__(self, follow_up, later: list[int], topics: set[int], otherwise=None):
        self.follow_up = follow_up
        self.later = later  # the ids of the meetings it may return at, in order
        self.topics = topics  # of the item that raised it
        self.otherwise = otherwise  # the item that takes it up if none at ``later`` does
        self.wanted = significant_words(follow_up.what)
        # The fewest of the wanted words an item must name.
        self.needed = next(
            (n for n in range(1, len(self.wanted) + 1) if n / len(self.wanted) >= WORDS_NEEDED),
            1,
        )
        self.rejected = set(follow_up.rejected_items or [])

    def best(self, agenda: _Agenda) -> int | None:
        """The item of one meeting that takes the follow-up up best, if any does."""
        if not agenda.may_take_up(self.wanted, self.needed, self.topics):
            return None
        best, best_score = None, (0.0, False)
        for candidate in agenda.items:
            if candidate.pk in self.rejected:
                continue
            share = candidate.share(self.wanted, self.needed) if self.wanted else 0.0
            shares_topic = bool(self.topics & candidate.topics)
            if not share and not shares_topic:
                continue
            score = (share, shares_topic)
            if best is None or score > best_score:
                best, best_score = candidate.pk, score
        return best


def _returns(seeking: list[_Seeking]) -> dict[int, int]:
    """{follow-up id: the item of the earliest later meeting that takes it up}.

    Meeting by meeting: the items of the first meeting after each follow-up are read, then
    those of the second for the follow-ups not taken up at the first, and so on. Most are
    settled at the first, and most items of the window's later meetings are never read.
    """
    found, candidates = {}, {}
    for wanted in seeking:
        if wanted.otherwise is not None:
            found[wanted.follow_up.pk] = wanted.otherwise  # unless an earlier meeting's item
    for step in range(window()):
        seeking = [wanted for wanted in seeking if step < len(wanted.later)]
        meetings = {wanted.later[step] for wanted in seeking} - candidates.keys()
        candidates.update(_candidates(meetings))
        still = []
        for wanted in seeking:
            best = wanted.best(candidates[wanted.later[step]])
            if best is None:
                still.append(wanted)
            else:
                found[wanted.follow_up.pk] = best
        seeking = still
    return found


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
        rematch(instance.body, [instance.date], incremental=True)
