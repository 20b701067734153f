"""The admin: dates set by hand, and restricted text kept from staff without the permission."""

import datetime

import pytest
from django.contrib.auth.models import Permission

from ingest.services import import_document
from meetings.models import Attendee, Meeting, Resolution, SourceDocument, Topic
from tests.ingest.test_overrides import post_data

pytestmark = pytest.mark.django_db

SECRET = "zanzibar"


@pytest.fixture
def editor(django_user_model):
    """Staff who may edit everything in the archive except read restricted items."""
    user = django_user_model.objects.create_user(
        "editor", password="x-long-enough-1", is_staff=True
    )
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="meetings").exclude(
            codename="view_restricted"
        )
    )
    return user


@pytest.fixture
def trusted_editor(editor):
    editor.user_permissions.add(Permission.objects.get(codename="view_restricted"))
    return editor


@pytest.fixture
def restricted_item(make_meeting):
    meeting = make_meeting(
        items=[
            {
                "title": "iQuanta Report",
                "restricted": True,
                "minutes_text": f"The {SECRET} figures.",
                "agenda_text": f"To note the {SECRET} report.",
                "resolutions": [f"The {SECRET} report was noted."],
            }
        ]
    )
    return meeting.items.get()


def test_every_model_has_admin_pages(admin_client, stub_parser):
    data = b"Date: 2025-01-22\nItem: 1 | Knife Crime | Knife crime was noted.\n"
    meeting = import_document(data, "a.txt").meeting
    Attendee.objects.create(meeting=meeting, order=1, name="Steve Nelson", attendance="present")
    objects = {
        "meeting": meeting,
        "agendaitem": meeting.items.get(),
        "resolution": Resolution.objects.get(),
        "attendee": Attendee.objects.get(),
        "topic": Topic.objects.get(name="Knife Crime"),
        "sourcedocument": SourceDocument.objects.get(),
    }
    for model, obj in objects.items():
        assert admin_client.get(f"/admin/meetings/{model}/").status_code == 200, model
        assert admin_client.get(f"/admin/meetings/{model}/{obj.pk}/change/").status_code == 200


def test_staff_without_the_permission_cannot_lift_a_restriction_from_the_meeting_page(
    client, editor, restricted_item
):
    client.force_login(editor)
    html = client.get(f"/admin/meetings/meeting/{restricted_item.meeting_id}/change/").content
    assert b'name="items-0-title"' in html
    assert b'name="items-0-restricted"' not in html


def test_meeting_list_filters_by_needs_review(admin_client, make_meeting):
    make_meeting(date=None, body="Undated body")
    make_meeting(body="Dated body")
    response = admin_client.get("/admin/meetings/meeting/?needs_review__exact=1")
    assert [meeting.body for meeting in response.context["cl"].result_list] == ["Undated body"]


def test_a_date_set_in_the_admin_is_marked_as_set_by_an_administrator(admin_client, make_meeting):
    meeting = make_meeting(date=None, items=[{"title": "Apologies"}])
    form = admin_client.get(f"/admin/meetings/meeting/{meeting.pk}/change/").context["adminform"]
    data = {
        **{name: value for name, value in form.form.initial.items() if value is not None},
        "body": meeting.body,
        "date": "2024-03-06",
        "warnings": "[]",
        "attendees-TOTAL_FORMS": "0",
        "attendees-INITIAL_FORMS": "0",
        "items-TOTAL_FORMS": "0",
        "items-INITIAL_FORMS": "0",
    }
    response = admin_client.post(f"/admin/meetings/meeting/{meeting.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].errors
    meeting.refresh_from_db()
    assert meeting.date == datetime.date(2024, 3, 6)
    assert meeting.date_source == Meeting.DateSource.ADMIN
    assert not meeting.needs_review


def test_restricted_text_is_not_in_the_item_page_for_staff_without_the_permission(
    client, editor, restricted_item
):
    client.force_login(editor)
    response = client.get(f"/admin/meetings/agendaitem/{restricted_item.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "iQuanta Report" in html
    assert SECRET not in html
    assert 'name="minutes_text"' not in html


def test_restricted_text_is_editable_with_the_permission(client, trusted_editor, restricted_item):
    client.force_login(trusted_editor)
    html = client.get(f"/admin/meetings/agendaitem/{restricted_item.pk}/change/").content.decode()
    assert f"The {SECRET} figures." in html
    assert f"The {SECRET} report was noted." in html


def test_restricted_decisions_are_not_listed_for_staff_without_the_permission(
    client, editor, restricted_item
):
    client.force_login(editor)
    assert SECRET not in client.get("/admin/meetings/resolution/").content.decode()


def test_source_documents_are_read_only_and_their_text_needs_the_permission(
    client, editor, stub_parser
):
    import_document(b"Date: 2025-01-22\nItem: 1 | Restricted - Report | zanzibar\n", "a.txt")
    document = SourceDocument.objects.get()
    url = f"/admin/meetings/sourcedocument/{document.pk}/change/"

    client.force_login(editor)
    html = client.get(url).content.decode()
    assert "a.txt" in html
    assert SECRET not in html
    assert "Shown only to users who may view restricted items." in html
    assert 'name="_save"' not in html
    assert client.get("/admin/meetings/sourcedocument/add/").status_code == 403

    editor.user_permissions.add(Permission.objects.get(codename="view_restricted"))
    client.force_login(type(editor).objects.get(pk=editor.pk))
    assert SECRET in client.get(url).content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/meetings/meeting/?body=%00",
        "/admin/meetings/meeting/?date_source__exact=%00",
        "/admin/meetings/meeting/?_facets=1&body=%00",
        "/admin/meetings/agendaitem/?status__exact=%00",
        "/admin/meetings/agendaitem/?q=a%00",
        "/admin/meetings/sourcedocument/?status__exact=%00",
        "/admin/meetings/sourcedocument/?imported_at__year=99999999999999",
        "/admin/meetings/sourcedocument/?imported_at__year=2025&imported_at__month=99999999999",
        "/admin/meetings/importevent/?outcome__exact=%00",
        "/admin/meetings/override/?field__exact=%00",
        "/admin/autocomplete/?app_label=meetings&model_name=itemtopic&field_name=topic&term=%00",
    ],
)
def test_odd_filter_values_are_refused_not_a_server_error(admin_client, make_meeting, url):
    make_meeting()

    response = admin_client.get(url)

    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response["Location"].endswith("?e=1")


def test_a_nul_character_in_a_list_field_is_a_form_error_not_a_server_error(
    admin_client, restricted_item
):
    url = f"/admin/meetings/agendaitem/{restricted_item.pk}/change/"
    data = post_data(admin_client.get(url)) | {"attachments": '["PDF\\u0000 282 KB"]'}
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "without a NUL character" in response.content.decode()

    response = admin_client.post(
        "/admin/meetings/topic/add/", {"name": "Op", "slug": "op", "aliases": '["Op\\u0000"]'}
    )
    assert response.status_code == 200
    assert not Topic.objects.filter(slug="op").exists()


def test_the_admin_is_headed_with_the_sites_name_not_django_administration(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert "Django administration" not in html
    assert "Django site admin" not in html
    assert "Safer Stockton Partnership meetings archive</a>" in html
    title = "Administration | Safer Stockton Partnership meetings archive admin"
    assert f"<title>{title}</title>" in html
    assert "css/admin.css" in html


def test_the_admin_header_has_the_sites_brand_colour():
    from pathlib import Path

    from django.conf import settings

    brand = "#005a70"  # $app-brand in frontend/scss/main.scss
    scss = (Path(settings.BASE_DIR) / "frontend" / "scss" / "main.scss").read_text()
    assert f"$app-brand: {brand};" in scss
    css = (Path(settings.BASE_DIR) / "static" / "css" / "admin.css").read_text()
    assert f"--header-bg: {brand};" in css


def test_the_meeting_list_says_in_words_whether_and_why_a_meeting_needs_review(
    admin_client, make_meeting, django_assert_max_num_queries
):
    make_meeting(date=None, body="")
    make_meeting(date=None, body="Undated body")
    make_meeting(body="Dated body")
    with django_assert_max_num_queries(12):
        response = admin_client.get("/admin/meetings/meeting/", {"o": "3"})
    html = response.content.decode()
    assert '<td class="field-review_status">Needs review: date unknown, body unknown</td>' in html
    assert '<td class="field-review_status">Needs review: date unknown</td>' in html
    assert '<td class="field-review_status">No</td>' in html
    assert "icon-yes.svg" not in html and "icon-no.svg" not in html
    # The filter on the flag still works.
    response = admin_client.get("/admin/meetings/meeting/?needs_review__exact=0")
    assert [meeting.body for meeting in response.context["cl"].result_list] == ["Dated body"]
