"""Find the topics an agenda item is about: pure functions, no ORM.

A topic is found when its name or one of its aliases appears as whole words, in any case unless
the topic is case-sensitive ("Prevent" the programme is not "prevent" the verb).
"""

import functools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise


@dataclass(frozen=True)
class TopicTerm:
    key: object
    name: str
    aliases: tuple[str, ...] = ()
    case_sensitive: bool = False


def _phrase_pattern(phrase: str) -> str:
    # Words of the phrase may be separated by any run of spaces or hyphens in the minutes:
    # "Anti-Social Behaviour", "Anti Social Behaviour"; "&" and "and" are not interchangeable.
    words = [word for word in re.split(r"[\s\-]+", phrase.strip()) if word]
    first, rest = words[0][0], words[0][1:]
    body = r"[\s\-]+".join(re.escape(word) for word in [rest, *words[1:]])
    # Not preceded by a letter, digit or hyphen. The check follows the first character rather
    # than coming first: a pattern starting with a plain character is looked for far faster.
    return rf"{re.escape(first)}(?<![\w-].){body}(?![\w-])"


@functools.lru_cache(maxsize=4096)
def _term_regex(term: TopicTerm) -> re.Pattern:
    phrases = sorted({term.name, *term.aliases}, key=len, reverse=True)
    pattern = "|".join(_phrase_pattern(phrase) for phrase in phrases if phrase.strip())
    return re.compile(pattern, 0 if term.case_sensitive else re.IGNORECASE)


_TOKEN = re.compile(r"\w+")
_FEW = 16


class TopicIndex:
    """Topics to look for in many items: built once, then used for each item.

    A name can only be in a text holding each of its words as whole words, one after the other,
    so a term's regular expression is run only on the texts holding every word and every pair
    of neighbouring words of one of its names: a few terms an item rather than every topic in
    the archive ("Operation Be", a topic found in "operation. Be", is not looked for in each
    text holding "operation" and "be"). To find those quickly each name is filed under its
    rarest word, the one shared by the fewest names ("Nightfall" rather than "Operation").
    """

    def __init__(self, terms: Iterable[TopicTerm]):
        self.terms = tuple(terms)
        names = []
        for term in self.terms:
            for phrase in {term.name, *term.aliases}:
                words = _TOKEN.findall(phrase if term.case_sensitive else phrase.lower())
                names.append((term, words))
        shared = Counter(word for _term, words in names for word in set(words))
        # {case_sensitive: {rarest word: [(term, its words, its pairs of neighbouring words)]}}
        self._by_word: dict[bool, dict[str, list]] = {True: {}, False: {}}
        always = set()
        for term, words in names:
            if not words:
                always.add(term)
                continue
            key = min(words, key=lambda word: (shared[word], -len(word)))
            self._by_word[term.case_sensitive].setdefault(key, []).append(
                (term, frozenset(words), frozenset(pairwise(words)))
            )
        self._always = frozenset(always)
        self._order = {term: position for position, term in enumerate(self.terms)}
        # With a few words to look for (the topics made since an import began, say), texts
        # are searched for those words rather than split into words.
        self._few = not always and sum(map(len, self._by_word.values())) <= _FEW

    def match(self, title: str, text: str) -> dict[object, bool]:
        """Return {key: found_in_title} for every term named in the title or the text."""
        candidates = self._few_candidates if self._few else self._candidates
        in_title = candidates(title or "")
        in_text = candidates(text or "")
        found = {}
        for term in sorted(in_title | in_text, key=self._order.get):
            if term in in_title and _term_regex(term).search(title):
                found[term.key] = True
            elif term in in_text and _term_regex(term).search(text):
                found[term.key] = False
        return found

    def _few_candidates(self, text: str) -> set:
        """The terms whose filing word is in the text (their patterns decide the rest)."""
        if not text.isascii():
            return self._candidates(text)  # lowering may change what is a word character
        found = set()
        for case_sensitive, by_word in self._by_word.items():
            searched = text if case_sensitive or not by_word else text.lower()
            for word, entries in by_word.items():
                if _holds_word(searched, word):
                    found.update(term for term, _words, _pairs in entries)
        return found

    def _candidates(self, text: str) -> set:
        """The terms one of whose names has all its words, in order, in the text."""
        found = set(self._always)
        if text.isascii():
            # Lowering ASCII changes no word's bounds: split the lowered text once, and the
            # text as written only if it holds a word of a case-sensitive name.
            lowered = _TOKEN.findall(text.lower())
            exact = any(_holds_word(text, word) for word in self._by_word[True])
            words = _TOKEN.findall(text) if exact else []
        else:
            words = _TOKEN.findall(text)
            lowered = list(map(str.lower, words))
        for case_sensitive, tokens in ((True, words), (False, lowered)):
            by_word, present, pairs = self._by_word[case_sensitive], set(tokens), None
            for word in present.intersection(by_word):
                for term, needed, needed_pairs in by_word[word]:
                    if not needed <= present:
                        continue
                    pairs = set(pairwise(tokens)) if pairs is None else pairs
                    if needed_pairs <= pairs:
                        found.add(term)
        return found


def _holds_word(text: str, word: str) -> bool:
    """Whether ``word`` is one of the words ``_TOKEN`` finds in ``text``, without splitting it."""
    start = text.find(word)
    while start != -1:
        end = start + len(word)
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before == "_" or after.isalnum() or after == "_"):
            return True
        start = text.find(word, start + 1)
    return False


@functools.lru_cache(maxsize=16)
def _index_of(terms: tuple[TopicTerm, ...]) -> TopicIndex:
    return TopicIndex(terms)


def topic_index(terms: Iterable[TopicTerm]) -> TopicIndex:
    """An index of ``terms``: the same one again while the terms stay the same (an import
    reads the topics for each batch; they seldom change from one batch to the next)."""
    return _index_of(tuple(terms))


def match_topics(
    terms: TopicIndex | Iterable[TopicTerm], title: str, text: str
) -> dict[object, bool]:
    """Return {key: found_in_title} for every term named in the title or the text.

    For many items, pass a ``TopicIndex`` built once: a list of terms is looked up again on
    each call.
    """
    index = terms if isinstance(terms, TopicIndex) else _index_of(tuple(terms))
    return index.match(title, text)


# "Operation Nightfall", "Op Harmony", "Op. Harmony", "project Harmony": the keyword in any
# case, the name capitalised. Words that follow "Project" or "Operation" in ordinary prose are
# not names. Only the abbreviation "Op." takes a full stop: after "operation" or "project" it
# ends a sentence ("... the operation. Be ...").
_NAMED_OPERATION = re.compile(
    r"\b(?:(operation|project)|(op)\.?)[ \t]+([A-Z][A-Za-z]+)\b", re.IGNORECASE
)
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
    for match in _named_operations(text or ""):
        keyword, name = match.group(1) or match.group(2), match.group(3)
        if not name[0].isupper() or name.lower() in _NOT_A_NAME:
            continue
        full = f"{keyword.capitalize()} {name}"
        if full not in names:
            names.append(full)
    return names


def _named_operations(text: str):
    """``_NAMED_OPERATION.finditer(text)``, faster: in ASCII text the pattern is tried only
    where "op" or "project" begins a word (a pattern starting with \b is tried everywhere)."""
    if not text.isascii():
        yield from _NAMED_OPERATION.finditer(text)
        return
    lowered, starts = text.lower(), []
    for keyword in ("op", "project"):
        start = lowered.find(keyword)
        while start != -1:
            if not start or not (lowered[start - 1].isalnum() or lowered[start - 1] == "_"):
                starts.append(start)
            start = lowered.find(keyword, start + 1)
    end = 0
    for start in sorted(starts):
        if start < end:
            continue  # inside the previous match, as finditer would skip it
        match = _NAMED_OPERATION.match(text, start)
        if match:
            end = match.end()
            yield match
