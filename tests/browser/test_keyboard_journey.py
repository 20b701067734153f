"""Someone who uses only a keyboard searches, narrows the results, reads an item and comes back.

Only Tab, Enter, Space and typing: no clicks. Every element the journey stops on must show a
visible focus indicator.
"""

import re
from urllib.parse import parse_qs, urlsplit

from meetings.models import Topic

QUERY = "operation nightfall"
YEAR = "2025"

# A description of the focus indicator of the focused element, or "" when there is none. A GOV.UK
# checkbox or radio input is invisible: its focus ring is drawn by its label's ::before box.
FOCUS_INDICATOR = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "";
  const visible = (style) => {
    const found = [];
    if (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
        && !/rgba\\(\\d+, \\d+, \\d+, 0\\)|transparent/.test(style.outlineColor)) {
      found.push(`outline ${style.outlineWidth} ${style.outlineColor}`);
    }
    if (style.boxShadow && style.boxShadow !== "none") found.push(`box-shadow ${style.boxShadow}`);
    return found.join("; ");
  };
  if (el.matches("input[type=checkbox], input[type=radio]") && el.labels && el.labels.length) {
    return visible(getComputedStyle(el.labels[0], "::before"));
  }
  return visible(getComputedStyle(el));
}"""


def focused(page, js):
    return page.evaluate(f"() => {{ const el = document.activeElement; return !!({js}); }}")


def tab_to(page, js, what, limit=150):
    """Press Tab until the focused element (``el``) matches ``js``; check it shows its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page, js):
            indicator = page.evaluate(FOCUS_INDICATOR)
            assert indicator, f"{what} has keyboard focus but no visible focus indicator"
            return
    raise AssertionError(f"{what} could not be reached with Tab on {page.url}")


def query_of(page):
    return parse_qs(urlsplit(page.url).query)


def test_search_filter_open_an_item_and_come_back(archive, live_server, page, screenshot):
    topic = Topic.objects.get(name="Operation Nightfall").slug

    response = page.goto(live_server.url + "/search/")
    assert response.status == 200, f"/search/ answered {response.status}: no search page yet"

    tab_to(page, "el.name === 'q' && el.tagName === 'INPUT'", "The search box")
    page.keyboard.type(QUERY)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert query_of(page).get("q") == [QUERY]
    screenshot("keyboard-1-results")

    tab_to(
        page,
        f"el.type === 'checkbox' && el.name === 'topic' && el.value === '{topic}'",
        "The Operation Nightfall topic checkbox",
    )
    page.keyboard.press("Space")
    assert focused(page, "el.checked"), "Space did not tick the topic"
    screenshot("keyboard-2-topic-ticked")

    tab_to(
        page,
        f"el.type === 'checkbox' && el.name === 'year' && el.value === '{YEAR}'",
        f"The {YEAR} checkbox",
    )
    page.keyboard.press("Space")
    assert focused(page, "el.checked"), "Space did not tick the year"

    # The button that applies the filters belongs to the same form as the checkboxes.
    tab_to(
        page,
        "el.form && el.form.querySelector('input[name=year]') && el.type === 'submit'",
        "The button that applies the filters",
    )
    with page.expect_navigation():
        page.keyboard.press("Enter")
    params = query_of(page)
    assert params.get("q") == [QUERY]
    assert params.get("topic") == [topic]
    assert params.get("year") == [YEAR]
    screenshot("keyboard-3-filtered")

    tab_to(page, "el.tagName === 'A' && /\\/items\\/\\d+\\/$/.test(el.href)", "A result")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert re.search(r"/items/\d+/$", page.url), page.url
    assert "Operation Nightfall" in page.locator("main").inner_text()
    screenshot("keyboard-4-item")

    page.go_back()
    page.wait_for_load_state()
    assert page.locator("input[name=q]:not([type=hidden])").input_value() == QUERY
    assert page.locator(f"input[type=checkbox][name=topic][value='{topic}']").is_checked()
    assert page.locator(f"input[type=checkbox][name=year][value='{YEAR}']").is_checked()
    screenshot("keyboard-5-back")


def test_links_and_buttons_show_where_the_focus_is(archive, live_server, page):
    """The pages already built: the header, navigation, meeting links and footer."""
    page.goto(live_server.url + "/meetings/")
    tab_to(page, "el.classList.contains('govuk-skip-link')", "The skip link")
    tab_to(page, "el.classList.contains('govuk-generic-header__homepage-link')", "The header")
    tab_to(page, "el.getAttribute('href') === '/search/'", "The Search navigation link")
    tab_to(page, "/\\/meetings\\/\\d+\\/$/.test(el.href)", "A meeting link")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, "/\\/items\\/\\d+\\/$/.test(el.href)", "An agenda item link")
    tab_to(page, "el.closest('footer') && el.tagName === 'A'", "The footer's sign-in link")


def test_everything_works_without_javascript(archive, live_server, chromium):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/meetings/")
        assert "js-enabled" not in (page.locator("body").get_attribute("class") or "")
        for name in ("Home", "Search", "Meetings", "Topics", "People"):
            assert page.get_by_role("link", name=name, exact=True).is_visible()
        page.get_by_role("link", name=re.compile("22 January 2025")).click()
        assert "Operation Nightfall" in page.locator("main").inner_text()
    finally:
        context.close()
