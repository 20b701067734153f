"""A reader looks at how often a topic came up, year by year, on a topic page."""

import pytest

from meetings.models import Topic


@pytest.fixture
def topic(transactional_db):
    """A topic named in the sample minutes of 2011, 2022 and 2025, made before they are
    imported (a flushed test database has lost the topics the migrations add)."""
    topic, _ = Topic.objects.get_or_create(
        slug="anti-social-behaviour",
        defaults={"name": "Anti-Social Behaviour", "aliases": ["ASB", "Anti Social Behaviour"]},
    )
    return topic


def test_years_without_minutes_are_drawn_as_gaps_not_as_zero(topic, archive, live_server, page):
    slug = topic.slug
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(live_server.url + f"/topics/{slug}/")
    chart = page.locator("svg.ssp-chart")
    box = chart.bounding_box()
    assert box["width"] >= 600

    # The sample minutes are of 2011, 2022, 2024 and 2025: the years between are gaps, each
    # labelled, with no bar and no value, and the axis broken under them.
    gaps = chart.locator(".ssp-chart__gap")
    assert gaps.count() == 2
    assert [gaps.nth(i).get_attribute("data-years") for i in range(2)] == [
        "2012 to 2021",
        "2023",
    ]
    for i in range(2):
        gap = gaps.nth(i)
        assert gap.locator("text").text_content() == "no minutes in the archive"
        gap_box = gap.locator("rect").bounding_box()
        assert gap_box["height"] > 50  # a visible space, not a bar of 0
        bars = chart.locator("rect[fill='#005a70']")
        for j in range(bars.count()):
            bar = bars.nth(j).bounding_box()
            assert (
                bar["x"] + bar["width"] <= gap_box["x"]
                or bar["x"] >= gap_box["x"] + gap_box["width"]
            )
    # 2024 had a meeting but nothing on the topic: a 0, not a gap.
    values = chart.locator("text[font-size='16']").all_text_contents()
    assert values == ["3", "1", "0", "3"]
    assert chart.evaluate("e => getComputedStyle(e.querySelector('text')).fontFamily").startswith(
        '"Helvetica Neue"'
    )

    page.get_by_text("Show the figures as a table").click()
    table = page.locator("table").inner_text()
    assert "2015\tNo minutes in the archive" in table
    assert "2024\t0" in table
