"""Items changed by hand in the admin (restricted or opened, retitled, deleted, corrections
placed or dropped) are what follow-ups are matched against from then on: a return found by the
text of an item restricted since is not kept, where visitors would see what that text said."""

import datetime

import pytest
from django.urls import reverse

from ingest import overrides
from meetings import followups
from meetings.models import FollowUp, Meeting, Override
from tests.ingest.test_overrides import change, post_data

pytestmark = pytest.mark.django_db

BODY = "Safer Stockton Partnership"
WHAT = "figures on knife crime in the town centre"


@pytest.fixture
def raised(make_meeting):
    """A follow-up raised in January; February's first item names what it asks for only in its
    agenda text, its second nowhere."""
    january = make_meeting(body=BODY, date=datetime.date(2025, 1, 8), items=[{"title": "Police"}])
    february = make_meeting(
        body=BODY,
        date=datetime.date(2025, 2, 12),
        items=[
            {"title": "Community safety", "agenda_text": f"The {WHAT} were presented."},
            {"title": "Any other business"},
        ],
    )
    follow_up = FollowUp.objects.create(
        item=january.items.get(), position=1, kind="action", what=WHAT, who="Police",
        phrase=f"Police would bring {WHAT}.",
    )  # fmt: skip
    followups.rematch_places(Meeting.objects.values_list("body", "date"))
    return follow_up, february


def status(follow_up):
    follow_up.refresh_from_db()
    return follow_up.status, follow_up.returned_item_id


def item_url(item):
    return reverse("admin:meetings_agendaitem_change", args=[item.pk])


def test_an_item_restricted_on_its_page_is_no_longer_the_return_its_text_found(
    admin_client, client, raised
):
    follow_up, february = raised
    item = february.items.get(position=1)
    assert status(follow_up) == (FollowUp.Status.POSSIBLY_RETURNED, item.pk)

    change(admin_client, item_url(item), restricted="on", restricted_reason="Exempt")

    assert status(follow_up) == (FollowUp.Status.OPEN, None)
    html = client.get(reverse("meetings:follow_up_list")).content.decode()
    assert "Community safety" not in html


def test_an_item_opened_on_its_meetings_page_may_become_the_return(admin_client, raised):
    follow_up, february = raised
    item = february.items.get(position=1)
    item.restricted, item.restricted_reason = True, "Exempt"
    item.save()
    followups.rematch_meetings([february.pk])
    assert status(follow_up) == (FollowUp.Status.OPEN, None)

    url = reverse("admin:meetings_meeting_change", args=[february.pk])
    data = post_data(admin_client.get(url))
    (id_key,) = [
        key
        for key, value in data.items()
        if key.startswith("items-") and key.endswith("-id") and value == str(item.pk)
    ]
    data.pop(id_key.removesuffix("-id") + "-restricted")
    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].errors
    assert status(follow_up) == (FollowUp.Status.POSSIBLY_RETURNED, item.pk)


def test_an_item_retitled_to_name_it_becomes_the_return_and_dropping_that_undoes_it(
    admin_client, raised
):
    follow_up, february = raised
    other = february.items.get(position=2)
    first = february.items.get(position=1)
    first.agenda_text = ""
    first.save()
    followups.rematch_meetings([february.pk])
    assert status(follow_up) == (FollowUp.Status.OPEN, None)

    change(admin_client, item_url(other), title="Knife crime in the town centre: figures")
    assert status(follow_up) == (FollowUp.Status.POSSIBLY_RETURNED, other.pk)

    retitled = Override.objects.get(item=other, field=Override.Field.TITLE)
    admin_client.post(
        reverse("admin:meetings_agendaitem_changelist"),
        {"action": "drop_overrides", "_selected_action": [other.pk]},
    )
    assert not Override.objects.filter(pk=retitled.pk).exists()
    assert status(follow_up) == (FollowUp.Status.OPEN, None)


def test_a_deleted_item_is_not_left_as_the_return(admin_client, raised):
    follow_up, february = raised
    item = february.items.get(position=1)

    response = admin_client.post(
        reverse("admin:meetings_agendaitem_delete", args=[item.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert status(follow_up) == (FollowUp.Status.OPEN, None)


def test_a_restriction_placed_on_an_item_drops_the_return_its_text_found(admin_client, raised):
    follow_up, february = raised
    item = february.items.get(position=1)
    kept = Override.objects.create(
        meeting=february,
        field=Override.Field.RESTRICTED,
        value=True,
        unmatched={"title": item.title, "number": "", "held": {}},
    )

    response = admin_client.post(
        reverse("admin:meetings_override_place", args=[kept.pk]), {"item": item.pk}
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.restricted
    assert status(follow_up) == (FollowUp.Status.OPEN, None)
    assert overrides.needs_restricted(Override.objects.get(item=item))


@pytest.fixture
def due_next(make_meeting):
    """A follow-up due at the next meeting, overdue once February's, which names it nowhere,
    was held."""
    january = make_meeting(body=BODY, date=datetime.date(2025, 1, 8), items=[{"title": "Police"}])
    make_meeting(body=BODY, date=datetime.date(2025, 2, 12), items=[{"title": "AOB"}])
    follow_up = FollowUp.objects.create(
        item=january.items.get(), position=1, kind="action", what=WHAT, who="Police",
        phrase=f"Police would bring {WHAT}.", due="next_meeting",
    )  # fmt: skip
    followups.rematch_places(Meeting.objects.values_list("body", "date"))
    assert status(follow_up) == (FollowUp.Status.OVERDUE, None)
    return follow_up


def test_an_item_added_on_its_own_page_may_be_the_return(admin_client, due_next):
    february = Meeting.objects.get(date=datetime.date(2025, 2, 12))
    url = reverse("admin:meetings_agendaitem_add")
    data = post_data(admin_client.get(url)) | {
        "meeting": february.pk,
        "position": 2,
        "title": "Knife crime in the town centre: figures",
    }
    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].errors
    added = february.items.get(position=2)
    assert status(due_next) == (FollowUp.Status.POSSIBLY_RETURNED, added.pk)


def test_a_meeting_added_with_its_items_may_hold_the_return(admin_client, due_next):
    url = reverse("admin:meetings_meeting_add")
    data = post_data(admin_client.get(url)) | {
        "body": BODY,
        "date": "2025-01-29",
        "items-TOTAL_FORMS": "1",
        "items-0-position": "1",
        "items-0-title": "Knife crime in the town centre: figures",
        "items-0-status": "heard",
    }
    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].errors
    added = Meeting.objects.get(date=datetime.date(2025, 1, 29)).items.get()
    assert status(due_next) == (FollowUp.Status.POSSIBLY_RETURNED, added.pk)
