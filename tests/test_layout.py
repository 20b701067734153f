"""The page template every page extends: header, navigation, messages, footer, scripts."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string

pytestmark = pytest.mark.django_db


def nav_link(html, href):
    match = re.search(rf'<a class="govuk-service-navigation__link" href="{href}"[^>]*>', html)
    assert match, f"no navigation link to {href}"
    return match.group(0)


def test_generic_header_without_gov_uk_branding(client):
    html = client.get("/meetings/").content.decode()

    assert '<html lang="en-GB" class="govuk-template">' in html
    assert '<body class="govuk-template__body">' in html
    assert '<script src="/static/js/js-enabled.js"></script>' in html
    assert 'class="govuk-generic-header app-header"' in html
    assert "govuk-header__logotype" not in html
    assert "crown" not in html.lower()
    assert "GOV.UK" not in html


def test_navigation_marks_the_current_page_and_section(client, make_meeting):
    html = client.get("/meetings/").content.decode()
    assert 'aria-current="page"' in nav_link(html, "/meetings/")
    assert "aria-current" not in nav_link(html, "/search/")

    meeting = make_meeting()
    html = client.get(meeting.get_absolute_url()).content.decode()
    assert 'aria-current="true"' in nav_link(html, "/meetings/")
    assert html.count("aria-current") == 1


def test_anonymous_visitors_are_offered_sign_in(client):
    html = client.get("/meetings/?page=2").content.decode()
    assert (
        '<a class="govuk-footer__link" href="/accounts/login/?next=/meetings/%3Fpage%3D2">' in html
    )
    assert "Sign out" not in html


def test_signed_in_users_see_their_name_and_sign_out_with_a_post(client, django_user_model):
    # The admin's sign-in page admits staff only, so whoever signed in there is staff.
    user = django_user_model.objects.create_user(
        "clerk", password="not-a-real-password-3", first_name="Jo", last_name="Clerk", is_staff=True
    )
    client.force_login(user)

    html = client.get("/meetings/").content.decode()

    assert "Signed in as Jo Clerk" in html
    assert '<a class="govuk-footer__link" href="/admin/">Administration</a>' in html
    assert '<form class="app-footer-form" method="post" action="/accounts/logout/">' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="next" value="/meetings/"' in html
    assert "Sign in" not in html

    response = client.post("/accounts/logout/", {"next": "/meetings/"})
    assert response.status_code == 302 and response["Location"] == "/meetings/"
    assert "Sign in" in client.get("/meetings/").content.decode()


def test_messages_are_notification_banners():
    assert "govuk-notification-banner" not in render_to_string("base.html", {"messages": []})

    html = render_to_string(
        "base.html",
        {"messages": [_Message("success", "Saved."), _Message("warning", "Check the date.")]},
    )

    assert (
        'class="govuk-notification-banner govuk-notification-banner--success" role="alert"' in html
    )
    assert 'class="govuk-notification-banner" role="region"' in html
    assert '<p class="govuk-notification-banner__heading">Saved.</p>' in html
    assert '<p class="govuk-notification-banner__heading">Check the date.</p>' in html


class _Message:
    def __init__(self, level_tag, text):
        self.level_tag = level_tag
        self.text = text

    def __str__(self):
        return self.text


def test_govuk_frontend_starts_as_a_module(client):
    html = client.get("/meetings/").content.decode()
    assert '<script type="module" src="/static/js/init.js"></script>' in html
    init = (Path(settings.BASE_DIR) / "static" / "js" / "init.js").read_text(encoding="utf-8")
    assert 'import { initAll } from "./govuk-frontend.min.js";' in init
    enabled = (Path(settings.BASE_DIR) / "static" / "js" / "js-enabled.js").read_text()
    assert "govuk-frontend-supported" in enabled


def test_page_not_found_uses_the_layout(client):
    response = client.get("/meetings/999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<title>Page not found – Safer Stockton Partnership meetings archive</title>" in html
    assert 'id="main-content"' in html
