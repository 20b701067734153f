"""Model invariants, the seeded topics and the read-path queryset methods."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from meetings.models import (
    AgendaItem,
    ItemTopic,
    Meeting,
    Resolution,
    Topic,
    link_visible,
    visible_links,
)

pytestmark = pytest.mark.django_db


class TestMeeting:
    def test_needs_review_without_a_date(self, make_meeting):
        assert make_meeting(date=None).needs_review

    def test_needs_review_with_warnings(self, make_meeting):
        assert make_meeting(warnings=["Item 3 has no title."]).needs_review

    def test_dated_without_warnings_needs_no_review(self, make_meeting):
        meeting = make_meeting()
        assert not meeting.needs_review
        meeting.warnings = ["late"]
        meeting.save(update_fields=["warnings"])
        meeting.refresh_from_db()
        assert meeting.needs_review

    def test_one_meeting_per_body_and_date(self, make_meeting):
        make_meeting()
        with pytest.raises(IntegrityError), transaction.atomic():
            make_meeting()

    def test_several_undated_meetings_of_a_body_are_allowed(self, make_meeting):
        make_meeting(date=None)
        make_meeting(date=None)
        assert Meeting.objects.undated().count() == 2

    def test_a_date_needs_a_source_and_no_date_has_none(self, make_meeting):
        with pytest.raises(IntegrityError), transaction.atomic():
            make_meeting(date=datetime.date(2025, 1, 1), date_source="unknown")
        with pytest.raises(IntegrityError), transaction.atomic():
            make_meeting(date=None, date_source="admin")

    def test_str_and_url(self, make_meeting):
        meeting = make_meeting()
        assert str(meeting) == "Safer Stockton Partnership, 22 January 2025"
        assert meeting.get_absolute_url() == f"/meetings/{meeting.pk}/"
        assert str(make_meeting(date=None, body="")) == "Unknown body, date unknown"

    def test_newest_first_puts_undated_last(self, make_meeting):
        old = make_meeting(date=datetime.date(2011, 7, 5))
        undated = make_meeting(date=None)
        new = make_meeting(date=datetime.date(2025, 1, 22))
        assert list(Meeting.objects.newest_first()) == [new, old, undated]
        assert list(Meeting.objects.oldest_first()) == [old, new, undated]
        assert list(Meeting.objects.in_year(2011)) == [old]


class TestAgendaItem:
    def test_positions_are_unique_within_a_meeting(self, make_meeting):
        meeting = make_meeting(items=[{"title": "One"}])
        with pytest.raises(IntegrityError), transaction.atomic():
            AgendaItem.objects.create(meeting=meeting, position=1, title="Again")

    def test_position_starts_at_one(self, make_meeting):
        meeting = make_meeting()
        with pytest.raises(IntegrityError), transaction.atomic():
            AgendaItem.objects.create(meeting=meeting, position=0, title="Zero")

    def test_status_must_be_a_known_one(self, make_meeting):
        meeting = make_meeting()
        with pytest.raises(IntegrityError), transaction.atomic():
            AgendaItem.objects.create(meeting=meeting, position=1, status="postponed")

    def test_choices_match_the_parser_values(self):
        from ingest.parsers import document

        assert AgendaItem.Status.values == [
            document.HEARD,
            document.DEFERRED,
            document.NOT_HEARD,
            document.NO_MINUTES,
        ]
        assert Resolution.Kind.values == ["noted", "approved", "action", "deferred", "other"]

    def test_str(self, make_meeting):
        meeting = make_meeting(items=[{"number_printed": "SSP/4724", "title": "Minutes"}, {}])
        assert [str(item) for item in meeting.items.all()] == ["SSP/4724 Minutes", "Item 2"]

    def test_label_and_shown_number(self, make_meeting):
        meeting = make_meeting(
            items=[
                {"number": "SSP/47/24", "number_printed": "SSP/4724", "title": "Minutes"},
                {"number_printed": "SSP 5", "title": "Knife crime"},
                {"number": "SSP/6/24"},
                {"title": "Any other business"},
                {},
            ]
        )
        items = meeting.items.all()
        assert [item.shown_number for item in items] == ["SSP/47/24", "SSP 5", "SSP/6/24", "", ""]
        assert [item.label for item in items] == [
            "SSP/47/24 Minutes",
            "SSP 5 Knife crime",
            "SSP/6/24 Item without a title",
            "Any other business",
            "Item without a title",
        ]


class TestRestrictedVisibility:
    @pytest.fixture
    def meeting(self, make_meeting):
        return make_meeting(
            items=[
                {"title": "Public", "minutes_text": "open words", "resolutions": ["Noted."]},
                {
                    "title": "iQuanta Report",
                    "restricted": True,
                    "agenda_text": "secret agenda",
                    "minutes_text": "secret minutes",
                    "resolutions": ["Secret decision."],
                    "topics": {"iQuanta": True, "Knife Crime": False},
                },
            ]
        )

    def test_text_is_withheld_in_the_query(self, meeting, ordinary_user):
        public, restricted = AgendaItem.objects.visible_to(ordinary_user).order_by("position")
        assert (public.withheld, public.minutes_text_shown) == (False, "open words")
        assert restricted.withheld
        assert (restricted.agenda_text_shown, restricted.minutes_text_shown) == ("", "")
        assert {"agenda_text", "minutes_text"} <= restricted.get_deferred_fields()

    def test_text_is_shown_with_the_permission(self, meeting, restricted_viewer):
        restricted = AgendaItem.objects.visible_to(restricted_viewer).get(restricted=True)
        assert not restricted.withheld
        assert restricted.minutes_text_shown == "secret minutes"

    def test_anonymous_visitors_are_treated_like_anyone_without_the_permission(self, meeting):
        from django.contrib.auth.models import AnonymousUser

        restricted = AgendaItem.objects.visible_to(AnonymousUser()).get(restricted=True)
        assert restricted.minutes_text_shown == ""

    def test_decisions_and_text_only_topics_of_restricted_items_are_hidden(
        self, meeting, ordinary_user, restricted_viewer
    ):
        assert list(
            Resolution.objects.visible_to(ordinary_user).values_list("text", flat=True)
        ) == ["Noted."]
        assert Resolution.objects.visible_to(restricted_viewer).count() == 2
        visible = ItemTopic.objects.visible_to(ordinary_user).values_list("topic__name", flat=True)
        assert list(visible) == ["iQuanta"]
        assert ItemTopic.objects.visible_to(restricted_viewer).count() == 2


class TestTopics:
    def test_vocabulary_is_seeded(self):
        harmony = Topic.objects.get(slug="operation-harmony")
        assert harmony.aliases == ["Op Harmony", "Project Harmony"]
        assert Topic.objects.get(name="Prevent").case_sensitive
        assert Topic.objects.get(name="Domestic Homicide Reviews").aliases == [
            "DHR",
            "DHRs",
            "Domestic Homicide Review",
        ]
        assert Topic.objects.filter(created_automatically=True).count() == 0
        assert Topic.objects.count() == 14

    def test_names_are_unique_in_any_case(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            Topic.objects.create(name="operation harmony", slug="another")

    def test_validation_reports_a_duplicate_name(self):
        with pytest.raises(ValidationError, match="already a topic with this name"):
            Topic(name="PREVENT", slug="prevent-2").full_clean()


def test_a_link_read_with_its_items_restriction_is_visible_as_the_query_says(make_meeting):
    """Follow-up matching reads links without their items' rows: it must see the same ones."""
    make_meeting(
        items=[
            {"title": "Open, named in title", "topics": {"Knife Crime": True}},
            {"title": "Open, named in text", "topics": {"Knife Crime": False}},
            {"title": "Restricted, in title", "restricted": True, "topics": {"Prevent": True}},
            {"title": "Restricted, in text", "restricted": True, "topics": {"Prevent": False}},
        ]
    )
    shown = set(ItemTopic.objects.filter(visible_links()).values_list("pk", flat=True))
    links = ItemTopic.objects.values_list("pk", "in_title", "item__restricted")
    assert {pk for pk, in_title, restricted in links if link_visible(in_title, restricted)} == shown
    assert len(shown) == 3
