"""A signed-in user's alerts: saving a search, the "Your alerts" page, unsubscribing, feeds."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.core import signing
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import alerts
from .feeds import ItemEntries
from .models import AgendaItem, Alert, new_feed_token


@login_required
def alert_list(request):
    user_alerts = list(Alert.objects.filter(user=request.user).order_by("created", "pk"))
    counts = alerts.new_counts(request.user, user_alerts)
    for alert in user_alerts:
        alert.shown_label = alerts.shown_label(alert, request.user)
        alert.readable = alert.shown_label != alerts.UNREADABLE_LABEL
        alert.new_count = counts[alert.pk]
        alert.new_more = alert.new_count > alerts.COUNTED
        alert.feed_url = request.build_absolute_uri(
            reverse("meetings:alert_feed", args=[alert.feed_token])
        )
    context = {"alerts": user_alerts, "counted": alerts.COUNTED, "email": request.user.email}
    return render(request, "meetings/alerts/alert_list.html", context)


@login_required
@require_POST
def alert_create(request):
    """Save the search given as ``params`` (the search page's query string)."""
    alert, created = alerts.save_alert(request.user, QueryDict(request.POST.get("params", "")))
    if alert is None:
        messages.error(request, "This search could not be saved: correct it on the search page.")
    elif created:
        messages.success(request, f"You will get alerts for {alert.label}.")
    else:
        messages.info(request, f"You already get alerts for {alert.label}.")
    return redirect("meetings:alert_list")


def _own_alert(request, pk) -> Alert:
    return get_object_or_404(Alert, pk=pk, user=request.user)


@login_required
@require_POST
def alert_delete(request, pk):
    alert = _own_alert(request, pk)
    alert.delete()
    messages.success(request, f"Alert removed: {alerts.shown_label(alert, request.user)}.")
    return redirect("meetings:alert_list")


@login_required
@require_POST
def alert_email(request, pk):
    """Turn the alert's emails on or off (``email`` is "on" or "off")."""
    alert = _own_alert(request, pk)
    alert.email = request.POST.get("email") == "on"
    alert.save(update_fields=["email"])
    state = "now" if alert.email else "no longer"
    messages.success(
        request, f"{alerts.shown_label(alert, request.user)} is {state} in your email digests."
    )
    return redirect("meetings:alert_list")


@login_required
@require_POST
def alert_feed_reset(request, pk):
    """Give the alert's feed a new address; the old one stops working."""
    alert = _own_alert(request, pk)
    alert.feed_token = new_feed_token()
    alert.save(update_fields=["feed_token"])
    messages.success(
        request,
        f"The feed of {alerts.shown_label(alert, request.user)} has a new address; "
        "the old one is off.",
    )
    return redirect("meetings:alert_list")


# Unsubscribing from a digest's link needs no sign-in: the link's signed token names the user.
# Opening the link only shows a button, so a mail scanner that follows links unsubscribes no one.
# A mail client's one-click unsubscribe (RFC 8058) POSTs "List-Unsubscribe=One-Click" to the
# same address, without a CSRF token; the signed token is what authorises it.


@csrf_exempt
@require_http_methods(["GET", "POST"])
def alert_unsubscribe(request, token):
    try:
        user = alerts.user_of_token(token)
    except signing.BadSignature:
        return render(request, "meetings/alerts/bad_link.html", status=400)
    if request.method == "POST":
        alerts.unsubscribe(user)
        return render(request, "meetings/alerts/unsubscribed.html")
    return render(request, "meetings/alerts/unsubscribe.html", {"token": token})


class AlertFeed(ItemEntries, Feed):
    """A saved search's private feed, by the unguessable token in its address.

    A feed reader reads it as no one, so a restricted item appears by its number and title
    only, whatever its owner may read. An entry gives the opening of the item's minutes, as
    the alert's digest does.
    """

    decisions_shown = False

    feed_type = Atom1Feed
    author_name = "Safer Stockton Partnership"

    def get_object(self, request, token):
        if "\x00" in token:
            raise Http404("No such feed.")  # PostgreSQL's text holds no NUL
        alert = Alert.objects.select_related("user").filter(feed_token=token).first()
        if alert is None or not alert.user.is_active:
            raise Http404("No such feed.")
        # Named, once, as a visitor may read it: the owner's saved label may name a topic
        # known only from restricted minutes.
        alert.public_label = alerts.shown_label(alert, AnonymousUser())
        return alert

    def title(self, alert: Alert):
        return f"{alert.public_label} – {alerts.SITE_NAME}"

    def subtitle(self, alert: Alert):
        return f"New agenda items for the search {alert.public_label}."

    def link(self, alert: Alert):
        # Its address names its filters: only one a visitor may run is given.
        if alert.public_label == alerts.UNREADABLE_LABEL:
            return reverse("meetings:search")
        return alert.get_search_url()

    def items(self, alert: Alert):
        return alerts.feed_items(alert)

    def item_pubdate(self, item: AgendaItem):
        return item.created
