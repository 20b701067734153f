"""The database keeps each item's search copy of its topic names and decisions (search_extra).

Through the ORM and through SQL by hand, on whichever database the tests run on.
"""

import pytest
from django.db import connection
from django.db.models import Count

from ingest.services import import_document
from meetings import search
from meetings.models import AgendaItem, ItemTopic, Resolution, Topic
from meetings.search import backend_for, search_extra_text
from meetings.search import extra as search_extra
from tests.conftest import SAMPLES, sample_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(make_meeting):
    meeting = make_meeting(
        items=[
            {
                "title": "Town centre",
                "minutes_text": "Discussed.",
                "resolutions": ["Patrols were agreed.", "Cameras noted."],
                "topics": {"Zebra Crossings": False, "Anti-Social Behaviour": True},
            },
            {"title": "Other business", "minutes_text": "Nothing."},
        ]
    )
    return meeting.items.get(position=1)


def extra(item):
    return AgendaItem.objects.values_list("search_extra", flat=True).get(pk=item.pk)


def expected(item):
    """What ``refresh_search_extra`` computes from the tables (the repair tool)."""
    names = sorted(ItemTopic.objects.filter(item=item).values_list("topic__name", flat=True))
    decisions = Resolution.objects.filter(item=item).order_by("order", "pk")
    return search_extra_text(names, decisions.values_list("text", flat=True))


def found(word):
    return list(
        AgendaItem.objects.search(word, include_restricted=True).values_list("pk", flat=True)
    )


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_the_copy_starts_as_the_tables_say(item):
    assert extra(item) == (
        "Anti-Social Behaviour\nZebra Crossings\nPatrols were agreed.\nCameras noted."
    )
    assert extra(item) == expected(item)
    assert AgendaItem.objects.get(position=2).search_extra == ""


# Decisions ----------------------------------------------------------------------------------


def test_a_decision_added_through_the_orm_is_copied_and_found(item):
    Resolution.objects.create(item=item, order=3, text="Wombats were counted.", kind="noted")
    assert extra(item).endswith("Cameras noted.\nWombats were counted.")
    assert extra(item) == expected(item)
    assert found("wombats") == [item.pk]


def test_a_decision_edited_and_deleted_through_the_orm(item):
    decision = Resolution.objects.get(item=item, order=2)
    decision.text = "Wombats were counted."
    decision.save()
    assert found("wombats") == [item.pk]
    assert found("cameras") == []
    decision.delete()
    assert (
        extra(item)
        == expected(item)
        == ("Anti-Social Behaviour\nZebra Crossings\nPatrols were agreed.")
    )
    assert found("wombats") == []


def test_decisions_reordered_follow_their_order(item):
    Resolution.objects.filter(item=item, order=1).update(order=9)
    assert extra(item).endswith("Cameras noted.\nPatrols were agreed.")
    assert extra(item) == expected(item)


def test_a_decision_moved_to_another_item_leaves_the_first(item):
    other = AgendaItem.objects.get(position=2)
    Resolution.objects.filter(item=item, order=2).update(item=other)
    assert extra(other) == "Cameras noted."
    assert "Cameras" not in extra(item)
    assert found("cameras") == [other.pk]


def test_decisions_through_sql_by_hand(item):
    sql(
        'INSERT INTO meetings_resolution (item_id, "order", text, kind) VALUES (%s, 3, %s, %s)',
        [item.pk, "Wombats were counted.", "noted"],
    )
    assert found("wombats") == [item.pk]
    sql(
        'UPDATE meetings_resolution SET text = %s WHERE item_id = %s AND "order" = 3',
        ["Quokkas were counted.", item.pk],
    )
    assert found("wombats") == []
    assert found("quokkas") == [item.pk]
    sql("DELETE FROM meetings_resolution WHERE item_id = %s", [item.pk])
    assert extra(item) == expected(item) == "Anti-Social Behaviour\nZebra Crossings"
    assert found("quokkas") == []


def test_every_decision_deleted_and_no_topic_leaves_an_empty_copy(make_meeting):
    meeting = make_meeting(items=[{"title": "Lone", "resolutions": ["Agreed."]}])
    lone = meeting.items.get()
    Resolution.objects.filter(item=lone).delete()
    assert extra(lone) == ""


# Topics -------------------------------------------------------------------------------------


def test_a_topic_linked_and_unlinked_through_the_orm(item):
    topic = Topic.objects.create(name="Aardvarks", slug="aardvarks")
    link = ItemTopic.objects.create(item=item, topic=topic)
    assert extra(item).startswith("Aardvarks\nAnti-Social Behaviour\n")
    assert found("aardvarks") == [item.pk]
    link.delete()
    assert extra(item) == expected(item)
    assert found("aardvarks") == []


def test_topic_links_through_sql_by_hand(item):
    topic = Topic.objects.create(name="Aardvarks", slug="aardvarks")
    other = AgendaItem.objects.get(position=2)
    sql(
        "INSERT INTO meetings_itemtopic (item_id, topic_id, in_title) VALUES (%s, %s, %s)",
        [item.pk, topic.pk, False],
    )
    assert found("aardvarks") == [item.pk]
    sql("UPDATE meetings_itemtopic SET item_id = %s WHERE topic_id = %s", [other.pk, topic.pk])
    assert found("aardvarks") == [other.pk]
    assert extra(item) == expected(item)
    assert extra(other) == "Aardvarks"
    sql("DELETE FROM meetings_itemtopic WHERE topic_id = %s", [topic.pk])
    assert extra(other) == ""
    assert found("aardvarks") == []


def test_a_topic_renamed_through_the_orm_is_copied_to_its_items(item):
    topic = Topic.objects.get(name="Zebra Crossings")
    topic.name = "Pelican Crossings"
    topic.save()
    assert (
        extra(item)
        == expected(item)
        == ("Anti-Social Behaviour\nPelican Crossings\nPatrols were agreed.\nCameras noted.")
    )
    assert found("pelican") == [item.pk]
    assert found("zebra") == []


def test_a_topic_renamed_through_sql_by_hand(item):
    sql("UPDATE meetings_topic SET name = %s WHERE name = %s", ["Aardvarks", "Zebra Crossings"])
    assert extra(item) == expected(item)
    assert extra(item).startswith("Aardvarks\nAnti-Social Behaviour\n")
    assert found("aardvarks") == [item.pk]
    assert found("zebra") == []


def test_a_topic_renamed_in_the_admin_is_copied_to_its_items(make_meeting, admin_client):
    meeting = make_meeting(
        items=[
            {
                "title": "Crossings",
                "minutes_text": "Zebra crossings and pelican crossings were discussed.",
                "topics": {"Zebra Crossings": False},
            }
        ]
    )
    crossings = meeting.items.get()
    topic = Topic.objects.get(name="Zebra Crossings")
    response = admin_client.post(
        f"/admin/meetings/topic/{topic.pk}/change/",
        {"name": "Pelican Crossings", "slug": topic.slug, "aliases": "", "description": ""},
    )
    assert response.status_code == 302
    # Tagging again finds the same link (the text names both): the name alone changed.
    assert list(ItemTopic.objects.values_list("item", "topic")) == [(crossings.pk, topic.pk)]
    assert extra(crossings) == "Pelican Crossings"


def test_a_topic_deleted_leaves_the_copy_of_its_items(item):
    Topic.objects.get(name="Zebra Crossings").delete()
    assert extra(item) == expected(item)
    assert found("zebra") == []


def test_names_sort_by_code_point_as_python_does(make_meeting):
    names = ["zeta", "Yak", "Émeute", "eagle", "Ángel", "_under", "10 Downing"]
    meeting = make_meeting(items=[{"title": "Sorted", "topics": dict.fromkeys(names, False)}])
    sorted_item = meeting.items.get()
    Resolution.objects.create(item=sorted_item, order=1, text="", kind="noted")
    assert extra(sorted_item) == search_extra_text(sorted(names), [""])


def test_an_update_leaving_the_copy_as_it_was_does_not_write_the_item(item, item_writes):
    Resolution.objects.filter(item=item).update(kind="approved")
    ItemTopic.objects.filter(item=item).update(in_title=True)
    Topic.objects.filter(name="Zebra Crossings").update(description="Stripes.")
    Topic.objects.filter(name="Zebra Crossings").update(name="Zebra Crossings")
    assert item_writes() == []


# The import ---------------------------------------------------------------------------------


@pytest.fixture
def item_writes():
    """Record every write of an item row (the triggers' own included); returns a reader."""
    if connection.vendor == "postgresql":
        sql("CREATE TEMP TABLE item_writes (item_id bigint, extra text)")
        sql(
            "CREATE FUNCTION pg_temp.note_item_write() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN INSERT INTO item_writes VALUES (NEW.id, NEW.search_extra); RETURN NULL; END"
            " $$"
        )
        sql(
            "CREATE TRIGGER note_item_write AFTER UPDATE ON meetings_agendaitem"
            " FOR EACH ROW EXECUTE FUNCTION pg_temp.note_item_write()"
        )
    else:
        sql("CREATE TEMP TABLE item_writes (item_id INTEGER, extra TEXT)")
        sql(
            "CREATE TEMP TRIGGER note_item_write AFTER UPDATE ON main.meetings_agendaitem"
            " BEGIN INSERT INTO item_writes VALUES (new.id, new.search_extra); END"
        )

    def writes():
        with connection.cursor() as cursor:
            cursor.execute("SELECT item_id, extra FROM item_writes ORDER BY item_id")
            return cursor.fetchall()

    yield writes
    if connection.vendor == "sqlite":
        sql("DROP TRIGGER IF EXISTS temp.note_item_write")
    sql("DROP TABLE IF EXISTS item_writes")


def test_the_import_writes_each_new_item_once(stub_parser, item_writes):
    document = "\n".join(
        [
            "Date: 2025-03-04",
            "Item: 1 | Operation Nightfall | Patrols on Operation Nightfall were noted.",
            "Item: 2 | Knife crime | Wombats noted.",
            "Item: 3 | Any other business | Nothing.",
        ]
    ).encode()
    assert not import_document(document, "one.txt").failed

    assert item_writes() == []
    items = AgendaItem.objects.order_by("position")
    assert [extra(item) for item in items] == [expected(item) for item in items]
    assert extra(items[0]) == ("Operation Nightfall\nPatrols on Operation Nightfall were noted.")
    assert found("wombats") == [items[1].pk]


def test_the_import_of_the_sample_minutes_writes_each_item_once(item_writes):
    for name in SAMPLES:
        assert not import_document(sample_bytes(name), name).failed

    assert item_writes() == []
    items = AgendaItem.objects.all()
    # Several decisions to an item, and topics: the triggers had work to check.
    assert Resolution.objects.values("item").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert ItemTopic.objects.exists()
    assert {item.pk: extra(item) for item in items} == {item.pk: expected(item) for item in items}


def test_a_reimport_writes_again_only_what_changed(stub_parser, item_writes):
    lines = [
        "Date: 2025-03-04",
        "Item: 1 | Operation Nightfall | Patrols were noted.",
        "Item: 2 | Knife crime | Wombats noted.",
    ]
    assert not import_document("\n".join(lines).encode(), "one.txt").failed
    lines[2] = "Item: 2 | Knife crime | Quokkas noted."
    assert not import_document("\n".join(lines).encode(), "two.txt").failed

    items = list(AgendaItem.objects.order_by("position"))
    assert [extra(item) for item in items] == [expected(item) for item in items]
    assert found("quokkas") == [items[1].pk]
    assert found("wombats") == []
    # Each item is written by the import itself; the triggers add no write of their own.
    assert sorted(set(item_writes())) == [(item.pk, extra(item)) for item in items]


# Installation -------------------------------------------------------------------------------


def _function_body(definition: str) -> str:
    return definition.split("$$")[1]


def test_the_installed_triggers_are_those_of_the_module():
    vendor = connection.vendor
    assert backend_for(connection).installed_search_extra() == set(
        backend_for(connection).search_extra_triggers
    )
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            for name, (function, trigger, _table) in search_extra.PG_TRIGGERS.items():
                cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = %s", [name])
                assert cursor.fetchone()[0] == _function_body(function)
                cursor.execute(
                    "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = %s", [name]
                )
                assert cursor.fetchone()[0].replace("public.", "") == trigger
            cursor.execute(
                "SELECT prosrc FROM pg_proc WHERE proname = 'meetings_search_extra_refresh'"
            )
            assert cursor.fetchone()[0] == _function_body(search_extra.PG_REFRESH_FUNCTION)
        else:
            for name, statement in search_extra.SQLITE_TRIGGERS.items():
                cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [name])
                assert cursor.fetchone()[0] == statement.strip()


def test_install_puts_them_back_as_they_were(item):
    backend_for(connection).install_search_extra()
    test_the_installed_triggers_are_those_of_the_module()
    Resolution.objects.create(item=item, order=3, text="Wombats were counted.", kind="noted")
    assert found("wombats") == [item.pk]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite table rebuilds lose triggers")
def test_a_lost_sqlite_trigger_is_put_back_after_migrate(item):
    sql("DROP TRIGGER meetings_search_extra_topic_rename")
    search.repair_index(using="default")
    assert backend_for(connection).installed_search_extra() == set(search_extra.SQLITE_TRIGGERS)
    sql("UPDATE meetings_topic SET name = 'Aardvarks' WHERE name = 'Zebra Crossings'")
    assert found("aardvarks") == [item.pk]


def test_the_resolution_admin_needs_no_refresh_of_its_own(item, admin_client):
    decision = Resolution.objects.get(item=item, order=2)
    response = admin_client.post(
        f"/admin/meetings/resolution/{decision.pk}/change/",
        {"item": item.pk, "order": 2, "text": "Wombats were counted.", "kind": "noted"},
    )
    assert response.status_code == 302
    assert found("wombats") == [item.pk]
    response = admin_client.post(
        f"/admin/meetings/resolution/{decision.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert found("wombats") == []


def test_a_bulk_load_leaves_them_out_and_puts_them_back(item):
    backend_for(connection).suspend_search_extra()
    assert backend_for(connection).installed_search_extra() == set()
    Resolution.objects.create(item=item, order=3, text="Wombats were counted.", kind="noted")
    assert "Wombats" not in extra(item)  # a bulk load writes the copy itself

    backend_for(connection).resume_search_extra()
    test_the_installed_triggers_are_those_of_the_module()
    Resolution.objects.filter(item=item, order=3).update(text="Quokkas were counted.")
    assert extra(item) == expected(item)
