"""Read mutated minutes with the parser: ``manage.py fuzz_reader --seed 1 --examples 300``."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ingest import fuzz


class Command(BaseCommand):
    help = (
        "Read mutated copies of the minutes files under a folder (by default the test fixtures: "
        "the samples and every fixture) with the parser, nothing stored. Fails when a document "
        "raises an error or takes longer than --max-seconds to read; lists the slowest. The "
        "same seed and number of examples always give the same documents."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--examples", type=int, default=300, help="mutated documents to read (default 300)"
        )
        parser.add_argument(
            "--max-seconds",
            type=float,
            default=5.0,
            help="longest a document may take to read (default 5)",
        )
        parser.add_argument(
            "--folder",
            type=Path,
            default=Path(settings.BASE_DIR) / "tests" / "fixtures",
            help="folder of seed documents, read recursively (default tests/fixtures)",
        )
        parser.add_argument(
            "--max-failures",
            type=int,
            default=0,
            help="stop after this many failures (default 0: read every example)",
        )
        parser.add_argument(
            "--slowest", type=int, default=5, help="how many of the slowest to list (default 5)"
        )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]

        def progress(result):
            if result.error:
                self.stdout.write(self.style.ERROR(f"{result.example.description}: {result.error}"))
            elif verbosity >= 2:
                self.stdout.write(f"{result.seconds:7.3f} s  {result.example.description}")

        try:
            report = fuzz.fuzz(
                options["folder"],
                seed=options["seed"],
                count=options["examples"],
                max_seconds=options["max_seconds"],
                progress=progress,
                max_failures=options["max_failures"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["slowest"]:
            self.stdout.write(f"Slowest {options['slowest']}:")
            for result in report.slowest(options["slowest"]):
                self.stdout.write(f"{result.seconds:7.3f} s  {result.example.description}")
        total = sum(result.seconds for result in report.results)
        summary = (
            f"read {len(report.results)} documents in {total:.1f} s, {len(report.failures)} failed"
        )
        if report.failures:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
