"""The parser against the hand-checked extraction of each sample, and against other councils'
variants of the same layouts."""

import json
import random
import re
from pathlib import Path

import pytest

from ingest.parsers import document as doc
from ingest.parsers import parse_minutes

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SAMPLES = sorted(path.stem for path in (FIXTURES / "minutes").glob("*.txt"))
SHAPES = {
    "ssp-2011-07-05-numbered": doc.SHAPE_NUMBERED,
    "ssp-2022-09-28-formal": doc.SHAPE_FORMAL,
    "ssp-2024-10-02-moderngov-unnumbered": doc.SHAPE_MODERNGOV_UNNUMBERED,
    "ssp-2025-01-22-moderngov": doc.SHAPE_MODERNGOV,
    "ssp-undated-pipe-table": doc.SHAPE_PIPE_TABLE,
}
ATTENDANCE_KEYS = {
    "present": doc.PRESENT,
    "officers": doc.OFFICER,
    "in_attendance": doc.IN_ATTENDANCE,
    "apologies": doc.APOLOGIES,
}


def load(name):
    text = (FIXTURES / "minutes" / f"{name}.txt").read_text(encoding="utf-8")
    gold = json.loads((FIXTURES / "gold" / f"{name}.json").read_text(encoding="utf-8"))
    return parse_minutes(text), gold


def iso(value):
    return value.isoformat() if value else None


def test_every_sample_has_a_gold_extraction():
    assert set(SAMPLES) == set(SHAPES)


@pytest.mark.parametrize("name", SAMPLES)
def test_shape_is_detected(name):
    meeting, _ = load(name)
    assert meeting.shape == SHAPES[name]


@pytest.mark.parametrize("name", SAMPLES)
def test_header_matches_gold(name):
    meeting, gold = load(name)
    assert (meeting.body or None) == gold["committee"]
    assert iso(meeting.date) == gold["date"]
    start = meeting.start_time.strftime("%H:%M") if meeting.start_time else None
    assert start == gold["start_time"]
    assert (meeting.venue or None) == gold["venue"]
    assert iso(meeting.previous_meeting) == gold["previous_meeting"]
    assert iso(meeting.next_meeting) == gold["next_meeting"]


@pytest.mark.parametrize("name", SAMPLES)
def test_attendance_matches_gold(name):
    meeting, gold = load(name)
    for key, attendance in ATTENDANCE_KEYS.items():
        names = [a.name for a in meeting.attendees if a.attendance == attendance]
        assert names == gold["attendees"][key], key
    by_name = {attendee.name: attendee for attendee in meeting.attendees}
    for expected in gold.get("attendee_details", []):
        attendee = by_name[expected["name"]]
        assert (attendee.title or None) == expected["title"]
        assert (attendee.role or None) == expected["role"]
        assert (attendee.organisation or None) == expected["organisation"]


@pytest.mark.parametrize("name", SAMPLES)
def test_items_match_gold(name):
    meeting, gold = load(name)
    got = [
        {
            "number": item.number or None,
            "title": item.title or None,
            "restricted": item.restricted,
            "status": item.status,
            "resolutions": [resolution.text for resolution in item.resolutions],
        }
        for item in meeting.items
    ]
    expected = [{key: item[key] for key in got[0]} for item in gold["items"]]
    assert got == expected
    assert [item.position for item in meeting.items] == list(range(1, len(got) + 1))


def test_restricted_items_say_why():
    meeting, _ = load("ssp-2025-01-22-moderngov")
    iquanta = next(item for item in meeting.items if item.title == "iQuanta Report")
    assert "restricted report" in iquanta.restricted_reason
    formal, _ = load("ssp-2022-09-28-formal")
    assert "title" in formal.items[-1].restricted_reason


def test_item_number_keeps_the_printed_form_beside_the_council_form():
    meeting, _ = load("ssp-2025-01-22-moderngov")
    assert (meeting.items[0].number_printed, meeting.items[0].number) == ("SSP/4724", "SSP/47/24")
    formal, _ = load("ssp-2022-09-28-formal")
    # "**SSP\n18/22** **Any other Business**": split over lines and wrapped in bold markers.
    assert formal.items[6].number == "SSP 18/22"
    assert formal.items[6].title == "Any other Business"


def test_attachments_are_not_part_of_the_title():
    meeting, _ = load("ssp-2025-01-22-moderngov")
    minutes = meeting.items[2]
    assert minutes.title == "Minutes"
    assert minutes.attachments == ["PDF 69 KB"]
    assert minutes.agenda_text.startswith("To approve the minutes")


def test_numbered_decisions_are_separate_resolutions_with_kinds():
    meeting, _ = load("ssp-2022-09-28-formal")
    report = meeting.items[4]
    assert [(r.kind, r.text) for r in report.resolutions] == [
        (doc.NOTED, "The report be noted."),
        (
            doc.AGREED_ACTION,
            "The Police and Crime Commissioner be invited to the next Safer Stockton "
            "Partnership meeting.",
        ),
    ]
    assert meeting.items[1].resolutions[0].kind == doc.APPROVED


def test_paragraphs_broken_by_page_breaks_are_rejoined():
    meeting, _ = load("ssp-2022-09-28-formal")
    crest = meeting.items[3].minutes_text
    assert "compared to most similar areas." in crest
    action_plan = meeting.items[5].minutes_text
    assert "the B Eye system could be abandoned." in action_plan


def test_bullets_inside_an_item_are_not_items():
    meeting, _ = load("ssp-2011-07-05-numbered")
    performance = meeting.items[6]
    assert performance.title == "Community Safety Plan Performance Monitoring"
    assert "- Violent Crime Tactical Group" in performance.minutes_text
    reports_back = meeting.items[17]
    assert "(a) Renaissance" in reports_back.agenda_text


def test_attendee_keeps_the_entry_as_printed():
    meeting, _ = load("ssp-2022-09-28-formal")
    norma = next(a for a in meeting.attendees if a.name == "Norma Stephenson")
    assert norma.printed == "Cllr Norma Stephenson O.B.E. (Vice Chair)"
    assert norma.honours == "O.B.E."


def test_undated_document_says_so():
    meeting, _ = load("ssp-undated-pipe-table")
    assert meeting.date is None
    assert any("no meeting date" in warning for warning in meeting.warnings)


# --- nothing lost -------------------------------------------------------------------------------

WORD = re.compile(r"[\w’']+")


def words(text):
    return [word.lower().strip("'’") for word in WORD.findall(text) if word.strip("'’")]


def stored_words(meeting):
    parts = [meeting.header_text, meeting.body, meeting.venue, meeting.contact]
    parts += [attendee.printed for attendee in meeting.attendees]
    for item in meeting.items:
        parts += [item.number_printed, item.title, item.agenda_text, item.minutes_text]
        parts += [item.restricted_reason, *item.attachments]
        parts += [resolution.text for resolution in item.resolutions]
    return set(words("\n".join(parts)))


def test_nothing_is_lost_across_all_samples():
    """At least 99% of the source's words end up in a stored field; the rest are listed."""
    total, missed = 0, []
    for name in SAMPLES:
        source = words((FIXTURES / "minutes" / f"{name}.txt").read_text(encoding="utf-8"))
        meeting, _ = load(name)
        kept = stored_words(meeting)
        total += len(source)
        missed += [f"{name}: {word}" for word in source if word not in kept]
    coverage = 1 - len(missed) / total
    print(f"\n{total} words, {coverage:.2%} kept; missed: {missed}")
    assert coverage >= 0.99, missed


@pytest.mark.parametrize("name", SAMPLES)
def test_nothing_is_lost_in_each_sample(name):
    source = words((FIXTURES / "minutes" / f"{name}.txt").read_text(encoding="utf-8"))
    meeting, _ = load(name)
    kept = stored_words(meeting)
    missed = [word for word in source if word not in kept]
    assert len(missed) / len(source) <= 0.01, missed


# --- other councils, same families of layout ----------------------------------------------------

CABINET_MODERNGOV = """Agenda and minutes

Cabinet - Thursday 13th March, 2025 4.30 pm

Venue: Council Chamber, Town Hall

Contact: Committee Services

Items
No. Item

CAB/38/25

Declarations of Interest

Minutes:

There were no declarations of interest.

CAB/39/25

Budget Monitoring pdf icon PDF 120 KB

To consider the quarter 3 budget monitoring report.

Minutes:

RESOLVED that the report be noted.

4a

Highways Programme

Minutes:

Cabinet approved the programme.

4b

Parks Strategy

Minutes:

This item was withdrawn.

PART 2 - CONFIDENTIAL ITEMS

CAB/40/25

Land Disposal

Minutes:

RESOLVED that the disposal proceed.
"""


def test_other_reference_prefixes_and_sub_items():
    meeting = parse_minutes(CABINET_MODERNGOV)
    assert meeting.shape == doc.SHAPE_MODERNGOV
    assert meeting.body == "Cabinet"
    assert meeting.date.isoformat() == "2025-03-13"
    assert meeting.start_time.strftime("%H:%M") == "16:30"
    assert [item.number for item in meeting.items] == [
        "CAB/38/25",
        "CAB/39/25",
        "4a",
        "4b",
        "CAB/40/25",
    ]
    assert meeting.items[1].attachments == ["PDF 120 KB"]
    assert meeting.items[1].resolutions[0].text == "RESOLVED that the report be noted."
    assert meeting.items[3].status == doc.NOT_HEARD


def test_items_in_a_confidential_section_are_restricted():
    meeting = parse_minutes(CABINET_MODERNGOV)
    assert [item.restricted for item in meeting.items] == [False, False, False, False, True]
    land = meeting.items[-1]
    assert "PART 2 - CONFIDENTIAL ITEMS" in land.restricted_reason
    # The heading is not left in the minutes of the item before it.
    assert "CONFIDENTIAL" not in meeting.items[3].minutes_text


FORMAL_OTHER_COUNCIL = """Licensing Committee

A meeting of Licensing Committee was held on Monday, 3rd February, 2020.

Present: Cllr Jane Smith (Chairman), Cllr Ali Khan, Mr Bob Jones (Legal Services)

Apologies: Cllr Ray Brown

LC 1/20 Declarations of Interest

None.

LC 2/20 Taxi Policy Review

The committee considered a confidential report on a driver's licence.

RESOLVED that the licence be revoked.

Confidential Items

LC 3/20 Driver Appeal

The appeal was heard.
"""


def test_formal_minutes_of_another_committee():
    meeting = parse_minutes(FORMAL_OTHER_COUNCIL)
    assert meeting.shape == doc.SHAPE_FORMAL
    assert (meeting.body, meeting.date.isoformat()) == ("Licensing Committee", "2020-02-03")
    assert [(a.name, a.title, a.role) for a in meeting.attendees] == [
        ("Jane Smith", "Cllr", "Chairman"),
        ("Ali Khan", "Cllr", ""),
        ("Bob Jones", "Mr", ""),
        ("Ray Brown", "Cllr", ""),
    ]
    assert [item.number for item in meeting.items] == ["LC 1/20", "LC 2/20", "LC 3/20"]
    assert [item.restricted for item in meeting.items] == [False, True, True]
    assert "confidential report" in meeting.items[1].restricted_reason
    assert "Confidential Items" in meeting.items[2].restricted_reason


def test_text_wording_marks_an_item_restricted():
    text = FORMAL_OTHER_COUNCIL.replace(
        "The appeal was heard.",
        "The press and public were excluded from the meeting under Schedule 12A.",
    ).replace("Confidential Items\n\n", "")
    meeting = parse_minutes(text)
    assert meeting.items[2].restricted
    assert meeting.items[2].restricted_reason


def test_letters_that_match_only_when_case_is_ignored_are_read():
    """The long s and the dotted capital I, as old typefaces and some keyboards print them,
    in a date and in attendance labels."""
    meeting = parse_minutes(
        "Safer Stockton Partnership\n"
        "Minutes of the meeting held on 5 ſeptember 2024\n"
        "Preſent: Cllr A Smith\n"
        "Apologİes: Cllr B Jones\n"
    )

    assert str(meeting.date) == "2024-09-05"
    assert [(a.name, a.attendance) for a in meeting.attendees] == [
        ("A Smith", doc.PRESENT),
        ("B Jones", doc.APOLOGIES),
    ]


def test_windows_line_endings_read_the_same():
    text = (FIXTURES / "minutes" / "ssp-2022-09-28-formal.txt").read_text(encoding="utf-8")
    unix = parse_minutes(text)
    windows = parse_minutes(text.replace("\n", "\r\n"))
    assert [i.title for i in windows.items] == [i.title for i in unix.items]
    assert windows.items[4].minutes_text == unix.items[4].minutes_text


def test_stray_number_on_its_own_line_is_not_an_item():
    text = (FIXTURES / "minutes" / "ssp-2011-07-05-numbered.txt").read_text(encoding="utf-8")
    figure = "AGREED that the report be noted.\n\n9"
    text = text.replace(figure, "2\n\n" + figure, 1)
    meeting = parse_minutes(text)
    assert len(meeting.items) == 19


def test_unknown_layout_is_read_as_well_as_it_can_be_with_a_warning():
    text = (
        "Some Board\n\nWelcome\n\nThe chair welcomed everyone.\n\n"
        "Budget\n\nThe budget was agreed.\n"
    )
    meeting = parse_minutes(text)
    assert meeting.shape == doc.SHAPE_UNKNOWN
    assert any("not recognised" in warning for warning in meeting.warnings)
    assert meeting.body == "Some Board"
    assert [item.title for item in meeting.items] == ["Welcome", "Budget"]
    assert meeting.items[1].resolutions[0].text == "The budget was agreed."


@pytest.mark.parametrize("text", ["", "   \n\n ", "|||", "Minutes:", "No. Item\n\n\n\n"])
def test_degenerate_text_gives_no_items_and_no_crash(text):
    meeting = parse_minutes(text)
    assert meeting.items == []
    assert "No agenda items were found." in meeting.warnings


def test_random_text_never_crashes_the_parser():
    rng = random.Random(20261121)
    pieces = ["Minutes:", "|", "\n", "\n\n\n", "SSP 1/22", "4a", "AGREED that: -", "1. ",
              "**", "Present: ", "(", ")", "Cllr ", "Part 2", "held on 3rd May 2020"]  # fmt: skip
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 80)))
        parse_minutes(text)
