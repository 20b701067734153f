"""What a read minutes document can say, in the values the archive stores.

The values of ``AgendaItem.status``, ``Resolution.kind``, ``Attendee.attendance`` and
``SourceDocument.shape``, and the texts of the reader's warnings that ``meetings.review``
recognises. The reader (``ingest.parsers``) gives its results in these values; this module
imports nothing, so that the archive's models need nothing of the reader.
"""

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
