"""Follow-ups: what the minutes say will come back to a later meeting.

A deferred item ("deferred to the next meeting"), an agreed action ("AGREED that members be
provided with some brief statistics") or a promise in the minutes text ("a report would be
coming to the November meeting"). Pure parser code: text in, ``ParsedFollowUp`` out.

Precision before recall: a sentence yields a follow-up only when it says that something is to be
brought, sent or deferred *and* where or when it comes back (a meeting, the members, the
forward plan), or uses a verb that means coming back on its own ("report back", "bring back").
"The next meeting will be held on 5 June", "noted the report" or "the report was presented"
say neither, and yield nothing.
"""

import datetime as dt
import re
from dataclasses import dataclass, replace

from .text import find_dates, month_number, split_sentences

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
    # Only text that may bring something back is split and read: a follow-up is read from a
    # sentence of the minutes or a decision, which holds what the whole text or decision does.
    if not _may_come_back(minutes_text) and not any(map(_may_come_back, decisions)):
        return []
    found: list[_Read] = []
    for index, (sentence, decided) in enumerate(_sentences(minutes_text, decisions)):
        for follow_up in _read_sentence(sentence, decided, title, meeting_date):
            found.append(_Read(follow_up, decided, index, _words(follow_up.what)))
        if len(found) >= _MOST_PER_ITEM:
            break  # no item promises more: the rest is a run of text, not minutes
    return _merged(found)


# --- sentences -------------------------------------------------------------------------------

# Longer "sentences" are runs of text that lost their stops: nothing is read from them.
_LONGEST_SENTENCE = 1200
_LIST_MARK = re.compile(r"^\s*(?:\d{1,2}[.)]|\([a-z0-9]{1,3}\)|[•·▪◦*–-])\s*")


def _may_come_back(text: str) -> bool:
    """Whether ``text`` holds what one of the rules below reads a follow-up from: a deferral,
    a verb of bringing, sending or reporting to come, or a report asked for at a meeting.

    Most sentences of minutes hold none, and this is asked of all of them, so it looks for
    each rule's words in a form that is quick to find: folded to lower case, and from its
    first plain word on. Whatever a rule matches, this finds too."""
    folded = text.casefold()
    if len(folded) != len(text) or "ı" in folded or "\u0345" in text:
        # Letters that fold to two ("ß"), that the rules match as "i" ("ı"), or a mark that
        # folds to a letter (U+0345): rare enough to ask the rules themselves.
        return any(rule.search(text) for rule in _RULES)
    return bool(
        "defer" in folded
        or "postpon" in folded
        or "carried" in folded
        or _PASSIVE_FOLDED.search(folded)
        or _SUBJUNCTIVE_FROM_THAT.search(text)
        or _ACTIVE_FOLDED.search(folded)
        # A report asked for names a meeting, or a later one: those words are found faster.
        or (any(word in folded for word in _ASKED_AT_WORDS) and _ASKED_FOR_FOLDED.search(folded))
    )


def _key(text: str) -> str:
    return " ".join(_LIST_MARK.sub("", text).split()).strip(" .;").lower()


_DECIDED_SENTENCE = re.compile(
    r"^(?:it\s+was\s+)?(?:unanimously\s+)?(?:agreed|resolved|recommended)\b", re.IGNORECASE
)


def _sentences(minutes_text: str, decisions: list[str]) -> list[tuple[str, bool]]:
    """The sentences of the minutes in order, each with whether it is one of the decisions;
    decisions the minutes text does not hold (rare) come last."""
    decision_keys = [key for key in (_key(decision) for decision in decisions) if key]
    used: set[str] = set()
    sentences: list[tuple[str, bool]] = []
    keys: list[str] = []  # of ``sentences``, for the decisions the text does not hold
    for line in minutes_text.split("\n"):
        line = _LIST_MARK.sub("", line).strip()
        if not line:
            continue
        for part in re.split(r"\s+[•·▪]\s+", line) if len(line) < 20_000 else [line]:
            if not _may_come_back(part):
                continue  # no sentence of it can bring anything back
            for sentence in split_sentences(part):
                if not _may_come_back(sentence):
                    continue  # it can bring nothing back, and as a decision neither
                key = _key(sentence)
                decided = False
                for decision in decision_keys:
                    # The decision as read, or a part of it the minutes print on a line of
                    # its own ("RESOLVED:" above "That …"); a sentence that holds a decision
                    # is one only when it opens as one ("It was AGREED that …"), not when it
                    # asks for what the decision then agrees.
                    if (
                        key == decision
                        or (len(key) > 12 and key in decision)
                        or (decision in key and _DECIDED_SENTENCE.match(key))
                    ):
                        decided = True
                        used.add(decision)
                sentences.append((sentence, decided))
                keys.append(key)
    for decision, key in zip(decisions, (_key(d) for d in decisions), strict=True):
        if not key or key in used or not _may_come_back(decision):
            continue
        if not any(key in held for held in keys):
            sentences.append((decision.strip(), True))
            keys.append(key)
            used.add(key)
    return sentences


# --- when ------------------------------------------------------------------------------------

_MONTH_NAME = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)"
)
_WORD = r"[\w&'’/-]+"
_NEXT = re.compile(
    # "the next meeting", or in terse notes "to next meeting"
    r"\b(?:(?:the|its|their|our)\s+(?:very\s+)?|(?<=\bat\s)|(?<=\bto\s)|(?<=\buntil\s)|(?<=\bfor\s))"
    rf"next\s+(?:{_WORD}\s+){{0,5}}?meeting\b"
    r"|\bthe\s+following\s+meeting\b|\bnext\s+time\b",
    re.IGNORECASE,
)
_FUTURE = re.compile(
    r"\b(?:a|an|some|the)\s+(?:future|later|subsequent|following|further|forthcoming)\s+"
    rf"(?:{_WORD}\s+){{0,3}}?meetings?\b|\banother\s+(?:{_WORD}\s+){{0,2}}?meeting\b"
    r"|\b(?:in|at)\s+(?:the\s+)?(?:near\s+)?future\b(?!\s+(?:years?|plans?|funding))"
    r"|\bin\s+due\s+course\b|\bforward\s+(?:work\s+)?(?:plan|programme)\b"
    r"|\bwork\s+programme\b|\bfuture\s+agenda\b",
    re.IGNORECASE,
)
# Month names are read only as printed with a capital: "may" is a verb far more often.
_NAMED_MONTH = re.compile(
    rf"\b(?:the\s+)?(?P<month>{_MONTH_NAME})(?:\s+(?P<year>(?:19|20)\d\d))?\s+"
    rf"(?:{_WORD}\s+){{0,4}}?(?i:meeting)\b"
    rf"|\b(?i:meeting)\s+(?:in|of)\s+(?P<month2>{_MONTH_NAME})\b(?:\s+(?P<year2>(?:19|20)\d\d))?"
    rf"|\b(?i:until|till|in|by)\s+(?P<month3>{_MONTH_NAME})\b(?:\s+(?P<year3>(?:19|20)\d\d))?"
    r"(?!\s+\d)"
)
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_IN_MONTHS = re.compile(
    r"\b(?:in|within)\s+(?P<n>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven"
    r"|twelve)\s+months?(?:['’]s?)?(?:\s+time)?\b"
    r"|\b(?:in|within)\s+(?:a|one)\s+year(?:['’]s)?\s+time\b",
    re.IGNORECASE,
)
_DATE_LEAD = re.compile(r"\b(?:on|by|until|till|before|of)\s+(?:\w+day,?\s+)?$", re.IGNORECASE)


def _first_month_after(month: int, year: str | None, meeting_date: dt.date | None):
    if year:
        return dt.date(int(year), month, 1)
    if meeting_date is None:
        return None
    if month > meeting_date.month:
        return dt.date(meeting_date.year, month, 1)
    return dt.date(meeting_date.year + 1, month, 1)


def _months_after(months: int, meeting_date: dt.date | None) -> dt.date | None:
    if meeting_date is None:
        return None
    index = meeting_date.month - 1 + months
    return dt.date(meeting_date.year + index // 12, index % 12 + 1, 1)


_NEXT_WHEN = re.compile(
    r"\s*,?\s*(?:\(\s*|(?:to\s+be\s+)?(?:held\s+)?(?:on|in|of)\s+|scheduled\s+for\s+)"
    rf"(?:\w+day,?\s+)?(?P<when>\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_NAME}\b[^,;)]{{0,8}}"
    rf"|{_MONTH_NAME}\b(?:\s+(?:19|20)\d\d)?)"
)


def _when_said(said: re.Match, meeting_date: dt.date | None, year: int | None):
    """The date or month said after "the next meeting"."""
    dates = find_dates(said["when"], default_year=year)
    if dates:
        found = dates[0][1]
        if meeting_date and found <= meeting_date and not re.search(r"\d{4}", said["when"]):
            found = found.replace(year=found.year + 1)
        return DATE, found
    # A month alone, or a day and month with no year to place them in (an undated meeting).
    named = re.search(rf"{_MONTH_NAME}", said["when"], re.IGNORECASE)
    if named is None:
        return NEXT_MEETING, None
    month = named.group()
    printed_year = re.search(r"(?:19|20)\d\d", said["when"])
    return MONTH, _first_month_after(
        month_number(month), printed_year.group() if printed_year else None, meeting_date
    )


def _due(text: str, meeting_date: dt.date | None) -> tuple[str, dt.date | None, int]:
    """When ``text`` (what follows the verb) says the thing comes back, with where that is said
    (its offset in ``text``; len(text) when not said)."""
    candidates: list[tuple[int, str, dt.date | None]] = []
    year = meeting_date.year if meeting_date else None
    for offset, found in find_dates(text, default_year=year):
        if meeting_date and found <= meeting_date:
            if found.year == meeting_date.year and not re.search(r"\d{4}", text[offset:][:30]):
                found = found.replace(year=found.year + 1)
            else:
                continue
        if _DATE_LEAD.search(text[max(0, offset - 20) : offset]):
            candidates.append((offset, DATE, found))
            break
    match = _NEXT.search(text)
    if match:
        # "the next meeting on 3 November", "the next meeting in March": the date or month.
        said = _NEXT_WHEN.match(text, match.end())
        when = _when_said(said, meeting_date, year) if said else (NEXT_MEETING, None)
        candidates.append((match.start(), *when))
    match = _NAMED_MONTH.search(text)
    if match:
        month = match["month"] or match["month2"] or match["month3"]
        printed_year = match["year"] or match["year2"] or match["year3"]
        due_date = _first_month_after(month_number(month), printed_year, meeting_date)
        candidates.append((match.start(), MONTH, due_date))
    match = _IN_MONTHS.search(text)
    if match:
        number = match["n"]
        months = 12 if number is None else int(_NUMBER_WORDS.get(number.lower(), number))
        candidates.append((match.start(), MONTH, _months_after(months, meeting_date)))
    match = _FUTURE.search(text)
    if match:
        candidates.append((match.start(), FUTURE_MEETING, None))
    if not candidates:
        return NOT_SAID, None, len(text)
    offset, due, due_date = min(candidates, key=lambda c: c[0])
    return due, due_date, offset


# Where a thing "comes back" to, other than a time: the members, the body, the meeting.
# A body is named with capitals ("the Safer Stockton Partnership") or alone ("the partnership");
# "the Home Office quality assurance panel" is somebody else's.
_BACK_TO_BODY = re.compile(
    r"\b(?i:to|with|before|for)\s+(?i:all\s+)?(?i:the\s+)?(?i:members|partners|councillors)\b"
    r"|\b(?i:to|before)\s+(?i:the|this)\s+(?:[A-Z][\w&'’-]*\s+){0,4}?"
    r"(?:Partnership|Committee|Board|Group|Panel|Cabinet|Forum|Sub-Committee)\b"
    r"|\b(?i:to|before)\s+(?i:the|this)\s+(?i:partnership|committee|board|group|panel|forum)\b"
    r"|\b(?i:to|before|at)\s+(?i:the|this|a|its)\s+(?:[\w&'’-]+\s+){0,4}?(?i:meeting)\b"
)


# A time alone ("in March", "in six months", "in the future") says when, not where: "training
# would be provided in March" comes back to no meeting. It is enough only for a decision of
# the body, for something that comes back by its very verb, or for a report of some kind.
_AT_A_MEETING = re.compile(
    r"\bmeeting\b|\bforward\s+(?:work\s+)?(?:plan|programme)\b|\bwork\s+programme\b"
    r"|\b(?:future|next|later|forthcoming)\s+agendas?\b|\bagenda\s+(?:of|for)\s+(?:the|a)\s+\w+",
    re.IGNORECASE,
)
_REPORTISH = re.compile(
    r"\b(?:updates?|reports?|presentations?|briefings?|details|information|figures|statistics|"
    r"data|findings|results|feedback|evaluation|review|proposals?|options|analysis|plan|"
    r"strategy|response)\b",
    re.IGNORECASE,
)
_ELSEWHERE = re.compile(
    r"\s*(?:back\s+|out\s+)?(?P<to>to\s+(?:the\s+)?[A-Z][\w&'’-]*(?:\s+(?:[A-Z][\w&'’-]*|and|of))*)"
)
# "the next meeting would be scheduled": a meeting is never what comes back.
_A_MEETING = re.compile(r"\bmeetings?\b", re.IGNORECASE)


def _comes_back(rest: str, due: str, kind: str, what: str, by_itself: bool) -> bool:
    """Whether what follows the verb says the thing comes back to the body."""
    elsewhere = _ELSEWHERE.match(rest)
    if elsewhere and not _BACK_TO_BODY.match(rest, elsewhere.start("to")):
        return False  # "reported to Cabinet", "sent to the Home Office"
    if by_itself or _back_to_body(rest) >= 0 or _AT_A_MEETING.search(rest):
        return True
    return due != NOT_SAID and (kind == ACTION or bool(_REPORTISH.search(what)))


def _back_to_body(text: str) -> int:
    """Where ``text`` says it comes back to the members or the body; -1 when it does not."""
    match = _BACK_TO_BODY.search(text)
    return match.start() if match else -1


# --- noun phrases ----------------------------------------------------------------------------

# Words at which a noun phrase read backwards from a verb stops.
_STOP_BEFORE = {
    "that", "be", "been", "was", "were", "is", "are", "had", "has", "have", "would", "will",
    "should", "shall", "could", "can", "may", "might", "must", "which", "who", "where", "when",
    "but", "however", "so", "if", "once", "as", "because", "while", "whilst", "although",
    "though", "since", "unless", "whether", "agreed", "resolved", "recommended", "requested",
    "asked", "noted", "suggested", "proposed", "decided", "said", "stated", "confirmed",
    "explained", "advised", "reported", "informed", "told", "felt", "hoped", "expected",
    "also", "then", "therefore", "this", "it", "there",
}  # fmt: skip
_KEEP_THIS = {"this"}  # a word that stops a phrase but belongs to it
# Words between a phrase and its verb: "Officers also offered to".
_ADVERBS = {"also", "then", "now", "therefore", "further", "jointly", "both"}
_PRONOUNS = {
    "it", "this", "that", "they", "them", "these", "those", "he", "she", "we", "which", "who",
    "there", "all", "any", "one",
}  # fmt: skip
_LONGEST_PHRASE = 14  # words
_TOKEN = re.compile(r"[^\s,;:()]+|[,;:()]")


def _phrase_before(prefix: str) -> str:
    """The noun phrase that ends ``prefix``: "It was noted that a Report on Fraud" gives
    "a Report on Fraud". "" when there is none, or it runs on too long to be one."""
    tokens = _TOKEN.findall(prefix[-400:])
    while tokens and tokens[-1].lower() in _ADVERBS:
        tokens.pop()
    words: list[str] = []
    for index in range(len(tokens) - 1, -1, -1):
        token = tokens[index]
        lowered = token.lower().strip("“”\"'‘’")
        if token in ",;:()" or lowered in _STOP_BEFORE:
            if lowered in _KEEP_THIS:
                words.append(token)
            break
        if lowered == "and":
            # "Police and Crime Commissioner" is one name; "the update and members" is two.
            before = tokens[index - 1] if index else ""
            after = words[-1] if words else ""
            if not (before[:1].isupper() and after[:1].isupper()):
                break
        words.append(token)
        if len(words) > _LONGEST_PHRASE:
            return ""
    return " ".join(reversed(words))


_OPENING_SUBJECT = re.compile(
    r"^(?:(?:It\s+was\s+\w+\s+that|Following\s+[^,]{1,80},)\s+)?"
    r"(?P<who>(?:[Tt]he\s+)?(?:[A-Z][\w&'’.-]*)(?:\s+(?:[A-Z][\w&'’.-]*|of|and|&|for))*)"
    r"\s+(?:[a-z]+ed|said|told|gave|were|was|would|will)\b"
)


def _opening_subject(sentence: str) -> str:
    match = _OPENING_SUBJECT.match(sentence)
    return match["who"] if match else ""


_DETERMINERS = {
    "a", "an", "the", "further", "some", "regular", "any", "more", "additional", "updated",
    "this", "these", "those", "that", "its", "their", "brief", "full", "quarterly", "annual",
    "detailed",
}  # fmt: skip
# Words that open a phrase at the start of a sentence only: "Details of the event".
_COMMON_NOUNS = {
    "details", "information", "figures", "data", "results", "copies", "feedback", "minutes",
    "comments", "statistics", "updates", "reports", "proposals", "options", "findings",
}  # fmt: skip
_GENERIC_WHAT = re.compile(
    r"(?:(?:the|this|that|its|these|those)\s+)?(?:item|report|matter|issue|paper|update|"
    r"presentation|document|proposal|application|agenda\s+item)s?|it|this|that|they|these",
    re.IGNORECASE,
)
_WHAT_TAIL = re.compile(
    r"\s*(?:,|;|:|\(|\.\s|\s(?:and|but|as|following|after|which|so|once|when|if|in\s+order|"
    r"for\s+(?:consideration|information|approval|noting|discussion)|due\s+to|because)\b).*$",
    re.IGNORECASE | re.DOTALL,
)


def _clean_what(what: str, title: str) -> str:
    what = " ".join(what.split()).strip(" .,;:-–“”\"'‘’")
    what = re.sub(r"^(?:that|also|then)\s+", "", what, flags=re.IGNORECASE)
    what = re.sub(
        r"(?:\s+(?:back|out|up|to|at|for|on|in|by|before|with|its|their|our|the|a|an|this))+$",
        "",
        what,
        flags=re.IGNORECASE,
    )
    what = re.sub(r"\s+as\s+requested$", "", what, flags=re.IGNORECASE)
    if not what or _GENERIC_WHAT.fullmatch(what):
        return _title_as_what(title)
    if what.lower() in _PRONOUNS:
        return _title_as_what(title)
    first, _, rest = what.partition(" ")
    if (first.lower() in _DETERMINERS or first.lower() in _COMMON_NOUNS) and (
        first == "A" or not first.isupper()
    ):
        what = f"{first.lower()} {rest}".strip()
    words = what.split()
    if len(words) > _LONGEST_PHRASE:
        what = " ".join(words[:_LONGEST_PHRASE])
    return what


def _title_as_what(title: str) -> str:
    title = " ".join(title.split())
    title = re.sub(r"^(?:restricted|confidential|exempt)\s*[-–:]\s*", "", title, flags=re.I)
    return title


def _clean_who(who: str) -> str:
    who = " ".join(who.split()).strip(" .,;:“”\"'‘’")
    who = re.sub(r"^(?:that|and|also)\s+", "", who, flags=re.IGNORECASE)
    who = re.sub(r"^the\s+", "", who, flags=re.IGNORECASE)
    if not who or who.lower() in _PRONOUNS or len(who.split()) > 8:
        return ""
    if _RECIPIENT.fullmatch(who):
        return ""  # the body itself, to which things come back
    for word in who.split():
        if not (word[:1].isupper() or word[:1].isdigit() or word.lower() in _WHO_WORDS):
            return ""  # "Police attend the next meeting" is a clause, not a name
    return who


# Words, other than capitalised ones, that a name of who brings something back may hold.
_WHO_WORDS = {
    "of", "and", "&", "for", "the", "officers", "officer", "police", "team", "manager", "lead",
    "representatives", "representative", "chair", "chairman", "colleagues", "partners", "staff",
}  # fmt: skip

_BY_WHOM = re.compile(
    r"^\s*by\s+(?P<who>(?:the\s+)?[A-Z][\w&'’.-]*(?:\s+(?:[A-Z][\w&'’.-]*|of|and|&|for))*)"
)


# --- the rules -------------------------------------------------------------------------------

_DEFER = re.compile(
    r"\b(?:defer(?:red|ring)?|postponed?|carried\s+(?:forward|over))\b"
    r"(?!\s+(?:payments?|pensions?|prosecutions?|sentences?|tax|income|costs?|liabilit\w+|"
    r"maintenance|charges?|from)\b)",
    re.IGNORECASE,
)
# "had been deferred from the last meeting", "previously deferred": an earlier deferral,
# usually of the business now heard.
_EARLIER_DEFERRAL = re.compile(
    r"\b(?:had\s+been|previously|originally|already)\s+(?:\w+\s+)?$|\bnot\s+(?:be\s+)?$",
    re.IGNORECASE,
)
_EARLIER_AFTER = re.compile(
    r"^\s*\w*\s*(?:from|at)\s+(?:the\s+)?(?:last|previous|earlier|\w+\s+meeting)", re.I
)

# "would be", "will be", "be", "to be", "should be": a verb to come, not one done.
# Each rule is written from its first plain word on as well, for ``_may_come_back``.
_BE_DONE = (
    r"be\s+(?:(?:also|then|now|further)\s+)?"
    r"(?P<verb>brought(?:\s+back)?|coming(?:\s+back)?|come\s+back|presented|re-?presented|"
    r"submitted|re-?submitted|reported(?:\s+back)?|provided|circulated|re-?circulated|shared|"
    r"given|sent(?:\s+out)?|made\s+available|tabled|added|invited|considered|reconsidered|"
    r"re-considered|discussed|revisited|received|updated|returned|fed\s+back|emailed|"
    r"distributed|forwarded|included|placed|listed|scheduled|programmed|attending)\b"
)
_PASSIVE = re.compile(
    r"\b(?P<modal>(?:would|will|should|shall|is\s+to|are\s+to|to|must|could)\s+(?:also\s+|now\s+|then\s+)?)?"
    + _BE_DONE,
    re.IGNORECASE,
)
_PASSIVE_FOLDED = re.compile(_BE_DONE)
# Verbs that say on their own that something comes back.
_BACK_BY_ITSELF = re.compile(
    r"\bback\b|\bfed\b|circulated|revisited|re-?considered|re-?submitted|re-?presented|returned",
    re.IGNORECASE,
)
# Considered "by Cabinet", received "by the Board": by another body, not brought back to this.
_WEIGHED = {"considered", "reconsidered", "re-considered", "discussed", "received", "revisited"}
# Verbs that put business on a later agenda: only with the meeting said.
_ON_AN_AGENDA = {"added", "included", "placed", "listed", "scheduled", "programmed"}
_RECIPIENT = re.compile(
    r"^(?:all\s+)?(?:the\s+)?(?:members?|partners|councillors|partnership|committee|board|group)"
    r"(?:\s+of\s+the\s+\w+)?$",
    re.IGNORECASE,
)
_WITH_WHAT = re.compile(r"^\s*with\s+(?P<what>.+)$", re.IGNORECASE | re.DOTALL)

_TO_DO = (
    r"\s+(?:(?:also|then|now|further|jointly|in\s+turn)\s+)?"
    r"(?P<verb>bring\s+back|report\s+back|feed\s*back|come\s+back|bring|provide|present|"
    r"circulate|send|share|give|submit|update|return|take|table|email|distribute|forward|"
    r"receive)\b"
)
_ACTIVE = re.compile(
    r"\b(?P<modal>would|will|to|and|(?:had\s+)?(?:agreed|offered|undertook|promised|"
    r"volunteered|committed)\s+to|(?:was|were)\s+(?:asked|requested|tasked)\s+to)" + _TO_DO,
    re.IGNORECASE,
)
# Every form of the modal ends in one of these.
_ACTIVE_FOLDED = re.compile(r"(?:would|will|to|and)" + _TO_DO)
# "AGREED that the Police provide an update in six months".
_THAT_DO = (
    r"that\s+(?P<who>(?:the\s+)?(?:[A-Z][\w&'’.-]*|officers)(?:\s+(?:[A-Z][\w&'’.-]*|of|and|&|"
    r"officers?))*)\s+(?:(?:also|then|now|jointly)\s+)?(?P<verb>bring\s+back|report\s+back|"
    r"feed\s*back|bring|provide|present|circulate|send|share|give|submit|update|return|table|"
    r"email|distribute|forward)\b"
)
_SUBJUNCTIVE = re.compile(r"\b" + _THAT_DO)
_SUBJUNCTIVE_FROM_THAT = re.compile(_THAT_DO)
_UNABLE = re.compile(r"\b(?:unable|not\s+able|failed|not\s+in\s+a\s+position)\s*$", re.I)

_ASKED = (
    r"(?:update|report|presentation|briefing|information|details|figures|statistics|data)"
    r"(?:\s+(?:on|about|regarding|into)\s+[^,.;]{1,60}?)?"
)
_LATER_MEETING_WORDS = ("next", "future", "later", "subsequent", "following", "forthcoming")
_ASKED_AT = (
    r"\s+(?:to\s+be\s+\w+\s+|be\s+\w+\s+)?(?:at|to|for)\s+(?=(?:the|a|an)\s+"
    rf"(?:{'|'.join(_LATER_MEETING_WORDS)}|\w+\s+meeting))"
)
# A text ``_ASKED_AT`` matches holds one of these words.
_ASKED_AT_WORDS = (*_LATER_MEETING_WORDS, "meeting")
_ASKED_FOR = re.compile(
    r"\b(?P<what>(?:an?|the|further|a\s+further|some)\s+(?:[\w-]+\s+){0,3}?"
    + _ASKED
    + ")"
    + _ASKED_AT,
    re.IGNORECASE,
)
_ASKED_FOR_FOLDED = re.compile(_ASKED + _ASKED_AT)

# Sentences about the next meeting's date, and other business that looks forward without a
# promise: read no further.
_NOT_A_PROMISE = re.compile(
    r"\b(?:date|time|venue)\s+(?:and\s+\w+\s+)?of\s+(?:the\s+)?next\s+meeting\b"
    r"|\bnext\s+meeting\s+(?:will|would|is\s+to|was\s+to|shall)\s+be\s+held\b"
    r"|\bsubject\s+to\s+approval\s+at\s+the\s+next\b"
    r"|\bno\s+(?:further\s+)?(?:updates?|reports?|business|information)\b"
    # A proposal or suggestion in a report is not yet a promise.
    r"|^It\s+(?:is|was)\s+(?:proposed|suggested|recommended)\b",
    re.IGNORECASE,
)


# "Agreed that …" opening a sentence is a decision, whatever its case.
_DECISION_OPENING = re.compile(r"^(?:agreed|resolved)\b", re.IGNORECASE)


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    follow_up: ParsedFollowUp


def _read_sentence(
    sentence: str, decided: bool, title: str, meeting_date: dt.date | None
) -> list[ParsedFollowUp]:
    if len(sentence) > _LONGEST_SENTENCE:
        return []
    if _NOT_A_PROMISE.search(sentence):
        return []
    kind = ACTION if decided or _DECISION_OPENING.match(sentence) else PROMISE
    found: list[_Found] = []
    for rule in (_deferral, _passive, _active, _asked_for):
        for item in rule(sentence, kind, title, meeting_date):
            if not any(item.start < other.end and other.start < item.end for other in found):
                found.append(item)
    found.sort(key=lambda item: item.start)
    # Two rules reading the same promise: "would bring a report to the April meeting" is read
    # as a thing brought and as a report asked for.
    kept: list[ParsedFollowUp] = []
    for item in found:
        for index, other in enumerate(kept):
            if _words(other.what) & _words(item.follow_up.what) or (
                other.what.lower() == item.follow_up.what.lower()
            ):
                kept[index] = _merge(other, False, item.follow_up, False)
                break
        else:
            kept.append(item.follow_up)
    return kept


def _deferral(sentence, kind, title, meeting_date):
    for match in _DEFER.finditer(sentence):
        if _EARLIER_DEFERRAL.search(sentence[max(0, match.start() - 40) : match.start()]):
            continue
        rest = sentence[match.end() :]
        if _EARLIER_AFTER.match(rest):
            continue
        # "to defer", "agreed to defer": only a decision to, not a wish for, a deferral.
        if match.group().lower() in {"defer", "deferring"} and not _TO_DEFER.search(
            sentence[: match.start()]
        ):
            continue
        due, due_date, _ = _due(rest, meeting_date)
        subject = _deferred_subject(sentence[: match.start()], rest)
        if _A_MEETING.search(subject):
            continue  # "the meeting was postponed": no business of the item comes back
        item_level = not subject or bool(_GENERIC_WHAT.fullmatch(subject))
        if not (item_level or kind == ACTION or _AT_A_MEETING.search(rest)):
            continue  # "the launch was postponed until the summer": not business deferred
        what = _title_as_what(title) if item_level else _clean_what(subject, title)
        yield _Found(
            match.start(),
            match.end(),
            ParsedFollowUp(DEFERRED, what, "", due, due_date, sentence.strip()),
        )
        return


_TO_DEFER = re.compile(r"\b(?:to|agreed\s+to|decided\s+to|resolved\s+to)\s+$", re.IGNORECASE)
_BE_BEFORE = re.compile(r"\s+(?:(?:would|will|should|to|must)\s+)?(?:be|been|was|were|is|are)\s*$")


def _deferred_subject(before: str, after: str) -> str:
    """What the sentence says is deferred: "the Knife Crime report be deferred", "agreed to
    defer the Knife Crime report to …"; "" when it names nothing."""
    subject = ""
    be = _BE_BEFORE.search(before)
    if be:
        subject = _phrase_before(before[: be.start()])
    else:
        # "agreed to defer the Knife Crime report to ..."
        object_ = re.match(
            r"\s*(?P<what>[^,.;]{1,120}?)\s+(?:to|until|till|for|due|pending|as|"
            r"because|,)\b",
            after,
        )
        if object_ and not re.match(r"\s*(?:to|until|till)\b", after):
            subject = object_["what"]
    subject = " ".join(subject.split()).strip(" .,;:")
    return "" if subject.lower() in _PRONOUNS else subject


def _passive(sentence, kind, title, meeting_date):
    for match in _PASSIVE.finditer(sentence):
        before = sentence[: match.start()]
        modal = (match["modal"] or "").strip().lower()
        if not modal and kind != ACTION and not re.search(r"\bthat\s+[^.;]*$", before):
            # "that X be brought" is a verb to come; a bare "be" outside a decision is not.
            continue
        if modal in {"could"}:
            continue
        what = _phrase_before(before)
        rest = sentence[match.end() :]
        verb = " ".join(match["verb"].lower().split())
        who = ""
        by = _BY_WHOM.match(rest)
        if by and not _NEXT.match(rest[by.start("who") :]):
            who = by["who"]
            if verb in _WEIGHED and not _RECIPIENT.fullmatch(who):
                continue
            rest_after_by = rest[by.end() :]
        else:
            rest_after_by = rest
        if _RECIPIENT.fullmatch(what or ""):
            # "members be provided with some brief statistics"
            given = _WITH_WHAT.match(rest_after_by)
            if verb == "updated" and not given:
                # "members would be updated at the next meeting"
                due, due_date, _ = _due(rest_after_by, meeting_date)
                if due == NOT_SAID:
                    continue
                what = "an update"
            elif verb not in {"provided", "sent", "given", "updated", "emailed"} or not given:
                continue
            else:
                due, due_date, at = _due(given["what"], meeting_date)
                what = _WHAT_TAIL.sub("", given["what"][:at])
        else:
            if not what:
                continue
            due, due_date, _ = _due(rest_after_by, meeting_date)
            if _A_MEETING.search(what):
                continue
            if verb in _ON_AN_AGENDA or verb in {"invited", "attending"}:
                # "added to the action plan" brings nothing back; "added to the forward plan"
                # or "invited to the next meeting" does.
                if due == NOT_SAID or not _AT_A_MEETING.search(rest_after_by):
                    continue
            elif not _comes_back(
                rest_after_by, due, kind, what, bool(_BACK_BY_ITSELF.search(verb))
            ):
                continue
        what = _clean_what(what, title)
        if not what:
            continue
        yield _Found(
            match.start(),
            match.end(),
            ParsedFollowUp(kind, what, _clean_who(who), due, due_date, sentence.strip()),
        )


def _active(sentence, kind, title, meeting_date):
    matches = [*_ACTIVE.finditer(sentence), *_SUBJUNCTIVE.finditer(sentence)]
    for match in sorted(matches, key=lambda m: m.start()):
        subjunctive = match.re is _SUBJUNCTIVE
        modal = "that" if subjunctive else " ".join(match["modal"].lower().split())
        verb = " ".join(match["verb"].lower().split())
        before = sentence[: match.start()]
        rest = sentence[match.end() :]
        if _UNABLE.search(before):
            continue
        if subjunctive:
            before = before + " that " + match["who"]
        if modal == "and":
            # "would take the comments back and report back": the subject of the first verb.
            earlier = list(re.finditer(r"\b(?:would|will)\b", before, re.IGNORECASE))
            if not earlier:
                continue
            before = before[: earlier[-1].start()]
        who = _phrase_before(before)
        if modal == "to" and not _clean_who(who):
            continue  # "no further updates to bring": no one named to bring them
        if not who and re.search(r"\b(?:and|but)\s*$", before):
            who = _opening_subject(sentence)
        due, due_date, at = _due(rest, meeting_date)
        back = _back_to_body(rest)
        by_itself = verb in {"bring back", "report back", "feed back", "feedback", "come back"}
        brought_back = re.match(r"\s*(?P<what>[^,.;]{1,80}?)\s+back\b", rest)
        if verb == "bring" and brought_back:
            # "would bring a report back": the object between the verb and "back".
            by_itself = True
            rest = rest[brought_back.end("what") :]
            due, due_date, at = _due(rest, meeting_date)
            back = _back_to_body(rest)
            rest = brought_back["what"] + rest
            at += len(brought_back["what"])
            back = back + len(brought_back["what"]) if back >= 0 else back
        if verb in {"come back", "return"}:
            # "the report would come back to ...": what comes back is the subject.
            with_what = re.match(r"\s*(?:to\s+[^,.;]{1,60}?\s+)?with\s+(?P<what>[^,.;]+)", rest)
            if with_what:
                what = with_what["what"]
                due, due_date, _ = _due(rest, meeting_date)
            else:
                what, who = who, ""
            if not _comes_back(rest, due, kind, what, by_itself):
                continue
        elif verb == "receive":
            # "the Partnership would receive a report at its next meeting": the body receives.
            if due == NOT_SAID:
                continue
            what, who = _WHAT_TAIL.sub("", rest[:at]), ""
        elif verb == "take":
            taken = re.match(r"\s*(?P<what>[^,.;]{1,80}?)\s+back\b", rest)
            if not taken or due == NOT_SAID:
                continue  # taking comments back to one's own organisation is no follow-up
            what = taken["what"]
        elif verb in {"report back", "feed back", "feedback"}:
            on = re.match(r"\s*(?:on|about|regarding)\s+(?P<on>[^,.;]{1,80})", rest)
            what = "a report" if verb == "report back" else "feedback"
            if on:
                end = min(at, back if back >= 0 else len(rest))
                what = f"{what} on {_WHAT_TAIL.sub('', rest[on.start('on') : end])}"
        elif verb == "update":
            whom = re.match(
                r"\s*(?:the\s+)?(?:members|partners|partnership|committee|board|"
                r"group)\b(?:\s+(?:on|about)\s+(?P<on>[^,.;]{1,80}))?",
                rest,
                re.I,
            )
            if not whom or due == NOT_SAID:
                continue
            what = "an update"
            if whom["on"]:
                on = whom["on"][: max(0, at - whom.start("on"))] or whom["on"]
                what = f"an update on {_WHAT_TAIL.sub('', on)}"
        else:
            end = min(at, back if back >= 0 else len(rest))
            object_ = rest[:end]
            object_ = re.sub(r"^\s*(?:back|out)\s+", " ", object_)
            to_members = re.match(
                r"\s*(?:all\s+)?(?:members|partners|the\s+partnership)\s+with\s+", object_, re.I
            )
            if to_members:
                # "Officers would provide members with a briefing note": it comes to the
                # members, from someone named ("a structure which will provide the partnership
                # with updates" promises nothing).
                object_ = object_[to_members.end() :]
                by_itself = bool(_clean_who(who))
            what = _WHAT_TAIL.sub("", object_)
            if not _comes_back(rest, due, kind, what, by_itself or verb == "circulate"):
                continue
            if verb == "give" and not re.search(
                r"\b(?:update|report|presentation|briefing|feedback|information|details)\b",
                what,
                re.IGNORECASE,
            ):
                continue
        if " ".join(what.split()).lower().strip(" .,;") in _PRONOUNS:
            continue  # "circulate it": what "it" is, the sentence does not say
        what = _clean_what(what, title)
        if not what:
            continue
        who = _clean_who(who)
        yield _Found(
            match.start(),
            match.end(),
            ParsedFollowUp(kind, what, who, due, due_date, sentence.strip()),
        )


def _asked_for(sentence, kind, title, meeting_date):
    for match in _ASKED_FOR.finditer(sentence):
        due, due_date, _ = _due(sentence[match.end() - 1 :], meeting_date)
        if due == NOT_SAID:
            continue
        # "The Partnership requested an update": the phrase after the verb.
        what = _clean_what(_phrase_before(match["what"]), title)
        yield _Found(
            match.start(),
            match.end(),
            ParsedFollowUp(kind, what, "", due, due_date, sentence.strip()),
        )


_RULES = (_DEFER, _PASSIVE, _ACTIVE, _SUBJUNCTIVE, _ASKED_FOR)


# --- one follow-up per promise ---------------------------------------------------------------

_PLAIN_WORDS = {
    "the", "a", "an", "further", "some", "report", "reports", "update", "updates", "back",
    "on", "of", "to", "for", "and", "information", "details", "more", "brief", "next",
    "meeting", "this", "that", "with", "regards", "regarding", "about", "any", "full",
    "updated", "additional",
}  # fmt: skip


def _words(text: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _PLAIN_WORDS)


@dataclass(frozen=True)
class _Read:
    follow_up: ParsedFollowUp
    decided: bool  # read from one of the item's decisions
    sentence: int  # the sentence's place in the item
    words: frozenset[str]  # the words of what comes back that tell it apart


_MOST_PER_ITEM = 40


def _same_promise(first: _Read, second: _Read) -> bool:
    one, other = first.follow_up, second.follow_up
    if (one.kind == DEFERRED) != (other.kind == DEFERRED):
        return False
    if one.kind == DEFERRED:
        return True  # an item is deferred once, however often the minutes say so
    if first.sentence == second.sentence:
        return False  # two things in one sentence
    if one.what.lower() == other.what.lower():
        return True
    shared = first.words & second.words
    if shared and 2 * len(shared) >= min(len(first.words), len(second.words)):
        return True
    # The decision restating what the minutes said, in other words, for the same meeting.
    return (
        first.decided != second.decided
        and one.due == other.due
        and one.due != NOT_SAID
        and one.due_date == other.due_date
    )


def _merged(found: list[_Read]) -> list[ParsedFollowUp]:
    kept: list[_Read] = []
    for read in found:
        for index, other in enumerate(kept):
            if _same_promise(other, read):
                merged = _merge(other.follow_up, other.decided, read.follow_up, read.decided)
                kept[index] = _Read(
                    merged, other.decided or read.decided, other.sentence, other.words | read.words
                )
                break
        else:
            kept.append(read)
    return [read.follow_up for read in kept]


def _merge(first, first_decided, second, second_decided) -> ParsedFollowUp:
    """The decision's words where there is one, with what the other says and it does not."""
    main, other = (second, first) if second_decided and not first_decided else (first, second)
    if main.kind == DEFERRED:
        main, other = first, second
    if not main.who and other.who:
        main = replace(main, who=other.who)
    if main.due == NOT_SAID and other.due != NOT_SAID:
        main = replace(main, due=other.due, due_date=other.due_date)
    return main
