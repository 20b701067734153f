"""Home, meetings by year, item, topic pages; what restricted items show there; query counts."""

import datetime
import re
from html.parser import HTMLParser

import pytest

from meetings import selectors
from meetings.models import Meeting

pytestmark = pytest.mark.django_db

SECRET = "zanzibar"  # only in the restricted item's text, decisions and text-derived topic


@pytest.fixture
def archive(make_meeting):
    """Three dated meetings and an undated one; one restricted item."""
    old = make_meeting(
        date=datetime.date(2011, 7, 5),
        items=[
            {
                "number": "7",
                "title": "Operation Nightfall launch",
                "minutes_text": "The operation was launched.",
                "resolutions": ["Members welcomed the launch."],
                "topics": {"Operation Nightfall": True},
            }
        ],
    )
    middle = make_meeting(
        date=datetime.date(2024, 10, 2),
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
                "topics": {"iQuanta": True, "Zanzibar Project": False, "Knife Crime": False},
            },
        ],
    )
    new = make_meeting(
        date=datetime.date(2025, 1, 22),
        items=[
            {
                "number": "SSP/60/24",
                "title": "Knife Crime",
                "minutes_text": "Knife crime fell.",
                "topics": {"Knife Crime": True},
            }
        ],
    )
    undated = make_meeting(
        date=None,
        body="",
        items=[{"title": "Operation Nightfall update", "topics": {"Operation Nightfall": True}}],
    )
    return {"old": old, "middle": middle, "new": new, "undated": undated}


def item_url(meeting, position=1):
    return f"/items/{meeting.items.get(position=position).pk}/"


def add_meetings(make_meeting, count, *, start=datetime.date(2015, 1, 1)):
    """More meetings, each with restricted and open items, decisions and topics."""
    for n in range(count):
        make_meeting(
            date=start + datetime.timedelta(days=n),
            items=[
                {
                    "title": f"Item {k}",
                    "restricted": k % 3 == 0,
                    "minutes_text": "Text.",
                    "resolutions": ["Noted.", "Agreed."],
                    "topics": {"Operation Nightfall": True, "Knife Crime": False, f"T{k}": True},
                }
                for k in range(6)
            ],
        )


class Structure(HTMLParser):
    """Headings, table headers, form controls and links of a page's main content."""

    def __init__(self):
        super().__init__()
        self.in_main = False
        self.headings: list[int] = []
        self.th_without_scope = 0
        self.inputs: list[str] = []
        self.labels: set[str] = set()
        self.links: list[list] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "main":
            self.in_main = True
        if not self.in_main:
            return
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "th" and "scope" not in attrs:
            self.th_without_scope += 1
        elif tag == "input" and attrs.get("type") != "hidden":
            self.inputs.append(attrs.get("id", ""))
        elif tag == "label":
            self.labels.add(attrs.get("for", ""))
        elif tag == "a":
            self.links.append([attrs.get("href"), ""])

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main = False

    def handle_data(self, data):
        if self.in_main and self.links and self.links[-1][1] is not None:
            self.links[-1][1] += data

    def check(self):
        assert self.headings[:1] == [1], "the main content starts with its h1"
        assert self.headings.count(1) == 1
        for before, after in zip(self.headings, self.headings[1:], strict=False):
            assert after <= before + 1, f"heading level skipped: h{before} then h{after}"
        assert self.th_without_scope == 0
        assert all(control and control in self.labels for control in self.inputs)
        assert all(text.strip() for _, text in self.links), "every link has text"


def check_structure(html):
    parser = Structure()
    parser.feed(html)
    parser.check()


PAGES = [
    "/",
    "/meetings/year/2024/",
    "/topics/",
    "/topics/operation-nightfall/",
    "items",
]


class TestAccessibleStructure:
    @pytest.mark.parametrize("url", PAGES)
    def test_headings_in_order_tables_labels_and_link_text(self, client, archive, url):
        if url == "items":
            url = item_url(archive["middle"], 2)
        response = client.get(url)
        assert response.status_code == 200
        check_structure(response.content.decode())


class TestHome:
    def test_search_box_counts_latest_meetings_and_topics(self, client, archive):
        response = client.get("/")

        assert response.status_code == 200
        html = response.content.decode()
        assert '<form action="/search/" method="get" role="search"' in html
        assert '<label class="govuk-label govuk-label--m" for="home-search">' in html
        assert 'id="home-search" name="q" type="search"' in html
        assert "The minutes of 4 meetings and 5 agenda items" in html
        summary = response.context["summary"]
        assert [m.date for m in summary.latest_meetings] == [
            datetime.date(2025, 1, 22),
            datetime.date(2024, 10, 2),
            datetime.date(2011, 7, 5),
        ]
        assert [(t.name, t.item_count) for t in summary.top_topics] == [
            ("Operation Nightfall", 3),
            ("iQuanta", 1),
            ("Knife Crime", 1),
        ]
        assert '<a class="govuk-link" href="/topics/operation-nightfall/">' in html
        for url in ("/meetings/", "/topics/", "/people/", "/meetings/year/2011/"):
            assert f'href="{url}"' in html
        assert (
            '<link rel="alternate" type="application/atom+xml" title="New meetings"'
            ' href="/feeds/meetings/">'
        ) in html

    def test_topic_counts_do_not_reveal_restricted_text(self, client, archive, restricted_viewer):
        html = client.get("/").content.decode()
        assert SECRET not in html.lower()

        client.force_login(restricted_viewer)
        summary = client.get("/").context["summary"]
        counts = {t.name: t.item_count for t in summary.top_topics}
        assert counts["Knife Crime"] == 2
        assert counts["Zanzibar Project"] == 1

    def test_empty_archive(self, client, db):
        html = client.get("/").content.decode()
        assert "No minutes have been imported yet." in html
        assert "No topics yet." in html

    def test_query_count_does_not_grow(
        self, client, archive, make_meeting, django_assert_max_num_queries
    ):
        # counts, latest meetings, topics, years
        with django_assert_max_num_queries(4):
            client.get("/")
        add_meetings(make_meeting, 12)
        with django_assert_max_num_queries(4):
            response = client.get("/")
        assert len(response.context["summary"].latest_meetings) == 5
        assert len(response.context["summary"].top_topics) == 9  # T0–T5 and the three above


class TestMeetingsByYear:
    def test_meeting_list_offers_the_years(self, client, archive):
        assert client.get("/meetings/").context["years"] == [2025, 2024, 2011]

    def test_meeting_list_is_paged(self, client, archive, monkeypatch):
        monkeypatch.setattr(selectors, "MEETINGS_PAGE_SIZE", 2)

        first = client.get("/meetings/")
        second = client.get("/meetings/", {"page": 2})

        assert [group.label for group in first.context["groups"]] == ["2025", "2024"]
        assert [group.label for group in second.context["groups"]] == ["2011", "Date unknown"]
        html = first.content.decode()
        assert "Showing meetings 1 to 2 of 4." in html
        assert 'href="?page=2" rel="next"' in html
        # Every year is offered, on its own page, and the undated meetings where they start.
        assert 'href="/meetings/year/2011/">2011</a>' in html
        assert 'href="?page=2#group-date-unknown">Date unknown</a>' in html
        assert 'id="group-date-unknown"' in second.content.decode()

    def test_meeting_list_queries_do_not_grow(
        self, client, archive, make_meeting, django_assert_max_num_queries
    ):
        client.get("/meetings/")
        add_meetings(make_meeting, 12)
        with django_assert_max_num_queries(5):
            response = client.get("/meetings/")
        assert len(response.context["page_obj"].object_list) == 16
        assert response.context["groups"][0].meetings[0].item_count == 1

    def test_year_page_is_paged(self, client, archive, make_meeting, monkeypatch):
        monkeypatch.setattr(selectors, "MEETINGS_PAGE_SIZE", 1)
        make_meeting(date=datetime.date(2024, 3, 6))

        first = client.get("/meetings/year/2024/").content.decode()
        second = client.get("/meetings/year/2024/", {"page": 2}).content.decode()

        assert "2 meetings, in date order. Showing 1 to 1." in first
        assert "Wednesday 6 March 2024" in first and "Wednesday 2 October 2024" not in first
        assert "Wednesday 2 October 2024" in second
        assert 'aria-label="Pages of meetings in 2024"' in first

    def test_year_page(self, client, archive, make_meeting):
        make_meeting(date=datetime.date(2024, 3, 6))
        response = client.get("/meetings/year/2024/")

        assert response.status_code == 200
        html = response.content.decode()
        assert '<h1 class="govuk-heading-xl">Meetings in 2024</h1>' in html
        assert [m.date for m in response.context["meetings"]] == [
            datetime.date(2024, 3, 6),
            datetime.date(2024, 10, 2),
        ]
        middle = archive["middle"]
        assert (
            f'<a class="govuk-link" href="/meetings/{middle.pk}/">Wednesday 2 October 2024</a>'
            in html
        )
        assert f'href="/meetings/{middle.pk}.json"' in html
        assert 'href="/meetings/year/2011/">Meetings in 2011</a>' in html

    @pytest.mark.parametrize("year", [1999, 0, 10000])
    def test_year_without_meetings_is_404(self, client, archive, year):
        assert client.get(f"/meetings/year/{year}/").status_code == 404

    def test_query_count_does_not_grow(
        self, client, archive, make_meeting, django_assert_max_num_queries
    ):
        # the number of meetings, the page's meetings, their items, the years
        with django_assert_max_num_queries(4):
            client.get("/meetings/year/2024/")
        add_meetings(make_meeting, 10, start=datetime.date(2024, 2, 1))
        with django_assert_max_num_queries(4):
            response = client.get("/meetings/year/2024/")
        assert len(response.context["meetings"]) == 11


class TestMeetingNeighbours:
    def test_previous_and_next_in_the_archive_whatever_the_minutes_say(
        self, client, archive, make_meeting
    ):
        make_meeting(body="Another Board", date=datetime.date(2024, 12, 1))
        response = client.get(archive["middle"].get_absolute_url())

        neighbours = response.context["neighbours"]
        assert neighbours["previous"] == archive["old"]
        assert neighbours["next"] == archive["new"]
        assert response.context["adjacent"] == {"previous": None, "next": None}

    def test_printed_dates_still_link_when_stored(self, client, archive):
        meeting = archive["new"]
        Meeting.objects.filter(pk=meeting.pk).update(previous_meeting=datetime.date(2011, 7, 5))
        response = client.get(meeting.get_absolute_url())
        assert response.context["adjacent"]["previous"] == archive["old"]
        assert response.context["neighbours"] == {"previous": archive["middle"], "next": None}

    def test_undated_meeting_has_no_neighbours(self, client, archive):
        response = client.get(archive["undated"].get_absolute_url())
        assert response.context["neighbours"] == {"previous": None, "next": None}


class TestItemPage:
    def test_open_item(self, client, archive):
        middle = archive["middle"]
        response = client.get(item_url(middle))

        assert response.status_code == 200
        html = response.content.decode()
        assert '<h1 class="govuk-heading-l">SSP/52/24 Operation Nightfall</h1>' in html
        item = middle.items.get(position=1)
        assert f'href="/meetings/{middle.pk}/#item-{item.pk}"' in html
        assert (
            '<p class="govuk-body">Patrols continued.</p>\n'
            '<p class="govuk-body">Intelligence rose.</p>'
        ) in html
        assert "Members noted the report." in html
        assert (
            '<a class="govuk-link" href="/topics/operation-nightfall/">Operation Nightfall</a>'
            in html
        )
        assert f'href="/meetings/{middle.pk}.json"' in html
        assert "Restricted</strong>" not in html

    @pytest.mark.parametrize("who", ["anonymous", "ordinary"])
    def test_restricted_item_shows_number_title_and_tag_only(
        self, client, archive, ordinary_user, who
    ):
        if who == "ordinary":
            client.force_login(ordinary_user)
        html = client.get(item_url(archive["middle"], 2)).content.decode()

        assert '<h1 class="govuk-heading-l">SSP/58/24 iQuanta Report</h1>' in html
        assert '<strong class="govuk-tag govuk-tag--red">Restricted</strong>' in html
        assert "Its papers, minutes and decisions are not public." in html
        assert '<a class="govuk-link" href="/topics/iquanta/">iQuanta</a>' in html
        assert SECRET not in html.lower()
        assert "Knife Crime" not in html
        assert "a restricted report" not in html

    def test_users_with_the_permission_see_it_all(self, client, archive, restricted_viewer):
        client.force_login(restricted_viewer)
        html = client.get(item_url(archive["middle"], 2)).content.decode()

        assert f"To consider the {SECRET} figures." in html
        assert f"The {SECRET} comparison was presented." in html
        assert f"The {SECRET} report was noted." in html
        assert '<a class="govuk-link" href="/topics/zanzibar-project/">Zanzibar Project</a>' in html
        assert "Restricted: a restricted report" in html

    def test_text_is_escaped(self, client, make_meeting):
        meeting = make_meeting(
            items=[
                {
                    "title": "<b>Bold</b>",
                    "minutes_text": "<script>x</script>\nline",
                    "resolutions": ["<i>agreed</i>"],
                }
            ]
        )
        html = client.get(item_url(meeting)).content.decode()
        assert "<script>x" not in html and "<b>Bold" not in html and "<i>agreed" not in html
        assert "&lt;script&gt;x&lt;/script&gt;<br>line" in html
        assert "&lt;b&gt;Bold&lt;/b&gt;" in html

    def test_unknown_item_is_404(self, client, db):
        assert client.get("/items/999999/").status_code == 404

    @pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "restricted-viewer"])
    def test_query_count_does_not_grow(
        self, client, make_meeting, restricted_viewer, django_assert_max_num_queries, signed_in
    ):
        small = make_meeting(
            items=[{"title": "A", "resolutions": ["Noted."], "topics": {"A": True}}]
        )
        large = make_meeting(
            date=datetime.date(2025, 2, 1),
            items=[
                {
                    "title": "B",
                    "restricted": True,
                    "resolutions": [f"Decision {n}." for n in range(20)],
                    "topics": {f"Topic {n}": n % 2 == 0 for n in range(20)},
                }
            ],
        )
        if signed_in:
            client.force_login(restricted_viewer)
        # item and meeting, decisions, topics, the items before and after it, its follow-ups;
        # plus session, user and permissions
        limit = 9 if signed_in else 5
        for url in (item_url(small), item_url(large)):
            with django_assert_max_num_queries(limit):
                assert client.get(url).status_code == 200


class TestTopicList:
    def test_counts_as_the_visitor_may_see_them(self, client, archive):
        response = client.get("/topics/")

        html = response.content.decode()
        counts = [(t.name, t.item_count) for t in response.context["topics"]]
        assert counts == [("iQuanta", 1), ("Knife Crime", 1), ("Operation Nightfall", 3)]
        assert SECRET not in html.lower()
        assert (
            '<th scope="row" class="govuk-table__header">'
            '<a class="govuk-link" href="/topics/knife-crime/">Knife Crime</a></th>'
        ) in html

    def test_users_with_the_permission_see_every_link(self, client, archive, restricted_viewer):
        client.force_login(restricted_viewer)
        counts = {t.name: t.item_count for t in client.get("/topics/").context["topics"]}
        assert counts == {
            "iQuanta": 1,
            "Knife Crime": 2,
            "Operation Nightfall": 3,
            "Zanzibar Project": 1,
        }

    def test_query_count_does_not_grow(
        self, client, archive, make_meeting, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(1):
            client.get("/topics/")
        add_meetings(make_meeting, 5)
        with django_assert_max_num_queries(1):
            assert client.get("/topics/").status_code == 200


class TestTopicPage:
    def test_items_oldest_first_with_decisions(self, client, archive):
        response = client.get("/topics/operation-nightfall/", {"order": "oldest"})

        assert response.status_code == 200
        html = response.content.decode()
        assert '<h1 class="govuk-heading-xl">Operation Nightfall</h1>' in html
        titles = [item.title for item in response.context["page"].items]
        assert titles == [
            "Operation Nightfall launch",
            "Operation Nightfall",
            "Operation Nightfall update",
        ]
        assert "Members welcomed the launch." in html
        assert "Members noted the report." in html
        assert f'href="{item_url(archive["old"])}"' in html
        assert "1 item is from meetings whose date is not known" in html
        assert 'href="/feeds/topics/operation-nightfall/"' in html

    def test_items_newest_first_by_default_with_their_opening_words(self, client, archive):
        response = client.get("/topics/operation-nightfall/")

        titles = [item.title for item in response.context["page"].items]
        assert titles == [
            "Operation Nightfall",
            "Operation Nightfall launch",
            "Operation Nightfall update",  # undated: last either way
        ]
        html = response.content.decode()
        assert "Agenda items, newest first" in html
        assert '<p class="govuk-body">Patrols continued. Intelligence rose.</p>' in html
        assert '<p class="govuk-body">The operation was launched.</p>' in html
        assert '<option value="newest" selected>Newest first</option>' in html
        assert 'href="/search/?topic=operation-nightfall">Search within this topic</a>' in html

    def test_items_filtered_by_years(self, client, archive):
        response = client.get("/topics/operation-nightfall/", {"from": "2020", "to": "2025"})

        assert [item.title for item in response.context["page"].items] == ["Operation Nightfall"]
        html = response.content.decode()
        assert "1 item from meetings from 2020 to 2025." in html
        assert 'id="year-from" name="from" type="text" inputmode="numeric"' in html
        assert 'value="2020"' in html and 'value="2025"' in html
        # The chart still shows every year.
        assert "2011: 1 item; 2024: 1 item." in html
        # Dates are read as their years; the years the wrong way round are put right; an
        # open end runs to the topic's first or last year.
        assert [
            item.title
            for item in client.get(
                "/topics/operation-nightfall/", {"from": "2012-01-01", "to": "2010"}
            )
            .context["page"]
            .items
        ] == ["Operation Nightfall launch"]
        oldest = client.get("/topics/operation-nightfall/", {"to": "2024", "order": "oldest"})
        assert [item.title for item in oldest.context["page"].items] == [
            "Operation Nightfall launch",
            "Operation Nightfall",
        ]
        none = client.get("/topics/operation-nightfall/", {"from": "2015", "to": "2016"})
        assert none.status_code == 200 and none.context["page"].items == []
        assert "0 items from meetings from 2015 to 2016." in none.content.decode()
        # Nonsense is ignored.
        junk = client.get("/topics/operation-nightfall/", {"from": "<b>", "to": "99999"})
        assert len(junk.context["page"].items) == 3

    @pytest.mark.parametrize(
        "params", [{}, {"order": "oldest"}, {"from": "2020", "to": "2025"}, {"to": "2011"}]
    )
    def test_a_topic_of_many_items_reads_the_same(self, client, archive, monkeypatch, params):
        """A topic of many items is read from the search index's topic lists, not its links."""
        url = "/topics/operation-nightfall/"
        few = [item.title for item in client.get(url, params).context["page"].items]
        monkeypatch.setattr(selectors, "FEW_ITEMS", 0)

        response = client.get(url, params)

        assert response.status_code == 200
        assert [item.title for item in response.context["page"].items] == few

    def test_restricted_item_opening_words_only_for_those_who_may_read_them(
        self, client, archive, restricted_viewer
    ):
        html = client.get("/topics/iquanta/").content.decode()
        assert SECRET not in html.lower()
        assert "This item is restricted." in html

        client.force_login(restricted_viewer)
        html = client.get("/topics/iquanta/").content.decode()
        assert f"The {SECRET} comparison was presented." in html

    def test_chart_of_items_per_year_with_a_text_alternative(self, client, archive):
        html = client.get("/topics/operation-nightfall/").content.decode()

        svg = re.search(r"<svg .*?</svg>", html, re.S).group()
        assert 'role="img"' in svg
        assert 'aria-labelledby="items-per-year-title items-per-year-desc"' in svg
        assert (
            '<title id="items-per-year-title">Agenda items on Operation Nightfall per year</title>'
            in svg
        )
        assert "2011: 1 item; 2024: 1 item." in svg
        # 2011 and 2024; the archive holds no minutes of the years between: gaps, not 0
        assert svg.count('fill="#005a70"') == 2
        assert svg.count('class="ssp-chart__gap"') == 1
        assert 'data-years="2012 to 2023"' in svg
        assert "No minutes in the archive for 2012 to 2023." in svg
        assert 'font-family="Helvetica Neue, Helvetica, Arial, sans-serif"' in svg
        assert int(re.search(r'width="(\d+)"', svg).group(1)) >= 600
        labels = re.findall(r'font-size="14" fill="#[0-9a-f]+">(\d{4})</text>', svg)
        assert labels == [str(year) for year in range(2011, 2025)]  # a label for every year
        main = html[html.index("<main") : html.index("</main>")]
        assert "<script" not in main
        assert '<th scope="row" class="govuk-table__header">2012</th>' in html
        assert html.count("No minutes in the archive</td>") == 12

    def test_a_year_with_minutes_but_no_item_on_the_topic_is_0(self, client, archive, make_meeting):
        make_meeting(date=datetime.date(2015, 3, 4), items=[{"title": "Other business"}])
        html = client.get("/topics/operation-nightfall/").content.decode()

        svg = re.search(r"<svg .*?</svg>", html, re.S).group()
        assert 'data-years="2012 to 2014"' in svg and 'data-years="2016 to 2023"' in svg
        assert 'font-size="16" fill="#0b0c0c">0</text>' in svg  # 2015
        assert "No items in the other years that have minutes." in svg
        assert "No minutes in the archive for 2012 to 2014 and 2016 to 2023." in svg
        assert html.count("No minutes in the archive</td>") == 11

    def test_restricted_items_by_title_only(self, client, archive):
        response = client.get("/topics/iquanta/")
        html = response.content.decode()

        assert "SSP/58/24 iQuanta Report" in html
        assert "Its papers, minutes and decisions are not public." in html
        assert SECRET not in html.lower()

    def test_topics_only_in_restricted_text_are_not_found(self, client, archive, restricted_viewer):
        assert client.get("/topics/zanzibar-project/").status_code == 404
        knife = client.get("/topics/knife-crime/")
        assert [item.title for item in knife.context["page"].items] == ["Knife Crime"]

        client.force_login(restricted_viewer)
        response = client.get("/topics/zanzibar-project/")
        assert response.status_code == 200
        assert f"The {SECRET} report was noted." in response.content.decode()

    def test_unknown_topic_is_404(self, client, db):
        assert client.get("/topics/no-such-topic/").status_code == 404

    def test_text_is_escaped(self, client, make_meeting):
        make_meeting(
            items=[{"title": "<b>x</b>", "resolutions": ["<i>y</i>"], "topics": {"<T>": True}}]
        )
        html = client.get("/topics/t/").content.decode()
        assert "<b>x" not in html and "<i>y" not in html and "<T>" not in html
        assert "&lt;T&gt;" in html

    def test_query_count_does_not_grow(
        self, client, archive, make_meeting, django_assert_max_num_queries
    ):
        # topic (with the years holding minutes), items with their meetings, decisions
        with django_assert_max_num_queries(3):
            client.get("/topics/operation-nightfall/")
        add_meetings(make_meeting, 10)
        with django_assert_max_num_queries(3):
            response = client.get("/topics/operation-nightfall/")
        with django_assert_max_num_queries(3):
            rest = client.get("/topics/operation-nightfall/", {"page": "2"})

        # 63 items: 50 on the first page, with a link to the next, and the rest there.
        first = response.context["page"].items
        assert len(first) == 50
        html = response.content.decode()
        assert "Showing 1 to 50 of 63." in html
        assert 'href="?page=2" rel="next"' in html
        last = rest.context["page"].items
        assert len(last) == 13
        assert "Showing 51 to 63 of 63." in rest.content.decode()
        assert {item.pk for item in first}.isdisjoint(item.pk for item in last)


class TestLoginRequired:
    @pytest.mark.parametrize(
        "url",
        [
            "/",
            "/meetings/",
            "/meetings/year/2024/",
            "item",
            "json",
            "/topics/",
            "/topics/operation-nightfall/",
            "/people/",
            "/feeds/meetings/",
            "/feeds/topics/operation-nightfall/",
        ],
    )
    def test_every_page_sends_visitors_to_sign_in(
        self, client, settings, archive, ordinary_user, url
    ):
        if url == "item":
            url = item_url(archive["middle"])
        elif url == "json":
            url = f"/meetings/{archive['middle'].pk}.json"
        settings.ARCHIVE_LOGIN_REQUIRED = True

        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")

        client.force_login(ordinary_user)
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("url", ["/topics/{}/", "/feeds/topics/{}/"])
def test_topic_only_in_restricted_text_answers_as_an_unknown_one(
    client, open_and_restricted_meeting, settings, debug, url
):
    # "knife-crime" is linked only to the restricted item, by its text; the other slug has the
    # same length so that the two pages can be compared byte for byte.
    settings.DEBUG = debug
    hidden = client.get(url.format("knife-crime"))
    unknown = client.get(url.format("knife-piess"))

    assert hidden.status_code == unknown.status_code == 404
    assert hidden.content.replace(b"knife-crime", b"SLUG") == unknown.content.replace(
        b"knife-piess", b"SLUG"
    )
