"""Small text helpers shared by the layout parsers: dates, times, paragraphs, sentences."""

import re
from datetime import date, time

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip

_MONTH = (
    r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_WEEKDAY = r"(?:(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?,?\s+)"
# "5th July, 2011", "Wednesday 2nd October, 2024", "16 August" (year optional), "17/07/2024".
DATE_WORDS = re.compile(
    rf"\b{_WEEKDAY}?(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b\.?,?"
    r"(?:\s+(?P<year>(?:19|20)\d{2})\b)?",
    re.IGNORECASE,
)
DATE_NUMERIC = re.compile(r"\b(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>(?:19|20)?\d{2})\b")
TIME_OF_DAY = re.compile(
    r"\b(?P<hour>\d{1,2})(?:[.:](?P<minute>\d{2}))?\s*(?P<half>a\.?\s?m\.?|p\.?\s?m\.?)(?!\w)",
    re.IGNORECASE,
)
TIME_24H = re.compile(r"\b(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d)\b")


class NeedingWords:
    """A case-insensitive pattern that is run only on texts that may hold a match.

    Each of ``needs`` is a set of words: every match of the pattern holds all the words of at
    least one of them, in any case. In ASCII text, whose lowering changes no letter's
    case-insensitive match, a text that does not cannot match, and a plain word is found far
    faster than a pattern starting with a word boundary. Other text is always searched.
    """

    def __init__(self, pattern: re.Pattern, *needs: tuple[str, ...]):
        self.pattern = pattern
        self.needs = needs

    def may_match(self, text: str) -> bool:
        if not text.isascii():
            return True
        lowered = text.lower()
        return any(all(word in lowered for word in need) for need in self.needs)

    def search(self, text: str) -> re.Match | None:
        return self.pattern.search(text) if self.may_match(text) else None

    def finditer(self, text: str):
        return self.pattern.finditer(text) if self.may_match(text) else iter(())


def month_number(name: str) -> int:
    """The month a name found ignoring case stands for: "Sept", "SEPTEMBER", "ſeptember"."""
    return MONTHS[name[:3].casefold()]


def _make_date(year, month, day):
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_dates(text: str, default_year: int | None = None) -> list[tuple[int, date]]:
    """Every date in the text with its offset, in order of appearance.

    A date printed without a year takes ``default_year``; it is skipped when there is none.
    """
    found = []
    for match in DATE_WORDS.finditer(text or ""):
        year = int(match["year"]) if match["year"] else default_year
        if year is None:
            continue
        value = _make_date(year, month_number(match["month"]), int(match["day"]))
        if value:
            found.append((match.start(), value))
    for match in DATE_NUMERIC.finditer(text or ""):
        year = int(match["year"])
        year = year + 2000 if year < 100 else year
        value = _make_date(year, int(match["month"]), int(match["day"]))
        if value:
            found.append((match.start(), value))
    return sorted(found, key=lambda pair: pair[0])


def first_date(text: str, default_year: int | None = None) -> date | None:
    dates = find_dates(text, default_year)
    return dates[0][1] if dates else None


def find_time(text: str) -> time | None:
    match = TIME_OF_DAY.search(text or "")
    if match:
        hour = int(match["hour"]) % 12
        if match["half"].lower().startswith("p"):
            hour += 12
        minute = int(match["minute"] or 0)
        if hour < 24 and minute < 60:
            return time(hour, minute)
    match = TIME_24H.search(text or "")
    if match:
        return time(int(match["hour"]), int(match["minute"]))
    return None


# No layout gives meaning to more than a few blank lines in a row, or to a run of spaces
# longer than a column's width: longer runs are cut to these, so that no pattern is tried
# across thousands of them (the original file is kept as it was).
MAX_SPACES = 40
MAX_BLANK_LINES = 3
_LONG_SPACES = re.compile(rf"[ \t]{{{MAX_SPACES + 1},}}")
# Lines are stripped of trailing blanks first, so a blank line is empty.
_MANY_BLANK_LINES = re.compile(rf"\n{{{MAX_BLANK_LINES + 2},}}")


def normalise(text: str) -> str:
    """Plain line endings and spaces; trailing blanks gone; long runs of spaces and blank lines
    cut short; nothing else changed."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\xa0", " ").replace("\u200b", "").replace("\f", "\n\n")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    if "\t" in text or " " * (MAX_SPACES + 1) in text:
        text = _LONG_SPACES.sub(" " * MAX_SPACES, text)
    if "\n" * (MAX_BLANK_LINES + 2) in text:
        text = _MANY_BLANK_LINES.sub("\n" * (MAX_BLANK_LINES + 1), text)
    return text


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_LOWER_START = re.compile(r"[a-z]")
_CLOSED = re.compile(r"[.:;?!)\"'”’]$")
_INITIALS = re.compile(r"(?:[A-Za-z]\.)*[A-Za-z]")


def clean_block(text: str) -> str:
    """Tidy a run of lines into paragraphs separated by one blank line.

    Paragraphs broken mid-sentence by a page break (the next one starts in lower case and the
    previous one has no closing punctuation) are joined again.
    """
    # Each paragraph as its parts, joined once at the end: joining as they come copies the
    # paragraph so far for each part, which for a long run of parts takes minutes.
    paragraphs: list[list[str]] = []
    for raw in _PARAGRAPH_BREAK.split(text.strip("\n")):
        lines = [line.strip() for line in raw.split("\n") if line.strip()]
        if not lines:
            continue
        paragraph = "\n".join(lines)
        if paragraphs and _continues(paragraphs[-1][-1], paragraph):
            paragraphs[-1].append(paragraph)
        else:
            paragraphs.append([paragraph])
    return "\n\n".join(" ".join(parts) for parts in paragraphs)


def _continues(previous: str, paragraph: str) -> bool:
    # Only the end of the previous paragraph counts: ``$`` searched for in all of it is
    # looked for at each of its characters.
    return bool(_LOWER_START.match(paragraph)) and not _CLOSED.search(previous[-2:])


_ABBREVIATIONS = {
    "cllr", "cllrs", "mr", "mrs", "ms", "dr", "st", "no", "nos", "insp", "supt", "ch", "sgt",
    "e.g", "i.e", "etc", "vs", "approx", "inc", "dept", "para", "paras", "ref",
}  # fmt: skip
_BOUNDARY = re.compile(r"(?<=[.!?])(?P<close>[\"'”’)]?)\s+(?=[\"'‘“(]?[A-Z0-9•\-])")


def split_sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences, not at "Cllr.", "e.g." or initials."""
    sentences, start = [], 0
    for match in _BOUNDARY.finditer(paragraph):
        last_word = _last_word(paragraph, start, match.start())
        if last_word.lower() in _ABBREVIATIONS or _INITIALS.fullmatch(last_word):
            continue
        sentences.append(paragraph[start : match.start() + len(match["close"])].strip())
        start = match.end()
    tail = paragraph[start:].strip()
    if tail:
        sentences.append(tail)
    return [sentence for sentence in sentences if sentence]


def _last_word(paragraph: str, start: int, end: int) -> str:
    """The last word of ``paragraph[start:end]``, its closing stops left out.

    Read backwards from ``end``: after an abbreviation the sentence runs on, and splitting all
    of it again at each full stop is slow on a long run of them.
    """
    stop = end
    while stop > start and paragraph[stop - 1] in ".!?":
        stop -= 1
    while stop > start and paragraph[stop - 1].isspace():
        stop -= 1
    begin = stop
    while begin > start and not paragraph[begin - 1].isspace():
        begin -= 1
    return paragraph[begin:stop]
