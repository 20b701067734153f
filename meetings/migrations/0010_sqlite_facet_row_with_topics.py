"""SQLite: an item's facet row is written with the topics it is already linked to.

The import links a new item to its topics before inserting it, as on PostgreSQL (the foreign
keys are checked at commit), so that the item's facet row is written once, topics and all, and
counted once; linked afterwards, each link rewrote the row and counted it again. Nothing
changes on PostgreSQL, whose statement triggers read the links already. The SQL is written
out as it stood when this migration was made.
"""

from django.db import migrations

# fmt: off
_TOPICS = (
    "(SELECT coalesce(json_group_array(topic_id), '[]') FROM (SELECT topic_id FROM "
    "meetings_itemtopic WHERE {condition} ORDER BY topic_id))"
)
_WITHOUT_TOPICS = """
    CREATE TRIGGER meetings_searchfacet_item_insert AFTER INSERT ON meetings_agendaitem
    BEGIN
        INSERT INTO meetings_searchfacet (item_id, meeting_id, date, year, body, position,
            restricted, status)
        SELECT new.id, new.meeting_id, m.date, CAST(strftime('%Y', m.date) AS INTEGER), m.body,
            new.position, new.restricted, new.status
        FROM meetings_meeting m WHERE m.id = new.meeting_id;
    END"""
_WITH_TOPICS = f"""
    CREATE TRIGGER meetings_searchfacet_item_insert AFTER INSERT ON meetings_agendaitem
    BEGIN
        INSERT INTO meetings_searchfacet (item_id, meeting_id, date, year, body, position,
            restricted, status, topics, topics_public)
        SELECT new.id, new.meeting_id, m.date, CAST(strftime('%Y', m.date) AS INTEGER), m.body,
            new.position, new.restricted, new.status,
            {_TOPICS.format(condition="item_id = new.id")},
            {_TOPICS.format(condition="item_id = new.id AND (in_title OR NOT new.restricted)")}
        FROM meetings_meeting m WHERE m.id = new.meeting_id;
    END"""
# fmt: on


def _replace(trigger):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        schema_editor.execute("DROP TRIGGER IF EXISTS meetings_searchfacet_item_insert")
        schema_editor.execute(trigger)

    return run


class Migration(migrations.Migration):
    dependencies = [("meetings", "0009_sqlite_search_sample")]

    operations = [migrations.RunPython(_replace(_WITH_TOPICS), _replace(_WITHOUT_TOPICS))]
