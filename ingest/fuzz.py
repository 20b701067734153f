"""Read mutated minutes with the parser and find the inputs that make it fail or crawl.

Pure (no database): the seed documents are every file the importer accepts under a folder
(``tests/fixtures``: the samples and each fixture written for a pattern), turned into text as
an upload is. Each example is one seed document with one to three mutations of the kinds that
once stalled the reader: long runs of spaces, dots or dashes after a keyword, a line repeated
many times, lines deleted, duplicated or joined, case swapped, odd characters, a cut-off end,
section and layout lines ("Confidential", "Preamble") dropped in, many items appended in one
of the layouts.
The same seed and number of examples always give the same documents.

The documents are read in a child process, so that one that would read for minutes is stopped
after the time allowed and reported, and the rest are still read.
"""

import multiprocessing
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import converters
from .parsers import parse_minutes
from .topics import discover_topic_names

# Words after which the reader's patterns look for more: runs are inserted just after them.
KEYWORDS = (
    "AGREED that", "AGREED", "RESOLVED", "RECOMMENDED", "It was", "Present:", "Apologies:",
    "Officers:", "Also in attendance:", "Minutes:", "Venue:", "Contact:", "No. Item", "Items",
    "A meeting of", "was held on", "Partnership", " - ", "SSP", "Part 2", "Confidential",
    "deferred", "next meeting", "Date", "Operation", "Cllr", "O.B.E.", "(", "|", "PDF",
    "pdf icon", "1.", "•",
    # the egenda decision record, unnumbered pages, exempt business and page furniture
    "Date:", "Time:", "Place:", "Attendance Details", "Item Description Decision", "Public",
    "Preamble", "Schedule 12A", "exempt information", "Part B", "in private", "Members present",
    "THOSE ATTENDING:", "In attendance", "Absent", "Apologies for absence:", "Page 1 of",
    "UNANIMOUSLY RESOLVED", "RESOLVED –", "RESOLVED that", "No. | Item |", "---|---|",
)  # fmt: skip
# Lines that open or close a part of a document in one of the layouts: inserted between lines.
MARKERS = (
    "Public", "Confidential", "Preamble", "ItemPreamble", "Item Description Decision",
    "Attendance Details", "Part 2", "Part B - Exempt information", "Page 1 of 3", "SSP", " ",
    "No. | Item |", "---|---|",
)  # fmt: skip
# Documents are cut to this length: long enough for a pattern that backtracks to take
# minutes, short enough for a few hundred examples to be read in well under a minute.
MAX_CHARS = 300_000
SPACES = (" ", "\t", " \t", "\n ", " \n", "\n\n")
RUNS = (" ", "\t", ".", "-", "–", "\n", "\n ", " \n", "\n\n", "|", "*", "/", "1", "a", "A.", ": ")
ODD_TEXT = (
    "\u00a0", "\u200b", "\ufeff", "\u2028", "\u202e", "\x00", "\x0c", "\r", "\t", "é", "İ", "ß",
    "ﬁ", "\u0301", "😀", "–", "—", "•", "“", "”", "’", "½", "١٢", "\ud7ff", "\\", "**",
)  # fmt: skip


@dataclass
class Example:
    index: int
    seed_name: str
    mutations: list[str]
    text: str

    @property
    def description(self) -> str:
        done = "; ".join(self.mutations)
        return f"#{self.index} {self.seed_name}: {done} ({len(self.text):,} chars)"


@dataclass
class Result:
    example: Example
    seconds: float
    error: str = ""  # the exception raised, or "over N s" when the read was stopped


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)
    max_seconds: float = 5.0

    @property
    def failures(self) -> list[Result]:
        return [result for result in self.results if result.error]

    def slowest(self, count: int = 5) -> list[Result]:
        return sorted(self.results, key=lambda result: result.seconds, reverse=True)[:count]


def seed_documents(folder: Path) -> list[tuple[str, str]]:
    """(name, text) of every file the importer accepts under ``folder``, in name order."""
    documents = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix.lower() not in converters.ACCEPTED_SUFFIXES:
            continue
        data = path.read_bytes()
        kind = converters.kind_of(path.name, data)
        try:
            text = data.decode("utf-8") if kind in (converters.TEXT, converters.HTML) else None
            text = converters.convert(kind, data, text)
        except (converters.ConversionError, UnicodeDecodeError):
            continue  # a fixture the importer refuses is tested by its own test
        documents.append((str(path.relative_to(folder)), text))
    return documents


# --- mutations: each takes the text and a random source, gives (new text, description) ---------


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _run(rng: random.Random) -> tuple[str, int]:
    # Mostly spaces: the runs patterns most often take several ways at once.
    filler = rng.choice(SPACES if rng.random() < 0.6 else RUNS)
    return filler, rng.choice((200, 1000, 5000, 20_000, 50_000))


def run_after_keyword(text: str, rng: random.Random) -> tuple[str, str]:
    present = [keyword for keyword in KEYWORDS if keyword in text]
    keyword = rng.choice(present if present and rng.random() < 0.9 else KEYWORDS)
    places = _find_all(text, keyword)
    filler, count = _run(rng)
    at = rng.choice(places) + len(keyword) if places else rng.randrange(len(text) + 1)
    where = repr(keyword) if places else f"offset {at}"
    tail = rng.choice(("", "x", "1. Item", "\n1. x", " 2024"))
    return text[:at] + filler * count + tail + text[at:], f"{count} x {filler!r} after {where}"


def run_in_header(text: str, rng: random.Random) -> tuple[str, str]:
    """A long run inside one of the first lines, where the header's patterns look."""
    lines = _lines(text)
    first = [index for index, line in enumerate(lines) if line.strip()][:12] or [0]
    index = rng.choice(first)
    spaces = _find_all(lines[index], " ")
    at = rng.choice(spaces) if spaces and rng.random() < 0.7 else rng.randint(0, len(lines[index]))
    filler, count = _run(rng)
    lines[index] = lines[index][:at] + filler * count + lines[index][at:]
    return "\n".join(lines), f"{count} x {filler!r} in line {index + 1} at {at}"


def repeat_line(text: str, rng: random.Random) -> tuple[str, str]:
    lines = _lines(text)
    index = rng.randrange(len(lines))
    count = rng.choice((50, 500, 2000))
    lines[index:index] = [lines[index]] * count
    return "\n".join(lines), f"line {index + 1} repeated {count} times"


def repeat_segment(text: str, rng: random.Random) -> tuple[str, str]:
    start = rng.randrange(len(text) + 1)
    segment = text[start : start + rng.randint(1, 40)] or "x"
    count = rng.choice((100, 1000, 3000))
    return text[:start] + segment * count + text[start:], f"{segment!r} repeated {count} times"


def delete_lines(text: str, rng: random.Random) -> tuple[str, str]:
    lines = _lines(text)
    start = rng.randrange(len(lines))
    count = rng.randint(1, max(1, len(lines) // 4))
    del lines[start : start + count]
    return "\n".join(lines), f"{count} lines deleted at line {start + 1}"


def duplicate_lines(text: str, rng: random.Random) -> tuple[str, str]:
    lines = _lines(text)
    start = rng.randrange(len(lines))
    block = lines[start : start + rng.randint(1, 30)]
    count = rng.choice((2, 20, 200))
    lines[start:start] = block * count
    return "\n".join(lines), f"{len(block)} lines from line {start + 1} repeated {count} times"


def join_lines(text: str, rng: random.Random) -> tuple[str, str]:
    lines = _lines(text)
    start = rng.randrange(len(lines))
    count = rng.randint(2, max(2, len(lines)))
    joiner = rng.choice((" ", "", "\t", " | "))
    lines[start : start + count] = [joiner.join(lines[start : start + count])]
    return "\n".join(lines), f"{count} lines joined from line {start + 1} with {joiner!r}"


def split_lines(text: str, rng: random.Random) -> tuple[str, str]:
    splitter = rng.choice(("\n", "\n\n", "\r", "\r\n", "\f"))
    words = text.split(" ")
    every = rng.randint(1, 5)
    text = "".join(word + (splitter if i % every == 0 else " ") for i, word in enumerate(words))
    return text, f"broken with {splitter!r} after every {every} words"


def swap_case(text: str, rng: random.Random) -> tuple[str, str]:
    how = rng.choice(("upper", "lower", "swapcase", "title"))
    if rng.random() < 0.5:
        return getattr(text, how)(), f"whole text {how}"
    lines = _lines(text)
    index = rng.randrange(len(lines))
    lines[index] = getattr(lines[index], how)()
    return "\n".join(lines), f"line {index + 1} {how}"


def inject_unicode(text: str, rng: random.Random) -> tuple[str, str]:
    chars = rng.choices(ODD_TEXT, k=rng.randint(1, 30))
    text = list(text)
    for char in chars:
        text.insert(rng.randrange(len(text) + 1), char)
    return "".join(text), f"{len(chars)} odd characters inserted"


def truncate(text: str, rng: random.Random) -> tuple[str, str]:
    at = rng.randrange(len(text) + 1)
    return text[:at], f"cut at {at}"


def first_lines(text: str, rng: random.Random) -> tuple[str, str]:
    count = rng.randint(1, 25)
    return "\n".join(_lines(text)[:count]), f"first {count} lines only"


def insert_markers(text: str, rng: random.Random) -> tuple[str, str]:
    lines = _lines(text)
    count = rng.choice((1, 3, 50, 500))
    for _ in range(count):
        lines.insert(rng.randrange(len(lines) + 1), rng.choice(MARKERS))
    return "\n".join(lines), f"{count} section or layout lines inserted"


def many_items(text: str, rng: random.Random) -> tuple[str, str]:
    count = rng.choice((200, 1200))
    style = rng.choice(("numbered", "reference", "moderngov", "egenda", "unnumbered"))
    if style == "numbered":
        items = "".join(f"{n}\n\nItem {n}\n\nNoted.\n\n" for n in range(1, count + 1))
    elif style == "reference":
        items = "".join(f"SSP {n}/22 Item {n}\n\nNoted.\n\n" for n in range(1, count + 1))
    elif style == "moderngov":
        items = "".join(f"SSP/{n}/24\n\nItem {n}\n\nMinutes:\n\nNoted.\n\n" for n in range(count))
    elif style == "egenda":
        # The decision record, then a preamble repeating every number with its narrative.
        decisions = "".join(
            f"SSP\n{n}/14\nITEM {n}\nRESOLVED that it be noted.\n" for n in range(count)
        )
        preamble = "".join(f"SSP\n{n}/14\nItem {n} was discussed.\n" for n in range(count))
        items = (
            f"Item Description Decision\nPublic\n{decisions}\nPreamble\n\nItemPreamble\n{preamble}"
        )
    else:
        items = "".join(f"Item {n}\n\n\nMembers noted item {n}.\n\n\n" for n in range(count))
    return f"{text}\n\n{items}", f"{count} {style} items appended"


MUTATIONS: tuple[Callable[[str, random.Random], tuple[str, str]], ...] = (
    run_after_keyword, run_after_keyword, run_after_keyword, run_in_header, run_in_header,
    repeat_line, repeat_segment,
    delete_lines, duplicate_lines, join_lines, split_lines, swap_case, inject_unicode, truncate,
    first_lines, many_items, insert_markers,
)  # fmt: skip


def _find_all(text: str, word: str) -> list[int]:
    places, start = [], text.find(word)
    while start != -1 and len(places) < 200:
        places.append(start)
        start = text.find(word, start + 1)
    return places


def examples(documents: list[tuple[str, str]], seed: int, count: int) -> Iterator[Example]:
    """``count`` mutated documents, the same ones for the same seed."""
    for index in range(count):
        rng = random.Random(f"{seed}:{index}")
        name, text = documents[index % len(documents)]
        done = []
        for _ in range(rng.choice((1, 1, 2, 3))):
            text, description = rng.choice(MUTATIONS)(text, rng)
            done.append(description)
            if len(text) > MAX_CHARS:
                text = text[:MAX_CHARS]
                done.append(f"cut to {MAX_CHARS:,} characters")
            if not text:
                break
        yield Example(index, name, done, text)


# --- reading them, in a child process that can be stopped ---------------------------------------


def read(text: str) -> None:
    """What the fuzz times: the parser, and the topic names it finds in each item."""
    for item in parse_minutes(text).items:
        discover_topic_names(item.minutes_text)


def _reader(connection) -> None:
    while True:
        text = connection.recv()
        if text is None:
            return
        started = time.perf_counter()
        try:
            read(text)
            error = ""
        except Exception as exc:
            error = f"{exc.__class__.__name__}: {exc}"[:300]
        connection.send((time.perf_counter() - started, error))


class _Reader:
    """A child process reading one document at a time, replaced when it has to be stopped."""

    def __init__(self):
        self.context = multiprocessing.get_context("fork")
        self._start()

    def _start(self):
        self.connection, child = self.context.Pipe()
        self.process = self.context.Process(target=_reader, args=(child,), daemon=True)
        self.process.start()
        child.close()

    def read(self, text: str, max_seconds: float) -> tuple[float, str]:
        started = time.perf_counter()
        self.connection.send(text)
        if self.connection.poll(max_seconds):
            return self.connection.recv()
        self.process.kill()
        self.process.join()
        self._start()
        return time.perf_counter() - started, f"over {max_seconds:g} s: stopped"

    def close(self):
        self.connection.send(None)
        self.process.join(5)


def fuzz(
    folder: Path,
    seed: int = 1,
    count: int = 300,
    max_seconds: float = 5.0,
    progress: Callable[[Result], None] | None = None,
    max_failures: int = 0,
) -> Report:
    """Read ``count`` mutated documents; the report holds each one's time and any failure.

    With ``max_failures``, reading stops after that many failures (a reader that has become
    slow would otherwise be waited for ``max_seconds`` a document)."""
    documents = seed_documents(folder)
    if not documents:
        raise ValueError(f"no minutes files under {folder}")
    report = Report(max_seconds=max_seconds)
    reader = _Reader()
    try:
        for example in examples(documents, seed, count):
            seconds, error = reader.read(example.text, max_seconds)
            if not error and seconds > max_seconds:
                error = f"over {max_seconds:g} s: {seconds:.1f} s"
            result = Result(example, seconds, error)
            report.results.append(result)
            if progress:
                progress(result)
            if max_failures and len(report.failures) >= max_failures:
                break
    finally:
        reader.close()
    return report
