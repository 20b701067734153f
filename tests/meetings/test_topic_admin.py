"""Topics curated in the admin: every change tags every item again; merging topics."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ingest import topics
from meetings.models import AgendaItem, ItemTopic, Topic
from tests.conftest import messages_of

pytestmark = pytest.mark.django_db

TOPICS_URL = "/admin/meetings/topic/"


@pytest.fixture
def curator(django_user_model):
    """Staff who may curate topics (but not delete them) and nothing else."""
    user = django_user_model.objects.create_user(
        "curator", password="not-a-real-password-6", is_staff=True
    )
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_topic", "add_topic", "change_topic"])
    )
    return django_user_model.objects.get(pk=user.pk)


@pytest.fixture
def items(make_meeting):
    meeting = make_meeting(
        items=[
            {"title": "Fortress Update", "minutes_text": "Op Fortress closed two premises."},
            {"title": "Op Fortress", "minutes_text": "Raids continued."},
            {"title": "Bonfire Night", "minutes_text": "Fireworks were noted."},
        ]
    )
    return list(meeting.items.order_by("position"))


def tags():
    return sorted(
        ItemTopic.objects.values_list("item__position", "topic__name", "in_title").order_by()
    )


def search_titles(query):
    return sorted(
        AgendaItem.objects.search(query, include_restricted=True).values_list("title", flat=True)
    )


def fortress_topics():
    return list(Topic.objects.filter(name__icontains="fortress").values_list("name", flat=True))


def topic_form(**values):
    return {"name": "", "slug": "", "aliases": "", "description": ""} | values


class TestEditingTagsEveryItem:
    def test_a_new_topic_tags_every_item_that_names_it(self, admin_client, items):
        response = admin_client.post(
            f"{TOPICS_URL}add/",
            topic_form(name="Fireworks", slug="fireworks", aliases="Bonfire"),
            follow=True,
        )

        assert "Every item (3) was tagged again with the topics as they are now." in (
            messages_of(response)
        )
        assert tags() == [(3, "Fireworks", True)]
        assert Topic.objects.get(name="Fireworks").aliases == ["Bonfire"]
        # Search: the topic's name is in the index's copy.
        topic = Topic.objects.get(name="Fireworks")
        assert AgendaItem.objects.get(position=3).search_extra.startswith("Fireworks")
        assert topic.items.count() == 1

    def test_changing_aliases_tags_and_untags(self, admin_client, items):
        topic = Topic.objects.create(name="Operation Fortress", slug="operation-fortress")
        url = f"{TOPICS_URL}{topic.pk}/change/"

        admin_client.post(url, topic_form(name=topic.name, slug=topic.slug, aliases="Op Fortress"))
        assert tags() == [(1, "Operation Fortress", False), (2, "Operation Fortress", True)]
        assert search_titles('"operation fortress"') == ["Fortress Update", "Op Fortress"]

        admin_client.post(url, topic_form(name=topic.name, slug=topic.slug, aliases=""))
        assert tags() == []
        assert search_titles('"operation fortress"') == []

    def test_aliases_are_one_per_line_and_also_read_as_a_list(self, admin_client, items):
        admin_client.post(
            f"{TOPICS_URL}add/",
            topic_form(name="Fortress", slug="fortress", aliases=" Op  Fortress \n\nop fortress\n"),
        )
        assert Topic.objects.get(name="Fortress").aliases == ["Op Fortress"]
        admin_client.post(
            f"{TOPICS_URL}add/",
            topic_form(name="Fireworks", slug="fireworks", aliases='["Bonfire", "Guy Fawkes"]'),
        )
        assert Topic.objects.get(name="Fireworks").aliases == ["Bonfire", "Guy Fawkes"]

    def test_a_description_alone_does_not_tag_again(self, admin_client, items):
        topic = Topic.objects.create(name="Fireworks", slug="fireworks")
        ItemTopic.objects.create(item=items[0], topic=topic)  # not what the text says

        response = admin_client.post(
            f"{TOPICS_URL}{topic.pk}/change/",
            topic_form(name="Fireworks", slug="fireworks", description="Bonfire night."),
            follow=True,
        )

        assert not any("tagged again" in message for message in messages_of(response))
        assert tags() == [(1, "Fireworks", False)]

    def test_the_retag_action_tags_every_item_with_every_topic(self, admin_client, items):
        # Topics made some other way than in the admin tag nothing until items are tagged again.
        topic = Topic.objects.create(name="Fireworks", slug="fireworks")
        assert tags() == []

        response = admin_client.post(
            TOPICS_URL, {"action": "retag_items", "_selected_action": [topic.pk]}, follow=True
        )

        assert tags() == [(3, "Fireworks", False)]
        assert "Every item (3) was tagged again" in messages_of(response)[0]


def test_retagging_takes_the_same_queries_whatever_the_number_of_items(make_meeting):
    Topic.objects.create(name="Fireworks", slug="fireworks", aliases=["Bonfire"])

    def queries_to_retag():
        with CaptureQueriesContext(connection) as queries:
            topics.retag_items()
        return len(queries)

    make_meeting(items=[{"title": f"Bonfire {n}", "resolutions": ["Noted."]} for n in range(3)])
    few = queries_to_retag()
    make_meeting(
        date=None,
        items=[{"title": f"Bonfire {n}", "resolutions": ["Noted."]} for n in range(40)],
    )
    many = queries_to_retag()

    assert many == few
    assert ItemTopic.objects.count() == 43


def test_retagging_goes_through_the_items_in_chunks(make_meeting):
    Topic.objects.create(name="Fireworks", slug="fireworks")
    make_meeting(items=[{"title": f"Fireworks {n}"} for n in range(7)])

    assert topics.retag_items(chunk_size=3) == 7
    assert ItemTopic.objects.count() == 7


class TestMerging:
    @pytest.fixture
    def fortress(self, items):
        """ "Op Fortress", found automatically, and the curated "Operation Fortress"."""
        found = Topic.objects.create(
            name="Op Fortress", slug="op-fortress", created_automatically=True, aliases=["OpF"]
        )
        curated = Topic.objects.create(
            name="Operation Fortress", slug="operation-fortress", description="Drugs raids."
        )
        ItemTopic.objects.create(item=items[0], topic=found, in_title=False)
        ItemTopic.objects.create(item=items[1], topic=found, in_title=True)
        ItemTopic.objects.create(item=items[1], topic=curated, in_title=False)
        AgendaItem.objects.all().refresh_search_text()
        return found, curated

    def test_the_action_asks_which_topic_to_keep(self, admin_client, fortress):
        found, curated = fortress
        response = admin_client.post(
            TOPICS_URL, {"action": "merge_topics", "_selected_action": [found.pk, curated.pk]}
        )

        assert response.status_code == 200
        html = response.content.decode()
        assert "Topic to keep" in html
        assert f'value="{curated.pk}" checked' in html  # the curated topic is suggested
        assert fortress_topics() == ["Op Fortress", "Operation Fortress"]

    def test_merging_moves_the_items_and_keeps_the_names_as_aliases(self, admin_client, fortress):
        found, curated = fortress
        response = admin_client.post(
            TOPICS_URL,
            {
                "action": "merge_topics",
                "_selected_action": [found.pk, curated.pk],
                "keep": curated.pk,
                "post": "yes",
            },
            follow=True,
        )

        assert messages_of(response) == [
            'Merged "Op Fortress" into "Operation Fortress", which now tags 2 items and keeps '
            "the merged names as aliases."
        ]
        assert fortress_topics() == ["Operation Fortress"]
        curated.refresh_from_db()
        assert curated.aliases == ["Op Fortress", "OpF"]
        assert curated.description == "Drugs raids."
        # One link per item; named in the title when either link said so.
        assert tags() == [(1, "Operation Fortress", False), (2, "Operation Fortress", True)]
        assert search_titles('"operation fortress"') == ["Fortress Update", "Op Fortress"]
        # Tagging again finds the same, under the aliases.
        topics.retag_items()
        assert tags() == [(1, "Operation Fortress", False), (2, "Operation Fortress", True)]

    def test_one_topic_is_not_a_merge(self, admin_client, fortress):
        found, _curated = fortress
        response = admin_client.post(
            TOPICS_URL, {"action": "merge_topics", "_selected_action": [found.pk]}, follow=True
        )
        assert messages_of(response) == ["Select two or more topics to merge."]
        assert fortress_topics() == ["Op Fortress", "Operation Fortress"]

    def test_merging_needs_the_permission_to_delete_topics(self, client, curator, fortress):
        found, curated = fortress
        client.force_login(curator)
        response = client.post(
            TOPICS_URL,
            {
                "action": "merge_topics",
                "_selected_action": [found.pk, curated.pk],
                "keep": curated.pk,
                "post": "yes",
            },
            follow=True,
        )
        assert messages_of(response) == ["Merging deletes topics: you may not."]
        assert fortress_topics() == ["Op Fortress", "Operation Fortress"]
