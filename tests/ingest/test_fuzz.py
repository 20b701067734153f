"""The fuzz check: mutated copies of every fixture are read without an error, each in time.

The seed documents are every minutes file under ``tests/fixtures``, so a fixture added for a
new pattern is fuzzed too. ``manage.py fuzz_reader`` runs the same check with more examples.
"""

import random
import re
import time

import pytest
from django.core.management import CommandError, call_command

from ingest import fuzz
from tests.conftest import FIXTURES, MINUTES_DIR
from tests.ingest.test_converters import docx_bytes, minimal_pdf

# Sized for CI on a 2-core machine: about 15 s of reading when the machine is idle.
SEED = 1
EXAMPLES = 400
MAX_SECONDS = 5.0
MAX_FAILURES = 5  # enough to show what fails, without waiting 5 s for each of hundreds


def test_mutated_fixtures_are_all_read_without_error_each_within_5_seconds():
    report = fuzz.fuzz(
        FIXTURES, seed=SEED, count=EXAMPLES, max_seconds=MAX_SECONDS, max_failures=MAX_FAILURES
    )
    print(f"\nSlowest of {len(report.results)} mutated documents:")
    for result in report.slowest(5):
        print(f"{result.seconds:7.3f} s  {result.example.description}")
    failures = [f"{result.example.description}: {result.error}" for result in report.failures]
    assert not failures, "\n".join(failures)
    assert len(report.results) == EXAMPLES


def test_the_seed_documents_are_the_samples_and_every_fixture():
    names = [name for name, _text in fuzz.seed_documents(FIXTURES)]
    assert {f"minutes/{path.name}" for path in MINUTES_DIR.glob("*.txt")} <= set(names)
    assert "hostile/header-only.txt" in names
    assert not any(name.startswith("gold/") for name in names)  # expected results, not minutes


def test_seeds_are_found_in_folders_at_any_depth_in_every_kind_the_importer_accepts(tmp_path):
    # tests/fixtures/layouts/ and any folder added later are fuzzed without being named here.
    (tmp_path / "layouts" / "egenda").mkdir(parents=True)
    (tmp_path / "layouts" / "egenda" / "decision-record.txt").write_text(
        "Item Description Decision\nPublic\nSSP\n14/15\nUPDATE\n", encoding="utf-8"
    )
    (tmp_path / "layouts" / "unnumbered.html").write_text(
        "<p>Agenda and minutes</p><p>Declarations of Interest</p>", encoding="utf-8"
    )
    (tmp_path / "layouts" / "formal.docx").write_bytes(docx_bytes(["SSP 1/22 Welcome", "Noted."]))
    (tmp_path / "layouts" / "formal.pdf").write_bytes(minimal_pdf(["SSP 2/22 Welcome", "Noted."]))
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "decision-record.json").write_text("{}", encoding="utf-8")

    documents = dict(fuzz.seed_documents(tmp_path))

    assert sorted(documents) == [
        "layouts/egenda/decision-record.txt",
        "layouts/formal.docx",
        "layouts/formal.pdf",
        "layouts/unnumbered.html",
    ]
    assert "Item Description Decision" in documents["layouts/egenda/decision-record.txt"]
    assert "Declarations of Interest" in documents["layouts/unnumbered.html"]
    assert "SSP 1/22 Welcome" in documents["layouts/formal.docx"]
    assert "SSP 2/22 Welcome" in documents["layouts/formal.pdf"]


class Drawing(random.Random):
    """A random source whose choice among the layouts is ``style``, and otherwise the first."""

    def __init__(self, style):
        super().__init__(0)
        self.style = style

    def choice(self, options):
        return self.style if self.style in options else options[0]


def test_many_items_are_appended_in_the_egenda_layout_with_a_preamble_repeating_them():
    text, description = fuzz.many_items("Minutes", Drawing("egenda"))
    count = int(description.split()[0])
    assert description == f"{count} egenda items appended"
    decisions, preamble = text.split("\nPreamble\n")
    assert "Item Description Decision\nPublic\nSSP\n0/14\nITEM 0\n" in decisions
    assert decisions.count("\nSSP\n") == preamble.count("\nSSP\n") == count


def test_many_items_are_appended_without_numbers():
    text, description = fuzz.many_items("Minutes", Drawing("unnumbered"))
    count = int(description.split()[0])
    assert text.count("\n\n\nMembers noted item") == count
    assert "SSP" not in text


def test_the_same_seed_gives_the_same_documents():
    documents = fuzz.seed_documents(MINUTES_DIR)
    first = [example.text for example in fuzz.examples(documents, 7, 30)]
    assert first == [example.text for example in fuzz.examples(documents, 7, 30)]
    assert first != [example.text for example in fuzz.examples(documents, 8, 30)]


# A pattern the reader once had: with a long run of spaces after "AGREED that" it tries every way
# of sharing the run between its three \s*, and takes seconds at a thousand spaces.
BACKTRACKING = re.compile(
    r"^(?:AGREED|RESOLVED)\s+that\s*:?\s*[-–]?\s*\n+(?P<list>(?:\s*\d+[.)]\s+.+\n*)+)", re.M
)


def test_a_reader_that_backtracks_is_stopped_and_reported(monkeypatch, tmp_path):
    (tmp_path / "minutes.txt").write_text(
        "SSP 13/22 Minutes of Last Meeting\n\nAGREED that" + " " * 3000 + "x\n", encoding="utf-8"
    )
    monkeypatch.setattr(fuzz, "read", lambda text: BACKTRACKING.search(text))
    started = time.perf_counter()
    report = fuzz.fuzz(tmp_path, seed=SEED, count=6, max_seconds=0.5)
    assert len(report.results) == 6  # reading went on after a document was stopped
    stopped = [result for result in report.failures if "over 0.5 s" in result.error]
    assert stopped
    assert report.slowest(1)[0] in stopped
    assert time.perf_counter() - started < 6 * 0.5 + 10


def test_reading_stops_after_max_failures(monkeypatch, tmp_path):
    (tmp_path / "minutes.txt").write_text("SSP 1/22 Welcome\n\nNoted.\n", encoding="utf-8")
    monkeypatch.setattr(fuzz, "read", lambda text: 1 / 0)
    report = fuzz.fuzz(tmp_path, seed=SEED, count=10, max_failures=2)
    assert len(report.results) == len(report.failures) == 2


def test_a_reader_that_raises_is_reported(monkeypatch, tmp_path):
    (tmp_path / "minutes.txt").write_text("SSP 1/22 Welcome\n\nNoted.\n", encoding="utf-8")

    def read(text):
        raise ValueError("cannot read this")

    monkeypatch.setattr(fuzz, "read", read)
    report = fuzz.fuzz(tmp_path, seed=SEED, count=3)
    assert [result.error for result in report.failures] == ["ValueError: cannot read this"] * 3


def test_the_command_lists_the_slowest_and_fails_on_a_failure(monkeypatch, tmp_path, capsys):
    (tmp_path / "minutes.txt").write_text("SSP 1/22 Welcome\n\nNoted.\n", encoding="utf-8")
    call_command("fuzz_reader", "--examples", "4", "--folder", str(tmp_path), "--slowest", "2")
    out = capsys.readouterr().out
    assert "Slowest 2:" in out
    assert re.search(r"read 4 documents in [\d.]+ s, 0 failed", out)

    monkeypatch.setattr(fuzz, "read", lambda text: 1 / 0)
    with pytest.raises(CommandError, match="read 4 documents in [\\d.]+ s, 4 failed"):
        call_command("fuzz_reader", "--examples", "4", "--folder", str(tmp_path))
    assert "ZeroDivisionError" in capsys.readouterr().out
