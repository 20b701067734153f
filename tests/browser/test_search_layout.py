"""Long input on the search page: the page keeps its width and echoes a long query shortened."""

import pytest

WIDTHS = [(1280, 720), (375, 667)]


@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_a_300_character_word_does_not_widen_the_page(archive, live_server, page, width, height):
    page.set_viewport_size({"width": width, "height": height})
    word = "SSP" + "x" * 297
    page.goto(f"{live_server.url}/search/?q={word}&topic={word}")

    assert page.evaluate("document.documentElement.scrollWidth") <= width
    heading = page.locator("#results-heading").inner_text()
    assert len(heading) < 160
    assert page.locator("#search-q").input_value() == word
