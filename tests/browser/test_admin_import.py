"""An administrator imports minutes through the admin and finds the meeting on the public site."""

import re

import pytest
from django.contrib.auth.models import Permission

from meetings.models import Meeting
from tests.browser.conftest import MINUTES

GOOD = "ssp-2025-01-22-moderngov.txt"
JUNK = "scan.bin"
PASSWORD = "not-a-real-password-7"


@pytest.fixture
def importer(transactional_db, django_user_model):
    """Staff who may import minutes, and nothing more: not a superuser."""
    user = django_user_model.objects.create_user("clerk", password=PASSWORD, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="import_minutes"))
    return user


def test_upload_two_files_check_the_preview_confirm_and_find_the_meeting(
    importer, live_server, page, screenshot, tmp_path
):
    junk = tmp_path / JUNK
    junk.write_bytes(bytes(range(256)) * 16)

    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("clerk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/admin/")
    screenshot("admin-import-index")
    page.get_by_role("link", name="Import minutes").click()
    assert page.locator("h1").inner_text() == "Import minutes"
    screenshot("admin-import-upload")

    page.get_by_label("Minutes files").set_input_files([str(MINUTES / GOOD), str(junk)])
    page.get_by_role("button", name="Upload and check").click()

    assert page.locator("h1").inner_text() == "Check the minutes before importing"
    rejected = page.locator("#rejected-files").inner_text()
    assert f"{JUNK}: binary data, not text minutes" in rejected
    preview = page.get_by_role("region", name=GOOD)
    assert "ModernGov agenda and minutes" in preview.inner_text()
    assert "A new meeting will be created." in preview.inner_text()
    items = preview.locator("table.import-items tbody tr")
    assert items.count() == 13
    assert "Operation Nightfall" in items.nth(5).inner_text()
    assert page.get_by_label(f"Import {GOOD}").is_checked()
    screenshot("admin-import-preview")

    page.get_by_role("button", name="Import the ticked files").click()

    messages = page.locator(".messagelist").inner_text()
    assert "Minutes imported: 1 created, 0 updated, 0 unchanged, 1 failed." in messages
    assert f"Failed: {JUNK} – binary data, not text minutes" in messages
    screenshot("admin-import-done")

    page.get_by_role(
        "link", name=re.compile(r"Safer Stockton Partnership, 22 January 2025")
    ).click()
    page.wait_for_load_state()
    assert page.url.startswith(live_server.url + "/meetings/")
    assert "Safer Stockton Partnership" in page.locator("h1").inner_text()
    assert "Operation Nightfall" in page.locator("main").inner_text()
    screenshot("admin-import-public-meeting")

    page.goto(live_server.url + "/meetings/")
    assert page.get_by_role("link", name=re.compile("22 January 2025")).count() >= 1


@pytest.mark.parametrize(
    "path",
    ["/admin/meetings/meeting/", "/admin/meetings/meeting/{pk}/change/"],
    ids=["list", "change"],
)
def test_the_meeting_pages_fit_1280_pixels_with_no_column_cut_off(
    archive, admin_user, live_server, page, path
):
    # The meeting with the most attendees and items makes the widest page.
    widest = max(Meeting.objects.all(), key=lambda m: m.attendees.count() + m.items.count())
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/admin/")
    page.goto(live_server.url + path.format(pk=widest.pk))

    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    overflowing = page.evaluate(
        """[...document.querySelectorAll('.results, .tabular')]
           .filter(e => e.scrollWidth > e.clientWidth).map(e => e.className)"""
    )
    assert overflowing == []
