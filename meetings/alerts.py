"""Alerts: what is new for a user's saved searches, and the email digests that tell them.

A saved search (``Alert``) is the search page's query string. What it finds is decided when it
is read, by the search itself (``meetings.search.facets.FacetQuery``) restricted to the items
new in a window of time, with the permissions its reader has then: a digest with those of its
recipient at the moment it is sent, a private feed with none (a feed reader is no one).

"New" is an item first stored in the window (``AgendaItem.created``): a re-import that keeps an
item keeps its time, so an item is told of once.

Sending (``send_digests``) is safe to run again and to interrupt. For each user it writes an
outbox row (``AlertDigest``: the window and the Message-ID) before sending, and after sending
marks it sent and moves the user's mark (``AlertRecipient.mark``) to the end of the window, in
one transaction. A run that dies between the two leaves the row unsent, and the next run sends
that digest (and only it) again, under the same Message-ID, before anything newer.
"""

import logging
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from .feeds import SITE_NAME, WITHHELD
from .filters import ItemSearchFilter
from .models import (
    AgendaItem,
    Alert,
    AlertDigest,
    AlertRecipient,
    can_view_restricted,
)
from .search import backend_for
from .search.facets import NEWEST, FacetQuery
from .search.filters import FILTERS, MAX_VALUES

logger = logging.getLogger(__name__)

# Items listed for one alert in a digest; the rest are counted, with a link to the search.
ITEMS_PER_ALERT = 50
# New items counted for one alert on the alerts page before it says "more than".
COUNTED = 100
FEED_ITEMS = 50
UNSUBSCRIBE_SALT = "meetings.alerts.unsubscribe"


# Saved searches


def search_params(data) -> str:
    """The query string of a search (``q`` and the filters, in the page's order), from the
    search page's parameters: the page, sort order and anything else are left out, so that the
    same search saved twice is the same string."""
    names = ("q", *FILTERS.names)
    pairs = [
        (name, value.strip())
        for name in names
        for value in data.getlist(name)[:MAX_VALUES]
        if value.strip()
    ]
    return urlencode(pairs)


def search_filterset(params: str, user, *, sort: str = NEWEST) -> ItemSearchFilter | None:
    """The search of ``params`` as ``user`` (or no one) may run it, or None when it cannot
    be run as saved: a value the search page would refuse, or a topic left out (no longer in
    the archive, or not one ``user`` may see). Such a search matches nothing rather than
    everything its missing filter would have narrowed."""
    data = QueryDict(params, mutable=True)
    data["sort"] = sort
    filterset = ItemSearchFilter(data, user=user)
    if not filterset.is_valid():
        return None
    if filterset.query and filterset.parsed_query.is_empty:
        return None  # only words the index leaves out, such as "the"
    applied = {topic.slug for topic in filterset.values.get("topic", [])}
    if any(slug not in applied for slug in data.getlist("topic") if slug):
        return None
    return filterset


def describe(params: str, user) -> tuple[str, str] | None:
    """``(kind, label)`` of the saved search ``params``: a topic or a body followed, or a
    search, named as its owner reads it; None when it cannot be run (``search_filterset``)."""
    filterset = search_filterset(params, user)
    if filterset is None:
        return None
    data, values = QueryDict(params), filterset.values
    names = set(data)
    if names == {"topic"} and len(values.get("topic", [])) == 1:
        return Alert.Kind.TOPIC, values["topic"][0].name
    if names == {"body"} and len(data.getlist("body")) == 1:
        return Alert.Kind.BODY, data["body"]
    parts = [f"‘{filterset.query}’"] if filterset.query else []
    for declaration in FILTERS:
        if declaration.name in values:
            raw = data.get(declaration.name)
            parts += [label for _, label in declaration.active(values[declaration.name], raw)]
    return Alert.Kind.SEARCH, "; ".join(parts) or "Every new item"


# The name of a saved search its reader may no longer run (a topic they cannot see).
UNREADABLE_LABEL = "A saved search with a filter you cannot use"


def shown_label(alert: Alert, user) -> str:
    """``alert``'s name as ``user`` may read it now, worked out again from its search: the
    label saved with its owner's permissions may name a topic known only from restricted
    minutes, which a feed (read by no one) or an owner who lost access must not see."""
    described = describe(alert.params, user)
    return described[1] if described else UNREADABLE_LABEL


def save_alert(user, data) -> tuple[Alert | None, bool]:
    """Save the search of ``data`` (the search page's parameters) for ``user``.

    Returns ``(alert, created)``; ``(None, False)`` when the search cannot be run or is too
    long to keep. A user's
    first alert starts their digests from now.
    """
    params = search_params(data)
    described = describe(params, user)
    if described is None or len(params) > Alert._meta.get_field("params").max_length:
        return None, False
    kind, label = described
    AlertRecipient.objects.get_or_create(user=user)
    alert, created = Alert.objects.get_or_create(
        user=user, params=params, defaults={"kind": kind, "label": label[:1000]}
    )
    if not created and not alert.email:
        alert.email = True
        alert.save(update_fields=["email"])
    return alert, created


# New items


def items_between(since, until) -> tuple[str, list]:
    """SQL selecting the ids of the items first stored after ``since`` and up to ``until``."""
    new = AgendaItem.objects.filter(created__gt=since, created__lte=until).values("pk")
    sql, params = new.query.sql_with_params()
    return sql, list(params)


def new_matches(alert: Alert, user, since, until, limit: int) -> list[int]:
    """Up to ``limit`` ids of the items new between ``since`` and ``until`` (and since the
    alert was made) that its search finds for ``user``, newest first."""
    since = max(since, alert.created)
    if since >= until:
        return []
    filterset = search_filterset(alert.params, user)
    if filterset is None:
        return []
    sql, params = items_between(since, until)
    return FacetQuery(filterset).ids_among(sql, params, limit)


def new_counts(user, alerts) -> dict[int, int]:
    """For the alerts page: each alert's number of items new since the user's last digest,
    up to ``COUNTED`` (more is shown as "more than")."""
    recipient = AlertRecipient.objects.filter(user=user).first()
    now = timezone.now()
    mark = recipient.mark if recipient else now
    return {alert.pk: len(new_matches(alert, user, mark, now, COUNTED + 1)) for alert in alerts}


def items_as_shown(ids: list[int], include_restricted: bool) -> list[AgendaItem]:
    """The items of ``ids`` in that order, with the text of restricted ones withheld unless
    ``include_restricted`` (see ``AgendaItemQuerySet.with_restricted_text``)."""
    items = (
        AgendaItem.objects.filter(pk__in=ids)
        .with_restricted_text(include_restricted)
        .select_related("meeting")
    )
    by_id = {item.pk: item for item in items}
    return [by_id[pk] for pk in ids if pk in by_id]


def feed_items(alert: Alert) -> list[AgendaItem]:
    """The newest items of a saved search for its private feed: as anyone may see them."""
    filterset = search_filterset(alert.params, None)
    if filterset is None:
        return []
    return items_as_shown(FacetQuery(filterset).ids(0, FEED_ITEMS), include_restricted=False)


# Digests


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_token(user) -> str:
    """A token naming ``user`` that stops their alert emails, signed with the site's key."""
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT)


def user_of_token(token: str):
    """The user an unsubscribe token names; ``signing.BadSignature`` if it is not one."""
    pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    user = get_user_model().objects.filter(pk=pk).first()
    if user is None:
        raise signing.BadSignature("The user of this token is no longer known.")
    return user


def unsubscribe(user) -> int:
    """Stop every alert email of ``user`` (their alerts and feeds are kept); returns how many
    alerts were emailing."""
    return Alert.objects.filter(user=user, email=True).update(email=False)


@dataclass
class DigestEntry:
    title: str
    meeting: str
    url: str
    withheld: bool
    excerpt: str = ""


@dataclass
class DigestSection:
    alert: Alert
    label: str
    search_url: str
    entries: list[DigestEntry] = field(default_factory=list)
    more: bool = False


def _entry(item: AgendaItem) -> DigestEntry:
    return DigestEntry(
        title=item.label,
        meeting=str(item.meeting),
        url=absolute(reverse("meetings:item_detail", args=[item.pk])),
        withheld=item.withheld,
        excerpt="" if item.withheld else Truncator(item.minutes_text_shown).words(40),
    )


def digest_sections(user, since, until) -> list[DigestSection]:
    """What a digest for the window tells ``user``: for each of their emailed alerts, the new
    items its search finds, as ``user`` may see them now."""
    include = can_view_restricted(user)
    sections = []
    for alert in Alert.objects.filter(user=user, email=True).order_by("created", "pk"):
        ids = new_matches(alert, user, since, until, ITEMS_PER_ALERT + 1)
        if not ids:
            continue
        label = shown_label(alert, user)
        section = DigestSection(alert, label, absolute(alert.get_search_url()))
        section.more = len(ids) > ITEMS_PER_ALERT
        section.entries = [_entry(item) for item in items_as_shown(ids[:ITEMS_PER_ALERT], include)]
        sections.append(section)
    return sections


def digest_message(user, digest: AlertDigest, sections) -> EmailMultiAlternatives:
    """The email of a digest: plain text and HTML, with its Message-ID and the headers for a
    mail client's one-click unsubscribe (RFC 8058)."""
    count = _item_count(sections)
    unsubscribe_url = absolute(
        reverse("meetings:alert_unsubscribe", args=[unsubscribe_token(user)])
    )
    context = {
        "user": user,
        "sections": sections,
        "count": count,
        "site_name": SITE_NAME,
        "withheld": WITHHELD,
        "alerts_url": absolute(reverse("meetings:alert_list")),
        "unsubscribe_url": unsubscribe_url,
    }
    subject = f"{count} new item{'s' * (count != 1)} for your alerts – {SITE_NAME}"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("meetings/alerts/digest.txt", context),
        to=[user.email],
        headers={
            "Message-ID": digest.message_id,
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    html = render_to_string("meetings/alerts/digest.html", context)
    message.attach_alternative(html, "text/html")
    return message


def _item_count(sections) -> int:
    """The items a digest lists, each once however many of its alerts find it."""
    return len({entry.url for section in sections for entry in section.entries})


def _message_id() -> str:
    return make_msgid("alerts", domain=urlsplit(settings.SITE_URL).hostname or "localhost")


@dataclass
class SendReport:
    sent: int = 0  # digests sent
    items: int = 0  # items listed in them
    failed: list[str] = field(default_factory=list)  # why each failed digest failed


def recipients():
    """The users a digest may be for: active, with an email address and an emailed alert."""
    users = get_user_model().objects.filter(is_active=True, alerts__email=True)
    return users.exclude(email="").distinct().order_by("pk")


def settled_until(now):
    """The end of the window a run tells of: a time up to which every item that will ever be
    stored is stored and visible already, so that moving a mark to it passes over no item.

    An import's items are given their time while it writes, and are seen only when it commits:
    an item of an import still under way has a time before ``now`` but is not seen yet. Where
    imports may write at the same time (PostgreSQL) the window stops before the oldest open
    transaction began; where one writes at a time (SQLite) an item not seen yet will have a
    later time than every item seen, and the window stops at the latest one seen (None when
    there are none).
    """
    backend = backend_for(connection)
    if backend.parallel_writers:
        oldest = backend.oldest_open_transaction()
        return min(now, oldest) if oldest is not None else now
    stored = AgendaItem.objects.filter(created__lte=now)
    return stored.aggregate(latest=Max("created"))["latest"]


def send_digests(now=None) -> SendReport:
    """Send each recipient one digest of the items new since their last; see the module."""
    until = settled_until(now or timezone.now())
    report = SendReport()
    if until is None:
        return report
    for user in recipients():
        try:
            count = send_digest(user, until)
        except Exception as error:  # noqa: BLE001 (one user's failure stops no one else's)
            logger.exception("The alerts digest for user %s was not sent", user.pk)
            report.failed.append(f"user {user.pk}: {error}")
            continue
        if count:
            report.sent += 1
            report.items += count
    return report


def send_digest(user, now) -> int:
    """Send ``user`` their digest: the one left unsent by an interrupted run, else one of the
    items new since their mark and up to ``now`` (see ``settled_until``). Returns the number
    of items sent (0: no message)."""
    recipient, _ = AlertRecipient.objects.get_or_create(user=user, defaults={"mark": now})
    digest = AlertDigest.objects.filter(user=user, sent__isnull=True).first()
    if digest is None:
        if recipient.mark >= now:
            return 0
        sections = digest_sections(user, recipient.mark, now)
        if not sections:
            _advance(recipient, now)
            return 0
        try:
            # Written (and committed) before the message is sent.
            digest = AlertDigest.objects.create(
                user=user, message_id=_message_id(), since=recipient.mark, until=now
            )
        except IntegrityError:  # another run is sending this user's digest
            return 0
    else:
        # An earlier run died before marking it sent: the same window and Message-ID, told as
        # the user may see it now.
        sections = digest_sections(user, digest.since, digest.until)
        if not sections:
            with transaction.atomic():
                digest.delete()
                _advance(recipient, digest.until)
            return 0
    count = _item_count(sections)
    digest_message(user, digest, sections).send()
    with transaction.atomic():
        digest.sent, digest.item_count = timezone.now(), count
        digest.save(update_fields=["sent", "item_count"])
        _advance(recipient, digest.until)
    return count


def _advance(recipient: AlertRecipient, mark) -> None:
    if mark > recipient.mark:
        recipient.mark = mark
        recipient.save(update_fields=["mark"])
