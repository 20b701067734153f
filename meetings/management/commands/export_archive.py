"""Print the archive as JSON: ``manage.py export_archive > archive.json``."""

import json

from django.core.management.base import BaseCommand

from meetings.exports import export_meetings, meeting_to_dict


class Command(BaseCommand):
    help = (
        "Print every meeting as JSON, oldest first (the open-data export; schema in "
        "meetings/exports.py). Restricted items' text and decisions are withheld unless "
        "--include-restricted is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--include-restricted",
            action="store_true",
            help="include the text, decisions and topics of restricted items (not for publication)",
        )
        parser.add_argument("--indent", type=int, default=2, help="spaces per level (default 2)")

    def handle(self, *args, **options):
        meetings = export_meetings(include_restricted=options["include_restricted"])
        archive = [meeting_to_dict(meeting) for meeting in meetings]
        self.stdout.write(json.dumps(archive, indent=options["indent"] or None))
