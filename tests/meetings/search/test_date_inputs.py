"""The meeting date range typed as GOV.UK's date input: day, month and year for each date.

Older links giving a date whole (``date_from=2024-10-02``) still work; the CSV download applies
exactly the dates the page applies and is refused when the page shows an error.
"""

import csv
import io
import re

import pytest

from .helpers import CSV_URL, URL, titles

pytestmark = pytest.mark.django_db

EVERY_ITEM = {"Night patrols", "Community safety", "Bonfire night", "Housing", "Licensing"}
IN_2025 = {"Night patrols", "Community safety", "Bonfire night"}


def typed(name: str, day="", month="", year="") -> dict:
    return {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}


def csv_titles(response) -> set[str]:
    assert response.status_code == 200
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return {row["title"] for row in csv.DictReader(io.StringIO(text.decode()))}


def error_summary(response) -> list[str]:
    html = response.content.decode()
    found = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    return re.findall(r'<a href="([^"]*)">([^<]*)</a>', found.group(1)) if found else []


def error_fields(response) -> set[str]:
    """The ids of the date fields marked in error."""
    html = response.content.decode()
    return set(re.findall(r'govuk-input--error" id="([^"]+)"', html))


class TestTypedDates:
    def test_a_date_typed_in_three_fields_narrows_the_results(self, archive, client):
        response = client.get(URL, typed("date_from", "1", "1", "2025"))

        assert set(titles(response)) == IN_2025
        assert "Date from 1 January 2025" in response.content.decode()

    def test_both_ends(self, archive, client):
        params = typed("date_from", "1", "9", "2024") | typed("date_to", "31", "12", "2024")

        assert set(titles(client.get(URL, params))) == {"Housing", "Licensing"}

    def test_empty_fields_are_no_limit(self, archive, client):
        assert set(titles(client.get(URL, typed("date_from")))) == EVERY_ITEM

    def test_an_iso_date_of_an_older_link_still_works_and_fills_the_fields(self, archive, client):
        response = client.get(URL, {"date_to": "2024-12-31"})

        assert set(titles(response)) == {"Housing", "Licensing"}
        html = response.content.decode()
        assert (
            'id="date-to-day" name="date_to_day" type="text" inputmode="numeric" value="31"' in html
        )
        assert (
            'id="date-to-month" name="date_to_month" type="text" inputmode="numeric" value="12"'
            in (html)
        )
        assert (
            'id="date-to-year" name="date_to_year" type="text" inputmode="numeric" value="2024"'
            in (html)
        )

    def test_typed_fields_win_over_an_iso_date(self, archive, client):
        params = {"date_from": "2024-01-01", **typed("date_from", "1", "1", "2025")}

        assert set(titles(client.get(URL, params))) == IN_2025

    def test_removing_the_filter_drops_every_field_of_the_date(self, archive, client):
        params = {"q": "night", **typed("date_from", "1", "1", "2025")}
        response = client.get(URL, params)

        [active] = response.context["active_filters"]
        assert active["label"] == "Date from 1 January 2025"
        assert active["remove_url"] == "?q=night"

    def test_the_undated_items_are_named_when_a_range_is_set(self, archive, client):
        notice = "The date range leaves out items with no date."

        assert notice in client.get(URL, typed("date_from", "1", "1", "2025")).content.decode()
        assert notice not in client.get(URL).content.decode()


class TestErrors:
    @pytest.mark.parametrize(
        ("params", "message", "fields"),
        [
            (typed("date_from", "31", "2", "2025"), "Date from must be a real date", {"day"}),
            (typed("date_from", "1", "13", "2025"), "Date from must be a real date", {"month"}),
            (typed("date_from", "x", "1", "2025"), "Date from must be a real date", {"day"}),
            (typed("date_from", "1", "2"), "Date from must include a year", {"year"}),
            (typed("date_to", "", "2", "2025"), "Date to must include a day", {"day"}),
            (
                typed("date_to", year="2025"),
                "Date to must include a day and month",
                {"day", "month"},
            ),
            (
                typed("date_from", "1", "2", "25"),
                "The year of date from must include 4 numbers",
                {"year"},
            ),
            ({"date_from": "2025-02-30"}, "Date from must be a real date", {"day"}),
        ],
    )
    def test_govuk_messages_and_only_the_fields_in_error_marked(
        self, archive, client, params, message, fields
    ):
        response = client.get(URL, params)

        assert response.status_code == 200
        name = "date-from" if "from" in message else "date-to"
        [(href, text)] = error_summary(response)
        assert text == message
        first = next(part for part in ("day", "month", "year") if part in fields)
        assert href == f"#{name}-{first}"
        assert error_fields(response) == {f"{name}-{part}" for part in fields}
        assert f'<p id="{name}-error" class="govuk-error-message">' in response.content.decode()
        # The date in error is not applied.
        assert set(titles(response)) == EVERY_ITEM

    def test_the_end_before_the_start(self, archive, client):
        params = typed("date_from", "1", "1", "2025") | typed("date_to", "1", "1", "2024")
        response = client.get(URL, params)

        assert [text for _, text in error_summary(response)] == [
            "Date to must be the same as or after date from"
        ]


class TestCsv:
    def test_applies_the_typed_dates_as_the_page_does(self, archive, client):
        params = typed("date_from", "1", "9", "2024") | typed("date_to", "31", "12", "2024")

        page = set(titles(client.get(URL, params)))
        assert page == {"Housing", "Licensing"}
        assert csv_titles(client.get(CSV_URL, params)) == page

    def test_applies_an_iso_date_as_the_page_does(self, archive, client):
        params = {"date_from": "2025-01-01"}

        assert csv_titles(client.get(CSV_URL, params)) == set(titles(client.get(URL, params)))

    @pytest.mark.parametrize(
        ("params", "message"),
        [
            (typed("date_from", "30", "2", "2025"), "Date from must be a real date"),
            (typed("date_to", "1", "2"), "Date to must include a year"),
        ],
    )
    def test_refused_with_the_pages_error(self, archive, client, params, message):
        response = client.get(CSV_URL, params)

        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        assert [text for _, text in error_summary(response)] == [message]
        assert "Download all" not in response.content.decode()
