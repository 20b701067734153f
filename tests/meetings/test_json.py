"""/meetings/<pk>.json: one meeting in the export_archive schema, restricted text withheld."""

import datetime
import io
import json

import pytest
from django.core.management import call_command

from tests.conftest import RESTRICTED_WORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(make_meeting, open_and_restricted_meeting):
    make_meeting(date=datetime.date(2024, 1, 1), items=[{"title": "Another meeting"}])
    return open_and_restricted_meeting


def exported(*args):
    out = io.StringIO()
    call_command("export_archive", *args, stdout=out)
    return json.loads(out.getvalue())


def url(meeting):
    return f"/meetings/{meeting.pk}.json"


class TestMeetingJson:
    def test_same_as_the_export_for_that_meeting(self, client, meeting):
        response = client.get(url(meeting))

        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        data = response.json()
        assert data == exported()[1]
        assert data["date"] == "2025-01-22"
        assert data["start_time"] == "09:00"
        assert [item["number"] for item in data["items"]] == ["SSP/52/24", "SSP/58/24"]

    @pytest.mark.parametrize("who", ["anonymous", "ordinary"])
    def test_restricted_text_is_withheld(self, client, meeting, ordinary_user, who):
        if who == "ordinary":
            client.force_login(ordinary_user)
        response = client.get(url(meeting))

        restricted = response.json()["items"][1]
        assert restricted == {
            "number": "SSP/58/24",
            "title": "iQuanta Report",
            "restricted": True,
            "status": "heard",
            "agenda_text": "",
            "minutes_text": "",
            "resolutions": [],
            "topics": ["iQuanta"],
        }
        assert RESTRICTED_WORD not in response.content.decode().lower()

    def test_users_with_the_permission_get_it_all(self, client, meeting, restricted_viewer):
        client.force_login(restricted_viewer)
        data = client.get(url(meeting)).json()

        assert data == exported("--include-restricted")[1]
        assert data["items"][1]["minutes_text"] == f"The {RESTRICTED_WORD} figures were discussed."
        assert data["items"][1]["topics"] == ["iQuanta", "Knife Crime"]

    def test_unknown_meeting_is_404(self, client, db):
        assert client.get("/meetings/999999.json").status_code == 404

    def test_login_required_setting(self, client, settings, meeting):
        settings.ARCHIVE_LOGIN_REQUIRED = True
        response = client.get(url(meeting))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    def test_query_count_does_not_grow(self, client, make_meeting, django_assert_max_num_queries):
        def items(count):
            return [
                {
                    "title": f"Item {n}",
                    "restricted": n % 3 == 0,
                    "resolutions": ["Noted.", "Agreed."],
                    "topics": {"Knife Crime": True, "Prevent": False},
                }
                for n in range(count)
            ]

        attendees = [{"name": f"P {n}", "attendance": "present"} for n in range(20)]
        small = make_meeting(date=datetime.date(2024, 1, 1), items=items(1))
        large = make_meeting(date=datetime.date(2024, 2, 1), items=items(30), attendees=attendees)
        # meeting with its source, attendees, items, decisions, topics
        for meeting in (small, large):
            with django_assert_max_num_queries(5):
                assert client.get(url(meeting)).status_code == 200
