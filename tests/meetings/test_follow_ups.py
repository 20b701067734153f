"""Follow-ups: matching them to later items, their pages, restricted ones, the admin."""

import datetime
import io
import random

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from meetings import followups
from meetings.models import FollowUp, Meeting
from tests.conftest import make_user, messages_of

BODY = "Safer Stockton Partnership"
OTHER_BODY = "Children's Partnership"
SECRET = "wombat"


def day(month, year=2025):
    return datetime.date(year, month, 3)


@pytest.fixture
def raise_at(make_meeting):
    """A meeting whose one item raises a follow-up; returns the follow-up."""

    def make(date, what, *, title="Police Update", topics=None, body=BODY, restricted=False,
             due="", due_date=None, kind="action"):  # fmt: skip
        meeting = make_meeting(
            body=body,
            date=date,
            items=[{"title": title, "restricted": restricted, "topics": topics or {}}],
        )
        return FollowUp.objects.create(
            item=meeting.items.get(), position=1, kind=kind, what=what, who="Police",
            due=due, due_date=due_date, phrase=f"{what} would come back.",
        )  # fmt: skip

    return make


@pytest.fixture
def later(make_meeting):
    """A meeting with items of these titles (or dicts of fields)."""

    def make(date, *titles, body=BODY):
        items = [title if isinstance(title, dict) else {"title": title} for title in titles]
        return make_meeting(body=body, date=date, items=items)

    return make


def rematch_all():
    for body in Meeting.objects.values_list("body", flat=True).distinct():
        followups.rematch(body, Meeting.objects.filter(body=body).values_list("date", flat=True))


def fresh(follow_up):
    follow_up.refresh_from_db()
    return follow_up


@pytest.mark.django_db
class TestMatching:
    def test_title_naming_its_words_is_suggested(self, raise_at, later):
        follow_up = raise_at(day(1), "a report on knife crime in the town centre")
        meeting = later(day(2), "Apologies", "Knife Crime: Town Centre Review")
        rematch_all()
        follow_up = fresh(follow_up)
        assert follow_up.status == FollowUp.Status.POSSIBLY_RETURNED
        assert follow_up.returned_item == meeting.items.get(title__startswith="Knife")

    def test_item_on_the_same_topic_is_suggested(self, raise_at, later):
        follow_up = raise_at(day(1), "figures", topics={"Fly-tipping": False})
        meeting = later(
            day(2), "Apologies", {"title": "Environment", "topics": {"Fly-tipping": False}}
        )
        rematch_all()
        assert fresh(follow_up).returned_item == meeting.items.get(title="Environment")

    def test_unrelated_items_and_other_bodies_are_not(self, raise_at, later):
        follow_up = raise_at(day(1), "a report on knife crime")
        later(day(2), "Youth Diversion", "Apologies")
        later(day(3), "Knife Crime", body=OTHER_BODY)
        rematch_all()
        assert fresh(follow_up).returned_item is None

    def test_earliest_meeting_taking_it_up_wins(self, raise_at, later):
        follow_up = raise_at(day(1), "knife crime")
        later(day(3), "Knife crime again")
        second = later(day(2), "Knife crime")
        rematch_all()
        assert fresh(follow_up).returned_item.meeting == second

    @override_settings(FOLLOW_UPS_WINDOW_MEETINGS=2, FOLLOW_UPS_OVERDUE_AFTER_MEETINGS=2)
    def test_beyond_the_window_is_not_suggested(self, raise_at, later):
        follow_up = raise_at(day(1), "knife crime")
        later(day(2), "Apologies")
        later(day(3), "Minutes")
        later(day(4), "Knife crime")
        rematch_all()
        follow_up = fresh(follow_up)
        assert (follow_up.status, follow_up.returned_item) == (FollowUp.Status.OVERDUE, None)

    def test_the_next_meeting_years_later_is_not_suggested(self, raise_at, later):
        # The archive holds no minutes for the years between: that item is not the return.
        follow_up = raise_at(day(1, 2011), "a report on knife crime")
        later(day(2, 2022), "Knife crime")
        rematch_all()
        assert fresh(follow_up).returned_item is None

    @override_settings(FOLLOW_UPS_WINDOW_DAYS=30)
    def test_the_window_in_days_is_a_setting(self, raise_at, later):
        follow_up = raise_at(day(1), "knife crime")
        later(day(3), "Knife crime")
        rematch_all()
        assert fresh(follow_up).returned_item is None
        with override_settings(FOLLOW_UPS_WINDOW_DAYS=90):
            rematch_all()
        assert fresh(follow_up).returned_item.title == "Knife crime"

    @override_settings(FOLLOW_UPS_OVERDUE_AFTER_MEETINGS=3)
    def test_overdue_after_meetings_without_it(self, raise_at, later):
        follow_up = raise_at(day(1), "knife crime")
        later(day(2), "Apologies")
        later(day(3), "Minutes")
        rematch_all()
        assert fresh(follow_up).status == FollowUp.Status.OPEN
        later(day(4), "Youth")
        followups.rematch(BODY, [day(4)])
        assert fresh(follow_up).status == FollowUp.Status.OVERDUE

    def test_due_next_meeting_is_overdue_once_it_was_held(self, raise_at, later):
        follow_up = raise_at(day(1), "knife crime", due="next_meeting")
        rematch_all()
        assert fresh(follow_up).status == FollowUp.Status.OPEN
        later(day(2), "Apologies")
        followups.rematch(BODY, [day(2)])
        assert fresh(follow_up).status == FollowUp.Status.OVERDUE

    def test_due_month_is_overdue_once_a_meeting_after_it_was_held(self, raise_at, later):
        follow_up = raise_at(day(1), "knife crime", due="month", due_date=datetime.date(2025, 3, 1))
        later(day(2), "Apologies")
        later(day(3), "Minutes")
        rematch_all()
        assert fresh(follow_up).status == FollowUp.Status.OPEN  # March is not over
        later(day(4), "Youth")
        followups.rematch(BODY, [day(4)])
        assert fresh(follow_up).status == FollowUp.Status.OVERDUE

    def test_due_month_is_overdue_when_a_meeting_far_after_it_is_imported(self, raise_at, later):
        """Meetings imported one by one, in date order: the one held after the stated month
        is more meetings away than matching looks for a return."""
        follow_up = raise_at(day(1), "knife crime", due="month", due_date=datetime.date(2025, 9, 1))
        for month in range(2, 11):
            later(day(month), "Apologies")
            followups.rematch(BODY, [day(month)])
            expected = FollowUp.Status.OVERDUE if month == 10 else FollowUp.Status.OPEN
            assert fresh(follow_up).status == expected, month

    @pytest.mark.parametrize("seed", range(6))
    def test_meetings_matched_as_they_come_match_as_all_at_once(self, make_meeting, seed):
        """Imports match only what their meetings can change (``incremental``): meetings
        arriving in any order, then one deleted and one moved, leave every follow-up as
        matching the whole archive afresh does."""
        rng = random.Random(seed)
        subjects = ["knife crime", "fly tipping", "youth diversion", "licensing", "prevent"]
        dates = [datetime.date(2024, 1, 3) + datetime.timedelta(days=20 * n) for n in range(16)]
        rng.shuffle(dates)
        meetings = []
        for date in dates:
            items = [
                {
                    "title": rng.choice(subjects).title(),
                    "topics": {rng.choice(subjects).title(): False} if rng.random() < 0.4 else {},
                }
                for _ in range(rng.randint(1, 3))
            ]
            meeting = make_meeting(body=BODY, date=date, items=items)
            for position, item in enumerate(meeting.items.all(), start=1):
                due, due_date = rng.choice(
                    [("", None), ("next_meeting", None), ("month", date.replace(day=1)
                     + datetime.timedelta(days=rng.choice([40, 100, 200])))]
                )  # fmt: skip
                FollowUp.objects.create(
                    item=item, position=position, kind="action",
                    what=rng.choice([*subjects, "street lighting"]),  # the last never returns
                    due=due, due_date=due_date.replace(day=1) if due_date else None,
                )  # fmt: skip
            followups.rematch(BODY, [date], incremental=True)
            meetings.append(meeting)
        gone = meetings.pop(rng.randrange(len(meetings)))
        gone.delete()  # matched again as it goes, incrementally
        moved = meetings[rng.randrange(len(meetings))]
        was = moved.date
        moved.date = max(dates) + datetime.timedelta(days=20)
        moved.save()
        followups.rematch_places([(BODY, was), (BODY, moved.date)], incremental=True)

        def states():
            return sorted(FollowUp.objects.values_list("pk", "status", "returned_item"))

        as_they_came = states()
        FollowUp.objects.update(status=FollowUp.Status.OPEN, returned_item=None)
        rematch_all()
        assert states() == as_they_came
        assert {status for _pk, status, _item in as_they_came} >= {
            FollowUp.Status.POSSIBLY_RETURNED,
            FollowUp.Status.OVERDUE,
        }

    def test_due_month_waits_for_its_own_bodys_meetings(self, raise_at, later):
        """A meeting of another body held after the stated month says nothing of it."""
        follow_up = raise_at(day(1), "knife crime", due="month", due_date=datetime.date(2025, 3, 1))
        for month in range(2, 5):
            later(day(month), "Apologies", body=OTHER_BODY)
            followups.rematch(OTHER_BODY, [day(month)], incremental=True)
        assert fresh(follow_up).status == FollowUp.Status.OPEN

        later(day(5), "Apologies")
        followups.rematch(BODY, [day(5)], incremental=True)
        assert fresh(follow_up).status == FollowUp.Status.OVERDUE

    def test_due_date_is_open_again_when_the_meeting_after_it_is_deleted(self, raise_at, later):
        follow_up = raise_at(
            day(1), "street lighting", due="date", due_date=datetime.date(2025, 11, 1)
        )
        for month in range(2, 11):
            later(day(month), "Apologies")
            followups.rematch(BODY, [day(month)], incremental=True)
        december = later(day(12), "Apologies")
        followups.rematch(BODY, [day(12)], incremental=True)
        assert fresh(follow_up).status == FollowUp.Status.OVERDUE
        december.delete()  # matched again as it goes
        assert fresh(follow_up).status == FollowUp.Status.OPEN

    def test_hand_set_status_and_link_are_kept(self, raise_at, later):
        follow_up = raise_at(day(1), "knife crime")
        chosen = later(day(2), "Youth").items.get()
        FollowUp.objects.filter(pk=follow_up.pk).update(
            status="returned", returned_item=chosen, set_by_hand=True
        )
        later(day(3), "Knife crime")
        rematch_all()
        follow_up = fresh(follow_up)
        assert (follow_up.status, follow_up.returned_item) == ("returned", chosen)

    def test_confirmed_return_deleted_is_matched_again(self, raise_at, later):
        follow_up = raise_at(day(1), "knife crime", due="next_meeting")
        returned = later(day(2), "Knife crime")
        rematch_all()
        FollowUp.objects.filter(pk=follow_up.pk).update(status="returned", set_by_hand=True)
        returned.delete()
        later(day(3), "Youth")
        followups.rematch(BODY, [day(3)])
        follow_up = fresh(follow_up)
        assert (follow_up.status, follow_up.set_by_hand) == (FollowUp.Status.OVERDUE, False)

    @override_settings(FOLLOW_UPS_WINDOW_MEETINGS=1, FOLLOW_UPS_OVERDUE_AFTER_MEETINGS=3)
    def test_overdue_after_more_meetings_than_the_window(self, raise_at, later):
        follow_up = raise_at(day(1), "knife crime")
        for month in (2, 3, 4):
            later(day(month), "Apologies")
        followups.rematch(BODY, [day(1)])
        assert fresh(follow_up).status == FollowUp.Status.OVERDUE

    def test_rejected_item_is_not_suggested_again(self, raise_at, later):
        follow_up = raise_at(day(1), "knife crime")
        first = later(day(2), "Knife crime").items.get()
        second = later(day(3), "Knife crime update").items.get()
        FollowUp.objects.filter(pk=follow_up.pk).update(rejected_items=[first.pk])
        rematch_all()
        assert fresh(follow_up).returned_item == second

    def test_restricted_item_is_matched_by_its_title_not_its_text(self, raise_at, later):
        follow_up = raise_at(day(1), "knife crime")
        later(
            day(2),
            {"title": "Confidential", "restricted": True, "agenda_text": "knife crime figures"},
        )
        rematch_all()
        assert fresh(follow_up).returned_item is None

    def test_many_dates_are_matched_in_runs_with_the_same_result(
        self, raise_at, later, monkeypatch
    ):
        monkeypatch.setattr(followups, "CHUNK", 2)
        raised = [raise_at(day(month), "knife crime") for month in (1, 3, 5, 7)]
        for month in (2, 4, 6):
            later(day(month), "Knife crime")
        rematch_all()
        assert [fresh(f).returned_item.meeting.date.month for f in raised[:3]] == [2, 4, 6]
        assert fresh(raised[3]).status == FollowUp.Status.OPEN

    def test_queries_do_not_grow_with_the_archive(
        self, raise_at, later, django_assert_max_num_queries
    ):
        for month in range(1, 13):
            raise_at(day(month), f"knife crime {month}")
            later(datetime.date(2025, month, 20), "Knife crime", "Apologies", "Youth")
        with django_assert_max_num_queries(8):
            followups.rematch(BODY, [day(6)])

    def test_an_item_moved_to_another_meeting_is_matched_from_there(self, raise_at, later):
        january = later(day(1), "Apologies")
        follow_up = raise_at(day(3), "a report on knife crime in the town centre")
        february = later(day(2), "Knife Crime: Town Centre Review")
        rematch_all()
        assert fresh(follow_up).status == FollowUp.Status.OPEN
        item = follow_up.item
        item.meeting, item.position = january, 2  # as the item's admin page saves it
        item.save()
        rematch_all()
        follow_up = fresh(follow_up)
        assert follow_up.status == FollowUp.Status.POSSIBLY_RETURNED
        assert follow_up.returned_item == february.items.get()

    def test_a_follow_up_moved_to_another_item_is_matched_from_its_meeting(self, raise_at, later):
        january = later(day(1), "Police Update")
        follow_up = raise_at(day(3), "a report on knife crime in the town centre")
        february = later(day(2), "Knife Crime: Town Centre Review")
        rematch_all()
        follow_up.item = january.items.get()  # as the follow-up's admin page saves it
        follow_up.save(update_fields=["item"])
        rematch_all()
        assert fresh(follow_up).returned_item == february.items.get()


@pytest.mark.django_db
def test_match_follow_ups_command_applies_changed_settings(raise_at, later):
    follow_up = raise_at(day(1), "knife crime")
    later(day(2), "Apologies")
    later(day(3), "Knife crime")
    rematch_all()
    assert fresh(follow_up).status == FollowUp.Status.POSSIBLY_RETURNED
    out = io.StringIO()
    with override_settings(FOLLOW_UPS_WINDOW_MEETINGS=1, FOLLOW_UPS_OVERDUE_AFTER_MEETINGS=1):
        call_command("match_follow_ups", stdout=out)
    follow_up = fresh(follow_up)
    assert (follow_up.status, follow_up.returned_item) == (FollowUp.Status.OVERDUE, None)
    assert "Matched the follow-ups of 1 bodies (1 changed)." in out.getvalue()


@pytest.fixture
def listed(raise_at, later):
    """Follow-ups of two bodies and years, one possibly returned, one restricted."""
    open_one = raise_at(day(1), "a report on knife crime", topics={"Knife Crime": True})
    later(day(2), "Knife crime in the town centre")
    other = raise_at(day(5, 2024), "youth diversion figures", body=OTHER_BODY)
    secret = raise_at(day(3), f"the {SECRET} file", title="Confidential", restricted=True)
    rematch_all()
    return {"returned": fresh(open_one), "other": fresh(other), "secret": fresh(secret)}


def page(client, **params):
    return client.get(reverse("meetings:follow_up_list"), params)


def status_counts(response):
    return {s.value: s.count for s in response.context["page"].status_counts if s.count}


@pytest.mark.django_db
class TestFollowUpPage:
    def test_lists_follow_ups_with_where_they_came_back(self, client, listed):
        response = page(client)
        html = response.content.decode()
        assert "a report on knife crime" in html and "youth diversion figures" in html
        assert "Possibly returned at" in html
        assert "Knife crime in the town centre" in html
        assert status_counts(response) == {"possibly_returned": 1, "open": 1}

    def test_filters_narrow_and_counts_keep_other_statuses(self, client, listed):
        response = page(client, body=OTHER_BODY)
        assert [f.pk for f in response.context["follow_ups"]] == [listed["other"].pk]
        response = page(client, status="open")
        assert [f.pk for f in response.context["follow_ups"]] == [listed["other"].pk]
        assert status_counts(response) == {"possibly_returned": 1, "open": 1}
        response = page(client, year=2025)
        assert [f.pk for f in response.context["follow_ups"]] == [listed["returned"].pk]
        assert status_counts(response) == {"possibly_returned": 1}
        response = page(client, topic="knife-crime")
        assert [f.pk for f in response.context["follow_ups"]] == [listed["returned"].pk]

    def test_restricted_hidden_from_visitors_counts_and_choices_too(self, client, listed):
        response = page(client)
        html = response.content.decode()
        assert SECRET not in html and "Confidential" not in html
        assert response.context["paginator"].count == 2
        assert sum(status_counts(response).values()) == 2
        assert SECRET not in page(client, status="open").content.decode()

    def test_restricted_shown_with_the_permission(self, client, listed, restricted_viewer):
        client.force_login(restricted_viewer)
        response = page(client)
        assert SECRET in response.content.decode()
        assert status_counts(response) == {"possibly_returned": 1, "open": 2}

    def test_paged(self, client, listed, monkeypatch):
        monkeypatch.setattr("meetings.selectors_follow_ups.PAGE_SIZE", 1)
        response = page(client, page=2)
        assert response.context["page_obj"].number == 2
        assert len(response.context["follow_ups"]) == 1
        assert 'aria-label="Page 1"' in response.content.decode()

    def test_query_count_does_not_grow(
        self, client, listed, raise_at, django_assert_max_num_queries
    ):
        # the choices of three filters, the counts by status, the number listed, the page
        with django_assert_max_num_queries(6):
            page(client, status="open")
        for month in range(1, 13):
            raise_at(day(month, 2023), f"figures {month}", topics={f"Topic {month}": True})
        with django_assert_max_num_queries(6):
            page(client, status="open")

    @pytest.mark.parametrize(
        "params",
        [
            {"status": "\x00"},
            {"body": "\x00x"},
            {"year": "99999999999999999999"},
            {"topic": "../x"},
            {"page": "-1"},
            {"status": ["open", "closed"]},
        ],
    )
    def test_hostile_parameters_list_nothing_rather_than_fail(self, client, listed, params):
        response = page(client, **params)
        assert response.status_code == 200
        assert response.context["paginator"].count in (0, 2)
        assert SECRET not in response.content.decode()

    def test_in_the_navigation(self, client, listed):
        html = client.get(reverse("meetings:home")).content.decode()
        assert f'href="{reverse("meetings:follow_up_list")}"' in html


@pytest.mark.django_db
class TestItemAndMeetingPages:
    def test_item_pages_say_where_it_was_raised_and_returned(self, client, listed):
        follow_up = listed["returned"]
        html = client.get(reverse("meetings:item_detail", args=[follow_up.item_id])).content
        assert b"To come back to a later meeting" in html and b"a report on knife crime" in html
        returned = follow_up.returned_item
        html = client.get(reverse("meetings:item_detail", args=[returned.pk])).content.decode()
        assert "Raised at an earlier meeting" in html and "Raised at" in html
        assert reverse("meetings:item_detail", args=[follow_up.item_id]) in html

    def test_meeting_page_lists_due_and_raised(self, client, listed, raise_at, later):
        due = raise_at(day(7), "probation figures", due="next_meeting")
        meeting = later(day(8), "Apologies")
        html = client.get(meeting.get_absolute_url()).content.decode()
        assert "Due at this meeting" in html and "probation figures" in html
        raised = client.get(due.item.meeting.get_absolute_url()).content.decode()
        assert "Raised at this meeting" in raised and "probation figures" in raised

    def test_restricted_item_page_shows_no_follow_up_to_visitors(self, client, listed):
        secret = listed["secret"]
        html = client.get(reverse("meetings:item_detail", args=[secret.item_id])).content
        assert SECRET.encode() not in html
        html = client.get(secret.item.meeting.get_absolute_url()).content
        assert SECRET.encode() not in html


@pytest.mark.django_db
class TestAdmin:
    def changelist(self):
        return reverse("admin:meetings_followup_changelist")

    def test_confirm_and_reject_suggested_returns(self, client, listed, admin_user, later):
        client.force_login(admin_user)
        follow_up = listed["returned"]
        client.post(
            self.changelist(), {"action": "confirm_returns", "_selected_action": [follow_up.pk]}
        )
        follow_up = fresh(follow_up)
        assert (follow_up.status, follow_up.set_by_hand) == ("returned", True)
        suggested = follow_up.returned_item
        FollowUp.objects.filter(pk=follow_up.pk).update(status="possibly_returned")
        response = client.post(
            self.changelist(), {"action": "reject_returns", "_selected_action": [follow_up.pk]}
        )
        assert "1 suggested return rejected" in " ".join(messages_of(response))
        follow_up = fresh(follow_up)
        assert follow_up.returned_item is None and suggested.pk in follow_up.rejected_items
        rematch_all()
        assert fresh(follow_up).returned_item is None  # not suggested again

    def test_returned_needs_the_item_it_returned_at(self, client, listed, admin_user):
        client.force_login(admin_user)
        follow_up = listed["other"]
        url = reverse("admin:meetings_followup_change", args=[follow_up.pk])
        response = client.post(url, {"status": "returned", "returned_item": "", "note": ""})
        assert response.status_code == 200
        assert "Choose the item it returned at, or close it with a note." in (
            response.content.decode()
        )
        assert fresh(follow_up).set_by_hand is False

    def test_close_with_a_note_on_its_page(self, client, listed, admin_user):
        client.force_login(admin_user)
        follow_up = listed["other"]
        url = reverse("admin:meetings_followup_change", args=[follow_up.pk])
        response = client.post(url, {"status": "closed", "returned_item": "", "note": "By email"})
        assert response.status_code == 302
        follow_up = fresh(follow_up)
        assert (follow_up.status, follow_up.note, follow_up.set_by_hand) == (
            "closed",
            "By email",
            True,
        )
        rematch_all()
        assert fresh(follow_up).status == "closed"
        html = page(client, status="closed").content.decode()
        assert "Closed: By email" in html

    def test_meeting_dated_in_the_admin_is_matched_again(self, client, raise_at, later, admin_user):
        follow_up = raise_at(day(3), "knife crime")
        meeting = later(day(1), "Knife crime")
        rematch_all()
        assert fresh(follow_up).returned_item is None  # held before it was raised
        client.force_login(admin_user)
        url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
        response = client.get(url)
        form = response.context["adminform"].form
        data = {name: form[name].value() or "" for name in form.fields}
        data.update(date="2025-04-03", date_source="admin")
        for prefix in ("attendees", "items"):
            data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
        response = client.post(url, data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert fresh(follow_up).returned_item == meeting.items.get()

    def test_close_action(self, client, listed, admin_user):
        client.force_login(admin_user)
        follow_up = listed["other"]
        client.post(self.changelist(), {"action": "close", "_selected_action": [follow_up.pk]})
        assert fresh(follow_up).status == "closed"

    def test_restricted_follow_ups_not_in_the_admin_for_staff_without_permission(
        self, client, listed, django_user_model
    ):
        # Their kind, due date and status are read from restricted minutes too.
        staff = make_user(django_user_model, "clerk", "view_followup", "change_followup")
        client.force_login(staff)
        response = client.get(self.changelist())
        html = response.content.decode()
        assert SECRET not in html
        assert listed["secret"] not in response.context["cl"].result_list
        assert (
            response.context["cl"].full_result_count
            == FollowUp.objects.filter(item__restricted=False).count()
        )
        url = reverse("admin:meetings_followup_change", args=[listed["secret"].pk])
        response = client.get(url, follow=True)
        assert SECRET not in response.content.decode()
        assert "doesn’t exist" in response.content.decode()
        assert "knife crime" in html

    def test_restricted_wording_shown_with_the_permission(self, client, listed, django_user_model):
        staff = make_user(django_user_model, "officer2", "view_followup", "view_restricted")
        client.force_login(staff)
        assert SECRET in client.get(self.changelist()).content.decode()


@pytest.mark.django_db
def test_matching_filters_by_ids_sent_as_one_parameter(later):
    """``followups._among``: the ids of any iterable, as one parameter however many."""
    first = later(day(1), "Knife Crime", "Youth")
    second = later(day(2), "Prevent")
    wanted = {second.pk: "its value is not read", first.pk: None}
    among = followups._among("meeting", wanted)
    assert hash(among) == hash(followups._among("meeting", [first.pk, second.pk]))
    items = first.items.model.objects.filter(among)
    assert sorted(items.values_list("title", flat=True)) == ["Knife Crime", "Prevent", "Youth"]
    assert not items.model.objects.filter(followups._among("meeting", [])).exists()
    many = [*range(10**6, 10**6 + 50_000), first.pk]
    assert list(
        items.model.objects.filter(followups._among("meeting", many))
        .values_list("title", flat=True)
        .order_by("title")
    ) == ["Knife Crime", "Youth"]
