"""No parameter of any public page, whatever its value, gets as far as a database error.

Every page is sent hostile values in each parameter it reads (NUL characters, values too long
for any column, numbers out of range, impossible dates, a parameter repeated hundreds of
times, bytes that are not UTF-8) and must answer as a page would: 200 (with a message where
the page has a form), 400 or 404. The test client raises any exception a view lets through,
so a 500 fails the test with its traceback.
"""

import pytest
from django.urls import reverse

from meetings.models import AgendaItem, Meeting, Person, Topic
from tests.conftest import MINUTES_DIR

pytestmark = pytest.mark.django_db

SEARCH_PARAMS = [
    "q",
    "year",
    "date_from",
    "date_to",
    "date_from_day",
    "date_from_month",
    "date_from_year",
    "date_to_day",
    "date_to_month",
    "date_to_year",
    "topic",
    "restricted",
    "status",
    "body",
    "sort",
    "all_topics",
    "all_bodies",
]

# Raw query-string values, already percent-encoded where needed.
HOSTILE = {
    "nul": "%00",
    "nul-inside": "knife%00crime",
    "long": "x" * 5000,
    "long-digits": "9" * 400,
    "negative": "-1",
    "zero": "0",
    "huge-int": "99999999999999999999",
    "float-overflow": "1e999",
    "bad-date": "2024-13-45",
    "date-far-off": "99999-01-01",
    "surrogate": "%ED%A0%80",
    "not-utf8": "%FF%FE",
    "lone-surrogate-escape": "%uD800",
    "quote": "%27%22%3C%3E",
    "superscript-digit": "%C2%B2",  # "²": a digit to str.isdigit, not to int()
    "circled-digits": "%E2%91%A0%E2%91%A1",  # "①②"
    "empty": "",
}
REPEATED = 300


def pages() -> dict[str, list[str]]:
    """Every public page with the parameters it reads (all of them ``page`` at least)."""
    meeting = Meeting.objects.filter(date__isnull=False).order_by("pk").first()
    item = AgendaItem.objects.order_by("pk").first()
    topic = Topic.objects.filter(items__restricted=False).order_by("pk").first()
    person = Person.objects.listed().order_by("pk").first()
    return {
        "/": [],
        reverse("meetings:search"): [*SEARCH_PARAMS, "page"],
        reverse("meetings:search_csv"): SEARCH_PARAMS,
        reverse("meetings:meeting_list"): ["page"],
        reverse("meetings:meeting_year", args=[meeting.date.year]): ["page"],
        reverse("meetings:meeting_detail", args=[meeting.pk]): [],
        reverse("meetings:meeting_json", args=[meeting.pk]): [],
        reverse("meetings:item_detail", args=[item.pk]): [],
        reverse("meetings:topic_list"): [],
        reverse("meetings:topic_detail", args=[topic.slug]): ["page", "order", "from", "to"],
        reverse("meetings:person_list"): ["q", "page"],
        reverse("meetings:person_detail", args=[person.slug]): [],
        reverse("meetings:feed_meetings"): [],
        reverse("meetings:feed_topic", args=[topic.slug]): [],
        reverse("login"): ["next"],
    }


PAGE_NAMES = [
    "home",
    "search",
    "search-csv",
    "meeting-list",
    "meeting-year",
    "meeting",
    "meeting-json",
    "item",
    "topic-list",
    "topic",
    "person-list",
    "person",
    "feed-meetings",
    "feed-topic",
    "login",
]


@pytest.fixture
def samples(db):
    from ingest.services import import_document

    for path in sorted(MINUTES_DIR.glob("*.txt")):
        outcome = import_document(path.read_bytes(), path.name)
        assert not outcome.failed, outcome.message


def answered(response) -> bool:
    return response.status_code in (200, 302, 400, 404)


@pytest.mark.parametrize("index", range(len(PAGE_NAMES)), ids=PAGE_NAMES)
def test_hostile_values_in_every_parameter(client, samples, index):
    url, params = list(pages().items())[index]
    # Unknown parameters are sent too: a page must ignore what it does not read.
    params = [*params, "page", "unknown"]
    failures = []
    for param in dict.fromkeys(params):
        for label, value in HOSTILE.items():
            response = client.get(f"{url}?{param}={value}")
            if not answered(response):
                failures.append((param, label, response.status_code))
        many = "&".join(f"{param}={n}" for n in range(REPEATED))
        response = client.get(f"{url}?{many}&{param}=%00")
        if not answered(response):
            failures.append((param, "repeated", response.status_code))
    assert failures == []


@pytest.mark.parametrize(
    "path",
    [
        "/meetings/99999999999999999999/",
        "/meetings/99999999999999999999.json",
        "/items/99999999999999999999/",
        "/meetings/year/99999999999999999999/",
        "/meetings/year/0/",
        "/topics/" + "a" * 5000 + "/",
        "/people/" + "a" * 5000 + "/",
        "/feeds/topics/" + "a" * 5000 + "/",
    ],
)
def test_out_of_range_addresses_are_not_found(client, samples, path):
    assert client.get(path).status_code == 404


class TestSearchFormShowsTheProblem:
    """The search page has a form: a value it cannot use is named in the error summary."""

    @pytest.mark.parametrize(
        ("query", "message"),
        [
            ("date_from=2024-13-45", "Date from must be a real date"),
            ("date_to=%00", "Date to must be a real date"),
            ("date_from_day=%00&date_from_month=1&date_from_year=2024", "Date from must be a real"),
            ("date_to_day=1&date_to_month=1&date_to_year=%D9%A2%D9%A0%D9%A2%D9%A4", "Date to must"),
            ("year=1e999", "Year: Enter a whole number."),
            ("year=-1", "Year: Ensure this value is greater than or equal to 1."),
            ("topic=%00", "Topic: Choose topics from the list"),
            ("topic=" + "x" * 5000, "Topic: Choose topics from the list"),
            ("q=%00", "Search the minutes: Null characters are not allowed."),
            ("body=%00", "Body: Null characters are not allowed."),
            ("status=%00", "Status: Select a valid choice."),
        ],
    )
    def test_error_summary(self, client, samples, query, message):
        response = client.get(f"/search/?{query}")

        assert response.status_code == 200
        html = response.content.decode()
        assert "There is a problem" in html
        assert message in html
        assert response.context["page_obj"].paginator.count == AgendaItem.objects.count()

    def test_the_filter_at_fault_shows_its_error_too(self, client, samples):
        html = client.get("/search/?topic=%00").content.decode()

        assert '<a href="#facet-topic">Topic: Choose topics from the list' in html
        assert 'id="facet-topic" aria-describedby="facet-topic-error"' in html
        assert '<p id="facet-topic-error" class="govuk-error-message">' in html
        # Filters without a problem are left as they are.
        assert 'id="facet-year" aria-describedby' not in html
