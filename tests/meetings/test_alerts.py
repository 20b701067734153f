"""Alerts: saved searches, the email digests of send_alerts, unsubscribing and private feeds."""

import datetime
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ingest import services
from meetings import alerts
from meetings.models import AgendaItem, Alert, AlertDigest, AlertRecipient, Meeting
from tests.conftest import RESTRICTED_WORD

SITE = "https://minutes.example.org"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def with_email(user, address=None):
    user.email = address or f"{user.username}@example.org"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def member(ordinary_user):
    return with_email(ordinary_user)


@pytest.fixture
def officer(restricted_viewer):
    return with_email(restricted_viewer)


def save(user, query_string):
    alert, _ = alerts.save_alert(user, QueryDict(query_string))
    assert alert is not None, query_string
    return alert


def run():
    """One run of the command, as cron would."""
    call_command("send_alerts", verbosity=0)


def nightfall_meeting(make_meeting, date=datetime.date(2025, 3, 5), **item):
    spec = {
        "number": "SSP/9/25",
        "title": "Operation Nightfall update",
        "minutes_text": "Knife crime patrols continued in the town centre.",
    }
    spec.update(item)
    return make_meeting(date=date, items=[spec])


# Digests


def test_a_new_matching_item_is_sent_in_one_digest_with_links(member, make_meeting, mailoutbox):
    alert = save(member, "q=nightfall")
    make_meeting(
        date=datetime.date(2025, 2, 1),
        items=[{"title": "Budget", "minutes_text": "Nothing on patrols."}],
    )
    meeting = nightfall_meeting(make_meeting)
    item = meeting.items.get()

    run()

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [member.email]
    assert message.subject.startswith("1 new item for your alerts")
    item_url = f"{SITE}/items/{item.pk}/"
    assert item_url in message.body
    assert "SSP/9/25 Operation Nightfall update" in message.body
    assert "Budget" not in message.body
    html, kind = message.alternatives[0]
    assert kind == "text/html"
    assert f'href="{item_url}"' in html
    assert alert.label in message.body
    digest = AlertDigest.objects.get(user=member)
    assert message.extra_headers["Message-ID"] == digest.message_id
    assert digest.sent is not None and digest.item_count == 1
    assert AlertRecipient.objects.get(user=member).mark == digest.until


def test_a_second_run_sends_nothing(member, make_meeting, mailoutbox):
    save(member, "q=nightfall")
    nightfall_meeting(make_meeting)

    run()
    run()

    assert len(mailoutbox) == 1
    nightfall_meeting(make_meeting, date=datetime.date(2025, 4, 2), number="SSP/20/25")
    run()
    assert len(mailoutbox) == 2
    assert "SSP/20/25" in mailoutbox[1].body and "SSP/9/25" not in mailoutbox[1].body


def test_items_stored_before_the_alert_are_not_new(member, make_meeting, mailoutbox):
    nightfall_meeting(make_meeting)
    save(member, "q=nightfall")

    run()

    assert mailoutbox == []


def test_minutes_text_is_escaped_in_the_html_digest(member, make_meeting, mailoutbox):
    save(member, "q=nightfall")
    nightfall_meeting(make_meeting, minutes_text='Nightfall <script>alert("x")</script> ended.')

    run()

    html = mailoutbox[0].alternatives[0][0]
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_one_digest_for_all_of_a_users_alerts(member, make_meeting, mailoutbox):
    save(member, "q=nightfall")
    save(member, "q=patrols")
    nightfall_meeting(make_meeting)

    run()

    assert len(mailoutbox) == 1
    assert mailoutbox[0].body.count("SSP/9/25") == 2  # listed under each alert
    assert mailoutbox[0].subject.startswith("1 new item ")


def test_a_followed_topic_and_a_followed_body(member, make_meeting, mailoutbox):
    nightfall_meeting(make_meeting, date=datetime.date(2024, 1, 1), topics={"Knife Crime": True})
    topic_alert = save(member, "topic=knife-crime")
    body_alert = save(member, "body=Youth+Board")
    assert (topic_alert.kind, topic_alert.label) == (Alert.Kind.TOPIC, "Knife Crime")
    assert (body_alert.kind, body_alert.label) == (Alert.Kind.BODY, "Youth Board")
    make_meeting(
        body="Youth Board",
        date=datetime.date(2025, 5, 1),
        items=[
            {
                "number": "YB/1/25",
                "title": "Knife crime in schools",
                "topics": {"Knife Crime": True},
            }
        ],
    )
    make_meeting(date=datetime.date(2025, 5, 2), items=[{"number": "SSP/30/25", "title": "Budget"}])

    run()

    body = mailoutbox[0].body
    assert body.count("YB/1/25") == 2
    assert "SSP/30/25" not in body


def test_a_reimport_that_changes_nothing_is_not_new(member, stub_parser, mailoutbox):
    minutes = (
        b"Body: Safer Stockton Partnership\nDate: 2025-03-05\n"
        b"Item: SSP/1/25 | Knife crime | Patrols noted.\n"
    )
    save(member, "q=knife")
    services.import_document(minutes, "march.txt")
    run()
    assert len(mailoutbox) == 1

    outcome = services.import_document(minutes, "march.txt")
    run()

    assert outcome.status in ("unchanged", "updated")
    assert len(mailoutbox) == 1


# Permissions, decided when the digest is sent


def test_without_the_permission_a_restricted_item_is_listed_withheld(
    member, open_and_restricted_meeting, make_meeting, mailoutbox
):
    save(member, "q=iquanta")
    meeting = make_meeting(
        date=datetime.date(2025, 6, 1),
        items=[
            {
                "number": "SSP/70/25",
                "title": "iQuanta figures",
                "restricted": True,
                "minutes_text": f"The {RESTRICTED_WORD} numbers rose.",
            }
        ],
    )

    run()

    message = mailoutbox[0]
    html = message.alternatives[0][0]
    assert "SSP/70/25 iQuanta figures" in message.body
    assert alerts.WITHHELD in message.body
    for text in (message.body, html, message.subject):
        assert RESTRICTED_WORD not in text
    assert f"/items/{meeting.items.get().pk}/" in message.body


def test_a_search_for_restricted_text_finds_nothing_without_the_permission(
    member, make_meeting, mailoutbox
):
    save(member, f"q={RESTRICTED_WORD}")
    make_meeting(
        date=datetime.date(2025, 6, 1),
        items=[{"title": "Report", "restricted": True, "minutes_text": f"{RESTRICTED_WORD}."}],
    )

    run()

    assert mailoutbox == []


def test_the_permission_is_read_when_sending_and_losing_it_stops_restricted_text(
    officer, make_meeting, mailoutbox
):
    save(officer, "q=iquanta")
    make_meeting(
        date=datetime.date(2025, 6, 1),
        items=[{"title": "iQuanta", "restricted": True, "minutes_text": "Secret wombat figures."}],
    )
    run()
    assert "wombat" in mailoutbox[0].body

    officer.user_permissions.remove(Permission.objects.get(codename="view_restricted"))
    make_meeting(
        date=datetime.date(2025, 7, 1),
        items=[{"title": "iQuanta", "restricted": True, "minutes_text": "Secret numbat figures."}],
    )
    run()

    assert len(mailoutbox) == 2
    second = mailoutbox[1]
    assert "numbat" not in second.body and "numbat" not in second.alternatives[0][0]
    assert alerts.WITHHELD in second.body


def test_inactive_users_and_users_without_an_address_get_nothing(
    member, officer, make_meeting, mailoutbox
):
    save(member, "q=nightfall")
    save(officer, "q=nightfall")
    member.is_active = False
    member.save()
    officer.email = ""
    officer.save()
    nightfall_meeting(make_meeting)

    run()

    assert mailoutbox == []


# Interrupted runs


def test_a_run_dying_after_the_outbox_row_is_written_sends_it_next_time_once(
    member, make_meeting, mailoutbox, monkeypatch
):
    save(member, "q=nightfall")
    nightfall_meeting(make_meeting)

    def die(*args, **kwargs):
        raise RuntimeError("killed")

    with monkeypatch.context() as patch:
        patch.setattr(alerts, "digest_message", die)
        with pytest.raises(CommandError, match="tried again"):
            run()
    assert mailoutbox == []
    pending = AlertDigest.objects.get(user=member, sent__isnull=True)

    run()
    run()

    assert len(mailoutbox) == 1
    assert mailoutbox[0].extra_headers["Message-ID"] == pending.message_id
    assert "SSP/9/25" in mailoutbox[0].body
    assert AlertDigest.objects.get().sent is not None


def test_a_send_that_fails_is_sent_by_the_next_run_once(
    member, make_meeting, mailoutbox, monkeypatch
):
    save(member, "q=nightfall")
    nightfall_meeting(make_meeting)

    def refuse(self, fail_silently=False):
        raise OSError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.EmailMessage.send", refuse)
        with pytest.raises(CommandError):
            run()
    assert AlertRecipient.objects.get(user=member).mark < timezone.now()
    nightfall_meeting(make_meeting, date=datetime.date(2025, 4, 2), number="SSP/20/25")

    run()
    run()

    # The failed digest first (its window only), then the item stored after it.
    assert len(mailoutbox) == 2
    assert "SSP/9/25" in mailoutbox[0].body and "SSP/20/25" not in mailoutbox[0].body
    assert "SSP/20/25" in mailoutbox[1].body and "SSP/9/25" not in mailoutbox[1].body
    assert AlertDigest.objects.filter(sent__isnull=True).count() == 0


def test_send_alerts_needs_the_site_address(settings):
    settings.SITE_URL = ""
    with pytest.raises(CommandError, match="SITE_URL"):
        run()


# Unsubscribing


def unsubscribe_url(user):
    return reverse("meetings:alert_unsubscribe", args=[alerts.unsubscribe_token(user)])


def test_opening_the_unsubscribe_link_changes_nothing(client, member, make_meeting, mailoutbox):
    save(member, "q=nightfall")

    response = client.get(unsubscribe_url(member))

    assert response.status_code == 200
    assert b"Stop alert emails</button>" in response.content
    nightfall_meeting(make_meeting)
    run()
    assert len(mailoutbox) == 1


def test_the_button_unsubscribes_without_signing_in(member, make_meeting, mailoutbox):
    alert = save(member, "q=nightfall")
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(unsubscribe_url(member))

    response = browser.post(unsubscribe_url(member), {"List-Unsubscribe": "One-Click"})

    assert page.status_code == 200 and response.status_code == 200
    assert b"Alert emails stopped" in response.content
    alert.refresh_from_db()
    assert not alert.email
    nightfall_meeting(make_meeting)
    run()
    assert mailoutbox == []


def test_one_click_unsubscribe_from_a_mail_client(member, make_meeting, mailoutbox):
    save(member, "q=nightfall")
    nightfall_meeting(make_meeting)
    run()
    header = mailoutbox[0].extra_headers["List-Unsubscribe"]
    assert mailoutbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = header.strip("<>")
    assert url.startswith(SITE + "/alerts/unsubscribe/")
    assert url in mailoutbox[0].body

    # RFC 8058: a POST with no cookie and no CSRF token.
    response = Client(enforce_csrf_checks=True).post(
        url.removeprefix(SITE),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert not Alert.objects.filter(user=member, email=True).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_bad_unsubscribe_link_is_refused_clearly(client, member, method):
    alert = save(member, "q=nightfall")
    token = alerts.unsubscribe_token(member)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")

    response = getattr(client, method)(reverse("meetings:alert_unsubscribe", args=[tampered]))

    assert response.status_code == 400
    assert b"This link does not work" in response.content
    alert.refresh_from_db()
    assert alert.email


# The alerts page and the buttons


def test_saving_a_search_from_the_search_page(client, member):
    client.force_login(member)
    page = client.get("/search/?q=knife+crime&year=2025&page=2&sort=oldest")
    assert b"Get alerts for this search" in page.content
    params = re.search(rb'name="params" value="([^"]*)"', page.content).group(1).decode()

    response = client.post(
        reverse("meetings:alert_create"), {"params": params.replace("&amp;", "&")}
    )

    assert response.status_code == 302
    alert = Alert.objects.get(user=member)
    assert alert.params == "q=knife+crime&year=2025"
    assert alert.label == "‘knife crime’; Year: 2025"
    again = client.post(reverse("meetings:alert_create"), {"params": "year=2025&q=knife+crime"})
    assert again.status_code == 302
    assert Alert.objects.filter(user=member).count() == 1


def test_the_search_and_topic_pages_offer_alerts_to_signed_in_users_only(
    client, member, open_and_restricted_meeting
):
    topic_page = reverse("meetings:topic_detail", args=["operation-nightfall"])
    assert b"Get alerts" not in client.get("/search/?q=nightfall").content
    assert b"Follow this topic" not in client.get(topic_page).content

    client.force_login(member)
    assert b"Follow this topic" in client.get(topic_page).content
    client.post(reverse("meetings:alert_create"), {"params": "topic=operation-nightfall"})

    alert = Alert.objects.get(user=member)
    assert (alert.kind, alert.label) == (Alert.Kind.TOPIC, "Operation Nightfall")


def test_a_search_that_cannot_run_is_not_saved(client, member):
    client.force_login(member)
    for params in (
        "topic=no-such-topic",
        "year=twenty",
        "date_from=2025-02-01&date_to=2025-01-01",
        "q=the",
        "q=" + "knife+" * 400,
    ):
        client.post(reverse("meetings:alert_create"), {"params": params})
    assert not Alert.objects.exists()


def test_the_alerts_page_counts_new_items_and_removes_alerts(client, member, make_meeting):
    nightfall = save(member, "q=nightfall")
    save(member, "q=quango")
    nightfall_meeting(make_meeting)
    nightfall_meeting(make_meeting, date=datetime.date(2025, 4, 2), number="SSP/20/25")
    client.force_login(member)

    page = client.get(reverse("meetings:alert_list"))

    counts = re.findall(
        r"New since your last digest</dt>\s*<dd[^>]*>(\d+) item", page.content.decode()
    )
    assert counts == ["2", "0"]
    client.post(reverse("meetings:alert_delete", args=[nightfall.pk]))
    assert list(Alert.objects.values_list("label", flat=True)) == ["‘quango’"]


def test_the_alerts_page_needs_signing_in_and_alerts_are_their_owners(client, member, officer):
    alert = save(officer, "q=nightfall")
    assert client.get(reverse("meetings:alert_list")).status_code == 302
    client.force_login(member)

    assert client.post(reverse("meetings:alert_delete", args=[alert.pk])).status_code == 404
    assert client.get(reverse("meetings:alert_delete", args=[alert.pk])).status_code == 405
    assert Alert.objects.filter(pk=alert.pk).exists()
    assert b"nightfall" not in client.get(reverse("meetings:alert_list")).content


def test_every_page_leads_a_signed_in_user_to_their_alerts(client, member):
    alerts_link = f'href="{reverse("meetings:alert_list")}"'
    assert alerts_link not in client.get("/").content.decode()
    client.force_login(member)
    for path in ("/", "/meetings/", "/follow-ups/"):
        assert alerts_link in client.get(path).content.decode(), path


def test_emails_can_be_turned_off_and_on_again(client, member, make_meeting, mailoutbox):
    alert = save(member, "q=nightfall")
    client.force_login(member)
    client.post(reverse("meetings:alert_email", args=[alert.pk]), {"email": "off"})
    nightfall_meeting(make_meeting)
    run()
    assert mailoutbox == []

    client.post(reverse("meetings:alert_email", args=[alert.pk]), {"email": "on"})
    nightfall_meeting(make_meeting, date=datetime.date(2025, 4, 2), number="SSP/20/25")
    run()
    assert len(mailoutbox) == 1


# Private feeds


def test_a_feed_never_carries_restricted_text_even_for_an_officer(client, officer, make_meeting):
    alert = save(officer, "q=iquanta")
    make_meeting(
        date=datetime.date(2025, 6, 1),
        items=[
            {
                "number": "SSP/70/25",
                "title": "iQuanta",
                "restricted": True,
                "minutes_text": "Wombat.",
            }
        ],
    )
    client.force_login(officer)  # the feed is the same whoever asks

    response = client.get(reverse("meetings:alert_feed", args=[alert.feed_token]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert b"SSP/70/25 iQuanta" in response.content
    assert b"Wombat" not in response.content
    assert b"not public" in response.content


def test_a_topic_known_only_from_restricted_minutes_is_named_only_to_who_may_read_them(
    client, officer, make_meeting
):
    make_meeting(
        date=datetime.date(2025, 6, 1),
        items=[
            {
                "title": "Part II business",
                "restricted": True,
                "minutes_text": "Operation Flonkwort was discussed.",
                "topics": {"Operation Flonkwort": False},
            }
        ],
    )
    alert = save(officer, "topic=operation-flonkwort")
    assert alert.label == "Operation Flonkwort"  # as its owner reads it
    feed = reverse("meetings:alert_feed", args=[alert.feed_token])

    response = Client().get(feed)

    assert response.status_code == 200
    assert b"Flonkwort" not in response.content.replace(b"flonkwort", b"Flonkwort")
    assert alerts.UNREADABLE_LABEL.encode() in response.content

    client.force_login(officer)
    assert b"Operation Flonkwort" in client.get(reverse("meetings:alert_list")).content
    officer.user_permissions.clear()
    officer.groups.clear()
    officer = type(officer).objects.get(pk=officer.pk)  # permissions are cached per object
    client.force_login(officer)
    page = client.get(reverse("meetings:alert_list")).content
    assert b"Flonkwort" not in page.replace(b"flonkwort", b"Flonkwort")
    assert alerts.UNREADABLE_LABEL.encode() in page


def test_a_feed_address_with_a_nul_is_not_found(client):
    assert client.get("/alerts/feed/abc%00def/").status_code == 404


def test_a_feed_address_can_be_replaced(client, member):
    alert = save(member, "q=nightfall")
    old = reverse("meetings:alert_feed", args=[alert.feed_token])
    assert client.get(old).status_code == 200
    client.force_login(member)

    client.post(reverse("meetings:alert_feed_reset", args=[alert.pk]))

    alert.refresh_from_db()
    assert Client().get(old).status_code == 404
    assert Client().get(reverse("meetings:alert_feed", args=[alert.feed_token])).status_code == 200


def test_an_item_is_created_when_its_meeting_is(make_meeting):
    meeting = nightfall_meeting(make_meeting)
    item = AgendaItem.objects.get(meeting=meeting)
    assert abs(item.created - Meeting.objects.get().created) < datetime.timedelta(seconds=5)


# Deployment


def test_docker_compose_declares_the_alerts_service():
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    block = re.search(r"\n  alerts:\n((?:    .*\n|\s*\n)+)", compose)
    assert block, "no alerts service in docker-compose.yml"
    service = block.group(1)
    assert "<<: *app" in service  # the site's image and settings
    assert 'profiles: ["tools"]' in service  # run on demand, not by "up"
    assert "send_alerts" in service
    app = re.search(r"\nx-app: &app\n((?:  .*\n|\s*\n)+)", compose).group(1)
    for name in ("SITE_URL", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD",
                 "EMAIL_USE_TLS", "DEFAULT_FROM_EMAIL"):  # fmt: skip
        assert f"    {name}:" in app, name
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docker compose run --rm alerts" in readme
    assert "send_alerts" in readme


# Imports under way while digests are sent


def late_item(make_meeting, created):
    """An item an import under way had given ``created``, seen only when that import commits."""
    meeting = nightfall_meeting(make_meeting, date=datetime.date(2025, 8, 1), number="SSP/80/25")
    AgendaItem.objects.filter(meeting=meeting).update(created=created)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite: one writer at a time")
def test_sqlite_the_mark_stops_at_the_latest_item_seen(member, make_meeting, mailoutbox):
    save(member, "q=nightfall")
    nightfall_meeting(make_meeting)
    seen = AgendaItem.objects.get().created

    alerts.send_digests(now=seen + datetime.timedelta(minutes=5))

    assert AlertRecipient.objects.get(user=member).mark == seen
    late_item(make_meeting, seen + datetime.timedelta(microseconds=1))
    run()
    assert len(mailoutbox) == 2 and "SSP/80/25" in mailoutbox[1].body


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL: imports may write at the same time"
)
def test_postgresql_the_mark_stops_before_a_transaction_under_way(member, make_meeting, mailoutbox):
    save(member, "q=nightfall")
    nightfall_meeting(make_meeting)
    other = connections.create_connection("default")
    other.connect()
    try:
        other.connection.execute("BEGIN")
        began = other.connection.execute("SELECT now()").fetchone()[0]
        run()
    finally:
        other.connection.execute("ROLLBACK")
        other.close()

    assert len(mailoutbox) == 1
    assert AlertRecipient.objects.get(user=member).mark == began
    late_item(make_meeting, began + datetime.timedelta(milliseconds=1))
    run()
    assert len(mailoutbox) == 2 and "SSP/80/25" in mailoutbox[1].body
