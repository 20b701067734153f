"""Atom feeds of new meetings and of each topic's items."""

import datetime
import xml.etree.ElementTree as ET

import pytest

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SECRET = "quokka"


@pytest.fixture
def meetings(make_meeting):
    older = make_meeting(
        date=datetime.date(2024, 10, 2),
        items=[
            {
                "number": "SSP/40/24",
                "title": "Knife Crime & <Weapons>",
                "minutes_text": "Knife crime fell. " * 100,
                "topics": {"Knife Crime": True},
            },
        ],
    )
    newer = make_meeting(
        date=datetime.date(2025, 1, 22),
        items=[
            {
                "number": "SSP/52/24",
                "title": "Knife Crime update",
                "minutes_text": "Patrols continued.",
                "resolutions": ["Members noted the report.", "A review was agreed."],
                "topics": {"Knife Crime": True},
            },
            {
                "number": "SSP/58/24",
                "title": "iQuanta Report",
                "restricted": True,
                "minutes_text": f"The {SECRET} figures were discussed.",
                "resolutions": [f"The {SECRET} report was noted."],
                "topics": {"iQuanta": True, "Knife Crime": False, "Quokka Project": False},
            },
        ],
    )
    return older, newer


def entries(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return feed, feed.findall(f"{ATOM}entry")


class TestLatestMeetingsFeed:
    def test_entries(self, client, meetings):
        older, newer = meetings
        feed, found = entries(client.get("/feeds/meetings/"))

        assert feed.find(f"{ATOM}title").text.startswith("New meetings")
        titles = [entry.find(f"{ATOM}title").text for entry in found]
        assert titles == [
            "Safer Stockton Partnership, 22 January 2025",
            "Safer Stockton Partnership, 2 October 2024",
        ]
        links = [entry.find(f"{ATOM}link").get("href") for entry in found]
        assert links == [f"http://testserver{m.get_absolute_url()}" for m in (newer, older)]
        summary = found[0].find(f"{ATOM}summary")
        assert summary.get("type") == "html"
        assert "<li>SSP/52/24 Knife Crime update</li>" in summary.text
        assert "<li>SSP/58/24 iQuanta Report</li>" in summary.text

    def test_titles_are_escaped_in_the_html_summary(self, client, meetings):
        _, found = entries(client.get("/feeds/meetings/"))
        summary = found[1].find(f"{ATOM}summary").text
        assert "<li>SSP/40/24 Knife Crime &amp; &lt;Weapons&gt;</li>" in summary

    def test_items_are_named_as_on_the_pages(self, client, make_meeting):
        make_meeting(items=[{"number_printed": "SSP 5", "title": "Patrols"}, {"number": "SSP/6"}])
        _, found = entries(client.get("/feeds/meetings/"))
        summary = found[0].find(f"{ATOM}summary").text
        assert "<li>SSP 5 Patrols</li><li>SSP/6 Item without a title</li>" in summary

    def test_never_restricted_text(self, client, meetings):
        assert SECRET not in client.get("/feeds/meetings/").content.decode().lower()

    def test_query_count_does_not_grow(self, client, make_meeting, django_assert_max_num_queries):
        make_meeting(items=[{"title": "A"}])
        with django_assert_max_num_queries(2):
            client.get("/feeds/meetings/")
        for day in range(1, 25):
            make_meeting(date=datetime.date(2023, 1, day), items=[{"title": "B"}, {"title": "C"}])
        with django_assert_max_num_queries(2):
            _, found = entries(client.get("/feeds/meetings/"))
        assert len(found) == 20


class TestTopicFeed:
    def test_items_newest_first_with_decisions(self, client, meetings):
        feed, found = entries(client.get("/feeds/topics/knife-crime/"))

        assert feed.find(f"{ATOM}title").text.startswith("Knife Crime")
        assert (
            feed.find(f"{ATOM}link[@rel='alternate']").get("href").endswith("/topics/knife-crime/")
        )
        titles = [entry.find(f"{ATOM}title").text for entry in found]
        assert titles == [
            "SSP/52/24 Knife Crime update (22 January 2025)",
            "SSP/40/24 Knife Crime & <Weapons> (2 October 2024)",
        ]
        assert found[0].find(f"{ATOM}link").get("href").startswith("http://testserver/items/")
        summary = found[0].find(f"{ATOM}summary").text
        assert "<li>Members noted the report.</li><li>A review was agreed.</li>" in summary
        assert found[0].find(f"{ATOM}published").text.startswith("2025-01-22T00:00:00")
        excerpt = found[1].find(f"{ATOM}summary").text
        assert excerpt.count("Knife crime fell.") == 20  # the first 60 words

    def test_restricted_items_by_title_only(self, client, meetings):
        response = client.get("/feeds/topics/iquanta/")
        _, [entry] = entries(response)

        assert entry.find(f"{ATOM}title").text == "SSP/58/24 iQuanta Report (22 January 2025)"
        assert "not public" in entry.find(f"{ATOM}summary").text
        assert SECRET not in response.content.decode().lower()

    def test_topics_found_only_in_restricted_text(self, client, meetings, restricted_viewer):
        assert client.get("/feeds/topics/quokka-project/").status_code == 404
        _, found = entries(client.get("/feeds/topics/knife-crime/"))
        assert len(found) == 2

        client.force_login(restricted_viewer)
        _, found = entries(client.get("/feeds/topics/knife-crime/"))
        assert len(found) == 3
        response = client.get("/feeds/topics/quokka-project/")
        assert f"The {SECRET} report was noted." in response.content.decode()

    def test_unknown_topic_is_404(self, client, db):
        assert client.get("/feeds/topics/nothing/").status_code == 404

    def test_query_count_does_not_grow(
        self, client, meetings, make_meeting, django_assert_max_num_queries
    ):
        # topic, items with their meetings, decisions
        with django_assert_max_num_queries(3):
            client.get("/feeds/topics/knife-crime/")
        for day in range(1, 21):
            make_meeting(
                date=datetime.date(2023, 1, day),
                items=[
                    {
                        "title": "Knife crime",
                        "resolutions": ["Noted."],
                        "topics": {"Knife Crime": True},
                    }
                ],
            )
        with django_assert_max_num_queries(3):
            _, found = entries(client.get("/feeds/topics/knife-crime/"))
        assert len(found) == 22

    def test_pages_link_to_their_feeds(self, client, meetings):
        home = client.get("/").content.decode()
        assert 'href="/feeds/meetings/" type="application/atom+xml"' in home
        topic = client.get("/topics/knife-crime/").content.decode()
        assert (
            '<link rel="alternate" type="application/atom+xml" title="Agenda items on Knife Crime"'
            ' href="/feeds/topics/knife-crime/">'
        ) in topic
