"""Importing minutes through the admin: upload, preview, confirm or cancel.

The pages are driven with Django's test client. Tests of the import rules themselves are in
``test_services.py``; these check that the admin reaches the same service path, shows what it
will do first, and keeps every original.
"""

import datetime
import re
import zipfile
from html import unescape
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ingest import history, overrides, services, topics, uploads, writers
from meetings.models import AgendaItem, ImportEvent, Meeting, SourceDocument, Topic
from tests.conftest import make_user, sample_bytes
from tests.ingest.test_converters import FORMAL, MODERNGOV, docx_bytes, minimal_pdf, moderngov_page

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/admin/meetings/sourcedocument/import/"
PREVIEW_URL = "/admin/meetings/sourcedocument/import/preview/"
JANUARY = "ssp-2025-01-22-moderngov.txt"
UNDATED = "ssp-undated-pipe-table.txt"
JUNK = bytes(range(256)) * 8
SECRET = "zanzibar"

# For the stub parser (see tests/conftest.py): a restricted item with secret text and decision.
STUB_MEETING = f"""Body: Safer Stockton Partnership
Date: 2025-03-05
Item: SSP/1/25 | Knife Crime | Operation Shield knife crime figures were noted.
Item: SSP/2/25 | Restricted - iQuanta Report | Operation {SECRET.title()}: {SECRET} figures noted.
""".encode()


@pytest.fixture
def importer(django_user_model):
    """Staff who may import minutes but not read restricted items."""
    return make_user(django_user_model, "importer", "import_minutes")


@pytest.fixture
def trusted_importer(django_user_model):
    return make_user(django_user_model, "trusted", "import_minutes", "view_restricted")


@pytest.fixture
def client_for(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def importer_client(client_for, importer):
    return client_for(importer)


def upload_file(name, data):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def upload(client, *files):
    """Upload (name, bytes) pairs at once; the response of the preview page they lead to."""
    response = client.post(UPLOAD_URL, {"files": [upload_file(n, d) for n, d in files]})
    assert response.status_code == 302, response.content.decode()
    assert response["Location"].startswith(PREVIEW_URL)
    return client.get(response["Location"])


def preview_url(response) -> str:
    return f"{PREVIEW_URL}?{response.request['QUERY_STRING']}"


def pending(file_name) -> SourceDocument:
    return SourceDocument.objects.get(file_name=file_name, status=SourceDocument.Status.PENDING)


def confirm(client, response, *, unticked=(), **fields):
    """Confirm the previewed uploads: all ticked but ``unticked``; fields as name: value."""
    data = {"_confirm": "Import the ticked files"}
    for document in SourceDocument.objects.filter(status=SourceDocument.Status.PENDING):
        if document.file_name not in unticked:
            data[f"file-{document.pk}-selected"] = "on"
    for key, value in fields.items():
        file_name, field = key.rsplit(":", 1)
        data[f"file-{pending(file_name).pk}-{field}"] = value
    return client.post(preview_url(response), data)


def text(response) -> str:
    """The page's visible text, tags removed and spaces collapsed."""
    html = response.content.decode()
    html = re.sub(r"</?(a|strong|span|em|label)\b[^>]*>", "", html)
    return unescape(" ".join(re.sub(r"<[^>]+>", " ", html).split()))


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# Who may import


class TestPermissions:
    @pytest.mark.parametrize("url", [UPLOAD_URL, f"{PREVIEW_URL}?ids=1"])
    def test_anonymous_visitors_are_sent_to_the_admin_sign_in(self, client, url):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")

    def test_a_member_who_is_not_staff_cannot_import_even_with_the_permission(
        self, client_for, django_user_model
    ):
        member = make_user(django_user_model, "member", "import_minutes", is_staff=False)
        response = client_for(member).get(UPLOAD_URL)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")

    def test_staff_without_the_import_permission_are_refused(self, client_for, django_user_model):
        editor = make_user(django_user_model, "editor", "view_sourcedocument", "change_meeting")
        client = client_for(editor)

        assert client.get(UPLOAD_URL).status_code == 403
        posted = client.post(UPLOAD_URL, {"files": [upload_file(JANUARY, sample_bytes(JANUARY))]})
        assert posted.status_code == 403
        assert not SourceDocument.objects.exists()

    def test_staff_without_the_permission_cannot_confirm_anothers_upload(
        self, client_for, importer, django_user_model
    ):
        response = upload(client_for(importer), (JANUARY, sample_bytes(JANUARY)))
        editor = make_user(django_user_model, "editor", "view_sourcedocument")
        client = client_for(editor)

        assert client.get(preview_url(response)).status_code == 403
        assert confirm(client, response).status_code == 403
        assert not Meeting.objects.exists()
        assert pending(JANUARY)

    def test_another_importer_does_not_see_or_confirm_my_uploads(
        self, client_for, importer, trusted_importer
    ):
        response = upload(client_for(importer), (JANUARY, sample_bytes(JANUARY)))
        other = client_for(trusted_importer)

        assert other.get(preview_url(response)).status_code == 302
        other.post(preview_url(response), {"_confirm": "1"})
        assert not Meeting.objects.exists()
        assert pending(JANUARY)

    def test_importers_and_superusers_reach_the_upload_page(self, importer_client, admin_client):
        assert importer_client.get(UPLOAD_URL).status_code == 200
        assert admin_client.get(UPLOAD_URL).status_code == 200

    def test_the_admin_home_and_source_documents_link_to_the_upload(self, importer_client):
        assert UPLOAD_URL in importer_client.get("/admin/").content.decode()
        changelist = importer_client.get("/admin/meetings/sourcedocument/")
        assert changelist.status_code == 200
        assert f'href="{UPLOAD_URL}"' in changelist.content.decode()

    def test_staff_without_the_permission_see_no_import_link(self, client_for, django_user_model):
        editor = make_user(django_user_model, "editor", "view_sourcedocument")
        client = client_for(editor)
        assert UPLOAD_URL not in client.get("/admin/").content.decode()
        assert UPLOAD_URL not in client.get("/admin/meetings/sourcedocument/").content.decode()

    def test_a_post_without_the_csrf_token_is_refused(self, importer):
        client = Client(enforce_csrf_checks=True)
        client.force_login(importer)
        response = client.post(UPLOAD_URL, {"files": [upload_file(JANUARY, sample_bytes(JANUARY))]})
        assert response.status_code == 403
        assert not SourceDocument.objects.exists()


# Uploading and the preview


class TestUpload:
    def test_several_files_at_once_each_get_a_preview_or_a_reason(self, importer_client, importer):
        response = upload(
            importer_client,
            (JANUARY, sample_bytes(JANUARY)),
            ("scan.bin", JUNK),
            (UNDATED, sample_bytes(UNDATED)),
        )

        page = text(response)
        assert "scan.bin: binary data, not text minutes" in page
        assert "ModernGov agenda and minutes" in page
        assert "Pipe table export" in page
        assert "13 items, in order" in page
        assert "SSP/52/24 printed “SSP/5224” Operation Nightfall" in page
        assert "Wednesday 22 January 2025, 09:00" in page
        assert not Meeting.objects.exists()  # nothing stored before confirming
        held = SourceDocument.objects.filter(status=SourceDocument.Status.PENDING)
        assert sorted(held.values_list("file_name", flat=True)) == [JANUARY, UNDATED]
        assert {document.imported_by for document in held} == {importer}
        assert held.filter(meeting__isnull=False).count() == 0
        failed = SourceDocument.objects.get(status=SourceDocument.Status.FAILED)
        assert (failed.file_name, failed.error) == ("scan.bin", "binary data, not text minutes")
        assert bytes(failed.original_bytes) == JUNK

    def test_the_preview_shows_items_statuses_decisions_topics_and_attendance(
        self, importer_client
    ):
        name = "ssp-2022-09-28-formal.txt"
        response = upload(importer_client, (name, sample_bytes(name)))
        page = text(response)

        assert "A new meeting will be created." in page
        assert "Formal minutes" in page
        assert "Wednesday 28 September 2022" in page
        assert "Present (" in page and "Cllr Steve Nelson (Chair)" in page
        assert "SSP 20/22 RESTRICTED - iQuanta Report Restricted" in page
        assert "Approved: AGREED that the minutes be approved." in page
        assert "Heard" in page
        assert "iQuanta" in page  # a topic found

    @pytest.mark.parametrize("ids", ["²", "1,٣", "99999999999999999999999", "%00"])
    def test_a_preview_address_with_odd_ids_goes_back_to_the_upload(self, importer_client, ids):
        response = importer_client.get(f"{PREVIEW_URL}?ids={ids}")
        assert response.status_code == 302
        assert response["Location"] == UPLOAD_URL

    def test_choosing_no_file_says_so(self, importer_client):
        response = importer_client.post(UPLOAD_URL, {})
        assert response.status_code == 200
        assert "Choose one or more minutes files." in text(response)

    def test_the_page_says_how_many_files_one_upload_may_hold(self, importer_client, settings):
        settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
        assert "up to 3 files at a time" in text(importer_client.get(UPLOAD_URL))

        files = [upload_file(f"{n}.txt", sample_bytes(JANUARY)) for n in range(4)]
        response = importer_client.post(UPLOAD_URL, {"files": files}, follow=True)

        assert response.redirect_chain == [(UPLOAD_URL, 302)]
        assert response.status_code == 200
        assert messages_of(response) == [
            "You chose more than 3 files. Upload at most 3 files at a time: "
            "choose the rest in another upload."
        ]
        page = text(response)
        assert "Upload at most 3 files at a time" in page
        assert 'type="file" name="files"' in response.content.decode()  # to choose again
        assert not SourceDocument.objects.exists()

        files = [upload_file(f"{n}.txt", sample_bytes(JANUARY)) for n in range(3)]
        response = importer_client.post(UPLOAD_URL, {"files": files})
        assert response["Location"].startswith(PREVIEW_URL)
        assert SourceDocument.objects.count() == 3

    def test_the_default_limit_is_stated(self, importer_client):
        assert "up to 100 files at a time" in text(importer_client.get(UPLOAD_URL))

    @pytest.mark.parametrize(
        ("name", "data", "reason"),
        [
            ("empty.txt", b"", "empty file"),
            ("blank.txt", b" \n\r\n", "empty file"),
            ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00IHDR", "binary data, not text minutes"),
            (
                "mixed.txt",
                b"Item: 1 | Caf\x81 | x\n",
                "this text file holds characters that cannot be read (byte 0x81",
            ),
            ("broken.docx", b"PK\x03\x04garbage", "a zip archive, not a Word document"),
            ("broken.pdf", b"%PDF-1.4 garbage", "this PDF could not be read; the file may be"),
            ("scan.pdf", minimal_pdf([]), "this PDF holds pictures of its pages but no text"),
            ("notes.txt", b"Just some notes, with no items.\n", "no agenda items found"),
            (
                "empty.html",
                b"<html><body><script>x()</script></body></html>",
                "the web page holds no text",
            ),
        ],
    )
    def test_each_bad_file_is_refused_with_its_reason_and_kept(
        self, importer_client, name, data, reason
    ):
        response = upload(importer_client, (name, data), (JANUARY, sample_bytes(JANUARY)))

        assert f"{name}: {reason}" in text(response)
        failed = SourceDocument.objects.get(status=SourceDocument.Status.FAILED)
        assert failed.file_name == name
        assert failed.error.startswith(reason)
        assert bytes(failed.original_bytes) == data
        assert pending(JANUARY)  # the good file of the same upload is still held

    def test_a_zip_that_is_not_a_word_document_is_refused(self, importer_client):
        out = BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("notes.txt", "hello")
        response = upload(importer_client, ("minutes.docx", out.getvalue()))
        assert "minutes.docx: a zip archive, not a Word document or minutes text" in text(response)

    def test_windows_1252_text_is_read(self, importer_client):
        data = sample_bytes(JANUARY).decode().encode("cp1252", errors="replace")
        response = upload(importer_client, ("cp1252.txt", data))
        assert "(cp1252)" in text(response)
        assert "13 items" in text(response)

    def test_an_oversized_upload_is_refused_from_its_size_without_being_read(
        self, importer, settings
    ):
        settings.MINUTES_MAX_BYTES = 1000

        class NeverRead:
            name, size = "huge.txt", 3000

            def chunks(self):
                raise AssertionError("the file was read")

            read = chunks

        document = uploads.receive(NeverRead(), importer)

        assert document.status == SourceDocument.Status.FAILED
        assert (
            document.error == "file is 2.9 KB, over the 1000 bytes limit (too large to keep a copy)"
        )
        assert bytes(document.original_bytes) == b""

    def test_an_oversized_upload_is_refused_on_the_preview(self, importer_client, settings):
        settings.MINUTES_MAX_BYTES = 1000
        response = upload(importer_client, ("big.txt", sample_bytes(JANUARY)))
        assert "big.txt: file is 9.4 KB, over the 1000 bytes limit" in text(response)

    def test_a_file_of_the_largest_size_allowed_uploads(self, importer_client, settings):
        # Over 2.5 MB Django keeps an upload in a temporary file rather than in memory.
        settings.MINUTES_MAX_BYTES = 5 * 1024 * 1024
        data = sample_bytes(JANUARY)
        padding = b"\n" + b"The discussion went on at some length. " * 1000 + b"\n"
        data += padding * ((settings.MINUTES_MAX_BYTES - len(data)) // len(padding))
        data += b" " * (settings.MINUTES_MAX_BYTES - len(data))
        assert len(data) == settings.MINUTES_MAX_BYTES

        response = upload(importer_client, ("large.txt", data))

        assert "13 items" in text(response)
        assert bytes(pending("large.txt").original_bytes) == data

    def test_file_names_are_shown_escaped(self, importer_client):
        name = '<img src=x onerror="alert(1)">.txt'
        response = upload(importer_client, (name, sample_bytes(JANUARY)), (name + "x", JUNK))
        html = response.content.decode()
        assert "<img src=x" not in html
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;.txt" in html

    def test_uploads_waiting_are_listed_on_the_upload_page(self, importer_client):
        upload(importer_client, (JANUARY, sample_bytes(JANUARY)))
        page = importer_client.get(UPLOAD_URL)
        assert "Uploads waiting for you to confirm" in text(page)
        assert JANUARY in text(page)


class TestOtherFileTypes:
    def test_a_saved_moderngov_page(self, importer_client):
        page = moderngov_page(MODERNGOV).encode()
        response = upload(importer_client, ("agenda.html", page))
        assert "Saved web page" in text(response)
        assert "ModernGov agenda and minutes" in text(response)

        confirm(importer_client, response)

        meeting = Meeting.objects.get()
        assert (meeting.body, meeting.date) == (
            "Safer Stockton Partnership",
            datetime.date(2025, 1, 22),
        )
        assert meeting.items.count() == 13
        source = SourceDocument.objects.get(meeting=meeting)
        assert bytes(source.original_bytes) == page  # the page as received, not its text

    def test_a_word_document(self, importer_client):
        data = docx_bytes([p for p in FORMAL.split("\n\n") if p.strip()])
        response = upload(importer_client, ("minutes.docx", data))
        assert "Word document" in text(response)
        assert "Formal minutes" in text(response)

        confirm(importer_client, response)

        meeting = Meeting.objects.get()
        assert meeting.date == datetime.date(2022, 9, 28)
        assert meeting.attendees.exists()
        source = SourceDocument.objects.get(meeting=meeting)
        assert (source.status, source.encoding) == (SourceDocument.Status.IMPORTED, "")
        assert "iQuanta" in source.original_text  # the text read from it, for the admin

    def test_a_pdf(self, importer_client):
        lines = [line for line in MODERNGOV.split("\n") if line.strip()]
        ascii_lines = [line.encode("latin-1", "replace").decode("latin-1") for line in lines]
        response = upload(importer_client, ("minutes.pdf", minimal_pdf(ascii_lines[:60])))
        assert "PDF" in text(response)

        confirm(importer_client, response)

        assert Meeting.objects.get().items.filter(number="SSP/47/24").exists()

    def test_the_command_reads_word_documents_too(self, tmp_path):
        path = tmp_path / "minutes.docx"
        path.write_bytes(docx_bytes([p for p in FORMAL.split("\n\n") if p.strip()]))
        call_command("import_minutes", str(path), verbosity=0)
        assert Meeting.objects.get().date == datetime.date(2022, 9, 28)


# Confirming and cancelling


class TestConfirm:
    def test_confirming_imports_through_the_service_and_reports_with_links(
        self, importer_client, importer
    ):
        response = upload(importer_client, (JANUARY, sample_bytes(JANUARY)), ("scan.bin", JUNK))

        done = confirm(importer_client, response)

        assert done.status_code == 302
        meeting = Meeting.objects.get()
        assert meeting.items.count() == 13
        source = meeting.source
        assert (source.file_name, source.status) == (JANUARY, SourceDocument.Status.IMPORTED)
        assert source.imported_by == importer
        assert source.imported_by_name == "admin upload (importer)"
        assert bytes(source.original_bytes) == sample_bytes(JANUARY)
        assert not SourceDocument.objects.filter(status=SourceDocument.Status.PENDING).exists()

        shown = messages_of(importer_client.get(done["Location"]))
        assert shown[0] == "Minutes imported: 1 created, 0 updated, 0 unchanged, 1 failed."
        assert f'href="{meeting.get_absolute_url()}"' in shown[1]
        assert "Safer Stockton Partnership, 22 January 2025 (13 items)" in shown[1]
        assert shown[2] == "Failed: scan.bin – binary data, not text minutes"

    def test_the_import_history_records_each_upload(self, importer_client, importer):
        response = upload(importer_client, (JANUARY, sample_bytes(JANUARY)), ("scan.bin", JUNK))
        confirm(importer_client, response)

        events = ImportEvent.objects.order_by("file_name")
        assert [(e.file_name, e.action, e.outcome, e.by) for e in events] == [
            ("scan.bin", "upload", "failed", importer),
            (JANUARY, "upload", "created", importer),
        ]
        assert events[0].message == "binary data, not text minutes"
        assert events[1].meeting == Meeting.objects.get()

    def test_the_history_says_what_each_change_was_and_became_withholding_restricted_text(
        self, client_for, importer, trusted_importer
    ):
        original = sample_bytes(JANUARY).decode()
        meeting = services.import_document(original.encode(), JANUARY).meeting
        meeting.items.filter(position=6).update(restricted=True)
        corrected = original.replace("Update on DHRs", "Update on Domestic Homicide Reviews")
        corrected = corrected.replace("over a hundred patrols", "over two hundred patrols")
        client = client_for(importer)
        confirm(client, upload(client, ("corrected.txt", corrected.encode())))
        event = ImportEvent.objects.get(outcome="updated")
        url = reverse("admin:meetings_importevent_change", args=[event.pk])

        page = text(client.get(url))
        assert "Item 4 title: 'Update on DHRs' → 'Update on Domestic Homicide Reviews'" in page
        assert "Item 6 minutes text: (restricted)" in page
        assert "patrols" not in page

        page = text(client_for(trusted_importer).get(url))
        assert "Item 6 minutes text: (restricted)" not in page
        assert "two hundred patrols" in page

    def test_the_admin_link_is_given_to_those_who_may_edit_meetings(
        self, client_for, django_user_model
    ):
        user = make_user(django_user_model, "editor", "import_minutes", "change_meeting")
        client = client_for(user)
        response = upload(client, (JANUARY, sample_bytes(JANUARY)))
        shown = messages_of(client.get(confirm(client, response)["Location"]))
        change_url = reverse("admin:meetings_meeting_change", args=[Meeting.objects.get().pk])
        assert f'href="{change_url}"' in shown[1]

    def test_the_same_file_again_is_unchanged(self, importer_client):
        services.import_document(sample_bytes(JANUARY), JANUARY)
        response = upload(importer_client, ("copy.txt", sample_bytes(JANUARY)))
        assert "Already in the archive, unchanged" in text(response)

        done = confirm(importer_client, response)

        shown = messages_of(importer_client.get(done["Location"]))
        assert shown[0] == "Minutes imported: 0 created, 0 updated, 1 unchanged, 0 failed."
        assert Meeting.objects.count() == 1
        assert not SourceDocument.objects.filter(file_name="copy.txt").exists()

    def test_an_undated_document_asks_for_its_date_and_body(self, importer_client):
        response = upload(importer_client, (UNDATED, sample_bytes(UNDATED)))
        held = pending(UNDATED)
        html = response.content.decode()
        assert f'name="file-{held.pk}-date"' in html and 'type="date"' in html
        assert f'name="file-{held.pk}-body"' in html

        confirm(
            importer_client,
            response,
            **{f"{UNDATED}:date": "2023-03-15", f"{UNDATED}:body": "Safer Stockton Partnership"},
        )

        meeting = Meeting.objects.get()
        assert meeting.date == datetime.date(2023, 3, 15)
        assert meeting.date_source == Meeting.DateSource.OPTION  # "given when importing"
        assert meeting.body == "Safer Stockton Partnership"

    def test_an_undated_document_may_be_imported_with_its_date_unknown(self, importer_client):
        response = upload(importer_client, (UNDATED, sample_bytes(UNDATED)))
        done = confirm(importer_client, response)
        meeting = Meeting.objects.get()
        assert (meeting.date, meeting.needs_review) == (None, True)
        assert "needs review: date unknown" in messages_of(importer_client.get(done["Location"]))[1]

    def test_a_date_that_is_not_a_date_is_asked_again_and_nothing_is_written(self, importer_client):
        response = upload(importer_client, (UNDATED, sample_bytes(UNDATED)))
        again = confirm(importer_client, response, **{f"{UNDATED}:date": "15/15/2023"})
        assert again.status_code == 200
        assert "Enter a valid date." in text(again)
        assert not Meeting.objects.exists()
        assert pending(UNDATED)

    def test_a_corrected_file_shows_what_will_change(self, importer_client):
        original = sample_bytes(JANUARY).decode()
        meeting = services.import_document(original.encode(), JANUARY).meeting
        corrected = original.replace("Update on DHRs", "Update on Domestic Homicide Reviews")
        corrected = corrected.replace("Democratic Services Meeting Room", "Jim Cooke Room")

        response = upload(importer_client, ("corrected.txt", corrected.encode()))

        page = text(response)
        assert "Updates Safer Stockton Partnership, 22 January 2025, already in the archive" in page
        assert "1 item changed; venue changed" in page
        assert "Meeting: venue" in page
        assert "Item 4 changed (title): SSP/50/24 Update on DHRs" in page
        assert "Item 4 title: 'Update on DHRs' → 'Update on Domestic Homicide Reviews'" in page

        confirm(importer_client, response)

        meeting.refresh_from_db()
        assert meeting.venue.startswith("Jim Cooke Room")
        assert meeting.items.get(position=4).title == "Update on Domestic Homicide Reviews"
        assert Meeting.objects.count() == 1

    def test_a_title_set_by_hand_is_not_shown_as_changing_and_the_import_agrees(
        self, importer_client, importer
    ):
        original = sample_bytes(JANUARY).decode()
        meeting = services.import_document(original.encode(), JANUARY).meeting
        item = meeting.items.get(position=1)
        printed = item.title
        item.title = "Welcome and introductions (corrected)"
        overrides.record(item, "title", printed, user=None)
        item.save()
        corrected = original.replace("Update on DHRs", "Update on Domestic Homicide Reviews")

        response = upload(importer_client, ("corrected.txt", corrected.encode()))

        page = text(response)
        assert "already in the archive: 1 item changed." in page
        assert "Item 4 changed (title): SSP/50/24 Update on DHRs" in page
        assert "Item 1 changed" not in page
        terms = topics.topic_terms()
        shown = uploads.preview(pending("corrected.txt"), terms, show_restricted=False)

        confirm(importer_client, response)

        imported = ImportEvent.objects.filter(meeting=meeting).latest("pk")
        assert imported.outcome == ImportEvent.Outcome.UPDATED
        assert imported.message.endswith(f": {history.change_summary(shown.changes)}")
        assert [change.position for change in shown.changes.changed] == [4]
        kept = AgendaItem.objects.get(pk=item.pk)
        assert kept.title == "Welcome and introductions (corrected)"
        assert meeting.items.get(position=4).title == "Update on Domestic Homicide Reviews"

    def test_items_added_and_removed_by_a_correction_are_listed(self, importer_client, stub_parser):
        services.import_document(STUB_MEETING, "march.txt")
        lines = STUB_MEETING.decode().splitlines()
        corrected = "\n".join([*lines[:2], lines[3]]).encode()  # item 1 dropped

        page = text(upload(importer_client, ("march.txt", corrected)))

        # Items are matched by title: the item left keeps its row and is not changed.
        assert "Item 1 removed: SSP/1/25 Knife Crime" in page
        assert "Item 2 removed" not in page
        assert "changed (" not in page

    def test_cancelling_writes_no_meeting_and_keeps_the_originals(self, importer_client):
        response = upload(
            importer_client, (JANUARY, sample_bytes(JANUARY)), (UNDATED, sample_bytes(UNDATED))
        )

        done = importer_client.post(preview_url(response), {"_cancel": "Cancel"})

        assert done.status_code == 302
        assert not Meeting.objects.exists()
        assert not AgendaItem.objects.exists()
        cancelled = SourceDocument.objects.filter(status=SourceDocument.Status.CANCELLED)
        assert cancelled.count() == 2
        assert bytes(cancelled.get(file_name=JANUARY).original_bytes) == sample_bytes(JANUARY)
        assert "Cancelled 2 files: nothing was imported." in messages_of(
            importer_client.get(done["Location"])
        )

    def test_files_left_unticked_are_cancelled(self, importer_client):
        response = upload(
            importer_client, (JANUARY, sample_bytes(JANUARY)), (UNDATED, sample_bytes(UNDATED))
        )
        confirm(importer_client, response, unticked=[UNDATED])
        assert Meeting.objects.get().date == datetime.date(2025, 1, 22)
        assert SourceDocument.objects.get(file_name=UNDATED).status == "cancelled"

    def test_confirming_twice_imports_once(self, importer_client):
        response = upload(importer_client, (JANUARY, sample_bytes(JANUARY)))
        data = {"_confirm": "1", f"file-{pending(JANUARY).pk}-selected": "on"}
        importer_client.post(preview_url(response), data)
        again = importer_client.post(preview_url(response), data)

        assert again.status_code == 302
        assert Meeting.objects.count() == 1
        assert SourceDocument.objects.filter(file_name=JANUARY).count() == 1

    def test_one_file_failing_while_stored_leaves_the_others_and_nothing_half_written(
        self, importer_client, monkeypatch
    ):
        insert_attendees = writers.insert_attendees

        def fail_for_2022(meetings):
            insert_attendees(meetings)
            if any(meeting.date.year == 2022 for meeting, _parsed in meetings):
                raise RuntimeError("disk full")

        monkeypatch.setattr(writers, "insert_attendees", fail_for_2022)
        formal = "ssp-2022-09-28-formal.txt"
        response = upload(
            importer_client, (JANUARY, sample_bytes(JANUARY)), (formal, sample_bytes(formal))
        )

        done = confirm(importer_client, response)

        assert Meeting.objects.get().date == datetime.date(2025, 1, 22)
        assert AgendaItem.objects.count() == 13  # none of the failed file's items
        failed = SourceDocument.objects.get(file_name=formal)
        assert (failed.status, failed.error) == ("failed", "unexpected error: disk full")
        assert bytes(failed.original_bytes) == sample_bytes(formal)
        shown = messages_of(importer_client.get(done["Location"]))
        assert shown[0] == "Minutes imported: 1 created, 0 updated, 0 unchanged, 1 failed."

    def test_an_error_outside_the_import_keeps_the_upload_waiting(
        self, importer_client, monkeypatch
    ):
        response = upload(importer_client, (JANUARY, sample_bytes(JANUARY)))

        def broken(*args, **kwargs):
            raise RuntimeError("connection lost")

        monkeypatch.setattr(services, "import_document", broken)
        done = confirm(importer_client, response)

        assert "Failed: ssp-2025-01-22-moderngov.txt – unexpected error: connection lost" in (
            messages_of(importer_client.get(done["Location"]))
        )
        assert pending(JANUARY)  # nothing lost: it can be confirmed again


class TestPendingUploads:
    def test_a_held_upload_is_not_taken_for_an_imported_file(self, importer_client):
        # An undated document is matched to the meeting last imported from a file of the
        # same name; a held upload of that name must not count.
        upload(importer_client, (UNDATED, sample_bytes(UNDATED)))
        outcome = services.import_document(sample_bytes(UNDATED), UNDATED)
        assert outcome.status == services.CREATED

    def test_a_held_upload_is_not_a_meetings_source(self, importer_client):
        upload(importer_client, (JANUARY, sample_bytes(JANUARY)))
        outcome = services.import_document(sample_bytes(JANUARY), "other-name.txt")
        assert outcome.status == services.CREATED
        assert outcome.meeting.source.status == SourceDocument.Status.IMPORTED


# Restricted items


class TestRestrictedItems:
    @pytest.fixture(autouse=True)
    def _stub(self, stub_parser):
        pass

    def test_restricted_text_is_not_shown_to_an_importer_who_may_not_read_it(self, importer_client):
        response = upload(importer_client, ("march.txt", STUB_MEETING))
        html = response.content.decode()

        assert SECRET not in html.lower()
        assert "Restricted - iQuanta Report" in html
        assert "Operation Shield" in html  # topics of the other item are shown
        assert "The text and decisions of restricted items are not shown to you." in text(response)

    def test_restricted_text_is_shown_to_an_importer_who_may_read_it(
        self, client_for, trusted_importer
    ):
        response = upload(client_for(trusted_importer), ("march.txt", STUB_MEETING))
        page = text(response)
        assert f"{SECRET} figures noted." in page
        assert "Operation Zanzibar (new)" in page

    def test_the_original_is_downloaded_only_by_those_who_may_read_restricted_items(
        self, client_for, importer, trusted_importer
    ):
        services.import_document(STUB_MEETING, "march.txt", imported_by=importer)
        url = reverse(
            "admin:meetings_sourcedocument_original", args=[SourceDocument.objects.get().pk]
        )

        assert client_for(importer).get(url).status_code == 403
        response = client_for(trusted_importer).get(url)

        assert response.status_code == 200
        assert response.content == STUB_MEETING
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"] == 'attachment; filename="march.txt"'
        assert response["X-Content-Type-Options"] == "nosniff"


# Queries


def test_preview_and_confirm_queries_do_not_grow_with_the_number_of_items(
    importer_client, stub_parser
):
    assert Topic.objects.filter(name="Knife Crime").exists()

    def document(count, day):
        lines = [f"Date: 2025-01-{day:02d}"]
        lines += [f"Item: {n} | Item {n} Knife Crime | Text {n} noted." for n in range(count)]
        return "\n".join(lines).encode()

    def queries(count, day):
        name = f"{count}.txt"
        response = upload(importer_client, (name, document(count, day)))
        with CaptureQueriesContext(connection) as previewing:
            assert importer_client.get(preview_url(response)).status_code == 200
        with CaptureQueriesContext(connection) as confirming:
            assert confirm(importer_client, response).status_code == 302
        return len(previewing), len(confirming)

    small, large = queries(3, 1), queries(30, 2)
    assert small == large
    assert small[0] <= 15


def test_preview_queries_grow_by_a_few_per_file(importer_client):
    names = ["ssp-2011-07-05-numbered.txt", "ssp-2022-09-28-formal.txt", JANUARY]
    response = upload(importer_client, *[(name, sample_bytes(name)) for name in names])
    with CaptureQueriesContext(connection) as context:
        importer_client.get(preview_url(response))
    assert len(context) <= 8 + 6 * len(names)
