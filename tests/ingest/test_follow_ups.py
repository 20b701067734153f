"""Follow-ups: what the minutes say will come back to a later meeting, who brings it and when.

Each row of the tables shows one phrasing; the samples show them in whole minutes.
"""

import datetime as dt
from pathlib import Path

import pytest

from ingest.parsers import followups, parse_minutes
from ingest.parsers.followups import (
    ACTION,
    DATE,
    DEFERRED,
    FUTURE_MEETING,
    MONTH,
    NEXT_MEETING,
    NOT_SAID,
    PROMISE,
    read_follow_ups,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TITLE = "Youth Diversion Scheme"
MEETING = dt.date(2024, 1, 10)


def read(text, decided=False, title=TITLE, meeting_date=MEETING):
    decisions = [text] if decided else []
    return [
        (f.kind, f.what, f.who, f.due, f.due_date)
        for f in read_follow_ups(title, text, decisions, meeting_date)
    ]


# (minutes text, whether it is the item's decision, what is read)
PHRASINGS = [
    # Deferred business: what is deferred is the item, unless the sentence names it.
    (
        "This item was deferred to the next meeting.",
        False,
        (DEFERRED, TITLE, "", NEXT_MEETING, None),
    ),
    (
        "The item was deferred until the March meeting as the author was on leave.",
        False,
        (DEFERRED, TITLE, "", MONTH, dt.date(2024, 3, 1)),
    ),
    ("Item withdrawn and deferred.", False, (DEFERRED, TITLE, "", NOT_SAID, None)),
    (
        "This item was carried forward to the next meeting.",
        False,
        (DEFERRED, TITLE, "", NEXT_MEETING, None),
    ),
    (
        "Members agreed to defer this report to a later meeting.",
        False,
        (DEFERRED, TITLE, "", FUTURE_MEETING, None),
    ),
    (
        "Members agreed that the Hate Crime report be deferred to another meeting.",
        False,
        (DEFERRED, "the Hate Crime report", "", FUTURE_MEETING, None),
    ),
    (
        "RESOLVED that the item be deferred to the next meeting on 6 March 2024.",
        True,
        (DEFERRED, TITLE, "", DATE, dt.date(2024, 3, 6)),
    ),
    (
        "This item was deferred to the next meeting in March.",
        False,
        (DEFERRED, TITLE, "", MONTH, dt.date(2024, 3, 1)),
    ),
    (
        "The item was deferred to the next meeting (6 March).",
        False,
        (DEFERRED, TITLE, "", DATE, dt.date(2024, 3, 6)),
    ),
    # Agreed actions in a decision.
    (
        "AGREED that the update be noted and that members be provided with some brief "
        "statistics as requested.",
        True,
        (ACTION, "some brief statistics", "", NOT_SAID, None),
    ),
    (
        "RESOLVED that a further report be submitted to the next meeting.",
        True,
        (ACTION, "a further report", "", NEXT_MEETING, None),
    ),
    (
        "AGREED that the Police provide an update in six months.",
        True,
        (ACTION, "an update", "Police", MONTH, dt.date(2024, 7, 1)),
    ),
    (
        "The hotspot mapping be brought to the next Community Safety Partnership meeting.",
        True,
        (ACTION, "the hotspot mapping", "", NEXT_MEETING, None),
    ),
    (
        "Agreed that the survey results be reported to the next meeting of the Board.",
        False,
        (ACTION, "the survey results", "", NEXT_MEETING, None),
    ),
    (
        "RESOLVED that the report be noted and the action plan be presented by Cleveland "
        "Police to a future meeting.",
        True,
        (ACTION, "the action plan", "Cleveland Police", FUTURE_MEETING, None),
    ),
    (
        "RESOLVED that the new funding bids be added to the forward plan.",
        True,
        (ACTION, "the new funding bids", "", FUTURE_MEETING, None),
    ),
    (
        "The Board agreed to receive a fuller analysis at its October meeting.",
        True,
        (ACTION, "a fuller analysis", "", MONTH, dt.date(2024, 10, 1)),
    ),
    # Promises in the minutes text.
    (
        "It was noted that a Youth Justice Report on Diversion would be coming to the "
        "November meeting.",
        False,
        (PROMISE, "a Youth Justice Report on Diversion", "", MONTH, dt.date(2024, 11, 1)),
    ),
    (
        "Officers would bring back further details in the future.",
        False,
        (PROMISE, "further details", "Officers", FUTURE_MEETING, None),
    ),
    (
        "Officers agreed to report back to a future meeting.",
        False,
        (PROMISE, "a report", "Officers", FUTURE_MEETING, None),
    ),
    (
        "An update would be given at the next meeting.",
        False,
        (PROMISE, "an update", "", NEXT_MEETING, None),
    ),
    (
        "It was agreed that Steve Hume would circulate the revised terms of reference to members.",
        False,
        (PROMISE, "the revised terms of reference", "Steve Hume", NOT_SAID, None),
    ),
    (
        "The refreshed strategy would be brought back to the Partnership.",
        False,
        (PROMISE, "the refreshed strategy", "", NOT_SAID, None),
    ),
    (
        "Members asked for an update at the next meeting.",
        False,
        (PROMISE, "an update", "", NEXT_MEETING, None),
    ),
    (
        "The Fire Brigade representatives also offered to provide a short presentation to a "
        "future meeting.",
        False,
        (PROMISE, "a short presentation", "Fire Brigade representatives", FUTURE_MEETING, None),
    ),
    (
        "Jo Bell would take the comments back to the next meeting.",
        False,
        (PROMISE, "the comments", "Jo Bell", NEXT_MEETING, None),
    ),
    (
        "Officers would update members on the pilot at the next meeting.",
        False,
        (PROMISE, "an update on the pilot", "Officers", NEXT_MEETING, None),
    ),
    (
        "The evaluation would come back to the Partnership in June.",
        False,
        (PROMISE, "the evaluation", "", MONTH, dt.date(2024, 6, 1)),
    ),
    (
        "The Licensing Team explained the new policy and would send a link out to members.",
        False,
        (PROMISE, "a link", "Licensing Team", NOT_SAID, None),
    ),
    (
        "Members requested that an update on drug litter be added to the forward plan.",
        False,
        (PROMISE, "an update on drug litter", "", FUTURE_MEETING, None),
    ),
    (
        "Officers would bring the figures to the next meeting, after the survey on 3 June.",
        False,
        (PROMISE, "the figures", "Officers", NEXT_MEETING, None),
    ),
    (
        "The report would be circulated to members by 31 January.",
        False,
        (PROMISE, TITLE, "", DATE, dt.date(2024, 1, 31)),
    ),
    (
        "Action: JS to circulate the slides.",
        False,
        (PROMISE, "the slides", "JS", NOT_SAID, None),
    ),
    (
        "Officers undertook to provide members with a briefing note.",
        False,
        (PROMISE, "a briefing note", "Officers", NOT_SAID, None),
    ),
    (
        "The Police agreed to feed back to the group.",
        False,
        (PROMISE, "feedback", "Police", NOT_SAID, None),
    ),
    (
        "Cllr Smith would report back on the consultation at the next meeting.",
        False,
        (PROMISE, "a report on the consultation", "Cllr Smith", NEXT_MEETING, None),
    ),
    (
        "A progress report would be submitted in six months.",
        False,
        (PROMISE, "a progress report", "", MONTH, dt.date(2024, 7, 1)),
    ),
    (
        "Update to be given at next meeting.",
        False,
        (PROMISE, TITLE, "", NEXT_MEETING, None),
    ),
    (
        "Members would be updated at the next meeting.",
        False,
        (PROMISE, "an update", "", NEXT_MEETING, None),
    ),
    (
        "An item on hate crime would be included on the agenda of the next meeting.",
        False,
        (PROMISE, "an item on hate crime", "", NEXT_MEETING, None),
    ),
    (
        "The Police and Crime Commissioner would be attending the next meeting.",
        False,
        (PROMISE, "the Police and Crime Commissioner", "", NEXT_MEETING, None),
    ),
    (
        "Officers would bring a report back if the figures changed.",
        False,
        (PROMISE, "a report", "Officers", NOT_SAID, None),
    ),
    (
        "The matter would be revisited in twelve months.",
        False,
        (PROMISE, TITLE, "", MONTH, dt.date(2025, 1, 1)),
    ),
    (
        "It was agreed that this would be discussed further at the next meeting.",
        False,
        (PROMISE, TITLE, "", NEXT_MEETING, None),
    ),
    (
        "Details of the campaign would be circulated.",
        False,
        (PROMISE, "details of the campaign", "", NOT_SAID, None),
    ),
    (
        "ACTION: Officers to circulate the presentation slides to partners.",
        False,
        (PROMISE, "the presentation slides", "Officers", NOT_SAID, None),
    ),
]


@pytest.mark.parametrize(
    ("text", "decided", "expected"), PHRASINGS, ids=[row[0][:48] for row in PHRASINGS]
)
def test_each_phrasing_gives_its_follow_up(text, decided, expected):
    assert read(text, decided) == [expected]


NOT_FOLLOW_UPS = [
    "The next meeting will be held on 5 June 2024.",
    "Date of next meeting: Tuesday 16 January at 9.30 a.m.",
    "Please note: all Minutes are subject to approval at the next Meeting",
    "Members noted the report.",
    "The report was presented by Officers.",
    "The report had been deferred from the last meeting.",
    "The item deferred at the previous meeting was then considered.",
    "Deferred payments to the scheme were discussed.",
    "There were no further updates to bring to members attention.",
    "Officers were unable to give the update to members due to illness.",
    "A report would be published on the lessons learned.",
    "Officers would continue to work with partners.",
    "The approach would be rolled out to other wards in the future.",
    "It was reported that the report had been submitted to the Home Office.",
    "Victims would be provided with support.",
    "The Chair would send a letter to the candidates.",
    "Partners agreed to link in with the Fire Brigade following the meeting.",
    "Members would be given the opportunity to comment.",
    "Members agreed that more work had to be done before the next meeting.",
    "It was requested that the Reports Back item be moved earlier in the agenda for future "
    "meetings.",
    "It is proposed that members will be provided with a copy of the targets each quarter.",
    "It was noted that the strategy would be considered by Cabinet in March.",
    "Training would be provided to staff in March.",
    "Officers would provide support in the future.",
    "The results of the consultation will be reported to Cabinet on 14 March 2024.",
    "Staff will draft a report and circulate it to members.",
    "The next meeting would be scheduled for June.",
    "A meeting would be arranged with the Police in March.",
    "Information would be shared with schools.",
    "The minutes of the last meeting had been circulated.",
    "Remembrance events would be held in November.",
    "Late items of urgent business will be considered under the agenda item where they appear.",
    "The team had built a reporting structure which will provide the partnership with a "
    "progress update for each theme.",
    "The meeting was postponed due to the election.",
    "The launch of the scheme was deferred until the summer.",
    "The underspend would be carried forward to next year.",
]
NOT_FOLLOW_UP_DECISIONS = [
    "AGREED that the report be noted.",
    "AGREED that a letter be sent by the Chairman on behalf of the Partnership.",
    "AGREED that any ideas for funding be forwarded to Jo Bell.",
    "RESOLVED that the minutes of the meeting held on 4 December 2023 be approved.",
    "RESOLVED that the additional items be added to the action plan.",
    "AGREED that the review be submitted to the Home Office quality assurance panel.",
]


@pytest.mark.parametrize("text", NOT_FOLLOW_UPS)
def test_what_promises_nothing_gives_no_follow_up(text):
    assert read(text) == []


@pytest.mark.parametrize("text", NOT_FOLLOW_UP_DECISIONS)
def test_a_decision_that_brings_nothing_back_gives_no_follow_up(text):
    assert read(text, decided=True) == []


def test_a_month_already_past_this_year_is_next_years():
    assert read(
        "This item was deferred until the March meeting.", meeting_date=dt.date(2024, 9, 4)
    )[0][3:] == (MONTH, dt.date(2025, 3, 1))


def test_a_month_without_the_meetings_date_has_no_date():
    [follow_up] = read("This item was deferred until the March meeting.", meeting_date=None)
    assert follow_up[3:] == (MONTH, None)


@pytest.mark.parametrize(
    ("text", "decided", "expected"), PHRASINGS, ids=[row[0][:48] for row in PHRASINGS]
)
def test_each_phrasing_reads_the_same_in_an_undated_meeting(text, decided, expected):
    # "deferred to the next meeting (6 March)" has no year to place its date in.
    [follow_up] = read(text, decided, meeting_date=None)
    assert follow_up[:3] == expected[:3]


def test_the_decision_repeating_the_minutes_gives_one_follow_up():
    text = (
        "Members asked that the knife arch figures be brought to the next meeting.\n\n"
        "AGREED that:\n\n1. The report be noted.\n2. The knife arch figures be brought to the "
        "next meeting."
    )
    decisions = ["The report be noted.", "The knife arch figures be brought to the next meeting."]
    follow_ups = read_follow_ups(TITLE, text, decisions, MEETING)
    assert [(f.kind, f.what, f.due) for f in follow_ups] == [
        (ACTION, "the knife arch figures", NEXT_MEETING)
    ]
    assert follow_ups[0].phrase == "The knife arch figures be brought to the next meeting."


def test_a_deferral_said_twice_is_one_follow_up():
    text = "This item was deferred to another meeting.\n\nMembers Agreed to defer the report."
    follow_ups = read_follow_ups(TITLE, text, ["Members Agreed to defer the report."], MEETING)
    assert [(f.kind, f.due) for f in follow_ups] == [(DEFERRED, FUTURE_MEETING)]
    assert follow_ups[0].phrase == "This item was deferred to another meeting."


def test_follow_ups_come_in_the_order_the_minutes_state_them():
    text = (
        "Officers would bring back the audit in the future. "
        "A briefing on CCTV would be circulated to members."
    )
    assert [what for _, what, *_ in read(text)] == ["the audit", "a briefing on CCTV"]


def test_a_name_with_a_letter_that_folds_to_two_is_read():
    assert read("Ms Weiß would bring a report on the Straßenfest to the next meeting.") == [
        (PROMISE, "a report on the Straßenfest", "Ms Weiß", NEXT_MEETING, None)
    ]


def _written_otherwise(text):
    """The text as printed, in capitals, and with letters that match ASCII ones only when case
    is ignored: the long s, the Kelvin sign, the dotted and the dotless capital I."""
    yield text
    yield text.upper()
    yield text.replace("s", "ſ")
    yield text.replace("k", "\u212a")
    yield text.replace("i", "İ")
    yield text.replace("i", "ı")
    yield text.replace("ed ", "ed\u0345 ")  # a combining mark that folds to a letter


@pytest.mark.parametrize(
    "text",
    [row[0] for row in PHRASINGS] + NOT_FOLLOW_UPS + NOT_FOLLOW_UP_DECISIONS,
)
def test_no_sentence_a_rule_reads_is_passed_over(text):
    """Only sentences holding a rule's words are read, and those words are looked for in a
    quicker form than the rules': whatever a rule matches, that form finds too."""
    for written in _written_otherwise(text):
        if any(rule.search(written) for rule in followups._RULES):
            assert followups._may_come_back(written), written


MINUTES = """Harbourside Community Safety Partnership

Minutes of the meeting held on Tuesday 8 October 2019 at 2.00 pm at Harbour House

Present: Cllr Ann Abbot (Chair), Cllr Ben Bright

1. Night-time Economy Update
Officers would bring back the taxi marshal figures to the December meeting.
AGREED that the update be noted.

2. Restricted - Organised Crime Group Briefing
Members were given a restricted briefing.
AGREED that the Police provide a further briefing at the next meeting.

3. Date of Next Meeting
The next meeting will be held on Tuesday 14 January 2020 at 2.00 pm.
"""


def test_the_reader_fills_each_items_follow_ups_restricted_ones_too():
    meeting = parse_minutes(MINUTES)
    found = [
        (item.restricted, [(f.kind, f.what, f.who, f.due, f.due_date) for f in item.follow_ups])
        for item in meeting.items
    ]
    assert found == [
        (
            False,
            [
                (
                    PROMISE,
                    "the taxi marshal figures",
                    "Officers",
                    MONTH,
                    dt.date(2019, 12, 1),
                )
            ],
        ),
        (True, [(ACTION, "a further briefing", "Police", NEXT_MEETING, None)]),
        (False, []),
    ]


# What a reader of each sample finds will come back: (item number or title, kind, what, who,
# due, due date).
SAMPLES = {
    "ssp-2011-07-05-numbered": [
        ("4", ACTION, "some brief statistics", "", NOT_SAID, None),
        ("5", PROMISE, "a report", "Cllr Beall", NOT_SAID, None),
        (
            "7",
            PROMISE,
            "further information with regards to Theory of Change",
            "",
            FUTURE_MEETING,
            None,
        ),
        ("12", PROMISE, "comments", "Steven Hume", NEXT_MEETING, None),
        ("13", DEFERRED, "Impact of Social Norms Work", "", NEXT_MEETING, None),
    ],
    "ssp-2022-09-28-formal": [
        (
            "SSP 14/22",
            PROMISE,
            "a Trading Standards Report on Fraud",
            "",
            MONTH,
            dt.date(2022, 11, 1),
        ),
        ("SSP 16/22", ACTION, "the Police and Crime Commissioner", "", NEXT_MEETING, None),
        ("SSP 18/22", PROMISE, "a link", "Licensing Officers", NOT_SAID, None),
        ("SSP 18/22", ACTION, "the COPA data report", "", NEXT_MEETING, None),
    ],
    "ssp-2024-10-02-moderngov-unnumbered": [
        ("Post Disorder Report", DEFERRED, "Post Disorder Report", "", FUTURE_MEETING, None),
    ],
    "ssp-2025-01-22-moderngov": [
        (
            "SSP/53/24",
            DEFERRED,
            "Community Tension Monitoring",
            "",
            FUTURE_MEETING,
            None,
        ),
        ("SSP/55/24", PROMISE, "further updates", "Officers", NOT_SAID, None),
        ("SSP/57/24", PROMISE, "an update on Substance abuse", "", FUTURE_MEETING, None),
        ("SSP/59/24", PROMISE, "the draft document", "", NOT_SAID, None),
    ],
    "ssp-undated-pipe-table": [
        ("Police Update", PROMISE, "further details", "Officers", FUTURE_MEETING, None),
        ("Prevent Strategy Update", DEFERRED, "Prevent Strategy Update", "", NEXT_MEETING, None),
    ],
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_each_sample_gives_the_follow_ups_a_reader_finds(name):
    meeting = parse_minutes((FIXTURES / "minutes" / f"{name}.txt").read_text(encoding="utf-8"))
    found = [
        (item.number or item.title, f.kind, f.what, f.who, f.due, f.due_date)
        for item in meeting.items
        for f in item.follow_ups
    ]
    assert found == SAMPLES[name]


def test_every_sample_is_listed():
    assert sorted(SAMPLES) == sorted(path.stem for path in (FIXTURES / "minutes").glob("*.txt"))


DOCUMENTS = sorted((FIXTURES / "minutes").glob("*.txt")) + sorted(
    (FIXTURES / "layouts").glob("*.txt")
)


@pytest.mark.parametrize("path", DOCUMENTS, ids=[path.stem for path in DOCUMENTS])
def test_each_follow_up_is_read_from_a_sentence_of_its_item(path):
    meeting = parse_minutes(path.read_text(encoding="utf-8"))
    for item in meeting.items:
        printed = " ".join(item.minutes_text.split())
        decisions = [" ".join(resolution.text.split()) for resolution in item.resolutions]
        for follow_up in item.follow_ups:
            phrase = " ".join(follow_up.phrase.split())
            assert phrase in printed or phrase in decisions, (item.title, phrase)
            assert follow_up.what
            if follow_up.due in (MONTH, DATE) and meeting.date:
                assert follow_up.due_date > meeting.date
            if follow_up.due not in (MONTH, DATE):
                assert follow_up.due_date is None
