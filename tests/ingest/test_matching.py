"""Which item of a new reading is which stored item (``ingest.matching``)."""

from ingest.matching import NUMBER, POSITION, SIMILAR_TITLE, TITLE, match_items, normalise_title

STORED = [
    ("Introductions/Apologies", "SSP 12/22"),
    ("Crest Advisory – CURV", "SSP 15/22"),
    ("Recorded Crime and Disorder Report", "SSP 16/22"),
    ("Any other Business", "SSP 17/22"),
]


def found(matches):
    """Each new item's stored index and how it was matched (None when new)."""
    return [None if m is None else (m.stored, m.how) for m in matches]


def test_titles_are_compared_without_case_spacing_punctuation_or_dashes():
    assert normalise_title("  Crest Advisory – CURV (VRU)") == "crest advisory curv vru"
    assert normalise_title("CREST advisory - curv  (vru).") == "crest advisory curv vru"


def test_an_insertion_renumbering_the_later_items_changes_only_itself():
    new = [
        STORED[0],
        STORED[1],
        ("Knife Crime Update", "SSP 16/22"),  # takes the report's old number
        ("Recorded Crime and Disorder Report", "SSP 17/22"),
        ("Any other Business", "SSP 18/22"),
    ]
    assert found(match_items(STORED, new)) == [
        (0, TITLE),
        (1, TITLE),
        None,
        (2, TITLE),
        (3, TITLE),
    ]


def test_a_removal_and_a_swap():
    assert found(match_items(STORED, [STORED[0], STORED[2], STORED[3]])) == [
        (0, TITLE),
        (2, TITLE),
        (3, TITLE),
    ]
    swapped = match_items(STORED, [STORED[0], STORED[2], STORED[1], STORED[3]])
    assert found(swapped) == [(0, TITLE), (2, TITLE), (1, TITLE), (3, TITLE)]
    assert sum(m.moved for m in swapped) == 1  # one of the two is out of order
    assert all(m.certain for m in swapped)


def test_a_title_changed_slightly_outranks_a_number_and_is_not_certain():
    new = [
        STORED[0],
        STORED[1],
        ("Knife Crime Update", "SSP 16/22"),
        ("Recorded Crime & Disorder Reports", "SSP 17/22"),
        ("Any other Business", "SSP 18/22"),
    ]
    matches = match_items(STORED, new)
    assert found(matches) == [(0, TITLE), (1, TITLE), None, (2, SIMILAR_TITLE), (3, TITLE)]
    assert not matches[3].certain


def test_then_numbers_then_positions_between_the_items_matched_by_title():
    new = [
        STORED[0],
        ("Violence Reduction Unit", "SSP 13/22"),
        ("Crime and disorder figures for the year", "SSP 16/22"),
        STORED[3],
    ]
    assert found(match_items(STORED, new)) == [(0, TITLE), (1, POSITION), (2, NUMBER), (3, TITLE)]


def test_items_without_titles_are_not_matched_to_each_other_by_title():
    stored = [("", "1"), ("", "2")]
    assert found(match_items(stored, [("", "2")])) == [(1, NUMBER)]
