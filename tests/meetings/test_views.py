"""The meeting list and meeting page, and who may read restricted items there."""

import datetime

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

SECRET = "zanzibar"  # appears only in the restricted item's text, decisions and topics


@pytest.fixture
def meeting(make_meeting):
    return make_meeting(
        start_time=datetime.time(9, 0),
        venue="Municipal Buildings",
        contact="Democratic Services - John Devine",
        previous_meeting=datetime.date(2024, 11, 27),
        attendees=[
            {
                "name": "Steve Nelson",
                "printed": "Cllr Steve Nelson (Chair)",
                "attendance": "present",
            },
            {"name": "Jane Humphreys", "printed": "Jane Humphreys", "attendance": "apologies"},
        ],
        items=[
            {
                "number": "SSP/52/24",
                "title": "Operation Nightfall",
                "minutes_text": "Patrols continued.\n\nIntelligence rose.",
                "resolutions": ["Members noted the report."],
                "topics": {"Operation Nightfall": True},
            },
            {
                "number": "SSP/58/24",
                "title": "iQuanta Report",
                "restricted": True,
                "restricted_reason": "a restricted report",
                "agenda_text": f"To consider the {SECRET} figures.",
                "minutes_text": f"The {SECRET} comparison was presented.",
                "resolutions": [f"The {SECRET} report was noted."],
                "topics": {"iQuanta": True, "Zanzibar Project": False},
            },
        ],
    )


class TestMeetingList:
    def test_grouped_by_year_newest_first_with_undated_last(self, client, make_meeting):
        make_meeting(date=datetime.date(2011, 7, 5))
        make_meeting(date=datetime.date(2025, 1, 22))
        make_meeting(date=datetime.date(2024, 10, 2))
        make_meeting(date=None, body="")

        response = client.get("/meetings/")

        assert response.status_code == 200
        groups = response.context["groups"]
        assert [group.label for group in groups] == ["2025", "2024", "2011", "Date unknown"]
        html = response.content.decode()
        assert html.index("Wednesday 22 January 2025") < html.index("Tuesday 5 July 2011")
        assert '<h2 id="group-date-unknown">Date unknown</h2>' in html

    def test_meeting_list_has_its_own_address(self, client):
        assert reverse("meetings:meeting_list") == "/meetings/"
        assert client.get("/meetings/").status_code == 200

    def test_empty_archive(self, client):
        assert "No minutes have been imported yet." in client.get("/meetings/").content.decode()

    def test_query_count_does_not_grow_with_meetings(
        self, client, make_meeting, django_assert_num_queries
    ):
        for day in range(1, 11):
            make_meeting(date=datetime.date(2024, 1, day), items=[{"title": "A"}, {"title": "B"}])
        # the number of meetings, the page's meetings, their items, the years, the undated
        with django_assert_num_queries(5):
            client.get("/meetings/")


class TestMeetingPage:
    def test_header_attendance_and_items(self, client, meeting):
        response = client.get(meeting.get_absolute_url())

        assert response.status_code == 200
        html = response.content.decode()
        assert "<h1>Safer Stockton Partnership" in html
        assert "Wednesday 22 January 2025" in html
        assert "Municipal Buildings" in html
        assert "Democratic Services - John Devine" in html
        assert "Wednesday 27 November 2024" in html
        assert "<h3>Present</h3>" in html and "Cllr Steve Nelson (Chair)" in html
        assert "<h3>Apologies</h3>" in html
        assert html.index("SSP/52/24") < html.index("SSP/58/24")
        assert "<p>Patrols continued.</p>\n\n<p>Intelligence rose.</p>" in html
        assert "Members noted the report." in html
        assert '<span class="topic">Operation Nightfall</span>' in html

    def test_anonymous_visitors_see_the_restricted_tag_but_never_its_text(self, client, meeting):
        html = client.get(meeting.get_absolute_url()).content.decode()

        assert "iQuanta Report" in html
        assert "SSP/58/24" in html
        assert '<strong class="govuk-tag govuk-tag--red">Restricted</strong>' in html
        assert "Its papers, minutes and decisions are not public." in html
        assert '<span class="topic">iQuanta</span>' in html
        assert SECRET not in html.lower()

    def test_signed_in_users_without_the_permission_do_not_see_it_either(
        self, client, meeting, ordinary_user
    ):
        client.force_login(ordinary_user)
        assert SECRET not in client.get(meeting.get_absolute_url()).content.decode().lower()

    def test_users_with_the_permission_see_restricted_text(
        self, client, meeting, restricted_viewer
    ):
        client.force_login(restricted_viewer)
        html = client.get(meeting.get_absolute_url()).content.decode()

        assert "Restricted</strong>" in html
        assert f"The {SECRET} comparison was presented." in html
        assert f"To consider the {SECRET} figures." in html
        assert f"The {SECRET} report was noted." in html
        assert "Zanzibar Project" in html
        assert "Restricted: a restricted report" in html

    def test_minutes_text_is_escaped(self, client, make_meeting):
        meeting = make_meeting(
            items=[{"title": "<b>Bold</b>", "minutes_text": "<script>x</script>"}]
        )
        html = client.get(meeting.get_absolute_url()).content.decode()
        assert "<script>x" not in html
        assert "&lt;script&gt;x&lt;/script&gt;" in html
        assert "&lt;b&gt;Bold&lt;/b&gt;" in html

    def test_undated_meeting(self, client, make_meeting):
        meeting = make_meeting(date=None, body="", items=[{"title": "Apologies"}])
        html = client.get(meeting.get_absolute_url()).content.decode()
        assert "Date not stated in the minutes" in html
        assert "not stated in its minutes" in html

    def test_links_to_the_previous_meeting_when_it_is_stored(self, client, make_meeting):
        previous = make_meeting(date=datetime.date(2024, 11, 27))
        meeting = make_meeting(previous_meeting=previous.date)
        html = client.get(meeting.get_absolute_url()).content.decode()
        assert f'<a href="{previous.get_absolute_url()}">Wednesday 27 November 2024</a>' in html

    def test_unknown_meeting_is_404(self, client, db):
        assert client.get("/meetings/999999/").status_code == 404

    @pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "restricted-viewer"])
    def test_query_count_does_not_grow_with_items(
        self, client, make_meeting, restricted_viewer, django_assert_max_num_queries, signed_in
    ):
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

        small = make_meeting(date=datetime.date(2024, 1, 1), items=items(2))
        large = make_meeting(
            date=datetime.date(2024, 2, 1), previous_meeting=small.date, items=items(40)
        )
        if signed_in:
            client.force_login(restricted_viewer)

        # meeting, attendees, items, decisions, topics, previous/next lookup, follow-ups; plus
        # the session, user and permission queries of a signed-in visitor.
        limit = 11 if signed_in else 7
        with django_assert_max_num_queries(limit):
            small_response = client.get(small.get_absolute_url())
        with django_assert_max_num_queries(limit):
            large_response = client.get(large.get_absolute_url())
        assert small_response.status_code == large_response.status_code == 200


class TestPageStructure:
    def test_base_layout_is_accessible(self, client, meeting):
        html = client.get(meeting.get_absolute_url()).content.decode()
        assert '<html lang="en-GB" class="govuk-template">' in html
        assert (
            '<a href="#main-content" class="govuk-skip-link" data-module="govuk-skip-link">'
            "Skip to main content</a>"
        ) in html
        assert '<main id="main-content"' in html
        assert (
            '<a href="/" class="govuk-generic-header__homepage-link">'
            "Safer Stockton Partnership meetings archive</a>"
        ) in html
        assert "<footer" in html
        assert html.count("<h1") == 1

    def test_login_required_setting_sends_visitors_to_sign_in(self, client, settings, meeting):
        settings.ARCHIVE_LOGIN_REQUIRED = True
        for url in ("/", meeting.get_absolute_url()):
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith("/accounts/login/")
