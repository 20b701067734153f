"""A member saves a search, new minutes are imported, and the digest's link opens the item."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from meetings import alerts
from tests.browser.conftest import MINUTES
from tests.browser.test_accessibility import AXE, AXE_TAGS, RUN_AXE, describe, topic_slug

SHOTS = Path("/tmp/shots")
PASSWORD = "a-members-password-1"


@pytest.fixture
def member(transactional_db, django_user_model):
    return django_user_model.objects.create_user(
        "member", email="member@example.org", password=PASSWORD
    )


def sign_in(page, base_url):
    page.goto(base_url + "/accounts/login/")
    page.fill("#id_username", "member")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def check_accessibility(page, name):
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"alerts-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate(RUN_AXE, AXE_TAGS)
    assert not results["violations"], f"axe violations on {name}:" + describe(results["violations"])


def test_a_saved_search_sends_a_digest_whose_link_opens_the_new_item(
    member, live_server, page, settings, mailoutbox
):
    settings.SITE_URL = live_server.url
    base = live_server.url
    call_command("import_minutes", str(MINUTES / "ssp-2011-07-05-numbered.txt"), verbosity=0)
    sign_in(page, base)

    page.goto(base + "/search/?q=nightfall")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "alerts-search-button-1280.png"), full_page=True)
    page.get_by_role("button", name="Get alerts for this search").click()

    expect(page).to_have_url(base + "/alerts/")
    expect(page.get_by_role("heading", name="‘nightfall’")).to_be_visible()
    check_accessibility(page, "list")

    call_command("import_minutes", str(MINUTES / "ssp-2025-01-22-moderngov.txt"), verbosity=0)
    page.reload()
    card = page.locator(".govuk-summary-card", has_text="‘nightfall’")
    new = card.locator(".govuk-summary-list__row", has_text="New since your last digest")
    assert int(new.locator("dd").inner_text().split()[0]) > 0

    call_command("send_alerts", verbosity=0)

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    first = re.search(r"^- (.+)$", message.body, re.MULTILINE).group(1)
    link = re.search(rf"{re.escape(base)}/items/\d+/", message.body).group(0)
    response = page.goto(link)
    assert response.status == 200
    assert first.split(" ", 1)[-1] in page.locator("h1").inner_text()

    call_command("send_alerts", verbosity=0)
    assert len(mailoutbox) == 1


def test_the_unsubscribe_pages_are_accessible(member, live_server, page):
    url = live_server.url + f"/alerts/unsubscribe/{alerts.unsubscribe_token(member)}/"
    page.goto(url)
    check_accessibility(page, "unsubscribe")

    page.get_by_role("button", name="Stop alert emails").click()
    expect(page.get_by_role("heading", name="Alert emails stopped")).to_be_visible()
    check_accessibility(page, "unsubscribed")

    response = page.goto(url[:-4] + "XYZ/")
    assert response.status == 400
    check_accessibility(page, "bad-link")


def test_the_empty_alerts_page_is_accessible(member, live_server, page):
    sign_in(page, live_server.url)
    page.goto(live_server.url + "/alerts/")
    assert "You have no alerts" in page.content()
    check_accessibility(page, "empty")


def test_following_a_topic_from_its_page(member, live_server, page):
    call_command("import_minutes", str(MINUTES / "ssp-2025-01-22-moderngov.txt"), verbosity=0)
    sign_in(page, live_server.url)
    page.goto(live_server.url + f"/topics/{topic_slug('Operation Nightfall')}/")
    check_accessibility(page, "topic-button")

    page.get_by_role("button", name="Follow this topic").click()

    expect(page).to_have_url(live_server.url + "/alerts/")
    expect(page.get_by_role("heading", name="Operation Nightfall")).to_be_visible()
