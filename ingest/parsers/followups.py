"""Follow-ups: what the minutes say will come back to a later meeting.

A deferred item ("deferred to the next meeting"), an agreed action ("AGREED that members be
provided with some brief statistics") or a promise in the minutes text ("a report would be
coming to the November meeting"). Pure parser code: text in, ``ParsedFollowUp`` out.
"""

import datetime as dt
from dataclasses import dataclass

# kind
DEFERRED = "deferred"
ACTION = "action"
PROMISE = "promise"

# due: when the minutes say it comes back
NEXT_MEETING = "next_meeting"
MONTH = "month"  # a named month: due_date is the first day of that month
FUTURE_MEETING = "future_meeting"
DATE = "date"  # a stated date: due_date
NOT_SAID = ""


@dataclass(frozen=True)
class ParsedFollowUp:
    kind: str  # DEFERRED, ACTION or PROMISE
    what: str  # what is to come back: "a Trading Standards Report on Fraud"
    who: str = ""  # who brings it, as the minutes name them: "Officers", "Police"; "" when not said
    due: str = NOT_SAID  # NEXT_MEETING, MONTH, FUTURE_MEETING, DATE or NOT_SAID
    due_date: dt.date | None = None  # for MONTH and DATE
    phrase: str = ""  # the sentence it was read from, as printed


def read_follow_ups(
    title: str, minutes_text: str, decisions: list[str], meeting_date: dt.date | None
) -> list[ParsedFollowUp]:
    """The follow-ups one item raises, in the order the minutes state them."""
    return []
