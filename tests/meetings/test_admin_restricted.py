"""Staff without ``view_restricted``: delete pages, history and topics of the admin.

Each case is also walked by ``test_admin_restricted_crawl``; these say what such a user sees
instead, and that someone allowed still sees the text.
"""

import json

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType

from meetings.models import AgendaItem, ItemTopic, Override, Topic
from tests.conftest import make_user, messages_of

pytestmark = pytest.mark.django_db

SECRET = "zanzibar"
HIDDEN_TOPIC = "Operation Wombat"


@pytest.fixture
def item(make_meeting):
    """A restricted item with a decision, a topic in its title and one only in its text."""
    meeting = make_meeting(
        items=[
            {
                "title": "Knife Crime Update",
                "minutes_text": "Noted.",
                "topics": {"Knife Crime": True},
            },
            {
                "number": "SSP/61/25",
                "number_printed": "SSP/61/25",
                "title": "Contract Review",
                "restricted": True,
                "minutes_text": f"The {SECRET} contract and {HIDDEN_TOPIC} were discussed.",
                "resolutions": [f"AGREED that the {SECRET} contract be terminated."],
                "topics": {"Contract Review": True, HIDDEN_TOPIC: False},
            },
        ]
    )
    return meeting.items.get(restricted=True)


@pytest.fixture
def clerk(django_user_model):
    return make_user(django_user_model, "clerk", *EVERY_MEETINGS_PERMISSION)


@pytest.fixture
def officer(django_user_model):
    return make_user(django_user_model, "officer", *EVERY_MEETINGS_PERMISSION, "view_restricted")


EVERY_MEETINGS_PERMISSION = [
    f"{action}_{model}"
    for action in ("add", "change", "delete", "view")
    for model in ("meeting", "agendaitem", "resolution", "itemtopic", "topic", "override")
]


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_deleting_a_restricted_item_lists_its_decisions_without_their_text(
    client, clerk, officer, item
):
    for url in (
        f"/admin/meetings/agendaitem/{item.pk}/delete/",
        f"/admin/meetings/meeting/{item.meeting_id}/delete/",
    ):
        client.force_login(clerk)
        html = page(client, url)
        assert SECRET not in html
        assert "Wombat" not in html
        assert "Resolution: decision 1 of the restricted item “SSP/61/25 Contract Review”" in html
        # Nor that its text names topics: those links are not listed.
        assert "found in the text" not in html
        # Topics named in its title are public.
        assert "SSP/61/25 Contract Review – Contract Review" in html

        client.force_login(officer)
        html = page(client, url)
        assert f"AGREED that the {SECRET} contract be terminated." in html
        assert HIDDEN_TOPIC in html


def log_decision_edit(user, item) -> LogEntry:
    """What Django records when ``user`` edits ``item``'s decision on the item's admin page:
    the decision is named by its text."""
    change = {"name": "resolution", "object": str(item.resolutions.get()), "fields": ["Text"]}
    return LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(AgendaItem),
        object_id=str(item.pk),
        object_repr=str(item),
        action_flag=CHANGE,
        change_message=json.dumps([{"changed": change}]),
    )


def test_the_history_of_a_restricted_item_does_not_name_its_decisions(client, clerk, officer, item):
    log_decision_edit(officer, item)
    url = f"/admin/meetings/agendaitem/{item.pk}/history/"
    client.force_login(clerk)
    html = page(client, url)
    assert SECRET not in html
    assert "Changed Text for resolution “withheld: the item is restricted”." in html

    client.force_login(officer)
    assert f"for resolution “AGREED that the {SECRET} contract" in page(client, url)


def test_topics_found_only_in_restricted_text_are_hidden(client, clerk, officer, item):
    hidden = Topic.objects.get(name=HIDDEN_TOPIC)
    autocomplete = (
        "/admin/autocomplete/?app_label=meetings&model_name=itemtopic&field_name=topic&term="
    )
    client.force_login(clerk)
    listed = page(client, "/admin/meetings/topic/")
    assert "Knife Crime" in listed
    assert "Contract Review" in listed
    assert "Wombat" not in listed
    assert "Wombat" not in page(client, "/admin/meetings/topic/?q=wombat")
    names = [row["text"] for row in client.get(autocomplete).json()["results"]]
    assert names == ["Contract Review", "Knife Crime"]
    assert client.get(f"{autocomplete}wom").json()["results"] == []
    for view in ("change", "delete", "history"):
        response = client.get(f"/admin/meetings/topic/{hidden.pk}/{view}/")
        assert response.status_code == 302  # as for a topic that does not exist
        assert response["Location"] == "/admin/"

    client.force_login(officer)
    assert HIDDEN_TOPIC in page(client, "/admin/meetings/topic/")
    assert HIDDEN_TOPIC in page(client, f"/admin/meetings/topic/{hidden.pk}/change/")


def test_a_hidden_topic_cannot_be_linked_to_an_open_item(client, clerk, item):
    open_item = item.meeting.items.get(restricted=False)
    hidden = Topic.objects.get(name=HIDDEN_TOPIC)
    client.force_login(clerk)
    form = client.get(f"/admin/meetings/agendaitem/{open_item.pk}/change/").context["adminform"]
    link = ItemTopic.objects.get(item=open_item)
    data = {
        **{name: value for name, value in form.form.initial.items() if value is not None},
        "meeting": open_item.meeting_id,
        "attachments": "[]",
        "resolutions-TOTAL_FORMS": "0",
        "resolutions-INITIAL_FORMS": "0",
        "item_topics-TOTAL_FORMS": "2",
        "item_topics-INITIAL_FORMS": "1",
        "item_topics-0-id": link.pk,
        "item_topics-0-item": open_item.pk,
        "item_topics-0-topic": link.topic_id,
        "item_topics-0-in_title": "on",
        "item_topics-1-item": open_item.pk,
        "item_topics-1-topic": hidden.pk,
    }
    response = client.post(f"/admin/meetings/agendaitem/{open_item.pk}/change/", data)

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ItemTopic.objects.filter(item=open_item, topic=hidden).exists()


def test_the_uses_of_a_topic_count_only_the_links_the_user_may_see(client, clerk, item):
    ItemTopic.objects.create(item=item, topic=Topic.objects.get(name="Knife Crime"))
    client.force_login(clerk)
    rows = client.get("/admin/meetings/topic/").context["cl"].result_list
    assert {topic.name: topic.use_count for topic in rows} == {
        "Contract Review": 1,
        "Knife Crime": 1,
    }


def test_a_topic_that_tags_nothing_the_user_may_see_is_saved_and_they_are_told(client, clerk):
    client.force_login(clerk)
    response = client.post(
        "/admin/meetings/topic/add/",
        {"name": "Op Harmony", "slug": "op-harmony", "aliases": "", "_continue": "1"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/meetings/topic/"
    assert Topic.objects.filter(name="Op Harmony").exists()
    assert any("listed only for users who may view restricted" in m for m in messages_of(response))


def test_dropping_a_restriction_set_by_hand_needs_the_permission(client, clerk, item):
    override = Override.objects.create(item=item, field="restricted", value=True)
    back = f"/admin/meetings/meeting/{item.meeting_id}/change/"
    client.force_login(clerk)
    assert "/admin/meetings/override/" in page(client, back)

    response = client.get(f"/admin/meetings/override/{override.pk}/delete/?next={back}")
    assert response.status_code == 302
    assert response["Location"] == back
    assert messages_of(response) == [
        "Override kept: restricted of SSP/61/25 Contract Review "
        f"({item.meeting}): needs the permission to view restricted items."
    ]
    response = client.post(f"/admin/meetings/override/{override.pk}/delete/?next={back}")
    assert response.status_code == 403
    assert Override.objects.filter(pk=override.pk).exists()


def test_dropping_an_unmatched_restriction_needs_the_permission_too(client, clerk, item):
    """One a re-import could not place has its meeting but no item."""
    override = Override.objects.create(
        meeting=item.meeting,
        field="restricted",
        value=True,
        unmatched={"position": 3, "number": "SSP/62/25", "title": "Old Title", "held": {}},
    )
    back = f"/admin/meetings/meeting/{item.meeting_id}/change/"
    client.force_login(clerk)

    response = client.get(f"/admin/meetings/override/{override.pk}/delete/?next={back}")
    assert response.status_code == 302
    assert response["Location"] == back
    assert messages_of(response) == [
        "Override kept: restricted of the unmatched item 3, SSP/62/25 Old Title "
        f"({item.meeting}): needs the permission to view restricted items."
    ]
    assert Override.objects.filter(pk=override.pk).exists()


def add_topic_to(client, item, topic):
    """Add ``topic``, named in the title, on the item's admin page."""
    form = client.get(f"/admin/meetings/agendaitem/{item.pk}/change/").context["adminform"]
    shown = list(ItemTopic.objects.visible_to(None).filter(item=item).order_by("pk"))
    data = {
        **{name: value for name, value in form.form.initial.items() if value is not None},
        "meeting": item.meeting_id,
        "attachments": "[]",
        "resolutions-TOTAL_FORMS": "0",
        "resolutions-INITIAL_FORMS": "0",
        "item_topics-TOTAL_FORMS": str(len(shown) + 1),
        "item_topics-INITIAL_FORMS": str(len(shown)),
    }
    for index, link in enumerate(shown):
        data[f"item_topics-{index}-id"] = link.pk
        data[f"item_topics-{index}-item"] = item.pk
        data[f"item_topics-{index}-topic"] = link.topic_id
        data[f"item_topics-{index}-in_title"] = "on" if link.in_title else ""
    new = len(shown)
    data |= {
        f"item_topics-{new}-item": item.pk,
        f"item_topics-{new}-topic": topic.pk,
        f"item_topics-{new}-in_title": "on",
    }
    return client.post(f"/admin/meetings/agendaitem/{item.pk}/change/", data)


def test_adding_a_topic_the_restricted_text_already_names_says_nothing_of_it(client, clerk, item):
    knife_crime = Topic.objects.get(name="Knife Crime")
    # Found in the restricted item's text too: a link the clerk does not see.
    ItemTopic.objects.create(item=item, topic=knife_crime, in_title=False)
    client.force_login(clerk)

    response = add_topic_to(client, item, knife_crime)

    # As for a topic the item has no link to: saved, not "already exists".
    assert response.status_code == 302
    link = ItemTopic.objects.get(item=item, topic=knife_crime)
    assert link.in_title


def test_the_place_page_of_an_unmatched_restriction_says_who_may_place_it(client, clerk, item):
    override = Override.objects.create(
        meeting=item.meeting,
        field="restricted",
        value=True,
        unmatched={"position": 3, "number": "SSP/62/25", "title": "Old Title", "held": {}},
    )
    client.force_login(clerk)

    html = page(client, f"/admin/meetings/override/{override.pk}/place/")
    assert "Only staff with the permission to view restricted items can place" in html
    assert "Place it on this item" not in html


def test_deleting_a_topic_does_not_say_which_restricted_items_name_it_in_their_text(
    client, clerk, officer, item
):
    knife_crime = Topic.objects.get(name="Knife Crime")
    ItemTopic.objects.create(item=item, topic=knife_crime)
    url = f"/admin/meetings/topic/{knife_crime.pk}/delete/"
    client.force_login(clerk)

    html = page(client, url)

    assert "Knife Crime Update" in html
    assert "Contract Review" not in html
    assert "restricted" not in html.split('id="content"')[1].lower()
    assert "<li>Item topics: 1</li>" in html

    client.force_login(officer)
    assert "Contract Review" in page(client, url)


def test_merging_topics_counts_only_the_items_the_user_may_see_tagged(client, clerk, item):
    knife_crime = Topic.objects.get(name="Knife Crime")
    ItemTopic.objects.create(item=item, topic=knife_crime)  # found in the restricted text
    knives = Topic.objects.create(name="Knives", slug="knives")
    ItemTopic.objects.create(item=item.meeting.items.get(restricted=False), topic=knives)
    client.force_login(clerk)

    response = client.post(
        "/admin/meetings/topic/",
        {
            "action": "merge_topics",
            "_selected_action": [knife_crime.pk, knives.pk],
            "keep": knife_crime.pk,
            "post": "yes",
        },
        follow=True,
    )

    assert messages_of(response) == [
        'Merged "Knives" into "Knife Crime", which now tags 1 items and keeps the merged names '
        "as aliases."
    ]
