"""A follow-up set by hand whose item a re-import removes is kept as an unmatched override:
listed on its meeting's admin page without its wording, placed on an item or dropped."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from ingest import overrides, services
from ingest.parsers.followups import ACTION, DEFERRED, MONTH, NEXT_MEETING, PROMISE
from meetings.models import AgendaItem, FollowUp, Meeting, Override
from tests.conftest import make_user, messages_of
from tests.ingest.test_follow_up_storage import minutes, reader  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

EDITING = ["view_meeting", "change_meeting", "view_agendaitem", "change_agendaitem"]
EDITING += ["view_override", "view_followup", "change_followup"]

PATROLS = "a report on patrols in Ropner Ward"
GANGS = "the names given in the gang referrals"

JANUARY = minutes(
    "2025-01-22",
    "Item: SSP/47/24 | Evacuation Procedure | A fire drill was held.",
    f"Follow: {ACTION} | a report on the next fire drill | {NEXT_MEETING} |",
    "Item: SSP/48/24 | Patrols | Patrols continued in the ward.",
    f"Follow: {ACTION} | {PATROLS} | {NEXT_MEETING} |",
    f"Follow: {DEFERRED} | Patrol Strategy | {MONTH} | 2025-03-01",
    "Item: SSP/49/24 | Restricted Gang Activity | Referrals were discussed.",
    f"Follow: {ACTION} | {GANGS} | {NEXT_MEETING} |",
)
# Corrected minutes: two items new before Evacuation Procedure, which now gives the patrols
# report (worded a little differently); Patrols and the restricted item after it are gone.
JANUARY_CORRECTED = minutes(
    "2025-01-22",
    "Item: SSP/45/24 | Knife Crime | Figures fell.",
    f"Follow: {PROMISE} | figures for the summer | {NEXT_MEETING} |",
    "Item: SSP/46/24 | Restricted Youth Referrals | Referrals were noted.",
    "Item: SSP/47/24 | Evacuation Procedure | A fire drill was held.",
    f"Follow: {ACTION} | a report on the next fire drill | {NEXT_MEETING} |",
    f"Follow: {ACTION} | A report on  patrols in Ropner ward | {NEXT_MEETING} |",
)
SECRET = "the informant's address in Thornaby"
# The corrected minutes, their restricted item raising a follow-up of the same kind, at the
# same position, as the patrols report kept from the removed item.
JANUARY_CORRECTED_WITH_SECRET = JANUARY_CORRECTED.replace(
    b"Referrals were noted.",
    f"Referrals were noted.\nFollow: {ACTION} | {SECRET} | {NEXT_MEETING} |".encode(),
)
FEBRUARY = minutes("2025-02-19", "Item: SSP/5/25 | Ward Patrols | Reported as promised.")


@pytest.fixture
def editor(django_user_model):
    return make_user(django_user_model, "jo", *EDITING)


@pytest.fixture
def trusted_editor(django_user_model):
    return make_user(django_user_model, "sam", *EDITING, "view_restricted")


def store(name, data):
    outcome = services.import_document(data, name, imported_by_name="test")
    assert not outcome.failed, outcome.message
    return outcome


def follow_up(what) -> FollowUp:
    return FollowUp.objects.get(what=what)


def meeting_url(meeting):
    return f"/admin/meetings/meeting/{meeting.pk}/change/"


def place_url(override):
    return f"/admin/meetings/override/{override.pk}/place/"


@pytest.fixture
def january(reader):  # noqa: F811
    """January and February imported; two of January's follow-ups set by hand in the admin."""
    meeting = store("jan.txt", JANUARY).meeting
    store("feb.txt", FEBRUARY)
    february = AgendaItem.objects.get(title="Ward Patrols")
    FollowUp.objects.filter(what=PATROLS).update(
        status=FollowUp.Status.RETURNED,
        returned_item=february,
        note="Reported on in February",
        rejected_items=[999],
        set_by_hand=True,
    )
    FollowUp.objects.filter(what=GANGS).update(
        status=FollowUp.Status.CLOSED, note="Passed to the police", set_by_hand=True
    )
    return meeting


@pytest.fixture
def kept(january):
    """The corrected minutes imported: the two follow-ups set by hand kept as overrides."""
    store("jan-corrected.txt", JANUARY_CORRECTED)
    return {o.value["what"]: o for o in Override.objects.filter(field=Override.Field.FOLLOW_UP)}


class TestKeptByAReimport:
    def test_a_hand_set_follow_up_of_a_removed_item_is_listed_on_its_meeting_for_review(
        self, client, editor, january
    ):
        others = {
            f.pk: (f.what, f.status, f.returned_item_id, f.set_by_hand)
            for f in FollowUp.objects.exclude(
                item__title__in=["Patrols", "Restricted Gang Activity"]
            )
        }

        store("jan-corrected.txt", JANUARY_CORRECTED)

        # One override for each follow-up set by hand; "Patrol Strategy" was not: none.
        kept = Override.objects.filter(field=Override.Field.FOLLOW_UP).order_by("pk")
        assert [(o.meeting, o.item, o.unmatched["title"]) for o in kept] == [
            (january, None, "Patrols"),
            (january, None, "Restricted Gang Activity"),
        ]
        february = AgendaItem.objects.get(title="Ward Patrols")
        assert kept[0].value == {
            "kind": ACTION,
            "what": PATROLS,
            "who": "Police",
            "due": NEXT_MEETING,
            "due_date": None,
            "phrase": f"{PATROLS} to come back.",
            "position": 1,
            "status": FollowUp.Status.RETURNED,
            "returned_item": february.pk,
            "note": "Reported on in February",
            "rejected_items": [999],
            "restricted": False,
        }
        assert kept[1].value["restricted"] is True
        assert not FollowUp.objects.filter(what__in=[PATROLS, GANGS, "Patrol Strategy"]).exists()
        for pk, was in others.items():
            f = FollowUp.objects.get(pk=pk)
            assert (f.what, f.status, f.returned_item_id, f.set_by_hand) == was

        client.force_login(editor)
        html = client.get(meeting_url(january)).content.decode()
        assert (
            "not matched since a re-import, for item 2, SSP/48/24 Patrols: "
            "follow-up: Returned (agreed action) (set by hand; its item removed on"
        ) in html
        assert html.count("Place on an item</a>") == 2
        listed = client.get("/admin/meetings/meeting/?review=unplaced")
        assert list(listed.context["cl"].result_list) == [january]

    def test_the_follow_ups_of_removed_items_are_kept_in_two_queries(
        self, january, django_assert_num_queries
    ):
        removed = list(AgendaItem.objects.filter(meeting=january).exclude(position=1))
        was = {item.pk: {"position": item.position, "title": item.title} for item in removed}
        with django_assert_num_queries(2):
            overrides.keep_follow_ups(january, removed, was)
        assert Override.objects.filter(field=Override.Field.FOLLOW_UP).count() == 2

    def test_a_follow_up_override_is_only_ever_unmatched(self, january):
        item = january.items.first()
        with pytest.raises(IntegrityError), transaction.atomic():
            Override.objects.create(item=item, field="follow_up", value={})
        with pytest.raises(IntegrityError), transaction.atomic():
            Override.objects.create(meeting=january, field="follow_up", value={})


class TestPlaced:
    def test_on_an_item_with_the_same_wording_it_gives_that_follow_up_what_was_set(
        self, client, editor, kept, january
    ):
        evacuation = january.items.get(title="Evacuation Procedure")
        before = list(evacuation.follow_ups.values_list("pk", flat=True))
        client.force_login(editor)

        response = client.post(place_url(kept[PATROLS]), {"item": evacuation.pk}, follow=True)

        assert messages_of(response)[-1] == (
            "Placed the follow-up correction on SSP/47/24 Evacuation Procedure."
        )
        assert list(evacuation.follow_ups.values_list("pk", flat=True)) == before
        placed = follow_up("A report on  patrols in Ropner ward")
        february = AgendaItem.objects.get(title="Ward Patrols")
        assert (placed.status, placed.returned_item, placed.note, placed.set_by_hand) == (
            FollowUp.Status.RETURNED,
            february,
            "Reported on in February",
            True,
        )
        assert placed.rejected_items == [999]
        assert set(Override.objects.values_list("value__what", flat=True)) == {GANGS}

    def test_on_an_item_without_it_the_follow_up_is_added_after_the_items_others(
        self, client, editor, kept, january
    ):
        knife_crime = january.items.get(title="Knife Crime")
        client.force_login(editor)

        client.post(place_url(kept[PATROLS]), {"item": knife_crime.pk})

        assert [(f.position, f.what) for f in knife_crime.follow_ups.all()] == [
            (1, "figures for the summer"),
            (2, PATROLS),
        ]
        placed = follow_up(PATROLS)
        february = AgendaItem.objects.get(title="Ward Patrols")
        assert (placed.kind, placed.who, placed.due, placed.meeting_id) == (
            ACTION,
            "Police",
            NEXT_MEETING,
            january.pk,
        )
        assert (placed.status, placed.returned_item, placed.set_by_hand) == (
            FollowUp.Status.RETURNED,
            february,
            True,
        )
        # Kept by the matching run after placing it, as any status set by hand.
        store("feb.txt", FEBRUARY.replace(b"as promised", b"as promised at last"))
        placed.refresh_from_db()
        assert (placed.status, placed.returned_item) == (FollowUp.Status.RETURNED, february)

    def test_not_over_a_follow_up_with_its_wording_set_by_hand_since(
        self, client, editor, kept, january
    ):
        evacuation = january.items.get(title="Evacuation Procedure")
        FollowUp.objects.filter(item=evacuation, what__icontains="patrols").update(
            status=FollowUp.Status.CLOSED, note="Dealt with by email", set_by_hand=True
        )
        client.force_login(editor)

        response = client.post(place_url(kept[PATROLS]), {"item": evacuation.pk}, follow=True)

        assert messages_of(response)[-1] == (
            "Not placed: the item's follow-up with this wording has been set by hand since: "
            "drop this correction, or set that follow-up as wanted."
        )
        own = evacuation.follow_ups.get(what__icontains="patrols")
        assert (own.status, own.note) == (FollowUp.Status.CLOSED, "Dealt with by email")
        assert Override.objects.filter(pk=kept[PATROLS].pk).exists()

    def test_once_every_correction_is_placed_the_meeting_needs_no_review(
        self, client, trusted_editor, kept, january
    ):
        client.force_login(trusted_editor)
        evacuation = january.items.get(title="Evacuation Procedure")
        youth = january.items.get(title="Restricted Youth Referrals")
        client.post(place_url(kept[PATROLS]), {"item": evacuation.pk})
        assert Meeting.objects.get(pk=january.pk).needs_review

        client.post(place_url(kept[GANGS]), {"item": youth.pk})

        assert not Override.objects.exists()
        assert not Meeting.objects.get(pk=january.pk).needs_review
        placed = follow_up(GANGS)
        assert (placed.item, placed.status, placed.note) == (
            youth,
            FollowUp.Status.CLOSED,
            "Passed to the police",
        )


def test_the_place_page_shows_the_wording_to_choose_the_item_by(
    client, editor, trusted_editor, kept, january
):
    client.force_login(editor)
    public = client.get(place_url(kept[PATROLS])).content.decode()
    client.force_login(trusted_editor)
    restricted = client.get(place_url(kept[GANGS])).content.decode()

    assert PATROLS in public and "Reported on in February" in public
    assert GANGS in restricted and "Passed to the police" in restricted


class TestRestricted:
    def test_staff_who_may_not_view_restricted_items_see_no_wording_and_cannot_place_it(
        self, client, editor, kept, january
    ):
        client.force_login(editor)
        youth = january.items.get(title="Restricted Youth Referrals")

        html = client.get(meeting_url(january)).content.decode()
        page = client.get(place_url(kept[GANGS])).content.decode()
        response = client.post(place_url(kept[GANGS]), {"item": youth.pk}, follow=True)

        assert (
            "for item 3, SSP/49/24 Restricted Gang Activity: "
            "follow-up: Closed by hand (from a restricted item)"
        ) in html
        for text in (GANGS, "gang referrals", "Passed to the police", "Agreed action"):
            assert text not in html and text not in page
        assert "Only staff with the permission to view restricted items" in page
        assert messages_of(response) == [
            "Not placed: needs the permission to view restricted items."
        ]
        assert Override.objects.filter(pk=kept[GANGS].pk).exists()
        assert not FollowUp.objects.filter(what=GANGS).exists()

    def test_one_from_a_restricted_item_is_placed_only_on_a_restricted_item(
        self, client, trusted_editor, kept, january
    ):
        client.force_login(trusted_editor)
        knife_crime = january.items.get(title="Knife Crime")

        response = client.post(place_url(kept[GANGS]), {"item": knife_crime.pk}, follow=True)

        assert messages_of(response) == [
            "Not placed: its wording comes from restricted minutes: place it on an item its own "
            "minutes restrict."
        ]
        assert Override.objects.filter(pk=kept[GANGS].pk).exists()
        assert not FollowUp.objects.filter(what=GANGS).exists()

    def test_one_from_a_restricted_item_is_not_placed_on_an_item_restricted_only_for_now(
        self, client, trusted_editor, january
    ):
        # Patrols restricted by hand; the corrected minutes drop it, so its restriction waits
        # unmatched and holds the items it might belong to restricted, Knife Crime among them.
        patrols = january.items.get(title="Patrols")
        patrols.restricted = True
        overrides.record(patrols, "restricted", False, user=trusted_editor)
        patrols.save()
        store("jan-corrected.txt", JANUARY_CORRECTED)
        knife_crime = january.items.get(title="Knife Crime")
        assert knife_crime.restricted
        gangs = Override.objects.get(field=Override.Field.FOLLOW_UP, value__what=GANGS)
        client.force_login(trusted_editor)

        response = client.post(place_url(gangs), {"item": knife_crime.pk}, follow=True)

        assert messages_of(response) == [
            "Not placed: its wording comes from restricted minutes: place it on an item its own "
            "minutes restrict."
        ]
        assert not FollowUp.objects.filter(what=GANGS).exists()

    def test_staff_who_may_not_view_restricted_items_cannot_write_a_restricted_items_follow_up(
        self, client, editor, january
    ):
        store("jan-corrected.txt", JANUARY_CORRECTED_WITH_SECRET)
        patrols = Override.objects.get(field=Override.Field.FOLLOW_UP, value__what=PATROLS)
        youth = january.items.get(title="Restricted Youth Referrals")
        FollowUp.objects.filter(what=SECRET).update(
            status=FollowUp.Status.CLOSED, note="Held for the police", set_by_hand=True
        )
        client.force_login(editor)

        response = client.post(place_url(patrols), {"item": youth.pk}, follow=True)

        assert messages_of(response) == [
            "Not placed: needs the permission to view restricted items."
        ]
        secret = FollowUp.objects.get(what=SECRET)
        assert (secret.status, secret.note) == (FollowUp.Status.CLOSED, "Held for the police")

    def test_one_the_minutes_no_longer_hold_leaves_an_item_they_no_longer_restrict(
        self, client, editor, january
    ):
        opened = JANUARY.replace(b"Restricted Gang Activity", b"Gang Activity").replace(
            f"Follow: {ACTION} | {GANGS} | {NEXT_MEETING} |".encode(), b""
        )

        store("jan-opened.txt", opened)

        gang_activity = january.items.get(title="Gang Activity")
        assert not gang_activity.restricted
        assert not FollowUp.objects.filter(what=GANGS).exists()
        kept = Override.objects.get(field=Override.Field.FOLLOW_UP)
        assert (kept.value["what"], kept.value["restricted"]) == (GANGS, True)
        assert Meeting.objects.get(pk=january.pk).needs_review
        client.force_login(editor)
        html = client.get(meeting_url(january)).content.decode()
        assert "for item 3, SSP/49/24 Restricted Gang Activity: follow-up: Closed by hand" in html
        assert GANGS not in html


class TestDropped:
    def test_dropping_it_forgets_what_was_set(self, client, editor, kept, january):
        client.force_login(editor)
        url = f"/admin/meetings/override/{kept[PATROLS].pk}/delete/?next={meeting_url(january)}"

        assert client.get(url).status_code == 200  # the confirmation page
        response = client.post(url, {"post": "yes"})

        assert response.url == meeting_url(january)
        assert set(Override.objects.values_list("value__what", flat=True)) == {GANGS}
        assert not FollowUp.objects.filter(set_by_hand=True).exists()

    def test_one_from_a_restricted_item_is_dropped_only_by_those_who_may_view_it(
        self, client, editor, trusted_editor, kept, january
    ):
        url = f"/admin/meetings/override/{kept[GANGS].pk}/delete/?next={meeting_url(january)}"
        client.force_login(editor)

        response = client.get(url, follow=True)
        assert messages_of(response) == [
            "Override kept: follow-up of the unmatched item 3, SSP/49/24 Restricted Gang Activity "
            "(Safer Stockton Partnership, 22 January 2025): needs the permission to view "
            "restricted items."
        ]
        assert client.post(url, {"post": "yes"}).status_code == 403
        assert Override.objects.filter(pk=kept[GANGS].pk).exists()

        client.force_login(trusted_editor)
        client.post(url, {"post": "yes"})
        client.post(f"/admin/meetings/override/{kept[PATROLS].pk}/delete/", {"post": "yes"})
        assert not Override.objects.exists()
        assert not Meeting.objects.get(pk=january.pk).needs_review


def test_a_date_in_the_saved_follow_up_is_given_back(client, trusted_editor, kept, january):
    """A follow-up due in a named month keeps its date when placed on an item without it."""
    strategy = Override.objects.create(
        meeting=january,
        field=Override.Field.FOLLOW_UP,
        value={
            **kept[PATROLS].value,
            "kind": DEFERRED,
            "what": "Patrol Strategy",
            "due": MONTH,
            "due_date": "2025-03-01",
            "status": FollowUp.Status.CLOSED,
            "returned_item": None,
        },
        unmatched=kept[PATROLS].unmatched,
    )
    client.force_login(trusted_editor)
    client.post(place_url(strategy), {"item": january.items.get(title="Knife Crime").pk})
    placed = follow_up("Patrol Strategy")
    assert (placed.due, placed.due_date, placed.status) == (
        MONTH,
        datetime.date(2025, 3, 1),
        FollowUp.Status.CLOSED,
    )


# A return confirmed by hand whose item a re-import of the later meeting removes.

# February's minutes read again with items around "Ward Patrols", which keeps its row; then
# corrected: "Ward Patrols" is gone, two new items before the others.
FEBRUARY_FULL = minutes(
    "2025-02-19",
    "Item: SSP/4/25 | Budget Setting | The budget was agreed.",
    "Item: SSP/5/25 | Ward Patrols | Reported as promised.",
    "Item: SSP/6/25 | Any Other Business | None.",
)
FEBRUARY_CORRECTED = minutes(
    "2025-02-19",
    "Item: SSP/2/25 | Ropner Ward Update | Patrols were reported on.",
    "Item: SSP/3/25 | Restricted Informant Handling | Discussed in private.",
    "Item: SSP/4/25 | Budget Setting | The budget was agreed.",
    "Item: SSP/6/25 | Any Other Business | None.",
)


def confirmed_return() -> Override:
    return Override.objects.get(field=Override.Field.FOLLOW_UP_RETURN)


@pytest.fixture
def lost(january):
    """February's corrected minutes imported: the return confirmed at its removed item kept."""
    store("feb-full.txt", FEBRUARY_FULL)
    store("feb-corrected.txt", FEBRUARY_CORRECTED)
    return confirmed_return()


def february_item(title) -> AgendaItem:
    return AgendaItem.objects.get(meeting__date=datetime.date(2025, 2, 19), title=title)


class TestConfirmedReturnKept:
    def test_the_return_confirmed_at_a_removed_item_is_listed_on_its_meeting_for_review(
        self, client, editor, january
    ):
        patrols = follow_up(PATROLS)
        store("feb-full.txt", FEBRUARY_FULL)
        assert follow_up(PATROLS).set_by_hand

        store("feb-corrected.txt", FEBRUARY_CORRECTED)

        february = Meeting.objects.get(date=datetime.date(2025, 2, 19))
        kept = confirmed_return()
        assert (kept.meeting, kept.item, kept.unmatched["title"]) == (
            february,
            None,
            "Ward Patrols",
        )
        assert kept.value == {
            "follow_up": patrols.pk,
            "status": FollowUp.Status.RETURNED,
            "raised_at": january.pk,
            "raised_at_label": "Safer Stockton Partnership, 22 January 2025",
            "position": 2,
            "what": PATROLS.lower(),
            "restricted": False,
        }
        assert february.needs_review
        # Matching went on: the follow-up is no longer set by hand.
        patrols.refresh_from_db()
        assert not patrols.set_by_hand
        assert patrols.status != FollowUp.Status.RETURNED

        client.force_login(editor)
        html = client.get(meeting_url(february)).content.decode()
        assert (
            "not matched since a re-import, for item 2, SSP/5/25 Ward Patrols: confirmed return: "
            "Returned (a follow-up raised at Safer Stockton Partnership, 22 January 2025, item 2) "
            "(confirmed by hand; the item removed on"
        ) in html
        assert html.count("Place on an item</a>") == 1
        for text in (PATROLS, "patrols in Ropner", "Reported on in February"):
            assert text not in html
        listed = client.get("/admin/meetings/meeting/?review=unplaced")
        assert list(listed.context["cl"].result_list) == [february]

    def test_the_returns_confirmed_at_removed_items_are_kept_in_two_queries(
        self, january, django_assert_num_queries
    ):
        FollowUp.objects.filter(what=GANGS).update(
            status=FollowUp.Status.RETURNED, returned_item=february_item("Ward Patrols")
        )
        removed = [february_item("Ward Patrols")]
        was = {removed[0].pk: {"position": 1, "title": "Ward Patrols"}}
        february = removed[0].meeting
        with django_assert_num_queries(2):
            overrides.keep_returns(february, removed, was)
        kept = Override.objects.filter(field=Override.Field.FOLLOW_UP_RETURN)
        assert sorted((o.value["follow_up"], o.value["restricted"]) for o in kept) == sorted(
            [(follow_up(PATROLS).pk, False), (follow_up(GANGS).pk, True)]
        )

    def test_a_confirmed_return_override_is_only_ever_unmatched(self, january):
        item = january.items.first()
        Override.objects.create(
            meeting=january, field="follow_up_return", value={}, unmatched={"position": 9}
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            Override.objects.create(item=item, field="follow_up_return", value={})
        with pytest.raises(IntegrityError), transaction.atomic():
            Override.objects.create(meeting=january, field="follow_up_return", value={})


class TestConfirmedReturnPlaced:
    def test_placing_it_confirms_the_item_again_and_a_later_rematch_keeps_it(
        self, client, editor, lost
    ):
        update = february_item("Ropner Ward Update")
        client.force_login(editor)

        response = client.post(place_url(lost), {"item": update.pk}, follow=True)

        assert messages_of(response)[-1] == (
            "Placed the confirmed return correction on SSP/2/25 Ropner Ward Update."
        )
        assert not Override.objects.exists()
        assert not Meeting.objects.get(pk=update.meeting_id).needs_review
        patrols = follow_up(PATROLS)
        assert (patrols.status, patrols.returned_item, patrols.set_by_hand) == (
            FollowUp.Status.RETURNED,
            update,
            True,
        )
        store("feb-corrected.txt", FEBRUARY_CORRECTED.replace(b"agreed.", b"agreed in full."))
        patrols.refresh_from_db()
        assert (patrols.status, patrols.returned_item, patrols.set_by_hand) == (
            FollowUp.Status.RETURNED,
            update,
            True,
        )

    def test_the_place_page_shows_the_wording_to_those_who_may_place_it(self, client, editor, lost):
        client.force_login(editor)
        page = client.get(place_url(lost)).content.decode()
        assert PATROLS in page
        assert "Raised at Safer Stockton Partnership, 22 January 2025, item 2." in page


class TestConfirmedReturnRefused:
    def test_not_on_the_follow_ups_own_item_nor_at_a_meeting_not_held_after_its_own(
        self, client, editor, lost, january
    ):
        # The same return kept on January's meeting, as if January's minutes had lost it.
        on_january = Override.objects.create(
            meeting=january,
            field=Override.Field.FOLLOW_UP_RETURN,
            value=lost.value,
            unmatched=lost.unmatched,
        )
        client.force_login(editor)

        own = client.post(
            place_url(on_january), {"item": january.items.get(title="Patrols").pk}, follow=True
        )
        before = client.post(
            place_url(on_january),
            {"item": january.items.get(title="Evacuation Procedure").pk},
            follow=True,
        )

        assert messages_of(own) == ["Not placed: it is the follow-up's own item."]
        assert messages_of(before) == [
            "Not placed: the item's meeting is not held after the follow-up's "
            "(Safer Stockton Partnership, 22 January 2025)."
        ]
        assert Override.objects.filter(pk=on_january.pk).exists()
        assert not follow_up(PATROLS).set_by_hand

    def test_a_restricted_follow_ups_return_is_placed_and_dropped_only_by_those_who_may_view_it(
        self, client, editor, trusted_editor, january
    ):
        FollowUp.objects.filter(what=GANGS).update(
            status=FollowUp.Status.RETURNED, returned_item=february_item("Ward Patrols")
        )
        store("feb-full.txt", FEBRUARY_FULL)
        store("feb-corrected.txt", FEBRUARY_CORRECTED)
        gangs = Override.objects.get(
            field=Override.Field.FOLLOW_UP_RETURN, value__follow_up=follow_up(GANGS).pk
        )
        update = february_item("Ropner Ward Update")
        client.force_login(editor)

        page = client.get(place_url(gangs)).content.decode()
        response = client.post(place_url(gangs), {"item": update.pk}, follow=True)
        drop = f"/admin/meetings/override/{gangs.pk}/delete/"

        assert GANGS not in page
        assert "Only staff with the permission to view restricted items" in page
        assert messages_of(response) == [
            "Not placed: needs the permission to view restricted items."
        ]
        assert client.post(drop, {"post": "yes"}).status_code == 403
        assert Override.objects.filter(pk=gangs.pk).exists()

        client.force_login(trusted_editor)
        client.post(place_url(gangs), {"item": update.pk})
        assert not Override.objects.filter(pk=gangs.pk).exists()
        placed = follow_up(GANGS)
        assert (placed.status, placed.returned_item, placed.set_by_hand) == (
            FollowUp.Status.RETURNED,
            update,
            True,
        )

    def test_not_on_a_restricted_item_by_those_who_may_not_view_it(
        self, client, editor, trusted_editor, lost
    ):
        informants = february_item("Restricted Informant Handling")
        assert informants.restricted
        client.force_login(editor)

        response = client.post(place_url(lost), {"item": informants.pk}, follow=True)

        assert messages_of(response) == [
            "Not placed: needs the permission to view restricted items."
        ]
        assert not follow_up(PATROLS).set_by_hand
        client.force_login(trusted_editor)
        client.post(place_url(lost), {"item": informants.pk})
        assert follow_up(PATROLS).returned_item == informants

    def test_its_follow_up_deleted_it_says_so_and_can_only_be_dropped(self, client, editor, lost):
        follow_up(PATROLS).delete()
        february = lost.meeting
        client.force_login(editor)

        html = client.get(meeting_url(february)).content.decode()
        response = client.post(
            place_url(lost), {"item": february_item("Ropner Ward Update").pk}, follow=True
        )

        assert "confirmed return: Returned (a follow-up raised at Safer Stockton" in html
        assert messages_of(response) == ["Not placed: its follow-up has since been deleted."]
        client.post(f"/admin/meetings/override/{lost.pk}/delete/", {"post": "yes"})
        assert not Override.objects.exists()

    def test_not_once_its_follow_up_was_set_by_hand_again(self, client, editor, lost):
        budget = february_item("Budget Setting")
        FollowUp.objects.filter(what=PATROLS).update(
            status=FollowUp.Status.RETURNED, returned_item=budget, set_by_hand=True
        )
        client.force_login(editor)

        response = client.post(
            place_url(lost), {"item": february_item("Ropner Ward Update").pk}, follow=True
        )

        assert messages_of(response) == [
            "Not placed: its follow-up has been set by hand again since (returned): "
            "drop this correction."
        ]
        assert follow_up(PATROLS).returned_item == budget

    def test_not_once_its_follow_up_says_something_else(self, client, editor, lost):
        # A re-import of January rewrites its follow-ups in place: the id now holds another.
        leaflets = "a leaflet drop in Hardwick"
        FollowUp.objects.filter(what=PATROLS).update(what=leaflets)
        client.force_login(editor)

        response = client.post(
            place_url(lost), {"item": february_item("Ropner Ward Update").pk}, follow=True
        )

        assert messages_of(response) == [
            "Not placed: its follow-up has been read again with other words since: "
            "drop this correction."
        ]
        assert not FollowUp.objects.get(what=leaflets).set_by_hand
        assert Override.objects.filter(pk=lost.pk).exists()

    def test_its_follow_ups_item_restricted_since_it_is_dropped_only_by_those_who_may_view_it(
        self, client, editor, lost
    ):
        AgendaItem.objects.filter(title="Patrols").update(restricted=True)
        client.force_login(editor)

        response = client.post(f"/admin/meetings/override/{lost.pk}/delete/", {"post": "yes"})

        assert response.status_code == 403
        assert Override.objects.filter(pk=lost.pk).exists()


def test_a_suggested_return_closed_by_hand_is_not_kept_as_confirmed(january):
    """GANGS was closed by hand with February's item still suggested as its return."""
    FollowUp.objects.filter(what=GANGS).update(returned_item=february_item("Ward Patrols"))
    store("feb-full.txt", FEBRUARY_FULL)
    store("feb-corrected.txt", FEBRUARY_CORRECTED)

    kept = Override.objects.filter(field=Override.Field.FOLLOW_UP_RETURN)
    assert [o.value["follow_up"] for o in kept] == [follow_up(PATROLS).pk]


class TestConfirmedReturnDropped:
    def test_dropping_it_leaves_the_follow_up_to_matching(self, client, editor, lost):
        february = lost.meeting
        patrols = follow_up(PATROLS)
        was = (patrols.status, patrols.returned_item_id, patrols.set_by_hand)
        url = f"/admin/meetings/override/{lost.pk}/delete/?next={meeting_url(february)}"
        client.force_login(editor)

        assert client.get(url).status_code == 200  # the confirmation page
        response = client.post(url, {"post": "yes"}, follow=True)

        assert messages_of(response)[0] == (
            "Dropped the override of the confirmed return of the unmatched item 2, SSP/5/25 "
            "Ward Patrols (Safer Stockton Partnership, 19 February 2025)."
        )
        assert not Override.objects.exists()
        assert not Meeting.objects.get(pk=february.pk).needs_review
        patrols.refresh_from_db()
        assert (patrols.status, patrols.returned_item_id, patrols.set_by_hand) == was
