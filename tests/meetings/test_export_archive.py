"""export_archive: the open-data JSON export and what it withholds."""

import datetime
import io
import json

import pytest
from django.core.management import call_command

from tests.conftest import MINUTES_DIR, RESTRICTED_WORD


@pytest.mark.django_db
class TestExportArchive:
    """The export built from hand-made meetings; the last test imports the samples."""

    @pytest.fixture
    def archive(self, open_and_restricted_meeting):
        return open_and_restricted_meeting

    def export(self, *args):
        out = io.StringIO()
        call_command("export_archive", *args, stdout=out)
        return json.loads(out.getvalue())

    def test_schema(self, archive):
        [meeting] = self.export()

        assert list(meeting) == [
            "body",
            "date",
            "start_time",
            "venue",
            "previous_meeting",
            "next_meeting",
            "source_name",
            "attendees",
            "items",
        ]
        assert meeting["date"] == "2025-01-22"
        assert meeting["start_time"] == "09:00"
        assert meeting["previous_meeting"] == "2024-11-27"
        assert meeting["next_meeting"] is None
        assert meeting["source_name"] is None
        assert meeting["attendees"] == [
            {
                "name": "Steve Nelson",
                "title": "Cllr",
                "role": "Chair",
                "organisation": None,
                "attendance": "present",
            }
        ]
        assert meeting["items"][0] == {
            "number": "SSP/52/24",
            "title": "Operation Nightfall",
            "restricted": False,
            "status": "heard",
            "agenda_text": "",
            "minutes_text": "Patrols continued.",
            "resolutions": [{"text": "Members noted the report.", "kind": "noted"}],
            "topics": ["Operation Nightfall"],
        }

    def test_restricted_items_are_withheld(self, archive):
        [meeting] = self.export()
        assert RESTRICTED_WORD not in json.dumps(meeting)
        assert meeting["items"][1] == {
            "number": "SSP/58/24",
            "title": "iQuanta Report",
            "restricted": True,
            "status": "heard",
            "agenda_text": "",
            "minutes_text": "",
            "resolutions": [],
            "topics": ["iQuanta"],
        }

    def test_restricted_items_in_full_on_request(self, archive):
        [meeting] = self.export("--include-restricted")
        item = meeting["items"][1]
        assert item["minutes_text"] == f"The {RESTRICTED_WORD} figures were discussed."
        assert item["agenda_text"] == f"To consider the {RESTRICTED_WORD} figures."
        assert item["resolutions"] == [
            {"text": f"The {RESTRICTED_WORD} report was noted.", "kind": "noted"}
        ]
        assert item["topics"] == ["iQuanta", "Knife Crime"]

    def test_undated_meetings_come_last_with_null_date(self, archive, make_meeting):
        make_meeting(date=None, body="")
        make_meeting(date=datetime.date(2011, 7, 5))
        dates = [meeting["date"] for meeting in self.export()]
        assert dates == ["2011-07-05", "2025-01-22", None]
        assert self.export()[-1]["body"] is None

    def test_queries_do_not_grow_with_the_archive(self, make_meeting, django_assert_num_queries):
        for day in range(1, 6):
            make_meeting(
                date=datetime.date(2025, 1, day),
                items=[{"title": f"Item {n}", "resolutions": ["Noted."]} for n in range(5)],
            )
        with django_assert_num_queries(5):
            self.export()

    def test_sample_export_names_its_source(self):
        call_command("import_minutes", str(MINUTES_DIR), verbosity=0)
        exported = self.export()
        assert [meeting["source_name"] for meeting in exported] == [
            "ssp-2011-07-05-numbered.txt",
            "ssp-2022-09-28-formal.txt",
            "ssp-2024-10-02-moderngov-unnumbered.txt",
            "ssp-2025-01-22-moderngov.txt",
            "ssp-undated-pipe-table.txt",
        ]
        assert len(exported[3]["items"]) == 13
