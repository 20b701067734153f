"""Email each user one digest of the new items of their alerts: ``manage.py send_alerts``."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from meetings import alerts


class Command(BaseCommand):
    help = (
        "Send each active user with alerts one email digest of the agenda items stored since "
        "their last digest that their saved searches, topics and bodies find, as they may see "
        "them now. Run it from cron or a systemd timer, e.g. daily. Safe to run again and to "
        "interrupt: a digest left unsent by an interrupted run is sent by the next, once."
    )

    def handle(self, *args, **options):
        if not settings.SITE_URL:
            raise CommandError(
                "SITE_URL must be set (e.g. https://minutes.example.org): the links in the "
                "emails start with it."
            )
        report = alerts.send_digests()
        if options["verbosity"] >= 2:
            for failure in report.failed:
                self.stderr.write(f"Not sent: {failure}")
        summary = (
            f"Sent {report.sent} digest{'s' * (report.sent != 1)} "
            f"({report.items} item{'s' * (report.items != 1)})"
        )
        if report.failed:
            raise CommandError(
                f"{summary}; {len(report.failed)} could not be sent and will be tried again "
                f"on the next run: {'; '.join(report.failed)}"
            )
        self.stdout.write(self.style.SUCCESS(summary + "."))
