"""Pages, the admin and GOV.UK Frontend's script work under the Content-Security-Policy.

The ``csp_violations`` fixture (conftest.py) fails every browser test whose pages report a
violation; these tests make sure the admin and the scripts of the public pages are among them.
"""

import re

import pytest

from meetings.models import AgendaItem, Meeting, SourceDocument, Topic

PASSWORD = "not-a-real-password-9"


@pytest.fixture
def superuser(archive, django_user_model):
    return django_user_model.objects.create_superuser("chief", password=PASSWORD)


def sign_in(page, base_url):
    page.goto(base_url + "/admin/login/")
    page.get_by_label("Username").fill("chief")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base_url + "/admin/")


def test_the_admin_works_under_the_policy(superuser, live_server, page, screenshot):
    base = live_server.url
    sign_in(page, base)
    item = AgendaItem.objects.filter(restricted=True).first()
    meeting = Meeting.objects.filter(items__isnull=False).first()
    document = SourceDocument.objects.exclude(original_text="").first()
    topic = Topic.objects.first()
    paths = [
        "/admin/meetings/agendaitem/",
        "/admin/meetings/agendaitem/?restricted__exact=1",
        f"/admin/meetings/agendaitem/{item.pk}/change/",
        f"/admin/meetings/meeting/{meeting.pk}/change/",
        f"/admin/meetings/meeting/{meeting.pk}/delete/",
        f"/admin/meetings/sourcedocument/{document.pk}/change/",
        "/admin/meetings/sourcedocument/import/",
        f"/admin/meetings/topic/{topic.pk}/change/",
        "/admin/meetings/topic/add/",
        "/admin/meetings/person/",
        "/admin/auth/user/",
    ]
    for path in paths:
        response = page.goto(base + path)
        assert response.status == 200, path
        assert "'unsafe-inline'" not in response.headers["content-security-policy"]

    # The admin's scripts run: the sidebar's toggle (nav_sidebar.js) opens and closes it.
    page.goto(base + "/admin/meetings/agendaitem/")
    main = page.locator("#main")
    before = "shifted" in (main.get_attribute("class") or "")
    page.locator("#toggle-nav-sidebar").click()
    assert ("shifted" in (main.get_attribute("class") or "")) != before
    # The "select all" checkbox of the changelist (actions.js) ticks every row.
    page.locator("#action-toggle").check()
    assert (
        page.locator("input.action-select:checked").count()
        == page.locator("input.action-select").count()
    )
    screenshot("csp-admin-changelist")
    page.goto(base + f"/admin/meetings/sourcedocument/{document.pk}/change/")
    screenshot("csp-admin-source-document")
    # The original text keeps its line breaks (its style moved to static/css/admin.css).
    white_space = page.locator("pre.original-text").evaluate("e => getComputedStyle(e).whiteSpace")
    assert white_space == "pre-wrap"


def test_govuk_frontend_runs_under_the_policy(archive, live_server, page, screenshot):
    page.set_viewport_size({"width": 375, "height": 800})
    response = page.goto(live_server.url + "/meetings/")
    assert "script-src 'self'" in response.headers["content-security-policy"]

    body = page.locator("body").get_attribute("class")
    assert "js-enabled" in body and "govuk-frontend-supported" in body
    # The service navigation's menu button is shown and works only once its script has run.
    toggle = page.get_by_role("button", name="Menu")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator("#navigation").is_visible()
    screenshot("csp-narrow-menu-open")

    slug = Topic.objects.get(name="Operation Nightfall").slug
    page.goto(live_server.url + f"/topics/{slug}/")
    chart = page.locator("svg.ssp-chart")
    assert chart.evaluate("e => getComputedStyle(e).maxWidth") == "100%"


def test_the_check_reports_a_violation(archive, live_server, page, csp_violations):
    page.goto(live_server.url + "/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = true";
          document.body.append(script);
        }"""
    )
    page.wait_for_timeout(200)

    assert page.evaluate("() => window.injected") is None
    assert any(re.search(r"CSP violation: script-src", found) for found in csp_violations)
    csp_violations.clear()  # seen: this test's own page must not fail it
