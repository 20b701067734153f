"""Partnership members who are not staff sign in on the site itself to read restricted items."""

import pytest
from django.contrib.auth.models import Group, User

from ingest.services import import_document
from tests.conftest import MINUTES_DIR

RESTRICTED_ONLY = "statistical information only made available"


@pytest.fixture
def member(db):
    user = User.objects.create_user("member", password="a-long-pass-phrase")
    user.groups.add(Group.objects.get(name="Partnership members"))
    return user


@pytest.fixture
def meeting(db):
    name = "ssp-2025-01-22-moderngov.txt"
    return import_document((MINUTES_DIR / name).read_bytes(), name).meeting


def test_a_member_signs_in_and_reads_restricted_minutes(client, member, meeting):
    page = meeting.get_absolute_url()
    assert RESTRICTED_ONLY not in client.get(page).content.decode()

    form = client.get(f"/accounts/login/?next={page}")
    assert form.status_code == 200
    assert 'name="next" value="' + page + '"' in form.content.decode()
    response = client.post(
        "/accounts/login/",
        {"username": "member", "password": "a-long-pass-phrase", "next": page},
    )
    assert response.status_code == 302
    assert response["Location"] == page
    assert RESTRICTED_ONLY in client.get(page).content.decode()

    client.post("/accounts/logout/", {"next": page})
    assert RESTRICTED_ONLY not in client.get(page).content.decode()


def test_a_wrong_password_is_explained_and_nothing_is_shown(client, member, meeting):
    response = client.post("/accounts/login/", {"username": "member", "password": "wrong"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "enter a correct username and password" in html
    assert RESTRICTED_ONLY not in client.get(meeting.get_absolute_url()).content.decode()


def test_the_admin_still_refuses_members_who_are_not_staff(client, member):
    client.force_login(member)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
