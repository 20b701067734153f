from .document import SHAPE_UNKNOWN, ParsedMeeting


def parse_minutes(text: str) -> ParsedMeeting:  # placeholder until the real parser lands
    return ParsedMeeting(shape=SHAPE_UNKNOWN, warnings=["parser not written yet"])
