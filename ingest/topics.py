"""Topics: finding what an agenda item is about, and tagging stored items with it.

Finding is pure (no ORM): a topic is found when its name or one of its aliases appears as
whole words, in any case unless the topic is case-sensitive ("Prevent" the programme is not
"prevent" the verb), and "Operation X" / "Op X" / "Project X" names an operation that becomes a
topic of its own (``discover_topic_names``).

Tagging is the one implementation every path uses: the import (``tag_topics`` then
``link_topics``, with a ``TopicCache``), the upload preview (``preview_topics``, writing
nothing) and the admin (``retag_items``, ``merge_topics``).
"""

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from django.db import transaction
from django.utils.text import slugify

from ingest import overrides
from meetings.models import AgendaItem, ItemTopic, Resolution, Topic
from meetings.search import search_extra_text


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
# In ASCII text the words ``_TOKEN`` finds are the runs of letters, digits and underscores.
_NOT_WORD_TO_SPACE = str.maketrans(
    {chr(code): " " for code in range(128) if not (chr(code).isalnum() or chr(code) == "_")}
)


def _ascii_words(text: str) -> list[str]:
    """``_TOKEN.findall(text)`` for ASCII text, found faster: every character that is not part
    of a word made a space, and the text split at the spaces."""
    return text.translate(_NOT_WORD_TO_SPACE).split()


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
        # {case_sensitive: {rarest word: [(term, its words, its pairs of neighbouring words)]}},
        # each pair written " first second ", as it is found in a text's words joined by spaces.
        self._by_word: dict[bool, dict[str, list]] = {True: {}, False: {}}
        always = set()
        for term, words in names:
            if not words:
                always.add(term)
                continue
            key = min(words, key=lambda word: (shared[word], -len(word)))
            self._by_word[term.case_sensitive].setdefault(key, []).append(
                (term, frozenset(words), frozenset(f" {a} {b} " for a, b in pairwise(words)))
            )
        self._always = frozenset(always)
        # The filing words as a set: a text's words are matched against them, the fewer first.
        self._filing_words = {case: frozenset(by_word) for case, by_word in self._by_word.items()}
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
            lowered = _ascii_words(text.lower())
            exact = any(_holds_word(text, word) for word in self._by_word[True])
            words = _ascii_words(text) if exact else []
        else:
            words = _TOKEN.findall(text)
            lowered = list(map(str.lower, words))
        for case_sensitive, tokens in ((True, words), (False, lowered)):
            by_word, present, joined = self._by_word[case_sensitive], set(tokens), None
            for word in present.intersection(self._filing_words[case_sensitive]):
                for term, needed, needed_pairs in by_word[word]:
                    if not needed <= present:
                        continue
                    if needed_pairs:
                        # No word holds a space: " a b " is in the words joined by spaces
                        # exactly where "b" follows "a".
                        joined = f" {' '.join(tokens)} " if joined is None else joined
                        if not all(pair in joined for pair in needed_pairs):
                            continue
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


# Tagging stored items


class TopicCache:
    """The topics an import looks for, read once for all the documents stored together.

    Reading every topic again for each document of a batch cost more than storing it, so a
    batch uses the topics as they were when it began (with those it discovers itself). Topics
    discovered in a document are created at once and looked for in it and in the documents
    after it. After a document's savepoint is rolled back, ``forget`` drops what was read: the
    topics it created are gone again.
    """

    def __init__(self):
        self._index: TopicIndex | None = None
        self._known_names: set[str] = set()  # casefolded names and aliases
        self._slugs: set[str] = set()
        self._since = None  # see ``since``

    def index(self) -> TopicIndex:
        if self._index is None:
            terms, self._known_names, self._slugs = [], set(), set()
            rows = Topic.objects.values_list("pk", "name", "aliases", "case_sensitive", "slug")
            for pk, name, aliases, case_sensitive, slug in rows:
                terms.append(TopicTerm(pk, name, tuple(aliases), case_sensitive))
                self._known_names.update(known.casefold() for known in (name, *aliases))
                self._slugs.add(slug)
            self._index = topic_index(terms)
        return self._index

    def create_discovered(self, names) -> None:
        """Create a topic for each discovered name that is not a topic's name or alias yet."""
        self.index()
        new_topics = []
        for name, aliases in new_topic_names(names, self._known_names):
            slug = unique_topic_slug(name, self._slugs)
            self._slugs.add(slug)
            new_topics.append(
                Topic(name=name, slug=slug, aliases=aliases, created_automatically=True)
            )
        if new_topics:
            # Another import may create the same topic at the same moment; its row is as good.
            # In name order, so that two imports creating the same topics wait for each other
            # in the same order, never each for the other.
            new_topics.sort(key=lambda topic: topic.name)
            Topic.objects.bulk_create(new_topics, ignore_conflicts=True)
            self._index = None

    def since(self, looked_for: frozenset) -> tuple[set, "TopicIndex", dict]:
        """Of the topics now: the keys of those ``looked_for`` beforehand (unchanged since),
        an index of the others, and each topic's place in the index. Worked out once for each
        index, not for each document."""
        index = self.index()
        if self._since is None or not (self._since[0] is index and self._since[1] is looked_for):
            kept = {term.key for term in index.terms if term in looked_for}
            unseen = TopicIndex(term for term in index.terms if term not in looked_for)
            order = {term.key: position for position, term in enumerate(index.terms)}
            self._since = (index, looked_for, kept, unseen, order)
        return self._since[2:]

    def forget(self) -> None:
        self.__init__()


@dataclass
class FoundTopics:
    """What ``tag_topics`` finds in an item, found beforehand among some topics: the names of
    operations it mentions and the topics it names, {topic id: named in title}."""

    discovered: list[str]
    matches: dict


def found_topics(index: TopicIndex, title: str, text: str) -> FoundTopics:
    """What ``tag_topics`` finds in an item among the topics of ``index`` (see ``start_reader``)."""
    return FoundTopics(discover_topic_names(text), index.match(title, text))


def tag_topics(
    items: list[AgendaItem],
    topics: TopicCache | None = None,
    *,
    found: list[FoundTopics] | None = None,
    looked_for: frozenset[TopicTerm] = frozenset(),
    hand_links: dict | None = None,
) -> dict:
    """Find the topics each item's title or text names, creating topics for new operations.

    Sets each item's ``search_extra`` (its topic names and decisions, for the search index)
    before the items are written, so that each is written once; ``link_topics`` then links
    the saved items. Returns the matches, {id(item): {topic id: named in title}}.

    Every "Operation X" / "Op X" / "Project X" named in the items becomes a topic unless it is
    already a topic's name or alias. "Op" is short for "Operation": "Op Fortress" creates
    "Operation Fortress" with the alias "Op Fortress".

    ``found``, for each item, is what was found in it beforehand among the topics
    ``looked_for`` (``start_reader``): only the topics made or changed since are looked for.

    ``hand_links``, {item id: links}, are the topic links added or removed by hand on stored
    items (``overrides.topic_links``): they are kept.
    """
    topics = topics or TopicCache()
    texts = {id(item): _item_text(item) for item in items}
    if found is None:
        found = [FoundTopics(discover_topic_names(texts[id(item)]), {}) for item in items]
        looked_for = frozenset()
    topics.create_discovered(name for item_found in found for name in item_found.discovered)
    index = topics.index()
    if looked_for:
        # Topics deleted or changed since were found with what they were: not kept.
        kept, unseen, order = topics.since(looked_for)
        matches = {}
        for item, item_found in zip(items, found, strict=True):
            item_matches = {key: t for key, t in item_found.matches.items() if key in kept}
            item_matches.update(unseen.match(item.title, texts[id(item)]))
            matches[id(item)] = dict(sorted(item_matches.items(), key=lambda m: order[m[0]]))
    else:
        matches = {id(item): index.match(item.title, texts[id(item)]) for item in items}
    names = topic_names(index)
    for item in items:
        if hand_links and item.pk in hand_links:
            matches[id(item)] = overrides.with_topic_links(
                matches[id(item)], hand_links[item.pk], names
            )
        item.search_extra = _search_extra(item, matches[id(item)], names)
    return matches


def link_topics(items: list[AgendaItem], matches: dict, *, replaced=()) -> None:
    """Link the saved items to the topics ``tag_topics`` found, replacing the links of the
    items ``replaced`` (items stored before).

    Of the links stored before, only those that change are written: the triggers of
    ``meetings.search.extra`` then write again only the items whose topics changed.
    """
    kept = set()
    if replaced:
        wanted = {
            (item.pk, topic_id): in_title
            for item in items
            for topic_id, in_title in matches[id(item)].items()
        }
        stale, flipped = [], []
        stored = ItemTopic.objects.filter(item__in=[item.pk for item in replaced])
        for pk, item_id, topic_id, in_title in stored.values_list(
            "pk", "item_id", "topic_id", "in_title"
        ):
            if (item_id, topic_id) not in wanted:
                stale.append(pk)
                continue
            kept.add((item_id, topic_id))
            if wanted[item_id, topic_id] != in_title:
                flipped.append(ItemTopic(pk=pk, in_title=wanted[item_id, topic_id]))
        ItemTopic.objects.filter(pk__in=stale).delete()
        ItemTopic.objects.bulk_update(flipped, ["in_title"], batch_size=500)
    ItemTopic.objects.bulk_create(
        ItemTopic(item=item, topic_id=topic_id, in_title=in_title)
        for item in items
        for topic_id, in_title in matches[id(item)].items()
        if (item.pk, topic_id) not in kept
    )


@transaction.atomic
def retag_items(items=None, *, chunk_size: int = 500) -> int:
    """Tag every item again (or the items of the queryset ``items``) with the topics as they are.

    For after a topic is added, renamed or given other aliases in the admin. Topics are not
    discovered here: a topic an administrator deleted stays deleted. Links added or removed by
    hand on an item's page are kept (``overrides.topic_links``). One pass over the items in
    chunks of ``chunk_size``, a fixed number of queries per chunk whatever the number of items
    or topics. Returns the number of items tagged.
    """
    index = TopicIndex(topic_terms())
    names = topic_names(index)
    items = (AgendaItem.objects.all() if items is None else items).order_by("pk")
    items = items.only("pk", "title", "agenda_text", "minutes_text")
    done, last_pk = 0, 0
    while chunk := list(items.filter(pk__gt=last_pk)[:chunk_size]):
        last_pk = chunk[-1].pk
        decisions = defaultdict(list)
        resolutions = Resolution.objects.filter(item_id__in=[item.pk for item in chunk])
        for item_id, text in resolutions.order_by("item_id", "order").values_list(
            "item_id", "text"
        ):
            decisions[item_id].append(text)
        hand_links = overrides.topic_links([item.pk for item in chunk])
        for item in chunk:
            item.resolution_texts = decisions[item.pk]
        matches = {
            id(item): overrides.with_topic_links(
                index.match(item.title, _item_text(item)), hand_links[item.pk], names
            )
            if item.pk in hand_links
            else index.match(item.title, _item_text(item))
            for item in chunk
        }
        link_topics(chunk, matches, replaced=chunk)
        done += len(chunk)
    return done


def topic_terms() -> list[TopicTerm]:
    """Every topic, as ``ingest.topics.match_topics`` looks for it."""
    rows = Topic.objects.values_list("pk", "name", "aliases", "case_sensitive")
    return [
        TopicTerm(pk, name, tuple(aliases), case_sensitive)
        for pk, name, aliases, case_sensitive in rows
    ]


def topic_names(index: TopicIndex) -> dict:
    return {term.key: term.name for term in index.terms}


@transaction.atomic
def merge_topics(keep: Topic, merged) -> int:
    """Fold the topics ``merged`` into ``keep``; returns the number of items linked to ``keep``.

    Their items are linked to ``keep`` (once each; named in the title if either link said so),
    their names and aliases become aliases of ``keep`` so that later imports find it under
    them, and they are deleted. Searching by topic name finds the items under ``keep``'s name.
    """
    merged = [topic for topic in merged if topic.pk != keep.pk]
    if not merged:
        return keep.item_topics.count()
    moved: dict[int, bool] = {}
    for item_id, in_title in ItemTopic.objects.filter(topic__in=merged).values_list(
        "item_id", "in_title"
    ):
        moved[item_id] = moved.get(item_id, False) or in_title
    linked = dict(
        ItemTopic.objects.filter(topic=keep, item_id__in=moved).values_list("item_id", "in_title")
    )
    names = {name.casefold() for name in keep.get_names()}
    for topic in merged:
        for name in topic.get_names():
            if name.casefold() not in names:
                names.add(name.casefold())
                keep.aliases.append(name)
        keep.description = keep.description or topic.description
    Topic.objects.filter(pk__in=[topic.pk for topic in merged]).delete()
    keep.save(update_fields=["aliases", "description"])
    ItemTopic.objects.filter(
        topic=keep,
        item_id__in=[pk for pk, in_title in moved.items() if in_title and not linked.get(pk, True)],
    ).update(in_title=True)
    ItemTopic.objects.bulk_create(
        ItemTopic(item_id=pk, topic=keep, in_title=in_title)
        for pk, in_title in moved.items()
        if pk not in linked
    )
    return keep.item_topics.count()


def _search_extra(item: AgendaItem, matches: dict, topic_names: dict) -> str:
    names = sorted(topic_names[topic_id] for topic_id in matches)
    return search_extra_text(names, getattr(item, "resolution_texts", []))


def _item_text(item: AgendaItem) -> str:
    return text_of(item, getattr(item, "resolution_texts", []))


def text_of(item, decisions) -> str:
    """The text topics are looked for in: an item's (or a parsed item's) and its decisions'."""
    decisions = [getattr(decision, "text", decision) for decision in decisions]
    parts = [item.title, item.agenda_text, item.minutes_text, *decisions]
    return "\n\n".join(part for part in parts if part)


def canonical_topic(discovered: str) -> tuple[str, list[str]]:
    """The name and aliases of the topic a discovered name makes: "Op X" is "Operation X"."""
    keyword, _, rest = discovered.partition(" ")
    if keyword.casefold() == "op" and rest:
        return f"Operation {rest}", [discovered]
    return discovered, []


def unique_topic_slug(name: str, taken: set[str]) -> str:
    """A slug for a topic named ``name`` that is not in ``taken`` and fits the column."""
    limit = Topic._meta.get_field("slug").max_length
    base = slugify(name)[: limit - 4] or "topic"
    slug, counter = base, 2
    while slug in taken:
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


def new_topic_names(discovered_names, known: set[str]) -> list[tuple[str, list[str]]]:
    """(name, aliases) of each topic the discovered names make that is not known yet.

    ``known`` holds the casefolded names and aliases of the topics there are; the new names are
    added to it, so each is made once.
    """
    limit = Topic._meta.get_field("name").max_length
    found = []
    for discovered in discovered_names:
        name, aliases = canonical_topic(discovered)
        if len(name) > limit:
            continue  # a run of letters that long names no operation
        if {name.casefold(), discovered.casefold()} & known:
            continue
        known.update({name.casefold(), discovered.casefold()})
        found.append((name, aliases))
    return found


def preview_topics(items, terms: list[TopicTerm]) -> tuple[list[dict], list[TopicTerm]]:
    """What ``tag_topics`` would find in parsed items, writing nothing.

    Returns each item's matches, {topic key: named in title}, and the topics the import would
    create, as terms keyed ``("new", name)``; ``terms`` are the topics there are
    (``topic_terms``).
    """
    known = {name.casefold() for term in terms for name in (term.name, *term.aliases)}
    texts = [text_of(item, item.resolutions) for item in items]
    discovered = (name for text in texts for name in discover_topic_names(text))
    new_terms = [
        TopicTerm(("new", name), name, tuple(aliases))
        for name, aliases in new_topic_names(discovered, known)
    ]
    index = TopicIndex([*terms, *new_terms])
    matches = [index.match(item.title, text) for item, text in zip(items, texts, strict=True)]
    return matches, new_terms
