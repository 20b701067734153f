"""The contents of a long meeting page take the reader to each agenda item, without JavaScript."""

import re

from meetings.models import Meeting


def test_contents_links_land_on_their_items(archive, live_server, page):
    meeting = Meeting.objects.get(date__year=2011)
    page.goto(live_server.url + meeting.get_absolute_url())
    contents = page.get_by_role("navigation", name="Contents")
    links = contents.get_by_role("link")
    assert links.count() == meeting.items.count()
    for index in (links.count() - 1, links.count() // 2, 0):
        link = links.nth(index)
        target = link.get_attribute("href")
        assert re.fullmatch(r"#item-\d+", target)
        link.click()
        page.wait_for_function("hash => location.hash === hash", arg=target)
        item = page.locator(target)
        assert page.locator(":target").get_attribute("id") == target[1:]
        assert item.is_visible()
        box = item.bounding_box()
        assert 0 <= box["y"] < page.viewport_size["height"]
        heading = item.locator("h3").inner_text()
        assert link.inner_text().split()[-1] in heading


def test_item_page_links_to_the_next_and_previous_item(archive, live_server, page):
    meeting = Meeting.objects.get(date__year=2011)
    first, second = meeting.items.order_by("position")[:2]
    page.goto(live_server.url + f"/items/{first.pk}/")
    page.get_by_role("navigation", name="Previous and next items of this meeting").get_by_role(
        "link", name=re.compile("Next")
    ).click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/items/{second.pk}/")
    assert page.locator("h1").inner_text() == second.label
