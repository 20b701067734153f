"""Find the topics an agenda item is about: pure functions, no ORM.

A topic is found when its name or one of its aliases appears as whole words, in any case unless
the topic is case-sensitive ("Prevent" the programme is not "prevent" the verb).
"""

import functools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class TopicTerm:
    key: object
    name: str
    aliases: tuple[str, ...] = ()
    case_sensitive: bool = False


def _phrase_pattern(phrase: str) -> str:
    # Words of the phrase may be separated by any run of spaces or hyphens in the minutes:
    # "Anti-Social Behaviour", "Anti Social Behaviour"; "&" and "and" are not interchangeable.
    words = [re.escape(word) for word in re.split(r"[\s\-]+", phrase.strip()) if word]
    body = r"[\s\-]+".join(words)
    return rf"(?<![\w-]){body}(?![\w-])"


@functools.lru_cache(maxsize=4096)
def _term_regex(term: TopicTerm) -> re.Pattern:
    phrases = sorted({term.name, *term.aliases}, key=len, reverse=True)
    pattern = "|".join(_phrase_pattern(phrase) for phrase in phrases if phrase.strip())
    return re.compile(pattern, 0 if term.case_sensitive else re.IGNORECASE)


_TOKEN = re.compile(r"\w+")


@functools.lru_cache(maxsize=16)
def _term_index(terms: tuple[TopicTerm, ...]) -> tuple[dict, frozenset, dict]:
    """Terms by the rarest word of each of their names, the terms with no word, their order.

    A name can only be in a text holding each of its words as a whole word, so each item runs
    the regular expressions of a few terms rather than of every topic in the archive. The word
    shared by the fewest names is used ("Nightfall" rather than "Operation").
    """
    names = []
    for term in terms:
        for phrase in {term.name, *term.aliases}:
            words = _TOKEN.findall(phrase if term.case_sensitive else phrase.lower())
            names.append((term, words))
    shared = Counter(word for _term, words in names for word in set(words))
    index: dict[tuple[bool, str], set] = {}
    always = set()
    for term, words in names:
        if not words:
            always.add(term)
            continue
        key = min(words, key=lambda word: (shared[word], -len(word)))
        index.setdefault((term.case_sensitive, key), set()).add(term)
    order = {term: position for position, term in enumerate(terms)}
    return index, frozenset(always), order


def _candidates(index: dict, always: frozenset, text: str) -> set:
    found = set(always)
    words = set(_TOKEN.findall(text))
    for word in words:
        found.update(index.get((True, word), ()))
    for word in {word.lower() for word in words}:
        found.update(index.get((False, word), ()))
    return found


def match_topics(terms: Iterable[TopicTerm], title: str, text: str) -> dict[object, bool]:
    """Return {key: found_in_title} for every term named in the title or the text."""
    terms = tuple(terms)
    index, always, _order = _term_index(terms)
    in_title = _candidates(index, always, title or "")
    in_text = _candidates(index, always, text or "")
    found = {}
    for term in sorted(in_title | in_text, key=_term_index(terms)[2].get):
        if term in in_title and _term_regex(term).search(title):
            found[term.key] = True
        elif term in in_text and _term_regex(term).search(text):
            found[term.key] = False
    return found


# "Operation Nightfall", "Op Harmony", "project Harmony": the keyword in any case, the name
# capitalised. Words that follow "Project" or "Operation" in ordinary prose are not names.
_NAMED_OPERATION = re.compile(r"\b(operation|op|project)\.?[ \t]+([A-Z][A-Za-z]+)\b", re.IGNORECASE)
_NOT_A_NAME = {
    "a", "an", "and", "at", "board", "by", "for", "from", "group", "in", "is", "lead", "leads",
    "manager", "managers", "meeting", "meetings", "officer", "officers", "of", "on", "plan",
    "plans", "report", "reports", "team", "teams", "the", "this", "to", "update", "updates",
    "was", "were", "which", "with", "would", "will", "has", "had", "have", "outcome", "outcomes",
}  # fmt: skip


def discover_topic_names(text: str) -> list[str]:
    """Names of operations and projects mentioned in the text, keyword capitalised.

    >>> discover_topic_names("Officers highlighted operation Nightfall and Project Harmony.")
    ['Operation Nightfall', 'Project Harmony']
    """
    names = []
    for match in _NAMED_OPERATION.finditer(text or ""):
        keyword, name = match.group(1), match.group(2)
        if not name[0].isupper() or name.lower() in _NOT_A_NAME:
            continue
        full = f"{keyword.capitalize()} {name}"
        if full not in names:
            names.append(full)
    return names
