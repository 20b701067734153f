"""The import_minutes command.

``TestImportMinutesWithSamples`` runs the real parser over the sample minutes; the other tests
use the stub parser so they test the command alone.
"""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from meetings.models import AgendaItem, Meeting, SourceDocument
from tests.conftest import MINUTES_DIR

GOOD = b"Body: Safer Stockton Partnership\nDate: 2025-01-22\nItem: 1 | Minutes | Agreed.\n"


def run(*args, **options):
    """Run import_minutes; return (stdout, stderr, the CommandError or None)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_minutes", *map(str, args), stdout=out, stderr=err, **options)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), exc
    return out.getvalue(), err.getvalue(), None


@pytest.mark.django_db
class TestImportMinutesWithSamples:
    def test_sample_folder_is_imported_with_progress_and_a_summary(self):
        out, err, error = run(MINUTES_DIR)

        assert error is None, err
        lines = out.splitlines()
        assert lines[3] == (
            "[4/5] created  ssp-2025-01-22-moderngov.txt → "
            "Safer Stockton Partnership, 22 January 2025 (13 items)"
        )
        assert [line.split("]")[0] for line in lines[:5]] == [f"[{n}/5" for n in range(1, 6)]
        assert "created 5, updated 0, unchanged 0, failed 0" in lines
        assert (
            "needs review (date unknown, body unknown, other parse warnings): "
            "ssp-undated-pipe-table.txt"
        ) in lines
        assert Meeting.objects.count() == 5

    @pytest.mark.parametrize("options", [{"workers": 2}, {"workers": 2, "writers": 2}])
    def test_parsing_in_worker_processes_prints_and_stores_the_same(self, options):
        out, err, error = run(MINUTES_DIR, **options)

        assert error is None, err
        assert "created 5, updated 0, unchanged 0, failed 0" in out.splitlines()
        stored = sorted(AgendaItem.objects.values_list("meeting__body", "position", "title"))
        Meeting.objects.all().delete()
        SourceDocument.objects.all().delete()
        assert run(MINUTES_DIR)[0] == out
        assert sorted(AgendaItem.objects.values_list("meeting__body", "position", "title")) == (
            stored
        )

    def test_sample_folder_imported_twice_is_unchanged(self):
        run(MINUTES_DIR)
        out, _, error = run(MINUTES_DIR)
        assert error is None
        assert "created 0, updated 0, unchanged 5, failed 0" in out.splitlines()
        assert SourceDocument.objects.count() == 5

    def test_sample_corrected_copy_updates_in_place(self, tmp_path):
        name = "ssp-2025-01-22-moderngov.txt"
        run(MINUTES_DIR / name)
        meeting = Meeting.objects.get()
        copy = tmp_path / name
        copy.write_bytes((MINUTES_DIR / name).read_bytes().replace(b"Ropner", b"Ropner Ward"))

        out, _, _ = run(copy)

        assert out.startswith(f"updated  {name} → Safer Stockton Partnership, 22 January 2025")
        assert Meeting.objects.get().pk == meeting.pk

    def test_sample_dry_run_shows_what_would_be_stored_and_writes_nothing(self):
        out, _, error = run(MINUTES_DIR / "ssp-2025-01-22-moderngov.txt", dry_run=True)

        assert error is None
        assert "shape: moderngov" in out
        assert "date: 2025-01-22" in out
        assert "  12. SSP/58/24 iQuanta Report [heard, RESTRICTED]" in out
        assert "Dry run, nothing written: would be created 1" in out
        assert not Meeting.objects.exists()
        assert not SourceDocument.objects.exists()


@pytest.mark.django_db
class TestImportMinutesBadInput:
    @pytest.fixture(autouse=True)
    def _stub(self, stub_parser):
        pass

    @pytest.fixture
    def batch(self, tmp_path, settings):
        settings.MINUTES_MAX_BYTES = 5 * 1024 * 1024
        files = {
            "a-good.txt": GOOD,
            "b-empty.txt": b"",
            "c-junk.bin": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10,
            "d-windows.txt": GOOD.replace(b"Agreed.", "Agreed – café £5.".encode("cp1252")).replace(
                b"2025-01-22", b"2025-02-19"
            ),
            "e-neither.txt": GOOD.replace(b"Agreed", b"Agr\x81\x8deed").replace(
                b"2025-01-22", b"2025-03-19"
            ),
            "f-huge.txt": GOOD + b"x" * (5 * 1024 * 1024),
            "g-no-items.txt": b"Body: Safer Stockton Partnership\nDate: 2025-04-16\n",
        }
        paths = []
        for name, data in files.items():
            path = tmp_path / name
            path.write_bytes(data)
            paths.append(path)
        return paths, files

    def test_each_bad_file_gets_one_line_and_the_others_are_imported(self, batch):
        paths, files = batch

        out, err, error = run(*paths)

        assert str(error) == "5 of 7 files could not be imported."
        assert err.splitlines() == [
            "[2/7] failed  b-empty.txt: empty file",
            "[3/7] failed  c-junk.bin: binary data, not text minutes",
            "[5/7] failed  e-neither.txt: this text file holds characters that cannot be read "
            "(byte 0x81 on line 3). Save it again as UTF-8 text, or upload a Word or PDF version",
            "[6/7] failed  f-huge.txt: file is 5.0 MB, over the 5 MB limit",
            "[7/7] failed  g-no-items.txt: no agenda items found",
        ]
        assert "created 2, updated 0, unchanged 0, failed 5" in out.splitlines()
        assert "[4/7] created  d-windows.txt" in out

        assert Meeting.objects.count() == 2
        assert AgendaItem.objects.filter(minutes_text="Agreed – café £5.").exists()
        failed = SourceDocument.objects.filter(status=SourceDocument.Status.FAILED)
        assert sorted(failed.values_list("file_name", flat=True)) == [
            "b-empty.txt",
            "c-junk.bin",
            "e-neither.txt",
            "f-huge.txt",
            "g-no-items.txt",
        ]
        for document in failed:
            assert bytes(document.original_bytes) == files[document.file_name]
            assert document.meeting is None
            assert document.error

    def test_a_failure_exits_non_zero(self, tmp_path):
        (tmp_path / "empty.txt").write_bytes(b"")
        with pytest.raises(SystemExit) as exit_info:
            from django.core.management import execute_from_command_line

            execute_from_command_line(["manage.py", "import_minutes", str(tmp_path / "empty.txt")])
        assert exit_info.value.code == 1

    def test_a_missing_file_is_reported_and_the_rest_go_on(self, tmp_path):
        good = tmp_path / "good.txt"
        good.write_bytes(GOOD)
        out, err, error = run(tmp_path / "missing.txt", good)
        assert err.splitlines() == ["[1/2] failed  missing.txt: no such file or directory"]
        assert error is not None
        assert Meeting.objects.count() == 1

    def test_folders_are_read_for_minutes_files_in_order(self, tmp_path):
        (tmp_path / "b.txt").write_bytes(GOOD.replace(b"01-22", b"02-19"))
        (tmp_path / "a.txt").write_bytes(GOOD)
        lines = GOOD.replace(b"01-22", b"03-19").decode().splitlines()
        page = "<html><body>" + "".join(f"<p>{line}</p>" for line in lines) + "</body></html>"
        (tmp_path / "c.HTML").write_text(page)
        (tmp_path / "notes.doc").write_bytes(b"\x00\x01")
        out, _, error = run(tmp_path)
        assert error is None
        assert [line.split("  ")[1].split(" ")[0] for line in out.splitlines()[:3]] == [
            "a.txt",
            "b.txt",
            "c.HTML",
        ]
        assert Meeting.objects.filter(date=datetime.date(2025, 3, 19)).exists()

    def test_a_folder_without_minutes_files_says_so(self, tmp_path):
        (tmp_path / "notes.doc").write_bytes(b"\x00\x01")
        _, err, error = run(tmp_path)
        assert f"No minutes files (.txt, .text, .htm, .html, .docx, .pdf) in {tmp_path}" in err
        assert error is not None

    def test_a_single_file_has_no_progress_prefix(self, tmp_path):
        (tmp_path / "a.txt").write_bytes(GOOD)
        out, _, _ = run(tmp_path / "a.txt")
        assert out.splitlines()[0] == (
            "created  a.txt → Safer Stockton Partnership, 22 January 2025 (1 item)"
        )

    def test_body_and_date_options(self, tmp_path):
        (tmp_path / "a.txt").write_bytes(b"Item: 1 | Minutes | Agreed.\n")
        out, _, error = run(tmp_path / "a.txt", "--body", "Cabinet", "--date", "2024-05-01")
        assert error is None
        meeting = Meeting.objects.get()
        assert (meeting.body, meeting.date) == ("Cabinet", datetime.date(2024, 5, 1))
        assert meeting.date_source == Meeting.DateSource.OPTION

    def test_a_badly_written_date_option_is_refused(self, tmp_path):
        with pytest.raises(CommandError, match="YYYY-MM-DD"):
            call_command("import_minutes", str(tmp_path), "--date", "22/01/2025")

    def test_an_undated_document_is_listed_as_needing_review(self, tmp_path):
        (tmp_path / "undated.txt").write_bytes(b"Item: 1 | Minutes | Agreed.\n")
        out, _, _ = run(tmp_path / "undated.txt")
        assert out.splitlines()[-1] == "needs review (date unknown, body unknown): undated.txt"

    def test_dry_run_writes_nothing_even_for_failures(self, batch):
        paths, _ = batch
        out, err, error = run(*paths, dry_run=True)
        assert "[1/7] would be created  a-good.txt" in out
        assert (
            "Dry run, nothing written: would be created 2, updated 0, unchanged 0, failed 5" in out
        )
        assert "[2/7] failed  b-empty.txt: empty file" in err
        assert error is not None
        assert not Meeting.objects.exists()
        assert not SourceDocument.objects.exists()

    def test_verbosity_0_prints_only_failures_and_the_summary(self, tmp_path):
        (tmp_path / "a.txt").write_bytes(GOOD)
        (tmp_path / "b.txt").write_bytes(b"")
        out, err, _ = run(tmp_path, verbosity=0)
        assert out == "created 1, updated 0, unchanged 0, failed 1\n"
        assert err == "[2/2] failed  b.txt: empty file\n"

    def test_verbosity_0_prints_nothing_when_all_goes_well(self, tmp_path):
        (tmp_path / "a.txt").write_bytes(GOOD)
        out, err, _ = run(tmp_path, verbosity=0)
        assert (out, err) == ("", "")


@pytest.mark.django_db
def test_a_file_far_over_the_limit_is_refused_without_being_read(tmp_path, settings):
    settings.MINUTES_MAX_BYTES = 100
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"x" * 1001)
    _, err, error = run(huge)
    assert error is not None
    assert "failed  huge.txt: file is 1001 bytes, over the 100 bytes limit" in err
    source = SourceDocument.objects.get(file_name="huge.txt")
    assert source.status == SourceDocument.Status.FAILED
    assert "original was left where it is" in source.error
    assert huge.read_bytes() == b"x" * 1001
    assert not Meeting.objects.exists()
