"""The follow-ups page in a browser: filters without JavaScript, on a desk and on a phone."""

import datetime
from pathlib import Path

import pytest

from meetings import followups
from meetings.models import AgendaItem, FollowUp, ItemTopic, Meeting, Topic

SHOTS = Path("/tmp/shots")


@pytest.fixture
def follow_ups(transactional_db):
    topic, _ = Topic.objects.get_or_create(name="Knife Crime", defaults={"slug": "knife-crime"})
    wording = [
        ("a report on knife crime in the town centre", "next_meeting", "Police"),
        ("Domestic Abuse Strategy refresh", "month", "Officers"),
        ("brief statistics on anti-social behaviour in Thornaby", "", "Cleveland Police"),
    ]
    for month in range(1, 7):
        meeting = Meeting.objects.create(
            body="Safer Stockton Partnership",
            date=datetime.date(2025, month, 15),
            date_source=Meeting.DateSource.DOCUMENT,
        )
        item = AgendaItem.objects.create(
            meeting=meeting, position=1, number=f"SSP/{month}/25", title="Knife Crime Update"
        )
        ItemTopic.objects.create(item=item, topic=topic, in_title=True)
        what, due, who = wording[month % 3]
        FollowUp.objects.create(
            item=item, position=1, kind="action", what=what, who=who, due=due,
            due_date=datetime.date(2025, month + 2, 1) if due == "month" else None,
        )  # fmt: skip
    followups.rematch("Safer Stockton Partnership", Meeting.objects.values_list("date", flat=True))


@pytest.mark.parametrize("width", [1280, 375])
def test_follow_ups_page_filters_without_javascript(chromium, live_server, follow_ups, width):
    context = chromium.new_context(
        viewport={"width": width, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    page.goto(live_server.url + "/follow-ups/")
    assert page.locator("h1").inner_text() == "Follow-ups"
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"followups-{width}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow, "the page scrolls sideways"
    page.select_option("#id_status", "open")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert "status=open" in page.url
    assert page.locator("main h2").nth(1).inner_text() == "1 follow-up"
    context.close()
