"""Rules of the reader that the one-pattern fixtures do not show on their own: what it does
when it is unsure whether business was confidential, where an egenda record's narrative goes,
and what it notes about how it read a document."""

import pytest

from ingest.parsers import document as doc
from ingest.parsers import parse_minutes

NUMBERED = """Harbourside Community Safety Partnership

Minutes of the meeting held on Tuesday 8 October 2019 at 2.00 pm at Harbour House

Present: Cllr Ann Abbot (Chair), Cllr Ben Bright, Cllr Cara Cole

1. Apologies for Absence
There were no apologies.

2. Night-time Economy Update
{second}

3. Knife Crime Awareness Week
Partners agreed to run a joint stall in the market square.

4. Date of Next Meeting
Tuesday 14 January 2020 at 2.00 pm.
"""


def read(second):
    return parse_minutes(NUMBERED.format(second=second))


def test_exempt_information_without_saying_which_items_restricts_from_there_on_for_review():
    meeting = read(
        "The Licensing Manager's appendix contained exempt information about two premises.\n"
        "Members noted the update."
    )

    assert [item.restricted for item in meeting.items] == [False, True, True, True]
    assert meeting.items[1].restricted_reason.startswith(doc.RESTRICTED_IN_DOUBT_WARNING)
    warning = next(w for w in meeting.warnings if w.startswith(doc.RESTRICTED_IN_DOUBT_WARNING))
    assert "exempt information" in warning and "item 2" in warning


def test_the_exclusion_motion_is_public_and_its_reason_cites_the_paragraph():
    meeting = read(
        "RESOLVED that under Section 100A(4) of the Local Government Act 1972 the press and "
        "public be excluded from the meeting for the following items on the grounds that they "
        "involve the likely disclosure of exempt information as defined in paragraphs 1 and 2 "
        "of Part 1 of Schedule 12A of the Act."
    )

    assert [item.restricted for item in meeting.items] == [False, False, True, True]
    assert meeting.items[2].restricted_reason == (
        "Taken after the public were excluded (Schedule 12A, paragraphs 1 and 2)."
    )
    assert not any(w.startswith(doc.RESTRICTED_IN_DOUBT_WARNING) for w in meeting.warnings)


def test_readmitting_the_public_at_the_start_of_an_item_makes_it_public_again():
    text = (
        NUMBERED.format(
            second="RESOLVED that the public be excluded from the meeting for the next item."
        )
        .replace(
            "Partners agreed to run a joint stall",
            "The public were excluded.\n\nPartners agreed to run a joint stall",
        )
        .replace(
            "Tuesday 14 January 2020 at 2.00 pm.",
            "The press and public were readmitted.\n\nTuesday 14 January 2020 at 2.00 pm.",
        )
    )

    meeting = parse_minutes(text)

    assert [item.restricted for item in meeting.items] == [False, False, True, False]


EGENDA = """Safer Harbourside Partnership Minutes

Date:
Tuesday, 12th March, 2013
Time:
9.30 a.m.
Place:
Room 2, Harbour House

Attendance Details

Present:
Ann Abbot (Chair), Ben Bright (Police), Cara Cole (Housing)
Officers:
Dan Dunn
Apologies for absence:
None
Item Description Decision
Public
SHP
101/12
DECLARATIONS OF INTEREST

SHP
102/12
EXCLUSION OF THE PUBLIC

Confidential
SHP
103/12
TENANCY ENFORCEMENT CASE
RESOLVED that the case be referred to the enforcement panel.

Preamble

ItemPreamble
SHP
101/12
There were no declarations of interest.
SHP
103/12
Members heard about the household at Quayside Walk and the warnings already given.
"""


def test_an_egenda_records_narrative_goes_to_its_own_item_and_stays_restricted():
    meeting = parse_minutes(EGENDA)

    assert meeting.shape == doc.SHAPE_EGENDA
    assert [(i.number, i.restricted) for i in meeting.items] == [
        ("SHP 101/12", False),
        ("SHP 102/12", False),
        ("SHP 103/12", True),
    ]
    assert "Quayside Walk" in meeting.items[2].minutes_text
    public = " ".join(i.minutes_text + i.agenda_text + i.title for i in meeting.items[:2])
    assert "Quayside" not in public and "Quayside" not in meeting.header_text
    assert meeting.items[0].minutes_text == "There were no declarations of interest."


def test_the_reading_note_says_what_was_found_and_inferred():
    meeting = parse_minutes(EGENDA)

    assert meeting.notes[0] == "Layout: egenda decision record."
    assert "Date read after the “Date:” label." in meeting.notes
    numbered = read("Members noted the update.")
    assert numbered.notes[:2] == [
        "Layout: numbered minutes.",
        "Items found by their numbering, “1” to “4”.",
    ]


def test_names_in_a_one_a_line_list_never_become_items():
    text = NUMBERED.format(second="Members noted the update.").replace(
        "Present: Cllr Ann Abbot (Chair), Cllr Ben Bright, Cllr Cara Cole",
        "Present:\nCllr Ann Abbot (Chair)\nCllr Ben Bright\n\nCllr Cara Cole\nDan Dunn",
    )

    meeting = parse_minutes(text)

    assert [item.number for item in meeting.items] == ["1", "2", "3", "4"]
    assert [a.name for a in meeting.attendees if a.attendance == doc.PRESENT] == [
        "Ann Abbot",
        "Ben Bright",
        "Cara Cole",
        "Dan Dunn",
    ]


def test_an_exclusion_recorded_at_the_start_of_an_item_restricts_that_item():
    meeting = read(
        "RESOLVED that the public be excluded for the following item under paragraph 7 of "
        "Part 1 of Schedule 12A.\n\n"
        "Members heard the licence holder's account of the incident at the Anchor."
    )

    assert [item.restricted for item in meeting.items] == [False, True, True, True]
    assert "Schedule 12A, paragraph 7" in meeting.items[1].restricted_reason


@pytest.mark.parametrize(
    ("minutes", "decision"),
    [
        ("RESOLVED that the report be noted.", "RESOLVED that the report be noted."),
        ("RESOLVED:\n\nThat the minutes be approved.", "RESOLVED: That the minutes be approved."),
        ("RESOLVED –\nThat the order be renewed.", "RESOLVED – That the order be renewed."),
        (
            "UNANIMOUSLY RESOLVED that Cllr Abbot be Chair.",
            "UNANIMOUSLY RESOLVED that Cllr Abbot be Chair.",
        ),
        (
            "The Committee resolved:-\nto note the report.",
            "The Committee resolved:- to note the report.",
        ),
        (
            "The minutes of the meeting held on 3 May were agreed as a true record.",
            "The minutes of the meeting held on 3 May were agreed as a true record.",
        ),
    ],
)
def test_a_decision_in_its_common_forms_is_read_whole(minutes, decision):
    meeting = read(minutes)

    assert [r.text for r in meeting.items[1].resolutions] == [decision]


def test_readmitted_said_of_anyone_but_the_public_does_not_end_the_private_business():
    text = NUMBERED.format(
        second="RESOLVED that the public be excluded from the meeting for the following items."
    ).replace(
        "Partners agreed to run a joint stall in the market square.",
        "The young person had been readmitted to hospital twice.\n\nPartners agreed a plan.",
    )

    meeting = parse_minutes(text)

    assert [item.restricted for item in meeting.items] == [False, False, True, True]


def restricted(text):
    return [item.restricted for item in parse_minutes(text).items]


EXCLUDED = "RESOLVED that the public be excluded from the meeting for the following items."


def test_an_item_whose_own_business_follows_the_motion_is_restricted():
    text = (
        NUMBERED.format(second=EXCLUDED)
        .replace(
            "2. Night-time Economy Update",
            "2. Exclusion of the Press and Public",
        )
        .replace(
            EXCLUDED,
            EXCLUDED + " The Committee then considered the conduct of an officer and agreed "
            "that the disciplinary panel hear the case next month.",
        )
    )

    assert restricted(text) == [False, True, True, True]


def test_a_motion_printed_only_as_a_title_restricts_what_follows():
    text = NUMBERED.format(second="").replace(
        "2. Night-time Economy Update\n\n", "2. Exclusion of the Press and Public\n\n"
    )

    assert restricted(text) == [False, False, True, True]


@pytest.mark.parametrize(
    "said",
    [
        "The press and public were asked to leave the meeting for the following items.",
        "The public gallery was cleared for the following items.",
        "The Committee met in camera for the following items.",
    ],
)
def test_other_wordings_of_an_exclusion_are_read(said):
    assert restricted(NUMBERED.format(second=said)) == [False, False, True, True]


@pytest.mark.parametrize(
    "line",
    [
        "A member of the public who returned to the premises was spoken to.",
        "Part 1 of the report set out the posts at risk.",
        "Public",
    ],
)
def test_words_inside_private_business_do_not_end_it(line):
    text = NUMBERED.format(second=EXCLUDED).replace(
        "Partners agreed to run a joint stall in the market square.",
        f"Partners discussed the case.\n{line}" if line != "Public" else "Partners discussed it.",
    )

    assert restricted(text) == [False, False, True, True]


def test_a_sentence_starting_like_a_heading_is_not_one_and_gives_no_reason():
    text = NUMBERED.format(second=EXCLUDED).replace(
        "Partners agreed to run a joint stall in the market square.",
        "Confidential information from the family's doctor showed a pattern of harm.",
    )

    items = parse_minutes(text).items
    assert [item.restricted for item in items] == [False, False, True, True]
    assert all("doctor" not in item.restricted_reason for item in items)


def test_names_in_a_restricted_item_are_not_the_meetings_attendance():
    text = (
        NUMBERED.format(second=EXCLUDED)
        .replace(
            "1. Apologies for Absence\nThere were no apologies.",
            "1. Apologies for Absence\nThere were no apologies.",
        )
        .replace(
            "3. Knife Crime Awareness Week\n"
            "Partners agreed to run a joint stall in the market square.",
            "3. Presentation on a covert operation\nIn attendance: DS Paul Grey, Jane Roe",
        )
    )

    names = [attendee.name for attendee in parse_minutes(text).attendees]
    assert "Paul Grey" not in names and "Jane Roe" not in names


def test_an_agendas_exclusion_with_none_in_the_minutes_restricts_every_item_for_review():
    text = (
        "AGENDA\n\n1. Apologies\n\nThe public are likely to be excluded for item 2, which "
        "involves exempt information.\n\n2. Licence review\n\nMINUTES\n\n"
        + NUMBERED.format(second="Members heard the licence holder.")
    )

    meeting = parse_minutes(text)

    assert all(item.restricted for item in meeting.items)
    assert any(w.startswith(doc.RESTRICTED_IN_DOUBT_WARNING) for w in meeting.warnings)


def test_a_private_rented_home_is_not_private_business():
    meeting = read("Anti-social behaviour in private rented housing had risen.")

    assert not any(item.restricted for item in meeting.items)


def test_a_confidential_heading_repeated_on_each_page_is_not_page_furniture():
    page_break = "\nPage {n} of 3\nCONFIDENTIAL - NOT FOR PUBLICATION\n"
    text = (
        NUMBERED.format(second="Members noted the update.")
        .replace(
            "3. Knife Crime Awareness Week",
            page_break.format(n=1) + "\n3. Knife Crime Awareness Week",
        )
        .replace("4. Date of Next Meeting", page_break.format(n=2) + "\n4. Date of Next Meeting")
    )
    text += page_break.format(n=3)

    assert restricted(text) == [False, False, True, True]


def test_an_egenda_narrative_for_an_item_not_in_the_table_restricts_where_it_is_kept():
    text = EGENDA.replace("SHP\n103/12\nMembers heard", "SHP\n103/2\nMembers heard")

    meeting = parse_minutes(text)

    holder = next(item for item in meeting.items if "Quayside" in item.minutes_text)
    assert holder.restricted
    assert holder.restricted_reason.startswith(doc.RESTRICTED_IN_DOUBT_WARNING)
