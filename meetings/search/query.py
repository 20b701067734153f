"""The query language of the search box, read the same way for every database.

What people type in web search: words (all must match, stemmed: "patrols" finds "patrol"),
"quoted phrases", ``or`` between alternatives and ``-`` before a word or phrase to exclude it.
``parse_query`` reads a query once, the way PostgreSQL's ``websearch_to_tsquery`` does, into OR
groups of AND-ed operands. Every operand is then quoted again for the database (by its
backend, see ``meetings.search.backends``), so nothing typed reaches a database's own query
language: ``"``, ``AND(``, ``*``, ``NEAR`` and the like are plain text. English stop words
("the", "of") are left out on both databases, as PostgreSQL does; a query with nothing left to
search for matches nothing.

No database here: this module imports neither Django nor the models.
"""

import re
from dataclasses import dataclass

MAX_QUERY_LENGTH = 500
MAX_OPERANDS = 32

# PostgreSQL's english.stop, which its "english" configuration leaves out of queries.
_ENGLISH_STOP = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against
    between into through during before after above below to from up down in out on off over
    under again further then once here there when where why how all any both each few more
    most other some such no nor not only own same so than too very s t can will just don
    should now
"""
STOP_WORDS = frozenset(_ENGLISH_STOP.split())

_WORD_CHARS = re.compile(r"[^\W_]+")
_BARE_WORD = re.compile(r'[^\s"]+')
_IGNORED_OPERATORS = set("!&|()<")


@dataclass(frozen=True)
class Operand:
    """A word or a quoted phrase of a query."""

    text: str  # as typed, without quotes
    words: tuple[str, ...]  # its words in lower case, punctuation left out
    negated: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    """A query as alternatives (``or``), each a list of operands that must all match."""

    text: str
    groups: tuple[tuple[Operand, ...], ...]

    @property
    def is_empty(self) -> bool:
        """Nothing to search for: no words, or only stop words and punctuation."""
        return not self.groups

    def websearch(self) -> str:
        """The query in web search syntax again, every operand quoted (for PostgreSQL's
        ``websearch_to_tsquery``)."""
        return " or ".join(
            " ".join(f'{"-" if operand.negated else ""}"{operand.text}"' for operand in group)
            for group in self.groups
        )


def parse_query(text: str) -> ParsedQuery:
    """Read a query typed in web search syntax; never fails, whatever the input.

    As ``websearch_to_tsquery``: ``-`` excludes the next operand, ``or`` between two operands
    separates alternatives (binding looser than the implicit "and"), a ``"`` opens a phrase
    that runs to the next ``"`` or to the end, and ``! & | ( ) <`` are ignored. Only the first
    ``MAX_QUERY_LENGTH`` characters and ``MAX_OPERANDS`` operands are read.
    """
    text = (text or "")[:MAX_QUERY_LENGTH]
    groups: list[tuple[Operand, ...]] = []
    group: list[Operand] = []
    negated = after_operand = False
    position, count = 0, 0
    while position < len(text) and count < MAX_OPERANDS:
        char = text[position]
        if char.isspace() or char in _IGNORED_OPERATORS:
            position += 1
            continue
        if char == "-":
            negated, after_operand = not negated, False
            position += 1
            continue
        if char == '"':
            end = text.find('"', position + 1)
            end = len(text) if end == -1 else end
            raw, position = text[position + 1 : end], end + 1
        else:
            match = _BARE_WORD.match(text, position)
            raw, position = match.group(), match.end()
            if after_operand and raw.lower() == "or" and text[position:].strip():
                groups.append(tuple(group))
                group, after_operand = [], False
                continue
        words = tuple(word.lower() for word in _WORD_CHARS.findall(raw))
        if words and not all(word in STOP_WORDS for word in words):
            group.append(Operand(raw.strip(), words, negated))
            count += 1
        negated, after_operand = False, True
    groups.append(tuple(group))
    return ParsedQuery(text, tuple(g for g in groups if g))


def parsed(query) -> ParsedQuery:
    """``query`` read, unless it is a ``ParsedQuery`` already."""
    return query if isinstance(query, ParsedQuery) else parse_query(query)


def search_extra_text(topic_names, decisions) -> str:
    """What ``AgendaItem.search_extra`` holds: the topic names, then the decisions."""
    return "\n".join([*topic_names, *decisions])
