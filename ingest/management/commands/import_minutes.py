"""Import minutes from text files: ``manage.py import_minutes PATH [PATH ...]``."""

import argparse
import getpass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ingest import batch, services
from ingest.converters import ACCEPTED_SUFFIXES

# A file over the size limit is still read and kept as a failed source document, unless it is
# this many times over: then it is refused without being read.
KEEP_ORIGINAL_UP_TO = 10
# Files held in memory at once; they are stored in batches of ``batch.BATCH_SIZE``.
FILES_READ_AT_ONCE = 10 * batch.BATCH_SIZE


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = (
        "Import minutes from files (text, saved web pages, Word or PDF) or folders of them. "
        "Files are stored in batches, "
        "each file in a savepoint of its own: created, updated in place (a corrected file for "
        "the same meeting), unchanged (the same file again) or failed (nothing stored but the "
        "file and the reason). Exits with status 1 if any file failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="file or folder")
        parser.add_argument("--body", help="committee name, for documents that state none")
        parser.add_argument(
            "--date", type=iso_date, help="meeting date (YYYY-MM-DD), for documents that state none"
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=0,
            help="parse the files in this many processes while others are stored (default 0: "
            "parse them in this process); the outcome is the same",
        )
        parser.add_argument(
            "--writers",
            type=int,
            default=1,
            help="on PostgreSQL, store batches of new meetings on this many connections at "
            "once (default 1); the outcome is the same",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="parse and show what would be stored, without writing anything",
        )

    def handle(self, *args, **options):
        verbosity, dry_run = options["verbosity"], options["dry_run"]
        files = self.collect_files(options["paths"])
        outcomes = []
        for start in range(0, len(files), FILES_READ_AT_ONCE):
            for outcome in self.import_files(
                files[start : start + FILES_READ_AT_ONCE],
                body=options["body"],
                meeting_date=options["date"],
                dry_run=dry_run,
                workers=options["workers"],
                writers=options["writers"],
            ):
                outcomes.append(outcome)
                progress = f"[{len(outcomes)}/{len(files)}] " if len(files) > 1 else ""
                self.report(progress, outcome, verbosity)

        self.summarise(outcomes, dry_run, verbosity)
        failed = sum(outcome.failed for outcome in outcomes)
        if failed:
            raise CommandError(f"{failed} of {len(outcomes)} files could not be imported.")

    def collect_files(self, paths: list[Path]) -> list[Path]:
        files = []
        for path in paths:
            if path.is_dir():
                found = sorted(
                    p
                    for p in path.iterdir()
                    if p.suffix.lower() in ACCEPTED_SUFFIXES and p.is_file()
                )
                if not found:
                    self.stderr.write(
                        f"No minutes files ({', '.join(ACCEPTED_SUFFIXES)}) in {path}"
                    )
                files.extend(found)
            else:
                files.append(path)
        if not files:
            raise CommandError("No minutes files to import.")
        return files

    def import_files(self, paths: list[Path], **options) -> list[services.ImportOutcome]:
        """The files' outcomes, in order; those that can be read are imported together."""
        who = _who_imports()
        read = [self.read_file(path, who, options["dry_run"]) for path in paths]
        readable = [
            (path.name, data)
            for path, data in zip(paths, read, strict=True)
            if isinstance(data, bytes)
        ]
        imported = iter(batch.import_documents(readable, imported_by_name=who, **options))
        return [
            data if isinstance(data, services.ImportOutcome) else next(imported) for data in read
        ]

    def read_file(self, path: Path, who: str, dry_run: bool) -> bytes | services.ImportOutcome:
        """The file's bytes, or the outcome of a file that cannot be read."""
        try:
            size = path.stat().st_size
            if size > settings.MINUTES_MAX_BYTES * KEEP_ORIGINAL_UP_TO:
                if dry_run:
                    return services.ImportOutcome(
                        services.FAILED, path.name, "file is over the size limit", dry_run=True
                    )
                return services.refuse_oversized(path.name, size, imported_by_name=who)
            return path.read_bytes()
        except OSError as exc:
            reason = exc.strerror.lower() if exc.strerror else str(exc)
            return services.ImportOutcome(services.FAILED, path.name, reason)

    def report(self, progress: str, outcome: services.ImportOutcome, verbosity: int):
        if outcome.failed:
            line = f"{progress}failed  {outcome.file_name}: {outcome.message}"
            self.stderr.write(self.style.ERROR(line))
            return
        if verbosity < 1:
            return
        status = f"would be {outcome.status}" if outcome.dry_run else outcome.status
        line = f"{progress}{status}  {outcome.file_name} → {outcome.message}"
        style = self.style.SUCCESS if outcome.status != services.UNCHANGED else str
        self.stdout.write(style(line))
        if outcome.dry_run:
            for detail in services.describe_parsed(outcome):
                self.stdout.write(f"    {detail}")
        elif verbosity >= 2:
            for warning in outcome.warnings:
                self.stdout.write(self.style.WARNING(f"    warning: {warning}"))

    def summarise(self, outcomes: list[services.ImportOutcome], dry_run: bool, verbosity: int):
        counts = {status: 0 for status in services.OUTCOMES}
        for outcome in outcomes:
            counts[outcome.status] += 1
        summary = ", ".join(f"{status} {count}" for status, count in counts.items())
        if dry_run:
            summary = f"Dry run, nothing written: would be {summary}"
        if verbosity >= 1 or counts[services.FAILED]:
            self.stdout.write(summary)
        for outcome in outcomes:
            if outcome.needs_review and verbosity >= 1:
                reasons = ", ".join(outcome.review_reasons)
                self.stdout.write(
                    self.style.WARNING(f"needs review ({reasons}): {outcome.file_name}")
                )


def _who_imports() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        return "import_minutes command"
    return f"import_minutes command ({user})"
