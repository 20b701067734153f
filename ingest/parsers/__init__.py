"""Turn the text of a set of minutes into plain data (see ``document``)."""

from .document import ParsedAttendee, ParsedItem, ParsedMeeting, ParsedResolution
from .minutes import parse_minutes

__all__ = ["ParsedAttendee", "ParsedItem", "ParsedMeeting", "ParsedResolution", "parse_minutes"]
