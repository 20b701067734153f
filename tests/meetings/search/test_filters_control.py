"""The search page's filters behind one control on narrow screens, naming how many apply."""

import re

import pytest

from .helpers import URL

pytestmark = pytest.mark.django_db


def control(response) -> str:
    html = response.content.decode()
    found = re.search(r'<span id="filters-applied">([^<]*)</span>', html)
    return found.group(1)


def test_the_control_counts_each_value_applied(archive, client):
    assert control(client.get(URL)) == "(0 applied)"
    assert control(client.get(URL, {"q": "patrol", "sort": "oldest"})) == "(0 applied)"
    response = client.get(URL, {"year": ["2024", "2025"], "status": "heard"})
    assert control(response) == "(3 applied)"


def test_a_value_in_error_is_not_counted(archive, client):
    assert control(client.get(URL, {"year": "twenty", "status": "heard"})) == "(1 applied)"


def test_the_filters_are_shown_open_when_one_is_in_error(archive, client):
    closed = client.get(URL, {"year": "2024"}).content.decode()
    opened = client.get(URL, {"date_from_day": "40"}).content.decode()

    assert '<details class="govuk-details app-filters" id="filters">' in closed
    assert '<details class="govuk-details app-filters" id="filters" open>' in opened


def test_the_page_loads_its_script_from_the_site(archive, client):
    html = client.get(URL).content.decode()

    assert '<script type="module" src="/static/js/search.js"></script>' in html
    assert 'aria-live="polite"' in html
