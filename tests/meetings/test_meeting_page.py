"""The meeting and item pages: contents, chairs, decisions shown once, what the minutes omit."""

import datetime
import hashlib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.models import SourceDocument

pytestmark = pytest.mark.django_db


def items_of(meeting):
    return list(meeting.items.order_by("position"))


class TestContents:
    def test_lists_every_item_with_a_link_to_its_stable_anchor(self, client, make_meeting):
        meeting = make_meeting(
            items=[
                {"number": "SSP/1/24", "title": "Apologies"},
                {"title": "<b>Patrols</b>", "restricted": True},
                {},
            ]
        )
        html = client.get(meeting.get_absolute_url()).content.decode()
        nav = re.search(
            r'<nav class="app-contents" aria-labelledby="contents-title">.*?</nav>', html, re.S
        )
        assert nav is not None
        assert '<h2 class="govuk-heading-m" id="contents-title">Contents</h2>' in nav.group()
        first, second, third = items_of(meeting)
        assert re.findall(r'href="#item-(\d+)"', nav.group()) == [
            str(first.pk),
            str(second.pk),
            str(third.pk),
        ]
        assert "SSP/1/24 Apologies" in nav.group()
        assert "&lt;b&gt;Patrols&lt;/b&gt;" in nav.group() and "<b>" not in nav.group()
        assert "Item without a title" in nav.group()
        for item in (first, second, third):
            assert f'id="item-{item.pk}"' in html
        assert html.index("app-contents") < html.index('id="items"')

    def test_no_contents_without_items(self, client, make_meeting):
        html = client.get(make_meeting().get_absolute_url()).content.decode()
        assert "app-contents" not in html

    def test_anchor_follows_the_item_not_its_position(self, client, make_meeting):
        meeting = make_meeting(items=[{"title": "First"}, {"title": "Second"}])
        first, second = items_of(meeting)
        # An item added before them on a later import moves them down the meeting.
        second.position = 3
        second.save()
        first.position = 2
        first.save()
        html = client.get(meeting.get_absolute_url()).content.decode()
        assert f'href="#item-{first.pk}">First</a>' in html
        assert f'id="item-{first.pk}"' in html


class TestItemNeighbours:
    def test_previous_and_next_items_of_the_same_meeting(self, client, make_meeting):
        meeting = make_meeting(items=[{"title": "One"}, {"title": "Two"}, {"title": "Three"}])
        make_meeting(date=datetime.date(2024, 1, 1), items=[{"title": "Elsewhere"}])
        one, two, three = items_of(meeting)

        response = client.get(f"/items/{two.pk}/")
        assert response.context["item_neighbours"] == {"previous": one, "next": three}
        html = response.content.decode()
        assert f'href="/items/{one.pk}/" rel="prev"' in html
        assert f'href="/items/{three.pk}/" rel="next"' in html
        assert "Elsewhere" not in html

        first = client.get(f"/items/{one.pk}/")
        assert first.context["item_neighbours"] == {"previous": None, "next": two}
        assert 'rel="prev"' not in first.content.decode()
        last = client.get(f"/items/{three.pk}/")
        assert last.context["item_neighbours"] == {"previous": two, "next": None}

    def test_single_item_has_no_pagination(self, client, make_meeting):
        meeting = make_meeting(items=[{"title": "Only"}])
        html = client.get(f"/items/{items_of(meeting)[0].pk}/").content.decode()
        assert "Previous and next items" not in html


class TestChairs:
    def test_chair_and_vice_chair_in_the_summary(self, client, make_meeting):
        meeting = make_meeting(
            attendees=[
                {"name": "Ann Lee", "title": "Cllr", "role": "Vice-Chair", "attendance": "present"},
                {
                    "name": "Steve Nelson",
                    "title": "Cllr",
                    "role": "Chairman",
                    "attendance": "present",
                },
                {"name": "Jo Bloggs", "role": "", "attendance": "present"},
            ]
        )
        response = client.get(meeting.get_absolute_url())
        chairs = [(label, [a.name for a in people]) for label, people in response.context["chairs"]]
        assert chairs == [("Chair", ["Steve Nelson"]), ("Vice chair", ["Ann Lee"])]
        html = response.content.decode()
        assert re.search(
            r'<dt class="govuk-summary-list__key">Chair</dt>\s*'
            r'<dd class="govuk-summary-list__value">Cllr Steve Nelson</dd>',
            html,
        )
        assert '<dt class="govuk-summary-list__key">Vice chair</dt>' in html

    def test_no_chair_row_when_no_role_names_one(self, client, make_meeting):
        meeting = make_meeting(attendees=[{"name": "Jo Bloggs", "attendance": "present"}])
        html = client.get(meeting.get_absolute_url()).content.decode()
        assert '<dt class="govuk-summary-list__key">Chair</dt>' not in html


class TestDecisionShownOnce:
    def test_last_sentence_repeating_a_decision_is_left_out_of_the_minutes(
        self, client, make_meeting
    ):
        meeting = make_meeting(
            items=[
                {
                    "title": "Report",
                    "minutes_text": "Patrols continued.\n\nMembers  noted\nthe report.",
                    "resolutions": ["Members noted the report."],
                }
            ]
        )
        item = items_of(meeting)[0]
        for url in (f"/items/{item.pk}/", meeting.get_absolute_url()):
            html = client.get(url).content.decode()
            assert html.count("the report.") == 1, url
            assert "Patrols continued." in html
            assert "Members noted the report." in html

    def test_minutes_that_are_only_the_decision(self, client, make_meeting):
        meeting = make_meeting(
            items=[{"title": "Evacuation", "minutes_text": "Noted.", "resolutions": ["Noted."]}]
        )
        item = items_of(meeting)[0]
        html = client.get(f"/items/{item.pk}/").content.decode()
        assert html.count("Noted.") == 1
        assert "The minutes record only the decision below." in html
        assert "<h4>Minutes</h4>" not in client.get(meeting.get_absolute_url()).content.decode()

    @pytest.mark.parametrize(
        "minutes",
        [
            "Members noted the report. It was late.",  # not the last sentence
            "All Members noted the report.",  # the end of a longer sentence
            "members noted the report.",  # not word for word
        ],
    )
    def test_other_minutes_are_kept_whole(self, client, make_meeting, minutes):
        meeting = make_meeting(
            items=[
                {
                    "title": "Report",
                    "minutes_text": minutes,
                    "resolutions": ["Members noted the report."],
                }
            ]
        )
        html = client.get(f"/items/{items_of(meeting)[0].pk}/").content.decode()
        assert minutes in html


class TestWhatTheMinutesOmit:
    def test_undated_meeting_without_body(self, client, make_meeting):
        meeting = make_meeting(date=None, body="", items=[{"title": "Apologies"}])
        html = client.get(meeting.get_absolute_url()).content.decode()
        assert "<title>Meeting, date not stated in the minutes" in html
        assert "Date not stated in the minutes</span></h1>" in html
        item_html = client.get(f"/items/{items_of(meeting)[0].pk}/").content.decode()
        assert "Meeting, date not stated in the minutes" in item_html
        assert "date unknown" not in item_html.lower()

    def test_meeting_list_does_not_name_the_file(self, client, make_meeting):
        meeting = make_meeting(date=None, body="")
        html = client.get("/meetings/").content.decode()
        assert f'href="{meeting.get_absolute_url()}">Date not stated in the minutes</a>' in html

    def test_feed_entry_title(self, client, make_meeting):
        make_meeting(date=None, body="")
        xml = client.get("/feeds/meetings/").content.decode()
        assert "Unknown body" not in xml and "date unknown" not in xml
        assert "<title>Meeting, date not stated in the minutes</title>" in xml

    def test_printed_number_only_in_the_admin(self, client, make_meeting):
        meeting = make_meeting(items=[{"number": "SSP/47/24", "number_printed": "SSP/4724"}])
        html = client.get(f"/items/{items_of(meeting)[0].pk}/").content.decode()
        assert "SSP/4724" not in html
        assert "SSP/47/24" in html


# The original minutes file ------------------------------------------------------------------

ORIGINAL = b"%PDF-1.4 the minutes as printed, restricted item and all"


@pytest.fixture
def meeting_with_original(make_meeting):
    """A meeting imported from a PDF not yet checked for publication, with an item naming a
    paper."""
    meeting = make_meeting(items=[{"title": "Budget", "attachments": ["PDF 69 KB"]}])
    document = SourceDocument.objects.create(
        file_name="SSP minutes 22-01-2025.pdf",
        sha256=hashlib.sha256(ORIGINAL).hexdigest(),
        original_bytes=ORIGINAL,
        status=SourceDocument.Status.IMPORTED,
        meeting=meeting,
    )
    meeting.source = document
    meeting.save()
    return meeting


def original_url(meeting):
    return f"/meetings/{meeting.pk}/original/"


def pages_of(meeting):
    return [meeting.get_absolute_url(), f"/items/{items_of(meeting)[0].pk}/"]


def publish(meeting):
    meeting.original_checked_for_publication = True
    meeting.save()


class TestOriginalFile:
    def test_the_address_of_the_original(self, meeting_with_original):
        assert reverse("meetings:meeting_original", args=[meeting_with_original.pk]) == (
            original_url(meeting_with_original)
        )

    def test_not_offered_to_visitors_until_checked_and_its_address_answers_404_not_403(
        self, client, ordinary_user, meeting_with_original
    ):
        # A 403 would tell that the meeting has an original no one has checked yet.
        for who in (None, ordinary_user):
            if who:
                client.force_login(who)
            for url in pages_of(meeting_with_original):
                html = client.get(url).content.decode()
                assert original_url(meeting_with_original) not in html, (who, url)
                assert "Original minutes" not in html
            assert client.get(original_url(meeting_with_original)).status_code == 404

    def test_offered_to_everyone_once_checked_for_publication(self, client, meeting_with_original):
        publish(meeting_with_original)
        for url in pages_of(meeting_with_original):
            html = client.get(url).content.decode()
            link = re.search(r'<a class="govuk-link" href="([^"]+)" download>([^<]*)</a>', html)
            assert link is not None, url
            assert link.groups() == (
                original_url(meeting_with_original),
                "Download SSP minutes 22-01-2025.pdf",
            )
            assert f"(PDF, {len(ORIGINAL)}\xa0bytes)" in html
            assert "Not checked for publication" not in html

        response = client.get(original_url(meeting_with_original))
        assert response.status_code == 200
        assert b"".join(response) == ORIGINAL
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"] == (
            'attachment; filename="SSP minutes 22-01-2025.pdf"'
        )
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert "private" in response["Cache-Control"]

    def test_offered_unchecked_to_those_who_may_read_restricted_items(
        self, client, restricted_viewer, meeting_with_original
    ):
        client.force_login(restricted_viewer)
        for url in pages_of(meeting_with_original):
            html = client.get(url).content.decode()
            assert f'href="{original_url(meeting_with_original)}" download' in html
            assert "Not checked for publication yet" in html
        response = client.get(original_url(meeting_with_original))
        assert response.status_code == 200
        assert b"".join(response) == ORIGINAL

    def test_those_who_may_change_the_meeting_are_led_to_where_it_is_marked_checked(
        self, client, admin_client, restricted_viewer, meeting_with_original
    ):
        admin_url = f"/admin/meetings/meeting/{meeting_with_original.pk}/change/"
        client.force_login(restricted_viewer)
        for url in pages_of(meeting_with_original):
            assert admin_url not in client.get(url).content.decode()
            assert admin_url in admin_client.get(url).content.decode()
        publish(meeting_with_original)
        assert (
            admin_url
            not in admin_client.get(meeting_with_original.get_absolute_url()).content.decode()
        )
        form = admin_client.get(admin_url).content.decode()
        assert 'id="id_original_checked_for_publication"' in form

    def test_no_link_and_404_without_a_kept_original(
        self, client, restricted_viewer, make_meeting, meeting_with_original
    ):
        publish(meeting_with_original)
        SourceDocument.objects.filter(pk=meeting_with_original.source_id).update(original_bytes=b"")
        without_source = make_meeting(date=datetime.date(2024, 1, 1))
        client.force_login(restricted_viewer)
        for meeting in (meeting_with_original, without_source):
            assert (
                original_url(meeting) not in client.get(meeting.get_absolute_url()).content.decode()
            )
            assert client.get(original_url(meeting)).status_code == 404
        assert client.get("/meetings/999999/original/").status_code == 404

    def test_only_read_not_posted_to(self, client, meeting_with_original):
        publish(meeting_with_original)
        assert client.post(original_url(meeting_with_original)).status_code == 405

    def test_kept_from_visitors_when_the_archive_needs_signing_in(
        self, client, settings, meeting_with_original
    ):
        publish(meeting_with_original)
        settings.ARCHIVE_LOGIN_REQUIRED = True
        response = client.get(original_url(meeting_with_original))
        assert response.status_code == 302 and "/login/" in response["Location"]

    def test_the_page_costs_one_query_more_only_when_the_file_is_offered(
        self, client, meeting_with_original, django_assert_num_queries
    ):
        url = meeting_with_original.get_absolute_url()
        client.get(url)  # warm caches (content types, sessions)
        with CaptureQueriesContext(connection) as hidden:
            client.get(url)
        publish(meeting_with_original)
        with django_assert_num_queries(len(hidden) + 1):
            client.get(url)


class TestPapersNamedInTheMinutes:
    def test_papers_are_plain_text_not_links(self, client, meeting_with_original):
        for url in pages_of(meeting_with_original):
            html = client.get(url).content.decode()
            assert re.search(
                r"Papers named in the minutes(: |</dt>\s*<dd[^>]*>)PDF 69 KB<", html
            ), url
            assert not re.search(r"<a [^>]*>[^<]*PDF 69 KB", html)
            assert "Papers:" not in html


class TestPreviousAndNext:
    def test_meeting_and_item_pages_share_the_same_pagination(self, client, make_meeting):
        earlier = make_meeting(date=datetime.date(2024, 11, 27))
        meeting = make_meeting(items=[{"title": "One"}, {"title": "Two"}])
        one, two = items_of(meeting)

        def nav(url):
            html = client.get(url).content.decode()
            found = re.search(
                r'<nav class="govuk-pagination govuk-pagination--block".*?</nav>', html, re.S
            )
            assert found is not None, url
            return found.group()

        meeting_nav = nav(meeting.get_absolute_url())
        assert 'aria-label="Previous and next meetings"' in meeting_nav
        assert f'href="{earlier.get_absolute_url()}" rel="prev"' in meeting_nav
        assert 'Previous<span class="govuk-visually-hidden"> meeting</span>' in meeting_nav
        assert '<span class="govuk-pagination__link-label">27 November 2024</span>' in meeting_nav
        assert 'rel="next"' not in meeting_nav

        item_nav = nav(f"/items/{two.pk}/")
        assert 'aria-label="Previous and next items of this meeting"' in item_nav
        assert f'href="/items/{one.pk}/" rel="prev"' in item_nav
        assert 'Previous<span class="govuk-visually-hidden"> item</span>' in item_nav
        assert '<span class="govuk-pagination__link-label">One</span>' in item_nav

        # The same markup but for the link, its label and the noun.
        def shape(html):
            html = re.sub(r'(href|aria-label)="[^"]*"', r'\1=""', html)
            html = re.sub(r'link-label">[^<]*<', 'link-label"><', html)
            return html.replace("> meeting<", "> X<").replace("> item<", "> X<")

        assert shape(meeting_nav) == shape(item_nav)
        assert "govuk-pagination__icon--prev" in meeting_nav
