"""A member of council staff browses the archive with a keyboard and a browser."""

import re

RESTRICTED_ONLY = "statistical information only made available"


def test_browse_from_meeting_list_to_a_meeting(archive, live_server, page, screenshot):
    page.goto(live_server.url + "/meetings/")
    assert page.locator("h1").first.is_visible()
    screenshot("meeting-list")
    page.get_by_role("link", name=re.compile("22 January 2025")).click()
    page.wait_for_load_state()
    screenshot("meeting-detail")
    assert "Safer Stockton Partnership" in page.locator("h1").inner_text()
    body = page.locator("main").inner_text()
    assert "Operation Nightfall" in body
    assert "SSP/52/24" in body
    assert "Restricted" in body
    assert RESTRICTED_ONLY not in page.content()


def test_skip_link_is_the_first_thing_a_keyboard_reaches(archive, live_server, page):
    page.goto(live_server.url + "/meetings/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Skip to main content" in focused
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main-content"
