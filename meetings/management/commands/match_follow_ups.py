"""Match every body's follow-ups again: ``manage.py match_follow_ups``."""

from django.core.management.base import BaseCommand
from django.db import transaction

from meetings import followups
from meetings.models import Meeting


class Command(BaseCommand):
    help = (
        "Match the follow-ups of every body (or of --body) to later items again, as an import "
        "does for the meetings it touches: after the window or overdue settings change. "
        "Statuses and returned items set by hand are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--body", help="only this body's follow-ups")

    def handle(self, *args, **options):
        meetings = Meeting.objects.filter(date__isnull=False)
        if options["body"] is not None:
            meetings = meetings.filter(body=options["body"])
        bodies = sorted(set(meetings.values_list("body", flat=True)))
        changed = 0
        for body in bodies:
            dates = meetings.filter(body=body).values_list("date", flat=True)
            with transaction.atomic():
                found = followups.rematch(body, dates)
            changed += found
            if options["verbosity"] >= 2:
                self.stdout.write(f"{body or '(body unknown)'}: {found} changed")
        summary = f"Matched the follow-ups of {len(bodies)} bodies ({changed} changed)."
        self.stdout.write(self.style.SUCCESS(summary))
