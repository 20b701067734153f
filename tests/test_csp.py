"""The Content-Security-Policy sent with every page: scripts and styles from this site only.

The browser tests (tests/browser/) fail on any violation a page reports; these check the
header itself and that no page writes a script or style into its HTML.
"""

import re

import pytest

from tests.conftest import make_user

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in directives}


def test_scripts_and_styles_only_from_this_site(client):
    found = policy(client.get("/"))

    assert found["default-src"] == ["'self'"]
    assert found["script-src"] == ["'self'"]
    assert found["style-src"] == ["'self'"]
    assert found["object-src"] == ["'none'"]
    assert found["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize(
    "path",
    ["/", "/search/?q=nightfall", "/meetings/", "/topics/", "/people/", "/nowhere/"],
)
def test_public_pages_have_no_inline_script_or_style(client, open_and_restricted_meeting, path):
    response = client.get(path)

    assert "Content-Security-Policy" in response
    html = response.content.decode()
    assert INLINE_SCRIPT.findall(html) == []
    assert INLINE_STYLE.findall(html) == []


def test_topic_chart_has_no_style_attribute(client, open_and_restricted_meeting):
    html = client.get("/topics/operation-nightfall/").content.decode()

    assert '<svg xmlns="http://www.w3.org/2000/svg" class="ssp-chart"' in html
    assert INLINE_STYLE.findall(html) == []


def test_admin_pages_carry_the_policy(client, open_and_restricted_meeting, django_user_model):
    user = make_user(django_user_model, "viewer", "view_meeting", "view_agendaitem")
    client.force_login(user)
    response = client.get("/admin/meetings/meeting/")

    assert response.status_code == 200
    assert policy(response)["script-src"] == ["'self'"]
    assert policy(response)["style-src"] == ["'self'"]
