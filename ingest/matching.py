"""Which item of a new reading of the minutes is which stored item: ``match_items``.

Items are aligned as a diff aligns lines, so that an item inserted or removed changes only
itself and every other item keeps its row (its address, its corrections made by hand):

1. by title, normalised (case, spacing, punctuation and dashes do not count), in order;
   then the same titles out of order (two items swapped);
2. between the items matched so, by a title changed slightly (``SIMILAR``), then by number,
   then by position, each in order.

A title outranks a number: councils renumber the items after an insertion (``SSP 15/22``
becomes ``SSP 16/22``), so the same number often names another item. Only a match by the
same title is certain, and only when as many items have that title as before; the others are
a best guess.

Pure functions over titles and numbers: no database.
"""

import difflib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace

TITLE = "title"
SIMILAR_TITLE = "similar title"
NUMBER = "number"
POSITION = "position"

# Two normalised titles at least this alike (difflib's ratio) are taken for the same item.
SIMILAR = 0.8
# Beyond this many pairs of unmatched items between two matched ones, titles are not compared
# for likeness (a whole document retitled would cost millions of comparisons).
_MAX_COMPARED = 10_000

_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Match:
    """A new item's stored item: its index in the stored list, and how it was found."""

    stored: int
    how: str
    moved: bool = False  # out of order with the items around it
    # Its title is shared by a number of items that differs between the readings: which of
    # them is gone (or new) cannot be told from the title.
    ambiguous: bool = False

    @property
    def certain(self) -> bool:
        return self.how == TITLE and not self.ambiguous


def normalise_title(title: str) -> str:
    """ "Crest Advisory – CURV (VRU)" → "crest advisory curv vru"."""
    text = unicodedata.normalize("NFKC", title or "").casefold()
    return " ".join(_NOT_WORD.sub(" ", text).split())


def normalise_number(number: str) -> str:
    """ "SSP 16/22", "SSP/16/22" → "ssp1622"."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", number or "").casefold())


def match_items(stored: list[tuple[str, str]], new: list[tuple[str, str]]) -> list[Match | None]:
    """For each new item, its stored item (a ``Match``) or None when it is new.

    ``stored`` and ``new`` hold each item's (title, number), in order. A stored item matched
    by none is gone.
    """
    old_titles = [normalise_title(title) for title, _number in stored]
    new_titles = [normalise_title(title) for title, _number in new]
    result: list[Match | None] = [None] * len(new)

    # 1. The same titles, in order: these anchor everything else.
    anchors = _aligned(_keys(old_titles, "old"), _keys(new_titles, "new"))
    for old, index in anchors:
        result[index] = Match(old, TITLE)
    used = {old for old, _index in anchors}

    # The same titles out of order: items swapped or moved.
    waiting: dict[str, list[int]] = {}
    for old, title in enumerate(old_titles):
        if title and old not in used:
            waiting.setdefault(title, []).append(old)
    for index, title in enumerate(new_titles):
        if result[index] is None and waiting.get(title):
            old = waiting[title].pop(0)
            result[index] = Match(old, TITLE, moved=True)
            used.add(old)

    # A title that more items (or fewer) share than before names none of them with certainty.
    old_counts = Counter(title for title in old_titles if title)
    new_counts = Counter(title for title in new_titles if title)
    for index, match in enumerate(result):
        title = new_titles[index]
        if match is not None and old_counts[title] != new_counts[title]:
            result[index] = replace(match, ambiguous=True)

    # 2. Between the anchors: likeness of titles, then numbers, then positions.
    old_numbers = [normalise_number(number) for _title, number in stored]
    new_numbers = [normalise_number(number) for _title, number in new]

    def similar(olds, news):
        if len(olds) * len(news) > _MAX_COMPARED:
            return []
        scored = []
        for old in olds:
            for index in news:
                a, b = old_titles[old], new_titles[index]
                if not a or not b:
                    continue
                matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
                if matcher.real_quick_ratio() >= SIMILAR and matcher.quick_ratio() >= SIMILAR:
                    ratio = matcher.ratio()
                    if ratio >= SIMILAR:
                        scored.append((-ratio, old, index))
        chosen: list[tuple[int, int]] = []
        for _ratio, old, index in sorted(scored):
            if all(
                old != o and index != i and (old < o) == (index < i) for o, i in chosen
            ):  # one match each, none crossing another
                chosen.append((old, index))
        return chosen

    def numbered(olds, news):
        pairs = _aligned(
            [old_numbers[old] or ("old", old) for old in olds],
            [new_numbers[index] or ("new", index) for index in news],
        )
        return [(olds[a], news[b]) for a, b in pairs]

    bounds = [(-1, -1), *anchors, (len(stored), len(new))]
    for (low_old, low_new), (high_old, high_new) in zip(bounds, bounds[1:], strict=False):
        olds = [old for old in range(low_old + 1, high_old) if old not in used]
        news = [index for index in range(low_new + 1, high_new) if result[index] is None]
        _fill(olds, news, [(similar, SIMILAR_TITLE), (numbered, NUMBER)], result)
    return result


def _keys(titles: list[str], side: str) -> list:
    # An item without a title matches no other by title.
    return [title or (side, position) for position, title in enumerate(titles)]


def _aligned(old_keys: list, new_keys: list) -> list[tuple[int, int]]:
    """(old index, new index) of equal keys, in order, as a diff aligns lines."""
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    return [
        (a + offset, b + offset)
        for a, b, size in matcher.get_matching_blocks()
        for offset in range(size)
    ]


def _fill(olds: list[int], news: list[int], stages, result: list) -> None:
    """Match the unmatched ``olds`` and ``news`` (indices, in order) by the first stage, then
    those left between its matches by the next stages, and by position at the end."""
    if not olds or not news:
        return
    if not stages:
        for old, index in zip(olds, news, strict=False):
            result[index] = Match(old, POSITION)
        return
    (stage, how), rest = stages[0], stages[1:]
    pairs = sorted(stage(olds, news))
    for old, index in pairs:
        result[index] = Match(old, how)
    bounds = [(-1, -1), *pairs, (float("inf"), float("inf"))]
    for (low_old, low_new), (high_old, high_new) in zip(bounds, bounds[1:], strict=False):
        _fill(
            [old for old in olds if low_old < old < high_old],
            [index for index in news if low_new < index < high_new],
            rest,
            result,
        )
