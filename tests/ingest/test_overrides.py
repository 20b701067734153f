"""Corrections made by hand in the admin are kept across re-imports, shown, and can be dropped."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.contrib.messages import get_messages
from django.db import IntegrityError, transaction

from ingest import overrides, reading, reimport, services, topics
from ingest.services import import_document
from meetings.models import AgendaItem, ItemTopic, Meeting, Override, Topic
from tests.conftest import _stub_parse, make_user

pytestmark = pytest.mark.django_db

JANUARY = b"""Body: Safer Stockton Partnership
Date: 2025-01-22
Item: SSP/47/24 | Evacuation Procedure | A fire drill was held.
Item: SSP/48/24 | Patrols | Patrols continued in Ropner Ward.
"""


def improved(text):
    """The parser after a fix: every item's minutes gain a sentence."""
    parsed = _stub_parse(text)
    for item in parsed.items:
        item.minutes_text += " Members asked questions."
    return parsed


EDITING = [
    "view_meeting",
    "change_meeting",
    "view_agendaitem",
    "change_agendaitem",
    "view_override",
    "view_importevent",
]


@pytest.fixture
def editor(django_user_model):
    return make_user(django_user_model, "jo", *EDITING)


@pytest.fixture
def trusted_editor(django_user_model):
    return make_user(django_user_model, "sam", *EDITING, "view_restricted")


@pytest.fixture
def meeting(stub_parser):
    return import_document(JANUARY, "jan.txt").meeting


def post_data(response) -> dict:
    """The change form of ``response`` filled in as it was shown, inline forms included."""
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            key = form.add_prefix(name)
            if value is True:
                data[key] = "on"
            elif hasattr(value, "pk"):
                data[key] = value.pk
            else:
                data[key] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for form in formset.forms:
            add(form)
    return data


def change(client, url, **values):
    data = post_data(client.get(url)) | values
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].errors
    return response


def dropped_messages(response) -> list[str]:
    shown = [str(message) for message in get_messages(response.wsgi_request)]
    return [message for message in shown if message.startswith(("Dropped", "Override kept"))]


def meeting_url(meeting):
    return f"/admin/meetings/meeting/{meeting.pk}/change/"


def item_url(item):
    return f"/admin/meetings/agendaitem/{item.pk}/change/"


def reimport_with_fixed_parser(monkeypatch, meeting):
    monkeypatch.setattr(reading, "parse_minutes", improved)
    return reimport.reimport_meeting(Meeting.objects.get(pk=meeting.pk))


class TestKeptAcrossReimports:
    def test_a_date_set_by_hand_is_an_override_kept_by_a_reimport(
        self, client, editor, meeting, monkeypatch
    ):
        client.force_login(editor)
        change(client, meeting_url(meeting), date="2025-01-23")

        meeting.refresh_from_db()
        assert meeting.date == datetime.date(2025, 1, 23)
        assert meeting.date_source == Meeting.DateSource.ADMIN
        override = Override.objects.get()
        assert (override.meeting, override.field, override.value) == (meeting, "date", "2025-01-23")
        assert override.imported == {"value": "2025-01-22", "date_source": "document"}
        assert override.created_by == editor

        outcome = reimport_with_fixed_parser(monkeypatch, meeting)

        meeting.refresh_from_db()
        assert meeting.date == datetime.date(2025, 1, 23)
        assert meeting.date_source == Meeting.DateSource.ADMIN
        # The override is not a change the re-import reports.
        assert reimport.report(outcome) == (
            "Safer Stockton Partnership, 23 January 2025: 2 items changed (minutes_text)"
        )

    def test_a_body_set_by_hand_is_kept(self, client, editor, meeting, monkeypatch):
        client.force_login(editor)
        change(client, meeting_url(meeting), body="Safer Stockton Partnership Board")

        reimport_with_fixed_parser(monkeypatch, meeting)

        assert Meeting.objects.get().body == "Safer Stockton Partnership Board"
        assert Override.objects.get().imported == {"value": "Safer Stockton Partnership"}

    def test_an_ordinary_import_of_a_corrected_file_keeps_the_overrides_too(
        self, client, editor, meeting
    ):
        client.force_login(editor)
        change(client, meeting_url(meeting), date="2025-01-23")

        outcome = import_document(JANUARY.replace(b"continued", b"stopped"), "jan.txt")

        assert outcome.meeting.pk == meeting.pk
        assert Meeting.objects.get().date == datetime.date(2025, 1, 23)
        assert Meeting.objects.count() == 1

    def test_an_item_title_set_by_hand_is_kept_on_the_same_item_and_tags_it(
        self, client, editor, meeting, monkeypatch
    ):
        item = meeting.items.get(position=2)
        client.force_login(editor)
        change(client, item_url(item), title="Operation Nightfall patrols")

        links = ItemTopic.objects.filter(item=item, topic__name="Operation Nightfall")
        assert links.get().in_title
        reimport_with_fixed_parser(monkeypatch, meeting)

        item = AgendaItem.objects.get(meeting=meeting, position=2)
        assert item.title == "Operation Nightfall patrols"
        assert item.minutes_text == "Patrols continued in Ropner Ward. Members asked questions."
        assert links.get().in_title
        assert Override.objects.get().item == item

    def test_a_restricted_flag_set_on_the_meeting_page_is_kept(
        self, client, trusted_editor, meeting, monkeypatch
    ):
        client.force_login(trusted_editor)
        change(client, meeting_url(meeting), **{"items-1-restricted": "on"})

        item = meeting.items.get(position=2)
        assert item.restricted
        reimport_with_fixed_parser(monkeypatch, meeting)

        assert AgendaItem.objects.get(pk=item.pk).restricted
        override = Override.objects.get(item=item)
        assert (override.field, override.value, override.imported) == (
            "restricted",
            True,
            {"value": False},
        )

    def test_setting_a_value_back_to_what_the_minutes_say_drops_the_override(
        self, client, editor, meeting
    ):
        client.force_login(editor)
        change(client, meeting_url(meeting), date="2025-01-23")
        change(client, meeting_url(meeting), date="2025-01-22")

        assert not Override.objects.exists()
        assert Meeting.objects.get().date_source == Meeting.DateSource.DOCUMENT

    def test_a_correction_whose_item_is_gone_is_kept_shown_and_listed_for_review(
        self, client, editor, meeting, monkeypatch
    ):
        client.force_login(editor)
        change(client, item_url(meeting.items.get(position=2)), title="Patrols (corrected)")

        def first_item_only(text):
            parsed = _stub_parse(text)
            parsed.items = parsed.items[:1]
            return parsed

        monkeypatch.setattr(reading, "parse_minutes", first_item_only)
        outcome = reimport.reimport_meeting(meeting)

        override = Override.objects.get()
        assert (override.item, override.meeting, override.value) == (
            None,
            meeting,
            "Patrols (corrected)",
        )
        assert outcome.review_reasons == ["hand corrections to place"]
        assert Meeting.objects.get(pk=meeting.pk).needs_review
        html = client.get(meeting_url(meeting)).content.decode()
        assert (
            "not matched since a re-import, for item 2, SSP/48/24 Patrols (corrected): "
            "title: Patrols (corrected)"
        ) in html
        assert "Place on an item</a>" in html
        listed = client.get("/admin/meetings/meeting/?review=unplaced")
        assert list(listed.context["cl"].result_list) == [meeting]


def knife_crime_first(text):
    """A corrected reading: a new item first, and the second item ("Patrols") gone."""
    parsed = _stub_parse(text)
    knife_crime = _stub_parse("Item: SSP/46/24 | Knife Crime | Figures fell.").items[0]
    parsed.items = [knife_crime, parsed.items[0]]
    return parsed


class TestUnmatchedRestriction:
    @pytest.fixture
    def unmatched(self, client, trusted_editor, meeting, monkeypatch):
        """Patrols restricted by hand, then a re-import that no longer finds it."""
        client.force_login(trusted_editor)
        change(client, item_url(meeting.items.get(position=2)), restricted="on")
        monkeypatch.setattr(reading, "parse_minutes", knife_crime_first)
        reimport.reimport_meeting(meeting)
        return Override.objects.get()

    def items(self, meeting):
        return {item.title: item.restricted for item in AgendaItem.objects.filter(meeting=meeting)}

    def test_the_items_not_matched_with_certainty_stay_restricted(
        self, unmatched, meeting, monkeypatch
    ):
        assert (unmatched.meeting, unmatched.field, unmatched.value) == (
            meeting,
            "restricted",
            True,
        )
        # Knife Crime is new: it might be the restricted item under a new title.
        assert self.items(meeting) == {"Knife Crime": True, "Evacuation Procedure": False}
        assert Meeting.objects.get(pk=meeting.pk).needs_review

        # Read again, every title now matches: the restriction still does not lapse.
        outcome = reimport.reimport_meeting(meeting)

        assert outcome.status == services.UNCHANGED
        assert self.items(meeting) == {"Knife Crime": True, "Evacuation Procedure": False}

        def patrols_back(text):
            parsed = knife_crime_first(text)
            parsed.items.append(_stub_parse(text).items[1])
            return parsed

        monkeypatch.setattr(reading, "parse_minutes", patrols_back)
        reimport.reimport_meeting(meeting)
        # Found again, it is an item like any other new one: held too, until placed.
        assert self.items(meeting) == {
            "Knife Crime": True,
            "Evacuation Procedure": False,
            "Patrols": True,
        }

    def test_placing_it_restricts_its_item_and_releases_the_others(
        self, client, unmatched, meeting
    ):
        page = client.get(f"/admin/meetings/override/{unmatched.pk}/place/")
        assert page.status_code == 200
        evacuation = meeting.items.get(title="Evacuation Procedure")

        response = client.post(
            f"/admin/meetings/override/{unmatched.pk}/place/", {"item": evacuation.pk}
        )

        assert response.status_code == 302
        assert self.items(meeting) == {"Knife Crime": False, "Evacuation Procedure": True}
        override = Override.objects.get()
        assert (override.item, override.unmatched, override.imported) == (
            evacuation,
            None,
            {"value": False},
        )
        assert not Meeting.objects.get(pk=meeting.pk).needs_review

    def test_dropping_it_releases_the_items(self, client, unmatched, meeting):
        response = client.post(f"/admin/meetings/override/{unmatched.pk}/delete/", {"post": "yes"})

        assert response.status_code == 302
        assert not Override.objects.exists()
        assert self.items(meeting) == {"Knife Crime": False, "Evacuation Procedure": False}
        assert not Meeting.objects.get(pk=meeting.pk).needs_review

    def test_only_those_who_may_read_restricted_items_place_it(
        self, client, editor, unmatched, meeting
    ):
        client.force_login(editor)
        evacuation = meeting.items.get(title="Evacuation Procedure")

        client.post(f"/admin/meetings/override/{unmatched.pk}/place/", {"item": evacuation.pk})

        assert Override.objects.get().unmatched is not None
        assert self.items(meeting) == {"Knife Crime": True, "Evacuation Procedure": False}


def test_hand_links_to_a_hidden_topic_are_placed_only_by_those_who_may_read_restricted_items(
    client, editor, trusted_editor, meeting
):
    """A topic linked by hand to a restricted item, named only in its text, stays hidden."""
    bluebird = Topic.objects.create(name="Operation Bluebird", slug="operation-bluebird")
    unmatched = Override.objects.create(
        meeting=meeting,
        field=Override.Field.TOPICS,
        value={"added": {str(bluebird.pk): {"in_title": False, "name": bluebird.name}}},
        unmatched={"position": 3, "number": "SSP/49/24", "title": "Restricted item"},
    )
    evacuation = meeting.items.get(title="Evacuation Procedure")
    client.force_login(editor)

    response = client.post(
        f"/admin/meetings/override/{unmatched.pk}/place/", {"item": evacuation.pk}, follow=True
    )

    shown = [str(message) for message in get_messages(response.wsgi_request)]
    assert shown == ["Not placed: needs the permission to view restricted items."]
    assert Override.objects.get().unmatched is not None
    assert client.get("/topics/operation-bluebird/").status_code == 404

    client.force_login(trusted_editor)
    client.post(f"/admin/meetings/override/{unmatched.pk}/place/", {"item": evacuation.pk})
    assert list(evacuation.topics.all()) == [bluebird]


def test_topic_links_set_by_hand_survive_retagging_and_reimport(admin_client, meeting, monkeypatch):
    drills = Topic.objects.create(name="Fire drills", slug="fire-drills", aliases=["fire drill"])
    youth = Topic.objects.create(name="Youth Diversion", slug="youth-diversion")
    topics.retag_items()
    item = meeting.items.get(position=1)
    assert list(item.topics.all()) == [drills]
    url = item_url(item)
    data = post_data(admin_client.get(url))
    data |= {
        "item_topics-0-DELETE": "on",
        "item_topics-1-topic": youth.pk,
        "item_topics-TOTAL_FORMS": "2",
    }
    assert admin_client.post(url, data).status_code == 302
    assert list(item.topics.all()) == [youth]

    topics.retag_items()
    reimport_with_fixed_parser(monkeypatch, meeting)

    item = AgendaItem.objects.get(pk=item.pk)
    assert list(item.topics.all()) == [youth]
    assert "Youth Diversion" in item.search_extra
    assert (
        "topics: 1 link added, 1 link removed (set by admin"
        in admin_client.get(meeting_url(meeting)).content.decode()
    )


class TestShownAndDropped:
    def test_the_meeting_page_lists_the_overrides_of_the_meeting_and_its_items(
        self, client, editor, meeting
    ):
        client.force_login(editor)
        change(client, meeting_url(meeting), date="2024-03-06")
        change(client, item_url(meeting.items.get(position=1)), title="Fire drill")

        html = client.get(meeting_url(meeting)).content.decode()

        today = datetime.date.today()
        assert (
            "date: 6 March 2024 (set by jo on "
            f"{today.day} {today:%B} {today.year}; the minutes say 22 January 2025)"
        ) in html
        assert "Item 1</a>: title: Fire drill (set by jo" in html
        assert html.count(">Drop</a>") == 2

    def test_the_drop_link_puts_back_what_the_minutes_say_at_once(self, client, editor, meeting):
        client.force_login(editor)
        change(client, meeting_url(meeting), date="2024-03-06")
        override = Override.objects.get()
        url = f"/admin/meetings/override/{override.pk}/delete/?next={meeting_url(meeting)}"

        assert client.get(url).status_code == 200  # the confirmation page
        response = client.post(url, {"post": "yes"})

        assert response.status_code == 302
        assert response.url == meeting_url(meeting)
        meeting.refresh_from_db()
        assert meeting.date == datetime.date(2025, 1, 22)
        assert meeting.date_source == Meeting.DateSource.DOCUMENT
        assert not Override.objects.exists()

    def test_the_drop_action_drops_the_meetings_and_its_items_overrides(
        self, client, editor, meeting
    ):
        client.force_login(editor)
        change(client, meeting_url(meeting), body="Board")
        change(client, item_url(meeting.items.get(position=1)), title="Fire drill")

        response = client.post(
            "/admin/meetings/meeting/",
            {"action": "drop_overrides", "_selected_action": [meeting.pk]},
            follow=True,
        )

        assert not Override.objects.exists()
        meeting.refresh_from_db()
        assert meeting.body == "Safer Stockton Partnership"
        assert meeting.items.get(position=1).title == "Evacuation Procedure"
        assert dropped_messages(response) == [
            "Dropped the override of the body of Board, 22 January 2025.",
            "Dropped the override of the title of SSP/47/24 Fire drill (Board, 22 January 2025).",
        ]

    def test_a_restricted_flag_is_dropped_only_by_those_who_may_read_restricted_items(
        self, client, editor, trusted_editor, meeting
    ):
        item = meeting.items.get(position=2)
        client.force_login(trusted_editor)
        change(client, item_url(item), restricted="on")
        override = Override.objects.get()

        client.force_login(editor)
        response = client.post(
            "/admin/meetings/agendaitem/",
            {"action": "drop_overrides", "_selected_action": [item.pk]},
            follow=True,
        )
        assert dropped_messages(response) == [
            f"Override kept: restricted of {item} ({meeting}): needs the permission to view "
            "restricted items."
        ]
        assert AgendaItem.objects.get(pk=item.pk).restricted
        assert client.post(f"/admin/meetings/override/{override.pk}/delete/").status_code == 403

        client.force_login(trusted_editor)
        client.post(
            "/admin/meetings/agendaitem/",
            {"action": "drop_overrides", "_selected_action": [item.pk]},
        )
        assert not AgendaItem.objects.get(pk=item.pk).restricted

    def test_a_dropped_title_tags_the_item_from_the_minutes_title_again(
        self, client, editor, meeting
    ):
        item = meeting.items.get(position=2)
        client.force_login(editor)
        change(client, item_url(item), title="Operation Nightfall patrols")

        reimport.drop_overrides(Override.objects.all(), user=editor)

        assert AgendaItem.objects.get(pk=item.pk).title == "Patrols"
        assert not ItemTopic.objects.filter(item=item, topic__name="Operation Nightfall").exists()

    def test_an_override_from_before_values_were_noted_is_dropped_by_reading_the_source(
        self, meeting
    ):
        # As migration 0006 carries over a date set by an administrator.
        Meeting.objects.filter(pk=meeting.pk).update(
            date=datetime.date(2025, 1, 21), date_source=Meeting.DateSource.ADMIN
        )
        Override.objects.create(meeting=meeting, field="date", value="2025-01-21")

        dropped = reimport.drop_overrides(Override.objects.all(), user=None)

        assert dropped.messages == [
            "Dropped its overrides and read the minutes again: "
            "Safer Stockton Partnership, 22 January 2025: date changed"
        ]
        meeting.refresh_from_db()
        assert meeting.date == datetime.date(2025, 1, 22)
        assert meeting.date_source == Meeting.DateSource.DOCUMENT

    def test_a_date_that_another_meeting_has_is_not_put_back(self, editor, meeting):
        meeting.date = datetime.date(2025, 1, 23)
        overrides.record(meeting, "date", datetime.date(2025, 1, 22), user=editor)
        meeting.save()
        import_document(JANUARY, "jan-again.txt")  # same bytes: the same meeting, unchanged
        other = import_document(JANUARY.replace(b"fire drill", b"drill"), "other.txt").meeting
        Meeting.objects.filter(pk=other.pk).update(date=datetime.date(2025, 1, 22))

        dropped = reimport.drop_overrides(Override.objects.all(), user=editor)

        assert dropped.refused == [
            f"date of {meeting}: another meeting of Safer Stockton Partnership has that date"
        ]
        assert Override.objects.count() == 1


class TestModel:
    def test_an_override_belongs_to_a_meeting_or_an_item_never_both(self, meeting):
        item = meeting.items.first()
        with pytest.raises(IntegrityError), transaction.atomic():
            Override.objects.create(meeting=meeting, item=item, field="title", value="x")
        with pytest.raises(IntegrityError), transaction.atomic():
            Override.objects.create(field="title", value="x")
        with pytest.raises(IntegrityError), transaction.atomic():
            Override.objects.create(meeting=meeting, field="title", value="x")

    def test_one_override_per_field(self, meeting):
        Override.objects.create(meeting=meeting, field="body", value="A")
        with pytest.raises(IntegrityError), transaction.atomic():
            Override.objects.create(meeting=meeting, field="body", value="B")
        item = meeting.items.first()
        Override.objects.create(item=item, field="title", value="A")
        with pytest.raises(IntegrityError), transaction.atomic():
            Override.objects.create(item=item, field="title", value="B")


def test_the_migration_carries_over_dates_set_by_an_administrator(meeting):
    migration = importlib.import_module("meetings.migrations.0006_overrides_and_history")
    Meeting.objects.filter(pk=meeting.pk).update(date_source=Meeting.DateSource.ADMIN)
    migration.carry_over_admin_dates(apps, None)
    override = Override.objects.get()
    assert (override.meeting, override.value, override.imported) == (meeting, "2025-01-22", None)


def test_the_overrides_list_and_pages(admin_client, meeting):
    meeting.date = datetime.date(2025, 1, 23)
    overrides.record(meeting, "date", datetime.date(2025, 1, 22), user=None)
    meeting.save()
    override = Override.objects.get()

    response = admin_client.get("/admin/meetings/override/")
    assert response.status_code == 200
    assert "delete_selected" not in dict(response.context["action_form"].fields["action"].choices)
    page = admin_client.get(f"/admin/meetings/override/{override.pk}/change/")
    assert "date: 23 January 2025 (set by an administrator on" in page.content.decode()
    item_page = admin_client.get(f"/admin/meetings/agendaitem/{meeting.items.first().pk}/change/")
    assert item_page.status_code == 200


TWO_UPDATES = b"""Body: Safer Stockton Partnership
Date: 2025-01-22
Item: SSP/47/24 | Update | The open update was noted.
Item: SSP/48/24 | Patrols | Patrols continued in Ropner Ward.
Item: SSP/49/24 | Update | The second update was noted.
"""


def test_a_hand_restriction_on_one_of_two_items_with_the_same_title_is_not_guessed(
    client, trusted_editor, stub_parser, monkeypatch
):
    meeting = import_document(TWO_UPDATES, "jan.txt").meeting
    client.force_login(trusted_editor)
    change(client, item_url(meeting.items.get(position=3)), restricted="on")

    def only_the_second_update(text):
        parsed = _stub_parse(text)
        parsed.items = parsed.items[2:]
        return parsed

    monkeypatch.setattr(reading, "parse_minutes", only_the_second_update)
    reimport.reimport_meeting(meeting)

    # Which "Update" is left cannot be told from its title: it stays restricted.
    update = AgendaItem.objects.get(meeting=meeting, title="Update")
    assert update.restricted
    assert Meeting.objects.get(pk=meeting.pk).needs_review
