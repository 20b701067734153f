"""Triggers that keep ``AgendaItem.search_extra`` in step with topics and decisions.

The copy of an item's topic names and decisions that the full-text indexes read was refreshed
by hand by each writer; from here the database keeps it (meetings/search/extra.py describes the
triggers). Only SQL, no model changes. The SQL is written out here as it stood when this
migration was made, so that later changes to meetings/search/extra.py do not change what this
migration does. The copies already stored are recomputed once.
"""

from django.db import migrations

# ruff: noqa: E501
# fmt: off
POSTGRESQL_CREATE = [
    r"""
CREATE OR REPLACE FUNCTION meetings_search_extra_refresh(ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE meetings_agendaitem i SET search_extra = x.text
    FROM (
        SELECT a.id, array_to_string(
            ARRAY(SELECT t.name FROM meetings_itemtopic l
                JOIN meetings_topic t ON t.id = l.topic_id
                WHERE l.item_id = a.id ORDER BY t.name COLLATE "C")
            || ARRAY(SELECT r.text FROM meetings_resolution r
                WHERE r.item_id = a.id ORDER BY r."order", r.id),
            E'\n') AS text
        FROM (SELECT DISTINCT unnest(ids) AS id) a
    ) x
    WHERE i.id = x.id AND i.search_extra IS DISTINCT FROM x.text;
$$

""",
    r"""
CREATE OR REPLACE FUNCTION meetings_search_extra_decisions_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM meetings_search_extra_refresh(ARRAY(SELECT DISTINCT item_id FROM new_rows));
    RETURN NULL;
END
$$

""",
    r"""CREATE TRIGGER meetings_search_extra_decisions_added AFTER INSERT ON meetings_resolution REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION meetings_search_extra_decisions_added()
""",
    r"""
CREATE OR REPLACE FUNCTION meetings_search_extra_decisions_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM meetings_search_extra_refresh(ARRAY(SELECT item_id FROM (SELECT id, item_id, "order", text FROM new_rows EXCEPT SELECT id, item_id, "order", text FROM old_rows) changed UNION SELECT item_id FROM (SELECT id, item_id, "order", text FROM old_rows EXCEPT SELECT id, item_id, "order", text FROM new_rows) changed));
    RETURN NULL;
END
$$

""",
    r"""CREATE TRIGGER meetings_search_extra_decisions_changed AFTER UPDATE ON meetings_resolution REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION meetings_search_extra_decisions_changed()
""",
    r"""
CREATE OR REPLACE FUNCTION meetings_search_extra_decisions_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM meetings_search_extra_refresh(ARRAY(SELECT DISTINCT item_id FROM old_rows));
    RETURN NULL;
END
$$

""",
    r"""CREATE TRIGGER meetings_search_extra_decisions_removed AFTER DELETE ON meetings_resolution REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION meetings_search_extra_decisions_removed()
""",
    r"""
CREATE OR REPLACE FUNCTION meetings_search_extra_links_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM meetings_search_extra_refresh(ARRAY(SELECT DISTINCT item_id FROM new_rows));
    RETURN NULL;
END
$$

""",
    r"""CREATE TRIGGER meetings_search_extra_links_added AFTER INSERT ON meetings_itemtopic REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION meetings_search_extra_links_added()
""",
    r"""
CREATE OR REPLACE FUNCTION meetings_search_extra_links_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM meetings_search_extra_refresh(ARRAY(SELECT item_id FROM (SELECT id, item_id, topic_id FROM new_rows EXCEPT SELECT id, item_id, topic_id FROM old_rows) changed UNION SELECT item_id FROM (SELECT id, item_id, topic_id FROM old_rows EXCEPT SELECT id, item_id, topic_id FROM new_rows) changed));
    RETURN NULL;
END
$$

""",
    r"""CREATE TRIGGER meetings_search_extra_links_changed AFTER UPDATE ON meetings_itemtopic REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION meetings_search_extra_links_changed()
""",
    r"""
CREATE OR REPLACE FUNCTION meetings_search_extra_links_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM meetings_search_extra_refresh(ARRAY(SELECT DISTINCT item_id FROM old_rows));
    RETURN NULL;
END
$$

""",
    r"""CREATE TRIGGER meetings_search_extra_links_removed AFTER DELETE ON meetings_itemtopic REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION meetings_search_extra_links_removed()
""",
    r"""
CREATE OR REPLACE FUNCTION meetings_search_extra_topics_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM meetings_search_extra_refresh(ARRAY(SELECT DISTINCT l.item_id FROM meetings_itemtopic l WHERE l.topic_id IN (SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.name IS DISTINCT FROM o.name)));
    RETURN NULL;
END
$$

""",
    r"""CREATE TRIGGER meetings_search_extra_topics_renamed AFTER UPDATE ON meetings_topic REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION meetings_search_extra_topics_renamed()
""",
]
POSTGRESQL_DROP = [
    r"""DROP TRIGGER IF EXISTS meetings_search_extra_decisions_added ON meetings_resolution
""",
    r"""DROP TRIGGER IF EXISTS meetings_search_extra_decisions_changed ON meetings_resolution
""",
    r"""DROP TRIGGER IF EXISTS meetings_search_extra_decisions_removed ON meetings_resolution
""",
    r"""DROP TRIGGER IF EXISTS meetings_search_extra_links_added ON meetings_itemtopic
""",
    r"""DROP TRIGGER IF EXISTS meetings_search_extra_links_changed ON meetings_itemtopic
""",
    r"""DROP TRIGGER IF EXISTS meetings_search_extra_links_removed ON meetings_itemtopic
""",
    r"""DROP TRIGGER IF EXISTS meetings_search_extra_topics_renamed ON meetings_topic
""",
    r"""DROP FUNCTION IF EXISTS meetings_search_extra_decisions_added()
""",
    r"""DROP FUNCTION IF EXISTS meetings_search_extra_decisions_changed()
""",
    r"""DROP FUNCTION IF EXISTS meetings_search_extra_decisions_removed()
""",
    r"""DROP FUNCTION IF EXISTS meetings_search_extra_links_added()
""",
    r"""DROP FUNCTION IF EXISTS meetings_search_extra_links_changed()
""",
    r"""DROP FUNCTION IF EXISTS meetings_search_extra_links_removed()
""",
    r"""DROP FUNCTION IF EXISTS meetings_search_extra_topics_renamed()
""",
    r"""DROP FUNCTION IF EXISTS meetings_search_extra_refresh(bigint[])
""",
]
SQLITE_CREATE = [
    r"""
        CREATE TRIGGER meetings_search_extra_decision_insert AFTER INSERT ON meetings_resolution
        BEGIN
            UPDATE meetings_agendaitem SET search_extra = (SELECT coalesce(group_concat(value, char(10)), '') FROM (
            SELECT value FROM (
                SELECT 0 AS part, t.name AS value, 0 AS "order", 0 AS id
                FROM meetings_itemtopic l JOIN meetings_topic t ON t.id = l.topic_id
                WHERE l.item_id = new.item_id
                UNION ALL
                SELECT 1, r.text, r."order", r.id FROM meetings_resolution r
                WHERE r.item_id = new.item_id
            ) ORDER BY part, CASE WHEN part = 0 THEN value END, "order", id)) WHERE id = new.item_id AND search_extra IS NOT (SELECT coalesce(group_concat(value, char(10)), '') FROM (
            SELECT value FROM (
                SELECT 0 AS part, t.name AS value, 0 AS "order", 0 AS id
                FROM meetings_itemtopic l JOIN meetings_topic t ON t.id = l.topic_id
                WHERE l.item_id = new.item_id
                UNION ALL
                SELECT 1, r.text, r."order", r.id FROM meetings_resolution r
                WHERE r.item_id = new.item_id
            ) ORDER BY part, CASE WHEN part = 0 THEN value END, "order", id));
        END
""",
    r"""
        CREATE TRIGGER meetings_search_extra_decision_update
        AFTER UPDATE OF item_id, "order", text ON meetings_resolution
        BEGIN
            UPDATE meetings_agendaitem SET search_extra = (SELECT coalesce(group_concat(value, char(10)), '') FROM (
            SELECT value FROM (
                SELECT 0 AS part, t.name AS value, 0 AS "order", 0 AS id
                FROM meetings_itemtopic l JOIN meetings_topic t ON t.id = l.topic_id
                WHERE l.item_id = old.item_id
                UNION ALL
                SELECT 1, r.text, r."order", r.id FROM meetings_resolution r
                WHERE r.item_id = old.item_id
            ) ORDER BY part, CASE WHEN part = 0 THEN value END, "order", id)) WHERE id = old.item_id AND search_extra IS NOT (SELECT coalesce(group_concat(value, char(10)), '') FROM (
            SELECT value FROM (
                SELECT 0 AS part, t.name AS value, 0 AS "order", 0 AS id
                FROM meetings_itemtopic l JOIN meetings_topic t ON t.id = l.topic_id
                WHERE l.item_id = old.item_id
                UNION ALL
                SELECT 1, r.text, r."order", r.id FROM meetings_resolution r
                WHERE r.item_id = old.item_id
            ) ORDER BY part, CASE WHEN part = 0 THEN value END, "order", id));
            UPDATE meetings_agendaitem SET search_extra = (SELECT coalesce(group_concat(value, char(10)), '') FROM (
            SELECT value FROM (
                SELECT 0 AS part, t.name AS value, 0 AS "order", 0 AS id
                FROM meetings_itemtopic l JOIN meetings_topic t ON t.id = l.topic_id
                WHERE l.item_id = new.item_id
                UNION ALL
                SELECT 1, r.text, r."order", r.id FROM meetings_resolution r
                WHERE r.item_id = new.item_id
            ) ORDER BY part, CASE WHEN part = 0 THEN value END, "order", id)) WHERE id = new.item_id AND search_extra IS NOT (SELECT coalesce(group_concat(value, char(10)), '') FROM (
            SELECT value FROM (
                SELECT 0 AS part, t.name AS value, 0 AS "order", 0 AS id
                FROM meetings_itemtopic l JOIN meetings_topic t ON t.id = l.topic_id
                WHERE l.item_id = new.item_id
                UNION ALL
                SELECT 1, r.text, r."order", r.id FROM meetings_resolution r
                WHERE r.item_id = new.item_id
            ) ORDER BY part, CASE WHEN part = 0 THEN value END, "order", id));
        END
""",
    r"""
        CREATE TRIGGER meetings_search_extra_decision_delete AFTER DELETE ON meetings_resolution
        BEGIN
            UPDATE meetings_agendaitem SET search_extra = (SELECT coalesce(group_concat(value, char(10)), '') FROM (
            SELECT value FROM (
                SELECT 0 AS part, t.name AS value, 0 AS "order", 0 AS id
                FROM meetings_itemtopic l JOIN meetings_topic t ON t.id = l.topic_id
                WHERE l.item_id = old.item_id
                UNION ALL
                SELECT 1, r.text, r."order", r.id FROM meetings_resolution r
                WHERE r.item_id = old.item_id
            ) ORDER BY part, CASE WHEN part = 0 THEN value END, "order", id)) WHERE id = old.item_id AND search_extra IS NOT (SELECT coalesce(group_concat(value, char(10)), '') FROM (
            SELECT value FROM (
                SELECT 0 AS part, t.name AS value, 0 AS "order", 0 AS id
                FROM meetings_itemtopic l JOIN meetings_topic t ON t.id = l.topic_id
                WHERE l.item_id = old.item_id
                UNION ALL
                SELECT 1, r.text, r."order", r.id FROM meetings_resolution r
                WHERE r.item_id = old.item_id
            ) ORDER BY part, CASE WHEN part = 0 THEN value END, "order", id));
        END
""",
    r"""
        CREATE TRIGGER meetings_search_extra_link_insert AFTER INSERT ON meetings_itemtopic
        BEGIN
            UPDATE meetings_agendaitem SET search_extra = (SELECT coalesce(group_concat(value, char(10)), '') FROM (
            SELECT value FROM (
                SELECT 0 AS part, t.name AS value, 0 AS "order", 0 AS id
                FROM meetings_itemtopic l JOIN meetings_topic t ON t.id = l.topic_id
                WHERE l.item_id = new.item_id
                UNION ALL
                SELECT 1, r.text, r."order", r.id FROM meetings_resolution r
                WHERE r.item_id = new.item_id
            ) ORDER BY part, CASE WHEN part = 0 THEN value END, "order", id)) WHERE id = new.item_id AND search_extra IS NOT (SELECT coalesce(group_concat(value, char(10)), '') FROM (
            SELECT value FROM (
                SELECT 0 AS part, t.name AS value, 0 AS "order", 0 AS id
                FROM meetings_itemtopic l JOIN meetings_topic t ON t.id = l.topic_id
                WHERE l.item_id = new.item_id
                UNION ALL
                SELECT 1, r.text, r."order", r.id FROM meetings_resolution r
                WHERE r.item_id = new.item_id
            ) ORDER BY part, CASE WHEN part = 0 THEN value END, "order", id));
        END
""",
    r"""
        CREATE TRIGGER meetings_search_extra_link_update
        AFTER UPDATE OF item_id, topic_id ON meetings_itemtopic
        BEGIN
            UPDATE meetings_agendaitem SET search_extra = (SELECT coalesce(group_concat(value, char(10)), '') FROM (
            SELECT value FROM (
                SELECT 0 AS part, t.name AS value, 0 AS "order", 0 AS id
                FROM meetings_itemtopic l JOIN meetings_topic t ON t.id = l.topic_id
                WHERE l.item_id = old.item_id
                UNION ALL
                SELECT 1, r.text, r."order", r.id FROM meetings_resolution r
                WHERE r.item_id = old.item_id
            ) ORDER BY part, CASE WHEN part = 0 THEN value END, "order", id)) WHERE id = old.item_id AND search_extra IS NOT (SELECT coalesce(group_concat(value, char(10)), '') FROM (
            SELECT value FROM (
                SELECT 0 AS part, t.name AS value, 0 AS "order", 0 AS id
                FROM meetings_itemtopic l JOIN meetings_topic t ON t.id = l.topic_id
                WHERE l.item_id = old.item_id
                UNION ALL
                SELECT 1, r.text, r."order", r.id FROM meetings_resolution r
                WHERE r.item_id = old.item_id
            ) ORDER BY part, CASE WHEN part = 0 THEN value END, "order", id));
            UPDATE meetings_agendaitem SET search_extra = (SELECT coalesce(group_concat(value, char(10)), '') FROM (
            SELECT value FROM (
                SELECT 0 AS part, t.name AS value, 0 AS "order", 0 AS id
                FROM meetings_itemtopic l JOIN meetings_topic t ON t.id = l.topic_id
                WHERE l.item_id = new.item_id
                UNION ALL
                SELECT 1, r.text, r."order", r.id FROM meetings_resolution r
                WHERE r.item_id = new.item_id
            ) ORDER BY part, CASE WHEN part = 0 THEN value END, "order", id)) WHERE id = new.item_id AND search_extra IS NOT (SELECT coalesce(group_concat(value, char(10)), '') FROM (
            SELECT value FROM (
                SELECT 0 AS part, t.name AS value, 0 AS "order", 0 AS id
                FROM meetings_itemtopic l JOIN meetings_topic t ON t.id = l.topic_id
                WHERE l.item_id = new.item_id
                UNION ALL
                SELECT 1, r.text, r."order", r.id FROM meetings_resolution r
                WHERE r.item_id = new.item_id
            ) ORDER BY part, CASE WHEN part = 0 THEN value END, "order", id));
        END
""",
    r"""
        CREATE TRIGGER meetings_search_extra_link_delete AFTER DELETE ON meetings_itemtopic
        BEGIN
            UPDATE meetings_agendaitem SET search_extra = (SELECT coalesce(group_concat(value, char(10)), '') FROM (
            SELECT value FROM (
                SELECT 0 AS part, t.name AS value, 0 AS "order", 0 AS id
                FROM meetings_itemtopic l JOIN meetings_topic t ON t.id = l.topic_id
                WHERE l.item_id = old.item_id
                UNION ALL
                SELECT 1, r.text, r."order", r.id FROM meetings_resolution r
                WHERE r.item_id = old.item_id
            ) ORDER BY part, CASE WHEN part = 0 THEN value END, "order", id)) WHERE id = old.item_id AND search_extra IS NOT (SELECT coalesce(group_concat(value, char(10)), '') FROM (
            SELECT value FROM (
                SELECT 0 AS part, t.name AS value, 0 AS "order", 0 AS id
                FROM meetings_itemtopic l JOIN meetings_topic t ON t.id = l.topic_id
                WHERE l.item_id = old.item_id
                UNION ALL
                SELECT 1, r.text, r."order", r.id FROM meetings_resolution r
                WHERE r.item_id = old.item_id
            ) ORDER BY part, CASE WHEN part = 0 THEN value END, "order", id));
        END
""",
    r"""
        CREATE TRIGGER meetings_search_extra_topic_rename AFTER UPDATE OF name ON meetings_topic
        WHEN old.name IS NOT new.name
        BEGIN
            UPDATE meetings_agendaitem SET search_extra = (SELECT coalesce(group_concat(value, char(10)), '') FROM (
            SELECT value FROM (
                SELECT 0 AS part, t.name AS value, 0 AS "order", 0 AS id
                FROM meetings_itemtopic l JOIN meetings_topic t ON t.id = l.topic_id
                WHERE l.item_id = meetings_agendaitem.id
                UNION ALL
                SELECT 1, r.text, r."order", r.id FROM meetings_resolution r
                WHERE r.item_id = meetings_agendaitem.id
            ) ORDER BY part, CASE WHEN part = 0 THEN value END, "order", id))
            WHERE id IN (SELECT item_id FROM meetings_itemtopic WHERE topic_id = new.id)
                AND search_extra IS NOT (SELECT coalesce(group_concat(value, char(10)), '') FROM (
            SELECT value FROM (
                SELECT 0 AS part, t.name AS value, 0 AS "order", 0 AS id
                FROM meetings_itemtopic l JOIN meetings_topic t ON t.id = l.topic_id
                WHERE l.item_id = meetings_agendaitem.id
                UNION ALL
                SELECT 1, r.text, r."order", r.id FROM meetings_resolution r
                WHERE r.item_id = meetings_agendaitem.id
            ) ORDER BY part, CASE WHEN part = 0 THEN value END, "order", id));
        END
""",
]
SQLITE_DROP = [
    r"""DROP TRIGGER IF EXISTS meetings_search_extra_decision_insert
""",
    r"""DROP TRIGGER IF EXISTS meetings_search_extra_decision_update
""",
    r"""DROP TRIGGER IF EXISTS meetings_search_extra_decision_delete
""",
    r"""DROP TRIGGER IF EXISTS meetings_search_extra_link_insert
""",
    r"""DROP TRIGGER IF EXISTS meetings_search_extra_link_update
""",
    r"""DROP TRIGGER IF EXISTS meetings_search_extra_link_delete
""",
    r"""DROP TRIGGER IF EXISTS meetings_search_extra_topic_rename
""",
]
# fmt: on


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        statements = [*POSTGRESQL_DROP, *POSTGRESQL_CREATE, POSTGRESQL_REFRESH]
    else:
        statements = [*SQLITE_DROP, *SQLITE_CREATE, SQLITE_REFRESH]
    for statement in statements:
        schema_editor.execute(statement, params=None)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in POSTGRESQL_DROP if vendor == "postgresql" else SQLITE_DROP:
        schema_editor.execute(statement, params=None)


# Every item's copy recomputed once, as the triggers would, for edits made before them (a
# renamed topic was not copied to its items). Only the copies that differ are written.
POSTGRESQL_REFRESH = (
    "SELECT meetings_search_extra_refresh(ARRAY(SELECT id FROM meetings_agendaitem))"
)
SQLITE_REFRESH = r"""
UPDATE meetings_agendaitem SET search_extra = (SELECT coalesce(group_concat(value, char(10)), '') FROM (
            SELECT value FROM (
                SELECT 0 AS part, t.name AS value, 0 AS "order", 0 AS id
                FROM meetings_itemtopic l JOIN meetings_topic t ON t.id = l.topic_id
                WHERE l.item_id = meetings_agendaitem.id
                UNION ALL
                SELECT 1, r.text, r."order", r.id FROM meetings_resolution r
                WHERE r.item_id = meetings_agendaitem.id
            ) ORDER BY part, CASE WHEN part = 0 THEN value END, "order", id))
WHERE search_extra IS NOT (SELECT coalesce(group_concat(value, char(10)), '') FROM (
            SELECT value FROM (
                SELECT 0 AS part, t.name AS value, 0 AS "order", 0 AS id
                FROM meetings_itemtopic l JOIN meetings_topic t ON t.id = l.topic_id
                WHERE l.item_id = meetings_agendaitem.id
                UNION ALL
                SELECT 1, r.text, r."order", r.id FROM meetings_resolution r
                WHERE r.item_id = meetings_agendaitem.id
            ) ORDER BY part, CASE WHEN part = 0 THEN value END, "order", id))
"""


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0015_search_triggers_from_one_text"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
    ]
