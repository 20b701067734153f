"""A follow-up set by hand while its item is restricted keeps its text restricted, however the
item is opened later: its note, or wording the item's later minutes no longer hold, may quote
what the item's own text, judged when it is opened, does not show."""

import pytest
from django.urls import reverse

from meetings.models import AgendaItem, FollowUp, Override
from tests.conftest import make_user
from tests.ingest.test_follow_up_overrides import (
    EDITING,
    FEBRUARY,
    FEBRUARY_CORRECTED,
    FEBRUARY_FULL,
    GANGS,
    JANUARY,
    JANUARY_CORRECTED,
    february_item,
    place_url,
    store,
)
from tests.ingest.test_follow_up_storage import reader  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

NOTE = "Passed to DC Smith of the gangs unit"


def gang_item() -> AgendaItem:
    return AgendaItem.objects.get(number="SSP/49/24")


def public(client, item) -> str:
    return client.get(reverse("meetings:item_detail", args=[item.pk])).content.decode()


def close_by_hand(what: str) -> FollowUp:
    """As the follow-up admin does for one follow-up."""
    follow_up = FollowUp.objects.get(what=what)
    follow_up.status, follow_up.note, follow_up.set_by_hand = FollowUp.Status.CLOSED, NOTE, True
    follow_up.save()
    return follow_up


@pytest.fixture
def trusted(django_user_model):
    return make_user(django_user_model, "sam", *EDITING, "view_restricted", "delete_override")


def test_the_note_stays_hidden_when_the_minutes_open_the_item_with_other_words(
    client,
    reader,  # noqa: F811
):
    store("jan.txt", JANUARY)
    close_by_hand(GANGS)
    opened = JANUARY.replace(b"Restricted Gang Activity", b"Gang Activity").replace(
        GANGS.encode(), b"a public summary of referrals"
    )

    store("jan-opened.txt", opened)

    assert not gang_item().restricted
    assert not FollowUp.objects.with_restricted(False).filter(item=gang_item()).exists()
    assert NOTE not in public(client, gang_item())


def test_closed_in_the_list_then_the_item_opened_by_hand_it_stays_hidden(
    client,
    admin_client,
    reader,  # noqa: F811
):
    store("jan.txt", JANUARY)
    follow_up = FollowUp.objects.get(what=GANGS)
    admin_client.post(
        "/admin/meetings/followup/",
        {"action": "close", "_selected_action": [follow_up.pk]},
    )
    FollowUp.objects.filter(pk=follow_up.pk).update(note=NOTE)
    item = gang_item()
    item.restricted = False
    item.save()

    page = public(client, item)
    assert GANGS not in page and NOTE not in page


def test_kept_on_a_restricted_item_by_a_re_import_it_stays_hidden_when_the_item_is_opened(
    client,
    reader,  # noqa: F811
):
    """Set by hand while the item was open; corrected minutes then restrict the item and give
    the follow-up restricted wording; then the item is opened by hand."""
    store("jan.txt", JANUARY.replace(b"Restricted Gang Activity", b"Gang Activity"))
    close_by_hand(GANGS)
    secret = "the informants named in the referrals"
    store("jan-2.txt", JANUARY.replace(GANGS.encode(), secret.encode()))
    item = gang_item()
    assert item.restricted and FollowUp.objects.get(item=item).what == secret

    item.restricted = False
    item.save()

    page = public(client, item)
    assert secret not in page and NOTE not in page


def test_a_kept_follow_up_placed_on_a_restricted_item_stays_hidden_when_it_is_opened(
    client,
    trusted,
    reader,  # noqa: F811
):
    store("jan.txt", JANUARY)
    close_by_hand(GANGS)
    store("jan-corrected.txt", JANUARY_CORRECTED)
    youth = AgendaItem.objects.get(title="Restricted Youth Referrals")
    kept = Override.objects.get(field=Override.Field.FOLLOW_UP, value__what=GANGS)
    client.force_login(trusted)
    client.post(place_url(kept), {"item": youth.pk})
    client.logout()
    assert FollowUp.objects.get(what=GANGS).item == youth

    youth.restricted = False
    youth.save()

    page = public(client, youth)
    assert GANGS not in page and NOTE not in page


def test_a_follow_up_read_from_the_minutes_is_shown_once_its_item_is_opened(
    client,
    reader,  # noqa: F811
):
    store("jan.txt", JANUARY)
    item = gang_item()
    item.restricted = False
    item.save()

    assert GANGS in public(client, item)


@pytest.fixture
def editor(django_user_model):
    return make_user(django_user_model, "jo", *EDITING)


def test_kept_when_its_opened_item_is_removed_it_stays_hidden(
    client,
    editor,
    reader,  # noqa: F811
):
    store("jan.txt", JANUARY)
    close_by_hand(GANGS)
    item = gang_item()
    item.restricted = False
    item.save()
    store("jan-corrected.txt", JANUARY_CORRECTED)  # the item removed
    kept = Override.objects.get(field=Override.Field.FOLLOW_UP, value__what=GANGS)
    evacuation = AgendaItem.objects.get(title="Evacuation Procedure")
    client.force_login(editor)

    page = client.get(place_url(kept)).content.decode()
    client.post(place_url(kept), {"item": evacuation.pk})
    client.logout()

    assert NOTE not in page and GANGS not in page
    assert not FollowUp.objects.filter(what=GANGS).exists()  # not placed
    assert NOTE not in public(client, evacuation)


def test_its_return_kept_when_the_returned_item_is_removed_stays_hidden(
    client,
    editor,
    reader,  # noqa: F811
):
    store("jan.txt", JANUARY)
    store("feb.txt", FEBRUARY)
    follow_up = FollowUp.objects.get(what=GANGS)
    follow_up.status, follow_up.note = FollowUp.Status.RETURNED, NOTE
    follow_up.returned_item, follow_up.set_by_hand = february_item("Ward Patrols"), True
    follow_up.save()
    item = gang_item()
    item.restricted = False
    item.save()
    store("feb-full.txt", FEBRUARY_FULL)
    store("feb-corrected.txt", FEBRUARY_CORRECTED)  # Ward Patrols removed
    kept = Override.objects.get(field=Override.Field.FOLLOW_UP_RETURN)
    client.force_login(editor)

    page = client.get(place_url(kept)).content.decode()

    assert NOTE not in page and GANGS not in page
    assert "Only staff with the permission to view restricted items" in page
