"""Plain data produced by the parsers: no ORM, no I/O.

The string values of ``status``, ``kind``, ``attendance`` and ``shape`` are the values of the
matching ``TextChoices`` in ``meetings.models``.
"""

import datetime as dt
from dataclasses import dataclass, field

# AgendaItem.status
HEARD = "heard"
DEFERRED = "deferred"
NOT_HEARD = "not_heard"
NO_MINUTES = "no_minutes"

# Resolution.kind
NOTED = "noted"
APPROVED = "approved"
AGREED_ACTION = "action"
DEFERRAL = "deferred"
OTHER = "other"

# Attendee.attendance
PRESENT = "present"
OFFICER = "officer"
IN_ATTENDANCE = "in_attendance"
APOLOGIES = "apologies"

# Warnings about what a document leaves out. The stored meeting says the same by its empty
# fields, so the import does not store these two, and a date or body filled in later clears them.
NO_DATE_WARNING = "The document states no meeting date."
NO_BODY_WARNING = "The document does not name the meeting's body."
# A layout the reader does not know: items were found by guesswork.
GUESSED_LAYOUT_WARNING = (
    "The layout of this document was not recognised; items were guessed from headings."
)
# The document excludes the public (or mentions exempt or private business) where the reader
# cannot tell which items that covers, so it restricted every item from there on. The full
# warning starts with this and says from which item and why.
RESTRICTED_IN_DOUBT_WARNING = "Restricted for review:"

# Shapes the parser recognises.
SHAPE_PIPE_TABLE = "pipe_table"
SHAPE_MODERNGOV = "moderngov"
SHAPE_MODERNGOV_UNNUMBERED = "moderngov_unnumbered"
SHAPE_FORMAL = "formal"
SHAPE_NUMBERED = "numbered"
SHAPE_EGENDA = "egenda"
SHAPE_UNKNOWN = "unknown"
SHAPE_LABELS = {
    SHAPE_PIPE_TABLE: "pipe table export",
    SHAPE_MODERNGOV: "ModernGov agenda and minutes",
    SHAPE_MODERNGOV_UNNUMBERED: "ModernGov page without item numbers",
    SHAPE_FORMAL: "formal minutes",
    SHAPE_NUMBERED: "numbered minutes",
    SHAPE_EGENDA: "egenda decision record",
    SHAPE_UNKNOWN: "not recognised; items guessed from headings",
}


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
