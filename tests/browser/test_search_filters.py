"""The search page's filters in a browser: the first result on the first screen, ticking a box
updating the results in place (and, without JavaScript, the Apply button), the date inputs."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from meetings.models import Topic

SIZES = [(1280, 720), (375, 667)]
EXTRA_YEARS = range(2000, 2012)


@pytest.fixture
def long_filters(archive, make_meeting):
    """The sample minutes and a meeting a year for twelve more years, each item with a topic
    of its own: the year and topic filters are long, as in a real archive."""
    for year in EXTRA_YEARS:
        make_meeting(
            date=datetime.date(year, 6, 1),
            items=[
                {
                    "title": f"Extra item {year}",
                    "minutes_text": "Members discussed the lamplighters' rota.",
                    "topics": {f"Lighting {year}": False},
                }
            ],
        )


def slug(name: str) -> str:
    return Topic.objects.get(name=name).slug


def first_result_bottom(page) -> float:
    box = page.locator(".app-search-result").first.bounding_box()
    assert box is not None, "no result shown"
    return box["y"] + box["height"]


@pytest.mark.parametrize(("width", "height"), SIZES)
@pytest.mark.parametrize("filtered", [False, True], ids=["plain", "filtered"])
def test_the_first_result_is_on_the_first_screen(
    long_filters, live_server, chromium, width, height, filtered
):
    context = chromium.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    address = "/search/"
    if filtered:
        address += f"?q=lamplighters&topic={slug('Lighting 2003')}&date_from=2000-01-01"
    page.goto(live_server.url + address)

    assert page.evaluate("window.scrollY") == 0
    assert first_result_bottom(page) <= height
    context.close()


def test_on_a_narrow_screen_the_filters_are_behind_a_control_naming_how_many_apply(
    long_filters, live_server, chromium
):
    context = chromium.new_context(viewport={"width": 375, "height": 667})
    page = context.new_page()
    page.goto(f"{live_server.url}/search/?year=2003&year=2004&topic={slug('Lighting 2003')}")
    control = page.locator("#filters summary")
    box = page.get_by_label(re.compile(r"^Lighting 2003"))

    expect(control).to_have_text("Filter results (3 applied)")
    expect(box).to_be_hidden()
    control.click()
    expect(box).to_be_visible()
    expect(box).to_be_checked()
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_on_a_wide_screen_the_filters_are_open_beside_the_results(
    long_filters, live_server, chromium, javascript
):
    context = chromium.new_context(
        viewport={"width": 1280, "height": 720}, java_script_enabled=javascript
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/search/")

    expect(page.locator("#filters summary")).to_be_hidden()
    expect(page.get_by_role("heading", name="Filter the results")).to_be_visible()
    year = page.get_by_label(re.compile(r"^2003"))
    expect(year).to_be_visible()
    filters = page.locator("#filters").bounding_box()
    results = page.locator("#search-results").bounding_box()
    assert filters["x"] + filters["width"] <= results["x"]
    context.close()


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_ticking_a_topic_updates_the_results_in_place(
    long_filters, live_server, chromium, width, height
):
    context = chromium.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{live_server.url}/search/?q=lamplighters")
    # A marker that a page load would lose.
    page.evaluate("window.searchMarker = 'still here'")
    if width < 641:
        page.locator("#filters summary").click()
    status = page.locator("#search-status")
    expect(status).to_have_attribute("aria-live", "polite")
    box = page.get_by_label(re.compile(r"^Lighting 2003"))

    box.check()

    expect(status).to_have_text("1 item found for ‘lamplighters’")
    expect(page.locator(".app-search-result")).to_have_count(1)
    expect(page.locator(".app-search-result h3")).to_have_text("Extra item 2003")
    assert page.evaluate("window.searchMarker") == "still here"
    assert page.evaluate("document.activeElement.id") == box.get_attribute("id")
    expect(box).to_be_checked()
    assert f"topic={slug('Lighting 2003')}" in page.url
    assert "q=lamplighters" in page.url
    expect(page.locator("#filters summary")).to_have_text("Filter results (1 applied)")
    # The year filter's counts follow the topic chosen.
    expect(page.get_by_label(re.compile(r"^2003"))).to_have_accessible_name(
        re.compile(r"^2003 \(1\s+item\s*\)$")
    )
    expect(page.get_by_label(re.compile(r"^2004"))).to_have_count(0)

    box.uncheck()

    expect(status).to_have_text("12 items found for ‘lamplighters’")
    assert page.evaluate("window.searchMarker") == "still here"

    # The search box carries the filters as they are now.
    box.check()
    expect(status).to_have_text("1 item found for ‘lamplighters’")
    page.locator("#search-q").fill("rota")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#results-heading")).to_have_text("1 item found for ‘rota’")
    assert f"topic={slug('Lighting 2003')}" in page.url
    context.close()


def test_when_the_request_fails_the_form_is_submitted(long_filters, live_server, page):
    page.route(
        "**/search/**",
        lambda route: (
            route.abort() if route.request.resource_type == "fetch" else route.continue_()
        ),
    )
    page.goto(f"{live_server.url}/search/?q=lamplighters")
    page.evaluate("window.searchMarker = 'still here'")

    with page.expect_navigation():
        page.get_by_label(re.compile(r"^Lighting 2003")).check()

    expect(page.locator("#results-heading")).to_have_text("1 item found for ‘lamplighters’")
    assert f"topic={slug('Lighting 2003')}" in page.url
    assert page.evaluate("window.searchMarker") is None


def test_without_javascript_the_apply_button_filters(long_filters, live_server, chromium):
    context = chromium.new_context(
        viewport={"width": 375, "height": 667}, java_script_enabled=False
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/search/?q=lamplighters")
    page.locator("#filters summary").click()

    page.get_by_label(re.compile(r"^Lighting 2003")).check()
    page.get_by_role("button", name="Apply filters").click()

    expect(page.locator("#results-heading")).to_have_text("1 item found for ‘lamplighters’")
    expect(page.locator(".app-search-result h3")).to_have_text("Extra item 2003")
    assert f"topic={slug('Lighting 2003')}" in page.url
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_date_inputs(long_filters, live_server, chromium, javascript):
    context = chromium.new_context(
        viewport={"width": 1280, "height": 720}, java_script_enabled=javascript
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/search/?q=lamplighters")
    heading = page.locator("#results-heading")
    expect(heading).to_have_text("12 items found for ‘lamplighters’")

    page.locator("#date-from-day").fill("1")
    page.locator("#date-from-month").fill("1")
    page.locator("#date-from-year").fill("2010")
    page.get_by_role("button", name="Apply filters").click()

    expect(heading).to_have_text("2 items found for ‘lamplighters’")
    expect(page.locator(".app-search-result h3")).to_have_text(
        ["Extra item 2011", "Extra item 2010"]
    )
    expect(page.locator("#undated-notice")).to_have_text(
        "The date range leaves out items with no date."
    )
    assert "date_from_year=2010" in page.url

    page.locator("#date-to-day").fill("31")
    page.locator("#date-to-month").fill("2")
    page.locator("#date-to-year").fill("2011")
    page.get_by_role("button", name="Apply filters").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Date to must be a real date")
    expect(page.locator("#date-to-error")).to_contain_text("Date to must be a real date")
    expect(page.locator("#date-to-day")).to_have_class(re.compile(r"govuk-input--error"))
    expect(page.locator("#date-to-month")).not_to_have_class(re.compile(r"govuk-input--error"))
    expect(page.locator("#date-to-year")).not_to_have_class(re.compile(r"govuk-input--error"))
    expect(page.locator("#date-to-day")).to_have_value("31")
    context.close()
