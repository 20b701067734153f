"""Plain data produced by the parsers: no ORM, no I/O.

The string values of ``status``, ``kind``, ``attendance`` and ``shape``, and the warning texts
the archive recognises, are defined in ``meetings.constants`` (the values of the matching
``TextChoices`` in ``meetings.models``) and given here under the same names.
"""

import datetime as dt
from dataclasses import dataclass, field

# The values and warning texts are the archive's: given here under the same names.
from meetings.constants import *  # noqa: F403
from meetings.constants import HEARD

from .followups import ParsedFollowUp


@dataclass
class ParsedAttendee:
    name: str  # the person's name without title or honours: "Norma Stephenson"
    printed: str  # the entry as printed: "Cllr Norma Stephenson O.B.E. (Vice Chair)"
    attendance: str
    title: str = ""  # "Cllr"
    honours: str = ""  # "O.B.E."
    role: str = ""  # "Chair", "Vice Chair", "Chairman"
    organisation: str = ""  # "SBC – Housing"


@dataclass
class ParsedResolution:
    text: str
    kind: str


@dataclass
class ParsedItem:
    position: int  # 1-based order in the document
    number: str  # normalised council form, "SSP/47/24"; "" when the item has none
    number_printed: str  # as printed, "SSP/4724"
    title: str  # as printed, without attachment artefacts; "" when the row has none
    agenda_text: str = ""
    minutes_text: str = ""
    restricted: bool = False
    restricted_reason: str = ""
    status: str = HEARD
    attachments: list[str] = field(default_factory=list)  # ["PDF 282 KB"]
    resolutions: list[ParsedResolution] = field(default_factory=list)
    follow_ups: list[ParsedFollowUp] = field(default_factory=list)


@dataclass
class ParsedMeeting:
    shape: str
    body: str = ""
    date: dt.date | None = None
    start_time: dt.time | None = None
    venue: str = ""
    contact: str = ""
    previous_meeting: dt.date | None = None
    next_meeting: dt.date | None = None
    header_text: str = ""  # everything before the first item, as printed
    attendees: list[ParsedAttendee] = field(default_factory=list)
    items: list[ParsedItem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # How the document was read, for the admin: the layout found and what was inferred
    # ("Layout: egenda decision record", "Date from the opening sentence").
    notes: list[str] = field(default_factory=list)
