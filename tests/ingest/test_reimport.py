"""Re-importing stored originals with the current parser, the import history, and the admin.

The stub parser (see ``tests/conftest.py``) stands for the parser before a fix; ``improved``
stands for it after: every item's minutes gain a sentence and a third item is found.
"""

import datetime
import re
from pathlib import Path

import pytest
from django.contrib.messages import get_messages

from ingest import overrides, reading, reimport, services
from ingest.history import change_summary
from ingest.services import import_document
from meetings.models import (
    AgendaItem,
    ImportEvent,
    Meeting,
    Override,
    Resolution,
    SourceDocument,
)
from tests.conftest import _stub_parse, make_user, messages_of

pytestmark = pytest.mark.django_db

JANUARY = b"""Body: Safer Stockton Partnership
Date: 2025-01-22
Item: SSP/47/24 | Evacuation Procedure | A fire drill was held.
Item: SSP/48/24 | Operation Nightfall | Patrols continued in Ropner Ward.
"""
UNDATED = b"""Item: | Apologies | Apologies were given.
Item: | Town Centre | Surgeries were held.
"""
# The stub parser finds no items in this; the improved one reads its "Agenda item:" lines.
OLD_LAYOUT = b"""Body: Safer Stockton Partnership
Date: 2025-03-05
Agenda item: SSP/1/25 | Knife Crime | Knife crime figures fell.
"""


def improved(text):
    parsed = _stub_parse(text.replace("Agenda item:", "Item:"))
    for item in parsed.items:
        item.minutes_text += " Members asked questions."
    if parsed.items:
        parsed.items.append(_stub_parse("Item: SSP/49/24 | Any Other Business | None.").items[0])
        parsed.items[-1].position = len(parsed.items)
    return parsed


@pytest.fixture
def parser(monkeypatch, stub_parser):
    """Switch to the improved parser with ``parser.improve()``."""

    class Parser:
        def improve(self, parse=improved):
            monkeypatch.setattr(reading, "parse_minutes", parse)

    return Parser()


EDITING = ["view_meeting", "change_meeting", "view_sourcedocument", "view_importevent"]


@pytest.fixture
def importer(django_user_model):
    """Staff who may edit meetings and import minutes."""
    return make_user(django_user_model, "importer", "import_minutes", *EDITING)


@pytest.fixture
def editor(django_user_model):
    """Staff who may edit meetings but not import minutes."""
    return make_user(django_user_model, "editor", *EDITING)


def action_names(response):
    form = response.context["action_form"]
    return [name for name, _label in form.fields["action"].choices] if form else []


class TestReimport:
    def test_the_same_bytes_read_by_a_fixed_parser_update_the_meeting_and_say_what_changed(
        self, parser
    ):
        meeting = import_document(JANUARY, "jan.txt").meeting
        item_pks = list(meeting.items.order_by("position").values_list("pk", flat=True))
        parser.improve()

        outcome = reimport.reimport_meeting(meeting)

        assert outcome.status == services.UPDATED
        assert reimport.report(outcome) == (
            "Safer Stockton Partnership, 22 January 2025: 2 items changed (minutes_text), 1 added"
        )
        items = list(meeting.items.order_by("position"))
        assert [item.pk for item in items[:2]] == item_pks
        assert items[0].minutes_text == "A fire drill was held. Members asked questions."
        assert items[2].title == "Any Other Business"
        # The original is not stored a second time; it stays the meeting's source.
        assert SourceDocument.objects.count() == 1
        assert Meeting.objects.get().source == SourceDocument.objects.get()

    def test_an_ordinary_import_of_the_same_bytes_is_still_unchanged(self, parser):
        import_document(JANUARY, "jan.txt")
        parser.improve()
        assert import_document(JANUARY, "jan.txt").status == services.UNCHANGED

    def test_nothing_new_from_the_parser_is_no_changes_and_writes_nothing(self, parser):
        meeting = import_document(JANUARY, "jan.txt").meeting
        updated = Meeting.objects.get().updated

        outcome = reimport.reimport_meeting(meeting)

        assert outcome.status == services.UNCHANGED
        assert reimport.report(outcome) == "Safer Stockton Partnership, 22 January 2025: no changes"
        assert Meeting.objects.get().updated == updated

    def test_items_the_fixed_parser_no_longer_finds_are_removed(self, parser):
        meeting = import_document(JANUARY, "jan.txt").meeting

        def fewer(text):
            parsed = _stub_parse(text)
            parsed.items = parsed.items[:1]
            return parsed

        parser.improve(fewer)
        outcome = reimport.reimport_meeting(meeting)

        assert reimport.report(outcome).endswith(": 1 item removed")
        assert meeting.items.count() == 1

    def test_a_date_given_when_importing_is_given_again(self, parser):
        meeting = import_document(
            UNDATED, "undated.txt", body="Cabinet", meeting_date=datetime.date(2024, 5, 1)
        ).meeting
        parser.improve()

        reimport.reimport_meeting(meeting)

        meeting.refresh_from_db()
        assert (meeting.body, meeting.date) == ("Cabinet", datetime.date(2024, 5, 1))
        assert meeting.date_source == Meeting.DateSource.OPTION
        assert meeting.items.count() == 3

    def test_a_document_that_failed_may_succeed_after_a_fix(self, parser):
        failed = import_document(OLD_LAYOUT, "march.txt")
        assert failed.message == "no agenda items found"
        document = SourceDocument.objects.get()
        parser.improve()

        outcome = reimport.reimport_document(document)

        assert outcome.status == services.CREATED
        document.refresh_from_db()
        assert (document.status, document.error) == (SourceDocument.Status.IMPORTED, "")
        assert document.meeting == outcome.meeting
        assert outcome.meeting.source == document
        assert SourceDocument.objects.count() == 1
        assert reimport.report(outcome) == (
            "Safer Stockton Partnership, 5 March 2025: created from march.txt (2 items)"
        )

    def test_an_older_document_becomes_the_current_source_again(self, parser):
        import_document(JANUARY, "jan.txt")
        corrected = JANUARY.replace(b"continued", b"stopped")
        meeting = import_document(corrected, "jan.txt").meeting
        first = SourceDocument.objects.order_by("pk").first()

        outcome = reimport.reimport_document(first)

        assert reimport.report(outcome).endswith(": 1 item changed (minutes_text)")
        meeting.refresh_from_db()
        assert meeting.source == first

    def test_a_failed_reimport_leaves_the_meeting_as_it_was(self, parser):
        meeting = import_document(JANUARY, "jan.txt").meeting
        before = list(meeting.items.values_list("title", "minutes_text"))
        parser.improve(lambda text: _stub_parse(""))  # finds nothing

        outcome = reimport.reimport_meeting(meeting)

        assert outcome.failed
        assert reimport.report(outcome, str(meeting)) == (
            "Safer Stockton Partnership, 22 January 2025: failed: no agenda items found"
        )
        assert list(meeting.items.values_list("title", "minutes_text")) == before
        assert SourceDocument.objects.get().status == SourceDocument.Status.IMPORTED
        event = ImportEvent.objects.get(action=ImportEvent.Action.REIMPORT)
        assert (event.outcome, event.message, event.meeting) == (
            "failed",
            "no agenda items found",
            meeting,
        )

    def test_a_meeting_that_would_take_another_meetings_date_is_refused(self, parser):
        meeting = import_document(JANUARY, "jan.txt").meeting
        import_document(JANUARY.replace(b"2025-01-22", b"2025-01-23"), "jan-23.txt")

        def misdated(text):
            parsed = _stub_parse(text)
            parsed.date = datetime.date(2025, 1, 23)
            return parsed

        parser.improve(misdated)
        outcome = reimport.reimport_meeting(meeting)

        assert outcome.failed
        assert "another meeting in the archive has that body and date" in outcome.message
        assert Meeting.objects.get(pk=meeting.pk).date == datetime.date(2025, 1, 22)

    def test_uploads_awaiting_confirmation_are_not_reimported(self, parser):
        document = SourceDocument.objects.create(
            file_name="held.txt", sha256="x", original_bytes=JANUARY, status="pending"
        )
        outcome = reimport.reimport_document(document)
        assert outcome.failed
        assert outcome.message.startswith("awaiting confirmation")
        assert not Meeting.objects.exists()
        assert not ImportEvent.objects.exists()

    def test_a_meeting_without_a_source_cannot_be_reimported(self, make_meeting):
        meeting = make_meeting(items=[{"title": "Apologies"}])
        outcome = reimport.reimport_meeting(meeting)
        assert outcome.message == "the meeting has no source document to read again"
        assert meeting.import_events.get().outcome == "failed"


class TestChangeSummary:
    def test_items_fields_attendance(self):
        from ingest.diff import ItemChange, MeetingChanges

        changes = MeetingChanges(
            fields=["venue"],
            changed=[
                ItemChange(1, "1", "A", ["minutes_text"]),
                ItemChange(2, "2", "B", ["title", "minutes_text"]),
            ],
            added=[ItemChange(3, "3", "C")],
            removed=[ItemChange(4, "4", "D"), ItemChange(5, "5", "E")],
            attendees_changed=True,
        )
        assert change_summary(changes) == (
            "2 items changed (minutes_text, title), 1 added, 2 removed; venue changed; "
            "attendance changed"
        )
        assert change_summary(MeetingChanges(added=[ItemChange(1, "", "A")])) == "1 item added"
        assert change_summary(MeetingChanges()) == "no changes"


class TestImportHistory:
    def test_every_attempt_is_recorded_with_its_outcome(self, parser, importer):
        first = import_document(JANUARY, "jan.txt", imported_by_name="import_minutes command")
        meeting = first.meeting
        import_document(JANUARY, "jan-copy.txt", imported_by_name="import_minutes command")
        corrected = JANUARY.replace(b"continued", b"stopped")
        import_document(corrected, "jan-v2.txt", imported_by=importer, imported_by_name="jo")
        import_document(b"\x00\x01 junk", "scan.bin")
        parser.improve()
        reimport.reimport_meeting(Meeting.objects.get(), user=importer)

        events = list(
            ImportEvent.objects.order_by("pk").values_list(
                "action", "outcome", "file_name", "meeting", "by_name", "message"
            )
        )
        assert events == [
            (
                "import",
                "created",
                "jan.txt",
                meeting.pk,
                "import_minutes command",
                "Safer Stockton Partnership, 22 January 2025 (2 items)",
            ),
            (
                "import",
                "unchanged",
                "jan-copy.txt",
                meeting.pk,
                "import_minutes command",
                "Safer Stockton Partnership, 22 January 2025",
            ),
            (
                "import",
                "updated",
                "jan-v2.txt",
                meeting.pk,
                "jo",
                "Safer Stockton Partnership, 22 January 2025 (2 items): "
                "1 item changed (minutes_text)",
            ),
            ("import", "failed", "scan.bin", None, "", "binary data, not text minutes"),
            (
                "reimport",
                "updated",
                "jan-v2.txt",
                meeting.pk,
                "admin re-import (importer)",
                "Safer Stockton Partnership, 22 January 2025 (3 items): "
                "2 items changed (minutes_text), 1 added",
            ),
        ]
        assert ImportEvent.objects.filter(by=importer).count() == 2
        failed = ImportEvent.objects.get(outcome="failed")
        assert failed.source_document.status == SourceDocument.Status.FAILED

    def test_the_meeting_page_lists_its_history_newest_first(self, parser, admin_client):
        meeting = import_document(JANUARY, "jan.txt", imported_by_name="first import").meeting
        parser.improve()
        reimport.reimport_meeting(meeting)

        html = admin_client.get(f"/admin/meetings/meeting/{meeting.pk}/change/").content.decode()

        assert "Import history" in html
        assert html.index("Re-import") < html.index("first import")
        assert "2 items changed (minutes_text), 1 added" in html

    def test_the_history_list_filters_by_outcome(self, parser, admin_client):
        import_document(JANUARY, "jan.txt")
        import_document(b"", "empty.txt")
        response = admin_client.get("/admin/meetings/importevent/?outcome__exact=failed")
        assert [event.file_name for event in response.context["cl"].result_list] == ["empty.txt"]
        assert "empty file" in response.content.decode()

    def test_the_history_is_read_only(self, parser, admin_client):
        import_document(JANUARY, "jan.txt")
        event = ImportEvent.objects.get()
        assert admin_client.get("/admin/meetings/importevent/add/").status_code == 403
        url = f"/admin/meetings/importevent/{event.pk}/change/"
        assert 'name="_save"' not in admin_client.get(url).content.decode()


class TestNeedsReview:
    def test_the_meeting_list_filters_by_the_reason_for_review(self, admin_client, make_meeting):
        make_meeting(date=None, body="Undated body")
        make_meeting(body="", date=datetime.date(2025, 2, 1))
        make_meeting(body="Warned body", warnings=["An item was read twice."])
        make_meeting(body="Fine body")

        def listed(query):
            response = admin_client.get(f"/admin/meetings/meeting/?{query}")
            return sorted(meeting.body for meeting in response.context["cl"].result_list)

        assert listed("needs_review__exact=1") == ["", "Undated body", "Warned body"]
        assert listed("review=date") == ["Undated body"]
        assert listed("review=body") == [""]
        assert listed("review=warnings") == ["Warned body"]


class TestAdminActions:
    def test_reimport_from_source_on_meetings_reports_each_meeting(self, parser, client, importer):
        january = import_document(JANUARY, "jan.txt").meeting
        march = import_document(JANUARY.replace(b"2025-01-22", b"2025-03-19"), "march.txt").meeting
        parser.improve()
        client.force_login(importer)
        assert "reimport_from_source" in action_names(client.get("/admin/meetings/meeting/"))

        response = client.post(
            "/admin/meetings/meeting/",
            {"action": "reimport_from_source", "_selected_action": [january.pk, march.pk]},
            follow=True,
        )

        assert sorted(messages_of(response)) == [
            "Safer Stockton Partnership, 19 March 2025: 2 items changed (minutes_text), 1 added",
            "Safer Stockton Partnership, 22 January 2025: 2 items changed (minutes_text), 1 added",
        ]
        assert AgendaItem.objects.count() == 6
        assert ImportEvent.objects.filter(action="reimport", by=importer).count() == 2

    def test_reimport_from_source_on_source_documents(self, parser, client, importer):
        import_document(JANUARY, "jan.txt")
        import_document(OLD_LAYOUT, "march.txt")
        parser.improve()
        client.force_login(importer)
        page = client.get("/admin/meetings/sourcedocument/")
        assert "reimport_from_source" in action_names(page)

        response = client.post(
            "/admin/meetings/sourcedocument/",
            {
                "action": "reimport_from_source",
                "_selected_action": list(SourceDocument.objects.values_list("pk", flat=True)),
            },
            follow=True,
        )

        assert messages_of(response) == [
            "Safer Stockton Partnership, 22 January 2025: 2 items changed (minutes_text), 1 added",
            "Safer Stockton Partnership, 5 March 2025: created from march.txt (2 items)",
        ]
        assert Meeting.objects.count() == 2

    def test_staff_without_the_import_permission_get_no_reimport_action(
        self, parser, client, editor
    ):
        meeting = import_document(JANUARY, "jan.txt").meeting
        parser.improve()
        client.force_login(editor)
        assert "reimport_from_source" not in action_names(client.get("/admin/meetings/meeting/"))
        assert "reimport_from_source" not in action_names(
            client.get("/admin/meetings/sourcedocument/")
        )

        response = client.post(
            "/admin/meetings/meeting/",
            {"action": "reimport_from_source", "_selected_action": [meeting.pk]},
            follow=True,
        )

        assert response.status_code == 200
        assert meeting.items.count() == 2
        assert not ImportEvent.objects.filter(action="reimport").exists()

    def test_a_failed_reimport_is_an_error_message(self, parser, client, importer):
        meeting = import_document(JANUARY, "jan.txt").meeting
        parser.improve(lambda text: _stub_parse(""))
        client.force_login(importer)
        response = client.post(
            "/admin/meetings/meeting/",
            {"action": "reimport_from_source", "_selected_action": [meeting.pk]},
            follow=True,
        )
        [message] = list(get_messages(response.wsgi_request))
        assert message.level_tag == "error"
        assert str(message).endswith(": failed: no agenda items found")
        assert Resolution.objects.count() == 0  # the stub records no decisions for these


# Item identity ------------------------------------------------------------------------------
# The 2022 sample, read by the real parser: "Recorded Crime and Disorder Report" is SSP 16/22.
SAMPLE_2022 = Path(__file__).parent.parent / "fixtures" / "minutes" / "ssp-2022-09-28-formal.txt"
REPORT = "Recorded Crime and Disorder Report"
REPORT_TEXT = "Members were presented with a Recorded Crime"
INSERTED = """SSP 16/22 Knife Crime Update

Members received an update on knife crime in the borough.

AGREED that the update be noted.

"""


def corrected_2022() -> bytes:
    """The 2022 sample as a council would correct it: an item inserted before the report, and
    every later item renumbered (SSP 16/22 becomes SSP 17/22, and so on)."""
    text = SAMPLE_2022.read_text()
    for number in range(20, 15, -1):
        text = re.sub(rf"(?<![\d/]){number}/22\b", f"{number + 1}/22", text)
    marker = "SSP 17/22 **Recorded Crime and Disorder Report**"
    assert marker in text
    return text.replace(marker, INSERTED + marker).encode()


def restrict_by_hand(item, user=None):
    """What ticking "restricted" on the item's admin page does."""
    item.restricted = True
    overrides.record(item, "restricted", False, user=user)
    item.save()


def items_by_title(meeting) -> dict[str, AgendaItem]:
    return {item.title: item for item in AgendaItem.objects.filter(meeting=meeting)}


class TestItemIdentity:
    def test_an_item_inserted_before_a_hand_restricted_one_leaves_the_restriction_on_it(
        self, client
    ):
        meeting = import_document(SAMPLE_2022.read_bytes(), SAMPLE_2022.name).meeting
        before = items_by_title(meeting)
        restrict_by_hand(before[REPORT])

        outcome = import_document(corrected_2022(), SAMPLE_2022.name)

        assert outcome.status == services.UPDATED
        assert outcome.meeting.pk == meeting.pk
        after = items_by_title(meeting)
        report = after[REPORT]
        assert (report.pk, report.position, report.number) == (before[REPORT].pk, 6, "SSP 17/22")
        assert report.restricted
        assert Override.objects.get().item_id == report.pk
        # The item now at the report's old position is the new one, and it is not restricted.
        inserted = after["Knife Crime Update"]
        assert (inserted.position, inserted.restricted) == (5, False)
        assert inserted.pk not in {item.pk for item in before.values()}
        crest = after["Crest Advisory – CURV (Violence Reduction Unit)"]
        assert (crest.pk, crest.restricted) == (before[crest.title].pk, False)
        # Every item of the first reading keeps its row, so its address.
        assert {title: item.pk for title, item in before.items()} == {
            title: item.pk for title, item in after.items() if title in before
        }
        assert [c.title for c in outcome.changes.added] == ["Knife Crime Update"]
        assert outcome.changes.removed == []
        # The report's address still withholds its text.
        page = client.get(f"/items/{before[REPORT].pk}/").content.decode()
        assert REPORT in page
        assert REPORT_TEXT not in page

    def test_removing_an_item_changes_only_that_item(self, parser):
        three = JANUARY + b"Item: SSP/49/24 | Youth Diversion | Sessions ran weekly.\n"
        meeting = import_document(three, "jan.txt").meeting
        before = items_by_title(meeting)
        restrict_by_hand(before["Youth Diversion"])

        outcome = import_document(three.replace(b"Item: SSP/47/24", b"Old: SSP/47/24"), "jan.txt")

        after = items_by_title(meeting)
        assert sorted(after) == ["Operation Nightfall", "Youth Diversion"]
        assert [
            (after[t].pk, after[t].position) for t in ("Operation Nightfall", "Youth Diversion")
        ] == [
            (before["Operation Nightfall"].pk, 1),
            (before["Youth Diversion"].pk, 2),
        ]
        assert after["Youth Diversion"].restricted
        assert [c.title for c in outcome.changes.removed] == ["Evacuation Procedure"]
        assert not Meeting.objects.get(pk=meeting.pk).needs_review

    def test_two_items_swapped_keep_their_rows(self, parser):
        meeting = import_document(JANUARY, "jan.txt").meeting
        before = items_by_title(meeting)
        restrict_by_hand(before["Operation Nightfall"])
        lines = JANUARY.decode().splitlines()
        swapped = "\n".join([*lines[:2], lines[3], lines[2]]).encode()

        outcome = import_document(swapped, "jan.txt")

        assert outcome.status == services.UPDATED
        after = items_by_title(meeting)
        assert [(after[t].pk, after[t].position) for t in sorted(after)] == [
            (before["Evacuation Procedure"].pk, 2),
            (before["Operation Nightfall"].pk, 1),
        ]
        assert after["Operation Nightfall"].restricted
        assert not after["Evacuation Procedure"].restricted

    def test_a_title_changed_slightly_keeps_its_row_even_when_an_item_is_inserted(
        self, parser, django_user_model
    ):
        meeting = import_document(JANUARY, "jan.txt").meeting
        before = items_by_title(meeting)
        restrict_by_hand(before["Operation Nightfall"])
        corrected = JANUARY.replace(
            b"Item: SSP/48/24 | Operation Nightfall |",
            b"Item: SSP/48/24 | Knife Crime | Figures fell.\n"
            b"Item: SSP/49/24 | Operation Nightfall Patrols |",
        )

        import_document(corrected, "jan.txt")

        after = items_by_title(meeting)
        patrols = after["Operation Nightfall Patrols"]
        assert (patrols.pk, patrols.position, patrols.restricted) == (
            before["Operation Nightfall"].pk,
            3,
            True,
        )
        # Found again only by a likeness of titles: the hand restriction waits to be placed,
        # and until then the new item is held restricted too, and the meeting is for review.
        assert after["Knife Crime"].restricted
        assert after["Knife Crime"].restricted_reason == overrides.HELD_REASON
        assert not after["Evacuation Procedure"].restricted
        override = Override.objects.get()
        assert (override.item_id, override.unmatched["title"]) == (None, "Operation Nightfall")
        assert Meeting.objects.get(pk=meeting.pk).needs_review
        # Read again, nothing changes: the held items are what the import would store.
        again = reimport.reimport_meeting(Meeting.objects.get(pk=meeting.pk))
        assert again.status == services.UNCHANGED, again.changes.summary()

        editor = make_user(django_user_model, "editor", "view_restricted", "change_agendaitem")
        assert overrides.place(override, patrols, user=editor) == ""

        after = items_by_title(meeting)
        assert after["Operation Nightfall Patrols"].restricted
        assert (after["Knife Crime"].restricted, after["Knife Crime"].restricted_reason) == (
            False,
            "",
        )
        assert Override.objects.get().item_id == patrols.pk

    def test_a_restriction_lifted_by_hand_is_not_carried_to_an_item_on_a_guess(self, parser):
        """An item the minutes restrict, published by hand, then renumbered and retitled: the
        item the guess finds is not published on the strength of another item's correction."""
        secret = JANUARY.replace(
            b"Item: SSP/48/24 | Operation Nightfall |", b"Item: SSP/48/24 | Restricted - Contract |"
        )
        meeting = import_document(secret, "jan.txt").meeting
        contract = items_by_title(meeting)["Restricted - Contract"]
        assert contract.restricted
        contract.restricted = False
        overrides.record(contract, "restricted", True, user=None)
        contract.save()

        retitled = secret.replace(
            b"Item: SSP/48/24 | Restricted - Contract |",
            b"Item: SSP/48/24 | Restricted - Contract Award |",
        )
        import_document(retitled, "jan.txt")

        award = items_by_title(meeting)["Restricted - Contract Award"]
        assert award.pk == contract.pk
        assert award.restricted
        assert Override.objects.get().unmatched is not None
        assert Meeting.objects.get(pk=meeting.pk).needs_review

    def test_a_restriction_lifted_by_hand_lapses_when_the_minutes_say_more_of_the_item(
        self, parser
    ):
        """Published by hand on what it said then: new restricted text is not published on
        the strength of that decision."""
        secret = JANUARY.replace(
            b"Item: SSP/48/24 | Operation Nightfall | Patrols continued in Ropner Ward.",
            b"Item: SSP/48/24 | Restricted - Contract | The contract was discussed.",
        )
        meeting = import_document(secret, "jan.txt").meeting
        contract = items_by_title(meeting)["Restricted - Contract"]
        contract.restricted = False
        overrides.record(contract, "restricted", True, user=None)
        contract.save()

        # The same text read again: the item stays published.
        again = reimport.reimport_meeting(Meeting.objects.get(pk=meeting.pk))
        assert again.status == services.UNCHANGED
        assert not AgendaItem.objects.get(pk=contract.pk).restricted

        corrected = secret.replace(
            b"The contract was discussed.", b"The contract was discussed. The sum was 40,000."
        )
        import_document(corrected, "jan.txt")

        item = AgendaItem.objects.get(pk=contract.pk)
        assert (item.title, item.restricted) == ("Restricted - Contract", True)
        override = Override.objects.get()
        assert (override.item_id, override.value) == (None, False)
        assert Meeting.objects.get(pk=meeting.pk).needs_review
        # Read once more, nothing changes.
        again = reimport.reimport_meeting(Meeting.objects.get(pk=meeting.pk))
        assert again.status == services.UNCHANGED, again.changes.summary()

    def test_positions_are_rewritten_without_clashing(self, parser):
        """Every item moves up one place: no two rows may hold a position at any moment."""
        titles = ["Apologies", "Minutes", "Patrols", "Knife Crime", "Any Other Business"]
        lines = [f"Item: SSP/{n}/24 | {t} | Noted." for n, t in enumerate(titles, start=1)]
        head = "Body: Safer Stockton Partnership\nDate: 2025-01-22\n"
        meeting = import_document((head + "\n".join(lines)).encode(), "jan.txt").meeting
        before = items_by_title(meeting)

        moved = [*lines[1:], lines[0]]
        reimported = import_document((head + "\n".join(moved)).encode(), "jan.txt")

        assert reimported.status == services.UPDATED
        after = items_by_title(meeting)
        assert [after[t].position for t in titles] == [5, 1, 2, 3, 4]
        assert {t: i.pk for t, i in after.items()} == {t: i.pk for t, i in before.items()}


class TestBodyRemembered:
    def test_a_body_given_when_importing_is_given_again(self, parser):
        undated = b"Item: | Apologies | Apologies were given.\n"
        meeting = import_document(
            undated, "cab.txt", body="Cabinet", meeting_date=datetime.date(2024, 5, 1)
        ).meeting
        assert SourceDocument.objects.get(meeting=meeting).body_given == "Cabinet"
        # The document, read again, now names another body: the one given still wins.
        parser.improve(lambda text: _stub_parse("Body: Council\n" + text))

        outcome = reimport.reimport_meeting(meeting)

        assert reimport.report(outcome) == "Cabinet, 1 May 2024: no changes"
        meeting.refresh_from_db()
        assert meeting.body == "Cabinet"
        assert Meeting.objects.count() == 1
