"""The narrow search table and the archive's counts, for search at scale.

``meetings_searchfacet`` holds each item's facet values (and on PostgreSQL copies of its search
vectors) in a small row; ``meetings_searchcount`` and ``meetings_searchtopiccount`` hold the
counts of the whole archive; triggers keep all three in step with the items, meetings and topic
links. meetings/facet_index.py describes them. Only SQL, no model changes. The SQL is written
out here as it stood when this migration was made, so that later changes to
meetings/facet_index.py do not change what this migration does.
"""

from django.db import migrations

# The statements keep the line breaks they were written with: some lines are long.
# ruff: noqa: E501
# fmt: off
POSTGRESQL_CREATE = [
    """
    CREATE TABLE meetings_searchfacet (
        item_id bigint PRIMARY KEY,
        meeting_id bigint NOT NULL,
        date date,
        year smallint,
        body varchar(300) NOT NULL,
        position integer NOT NULL,
        restricted boolean NOT NULL,
        status varchar(20) NOT NULL,
        topics bigint[] NOT NULL DEFAULT '{}',
        topics_public bigint[] NOT NULL DEFAULT '{}',
        vector tsvector NOT NULL,
        vector_public tsvector
    ) WITH (toast_tuple_target = 128)

""",
    """
    ALTER TABLE meetings_searchfacet
        ALTER COLUMN body SET STORAGE PLAIN,
        ALTER COLUMN status SET STORAGE PLAIN,
        ALTER COLUMN topics SET STORAGE PLAIN,
        ALTER COLUMN topics_public SET STORAGE PLAIN

""",
    """
    CREATE TABLE meetings_searchcount (
        year smallint NOT NULL,
        restricted boolean NOT NULL,
        status varchar(20) NOT NULL,
        body varchar(300) NOT NULL,
        items bigint NOT NULL,
        PRIMARY KEY (year, restricted, status, body)
    )

""",
    """
    CREATE TABLE meetings_searchtopiccount (
        topic_id bigint NOT NULL,
        year smallint NOT NULL,
        items bigint NOT NULL,
        items_public bigint NOT NULL,
        PRIMARY KEY (topic_id, year)
    )

""",
    """
CREATE OR REPLACE FUNCTION meetings_searchfacet_refresh(ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    DELETE FROM meetings_searchfacet f
    WHERE f.item_id = ANY(ids)
      AND NOT EXISTS (SELECT FROM meetings_agendaitem i WHERE i.id = f.item_id);
    INSERT INTO meetings_searchfacet AS f (item_id, meeting_id, date, year, body, position, restricted, status, topics, topics_public, vector, vector_public)
    SELECT i.id, i.meeting_id, m.date, extract(year FROM m.date), m.body, i.position,
        i.restricted, i.status, coalesce(t.topics, '{}'), coalesce(t.topics_public, '{}'),
        i.search_vector || s.lexeme,
        CASE WHEN i.restricted THEN i.search_vector_public || s.lexeme END
    FROM meetings_agendaitem i
    JOIN meetings_meeting m ON m.id = i.meeting_id
    CROSS JOIN LATERAL (
        SELECT array_to_tsvector(ARRAY['sample ' || i.id % 64]) AS lexeme
    ) s
    LEFT JOIN LATERAL (
        SELECT array_agg(l.topic_id ORDER BY l.topic_id) AS topics,
            array_agg(l.topic_id ORDER BY l.topic_id)
                FILTER (WHERE l.in_title OR NOT i.restricted) AS topics_public
        FROM meetings_itemtopic l WHERE l.item_id = i.id
    ) t ON true
    WHERE i.id = ANY(ids)
    ORDER BY i.id
    ON CONFLICT (item_id) DO UPDATE SET
        meeting_id = EXCLUDED.meeting_id, date = EXCLUDED.date, year = EXCLUDED.year,
        body = EXCLUDED.body, position = EXCLUDED.position, restricted = EXCLUDED.restricted,
        status = EXCLUDED.status, topics = EXCLUDED.topics,
        topics_public = EXCLUDED.topics_public,
        -- An unchanged vector keeps its stored copy rather than being written again.
        vector = CASE WHEN f.vector = EXCLUDED.vector THEN f.vector ELSE EXCLUDED.vector END,
        vector_public = CASE WHEN f.vector_public IS NOT DISTINCT FROM EXCLUDED.vector_public
            THEN f.vector_public ELSE EXCLUDED.vector_public END
    WHERE (f.meeting_id, f.date, f.body, f.position, f.restricted, f.status, f.topics,
            f.topics_public)
        IS DISTINCT FROM (EXCLUDED.meeting_id, EXCLUDED.date, EXCLUDED.body,
            EXCLUDED.position, EXCLUDED.restricted, EXCLUDED.status, EXCLUDED.topics,
            EXCLUDED.topics_public)
        OR f.vector <> EXCLUDED.vector
        OR f.vector_public IS DISTINCT FROM EXCLUDED.vector_public;
$$
""",
    """
CREATE OR REPLACE FUNCTION meetings_searchfacet_items_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM meetings_searchfacet_refresh(ARRAY(SELECT id FROM new_rows));
    RETURN NULL;
END
$$
""",
    """
CREATE TRIGGER meetings_searchfacet_items_added AFTER INSERT ON meetings_agendaitem REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION meetings_searchfacet_items_added()
""",
    """
CREATE OR REPLACE FUNCTION meetings_searchfacet_items_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM meetings_searchfacet_refresh(ARRAY(SELECT id FROM new_rows));
    RETURN NULL;
END
$$
""",
    """
CREATE TRIGGER meetings_searchfacet_items_changed AFTER UPDATE ON meetings_agendaitem REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION meetings_searchfacet_items_changed()
""",
    """
CREATE OR REPLACE FUNCTION meetings_searchfacet_items_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM meetings_searchfacet WHERE item_id IN (SELECT id FROM old_rows);
    RETURN NULL;
END
$$
""",
    """
CREATE TRIGGER meetings_searchfacet_items_removed AFTER DELETE ON meetings_agendaitem REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION meetings_searchfacet_items_removed()
""",
    """
CREATE OR REPLACE FUNCTION meetings_searchfacet_links_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM meetings_searchfacet_refresh(ARRAY(SELECT DISTINCT item_id FROM new_rows));
    RETURN NULL;
END
$$
""",
    """
CREATE TRIGGER meetings_searchfacet_links_added AFTER INSERT ON meetings_itemtopic REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION meetings_searchfacet_links_added()
""",
    """
CREATE OR REPLACE FUNCTION meetings_searchfacet_links_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM meetings_searchfacet_refresh(ARRAY(SELECT item_id FROM new_rows UNION SELECT item_id FROM old_rows));
    RETURN NULL;
END
$$
""",
    """
CREATE TRIGGER meetings_searchfacet_links_changed AFTER UPDATE ON meetings_itemtopic REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION meetings_searchfacet_links_changed()
""",
    """
CREATE OR REPLACE FUNCTION meetings_searchfacet_links_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM meetings_searchfacet_refresh(ARRAY(SELECT DISTINCT item_id FROM old_rows));
    RETURN NULL;
END
$$
""",
    """
CREATE TRIGGER meetings_searchfacet_links_removed AFTER DELETE ON meetings_itemtopic REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION meetings_searchfacet_links_removed()
""",
    """
CREATE OR REPLACE FUNCTION meetings_searchfacet_meetings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE meetings_searchfacet f
        SET date = m.date, year = extract(year FROM m.date), body = m.body
        FROM new_rows m
        WHERE f.meeting_id = m.id AND (f.date IS DISTINCT FROM m.date OR f.body <> m.body);
    RETURN NULL;
END
$$
""",
    """
CREATE TRIGGER meetings_searchfacet_meetings_changed AFTER UPDATE ON meetings_meeting REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION meetings_searchfacet_meetings_changed()
""",
    """
CREATE OR REPLACE FUNCTION meetings_searchcount_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN

    INSERT INTO meetings_searchcount AS c (year, restricted, status, body, items)
    SELECT year, restricted, status, body, sum(items) FROM (
        SELECT coalesce(year, 0) AS year, restricted, status, body,
            1 AS items, 0::bigint AS topic_id, 0 AS topic_items, 0 AS topic_public
        FROM new_rows
        UNION ALL
        SELECT coalesce(year, 0), false, '', '', 0, topic_id, 1, 0
        FROM new_rows, unnest(topics) topic_id
        UNION ALL
        SELECT coalesce(year, 0), false, '', '', 0, topic_id, 0, 1
        FROM new_rows, unnest(topics_public) topic_id
    ) changes
    WHERE topic_id = 0
    GROUP BY year, restricted, status, body HAVING sum(items) <> 0
    ORDER BY year, restricted, status, body
    ON CONFLICT (year, restricted, status, body) DO UPDATE SET items = c.items + EXCLUDED.items;
    INSERT INTO meetings_searchtopiccount AS c (topic_id, year, items, items_public)
    SELECT topic_id, year, sum(topic_items), sum(topic_public) FROM (
        SELECT coalesce(year, 0) AS year, restricted, status, body,
            1 AS items, 0::bigint AS topic_id, 0 AS topic_items, 0 AS topic_public
        FROM new_rows
        UNION ALL
        SELECT coalesce(year, 0), false, '', '', 0, topic_id, 1, 0
        FROM new_rows, unnest(topics) topic_id
        UNION ALL
        SELECT coalesce(year, 0), false, '', '', 0, topic_id, 0, 1
        FROM new_rows, unnest(topics_public) topic_id
    ) changes
    WHERE topic_id <> 0
    GROUP BY topic_id, year HAVING sum(topic_items) <> 0 OR sum(topic_public) <> 0
    ORDER BY topic_id, year
    ON CONFLICT (topic_id, year) DO UPDATE SET
        items = c.items + EXCLUDED.items, items_public = c.items_public + EXCLUDED.items_public;

    RETURN NULL;
END
$$
""",
    """
CREATE TRIGGER meetings_searchcount_added AFTER INSERT ON meetings_searchfacet REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION meetings_searchcount_added()
""",
    """
CREATE OR REPLACE FUNCTION meetings_searchcount_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN

    INSERT INTO meetings_searchcount AS c (year, restricted, status, body, items)
    SELECT year, restricted, status, body, sum(items) FROM (
        SELECT coalesce(year, 0) AS year, restricted, status, body,
            1 AS items, 0::bigint AS topic_id, 0 AS topic_items, 0 AS topic_public
        FROM new_rows
        UNION ALL
        SELECT coalesce(year, 0), false, '', '', 0, topic_id, 1, 0
        FROM new_rows, unnest(topics) topic_id
        UNION ALL
        SELECT coalesce(year, 0), false, '', '', 0, topic_id, 0, 1
        FROM new_rows, unnest(topics_public) topic_id
     UNION ALL
        SELECT coalesce(year, 0) AS year, restricted, status, body,
            -1 AS items, 0::bigint AS topic_id, 0 AS topic_items, 0 AS topic_public
        FROM old_rows
        UNION ALL
        SELECT coalesce(year, 0), false, '', '', 0, topic_id, -1, 0
        FROM old_rows, unnest(topics) topic_id
        UNION ALL
        SELECT coalesce(year, 0), false, '', '', 0, topic_id, 0, -1
        FROM old_rows, unnest(topics_public) topic_id
    ) changes
    WHERE topic_id = 0
    GROUP BY year, restricted, status, body HAVING sum(items) <> 0
    ORDER BY year, restricted, status, body
    ON CONFLICT (year, restricted, status, body) DO UPDATE SET items = c.items + EXCLUDED.items;
    INSERT INTO meetings_searchtopiccount AS c (topic_id, year, items, items_public)
    SELECT topic_id, year, sum(topic_items), sum(topic_public) FROM (
        SELECT coalesce(year, 0) AS year, restricted, status, body,
            1 AS items, 0::bigint AS topic_id, 0 AS topic_items, 0 AS topic_public
        FROM new_rows
        UNION ALL
        SELECT coalesce(year, 0), false, '', '', 0, topic_id, 1, 0
        FROM new_rows, unnest(topics) topic_id
        UNION ALL
        SELECT coalesce(year, 0), false, '', '', 0, topic_id, 0, 1
        FROM new_rows, unnest(topics_public) topic_id
     UNION ALL
        SELECT coalesce(year, 0) AS year, restricted, status, body,
            -1 AS items, 0::bigint AS topic_id, 0 AS topic_items, 0 AS topic_public
        FROM old_rows
        UNION ALL
        SELECT coalesce(year, 0), false, '', '', 0, topic_id, -1, 0
        FROM old_rows, unnest(topics) topic_id
        UNION ALL
        SELECT coalesce(year, 0), false, '', '', 0, topic_id, 0, -1
        FROM old_rows, unnest(topics_public) topic_id
    ) changes
    WHERE topic_id <> 0
    GROUP BY topic_id, year HAVING sum(topic_items) <> 0 OR sum(topic_public) <> 0
    ORDER BY topic_id, year
    ON CONFLICT (topic_id, year) DO UPDATE SET
        items = c.items + EXCLUDED.items, items_public = c.items_public + EXCLUDED.items_public;

    RETURN NULL;
END
$$
""",
    """
CREATE TRIGGER meetings_searchcount_changed AFTER UPDATE ON meetings_searchfacet REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION meetings_searchcount_changed()
""",
    """
CREATE OR REPLACE FUNCTION meetings_searchcount_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN

    INSERT INTO meetings_searchcount AS c (year, restricted, status, body, items)
    SELECT year, restricted, status, body, sum(items) FROM (
        SELECT coalesce(year, 0) AS year, restricted, status, body,
            -1 AS items, 0::bigint AS topic_id, 0 AS topic_items, 0 AS topic_public
        FROM old_rows
        UNION ALL
        SELECT coalesce(year, 0), false, '', '', 0, topic_id, -1, 0
        FROM old_rows, unnest(topics) topic_id
        UNION ALL
        SELECT coalesce(year, 0), false, '', '', 0, topic_id, 0, -1
        FROM old_rows, unnest(topics_public) topic_id
    ) changes
    WHERE topic_id = 0
    GROUP BY year, restricted, status, body HAVING sum(items) <> 0
    ORDER BY year, restricted, status, body
    ON CONFLICT (year, restricted, status, body) DO UPDATE SET items = c.items + EXCLUDED.items;
    INSERT INTO meetings_searchtopiccount AS c (topic_id, year, items, items_public)
    SELECT topic_id, year, sum(topic_items), sum(topic_public) FROM (
        SELECT coalesce(year, 0) AS year, restricted, status, body,
            -1 AS items, 0::bigint AS topic_id, 0 AS topic_items, 0 AS topic_public
        FROM old_rows
        UNION ALL
        SELECT coalesce(year, 0), false, '', '', 0, topic_id, -1, 0
        FROM old_rows, unnest(topics) topic_id
        UNION ALL
        SELECT coalesce(year, 0), false, '', '', 0, topic_id, 0, -1
        FROM old_rows, unnest(topics_public) topic_id
    ) changes
    WHERE topic_id <> 0
    GROUP BY topic_id, year HAVING sum(topic_items) <> 0 OR sum(topic_public) <> 0
    ORDER BY topic_id, year
    ON CONFLICT (topic_id, year) DO UPDATE SET
        items = c.items + EXCLUDED.items, items_public = c.items_public + EXCLUDED.items_public;

    RETURN NULL;
END
$$
""",
    """
CREATE TRIGGER meetings_searchcount_removed AFTER DELETE ON meetings_searchfacet REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION meetings_searchcount_removed()
""",
    """
CREATE OR REPLACE FUNCTION meetings_searchfacet_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE meetings_searchfacet, meetings_searchcount, meetings_searchtopiccount;
    RETURN NULL;
END
$$
""",
    """
CREATE TRIGGER meetings_searchfacet_truncated AFTER TRUNCATE ON meetings_agendaitem FOR EACH STATEMENT EXECUTE FUNCTION meetings_searchfacet_truncated()
""",
    """
CREATE INDEX searchfacet_vector_idx ON meetings_searchfacet USING gin (vector)
""",
    """
CREATE INDEX searchfacet_public_idx ON meetings_searchfacet USING gin (vector_public) WHERE restricted
""",
    """
CREATE INDEX searchfacet_newest_idx ON meetings_searchfacet (date DESC NULLS LAST, body, meeting_id, position)
""",
    """
CREATE INDEX searchfacet_oldest_idx ON meetings_searchfacet (date ASC NULLS LAST, body, meeting_id, position)
""",
    """
CREATE INDEX searchfacet_topics_idx ON meetings_searchfacet USING gin (topics)
""",
    """
CREATE INDEX searchfacet_topics_public_idx ON meetings_searchfacet USING gin (topics_public)
""",
    """
CREATE INDEX searchfacet_meeting_idx ON meetings_searchfacet (meeting_id)
""",
    """
DELETE FROM meetings_searchfacet
""",
    """
SELECT meetings_searchfacet_refresh(ARRAY(SELECT id FROM meetings_agendaitem))
""",
    """
DELETE FROM meetings_searchcount
""",
    """
DELETE FROM meetings_searchtopiccount
""",
    """
INSERT INTO meetings_searchcount (year, restricted, status, body, items)
        SELECT coalesce(year, 0), restricted, status, body, count(*) FROM meetings_searchfacet
        GROUP BY 1, 2, 3, 4
""",
    """
INSERT INTO meetings_searchtopiccount (topic_id, year, items, items_public)
        SELECT topic_id, year, sum(a), sum(p) FROM (
            SELECT unnest(topics) AS topic_id, coalesce(year, 0) AS year, 1 AS a, 0 AS p
            FROM meetings_searchfacet
            UNION ALL
            SELECT unnest(topics_public), coalesce(year, 0), 0, 1 FROM meetings_searchfacet
        ) links GROUP BY topic_id, year
""",
]

POSTGRESQL_DROP = [
    """
DROP TRIGGER IF EXISTS meetings_searchfacet_items_added ON meetings_agendaitem
""",
    """
DROP TRIGGER IF EXISTS meetings_searchfacet_items_changed ON meetings_agendaitem
""",
    """
DROP TRIGGER IF EXISTS meetings_searchfacet_items_removed ON meetings_agendaitem
""",
    """
DROP TRIGGER IF EXISTS meetings_searchfacet_links_added ON meetings_itemtopic
""",
    """
DROP TRIGGER IF EXISTS meetings_searchfacet_links_changed ON meetings_itemtopic
""",
    """
DROP TRIGGER IF EXISTS meetings_searchfacet_links_removed ON meetings_itemtopic
""",
    """
DROP TRIGGER IF EXISTS meetings_searchfacet_meetings_changed ON meetings_meeting
""",
    """
DROP TRIGGER IF EXISTS meetings_searchcount_added ON meetings_searchfacet
""",
    """
DROP TRIGGER IF EXISTS meetings_searchcount_changed ON meetings_searchfacet
""",
    """
DROP TRIGGER IF EXISTS meetings_searchcount_removed ON meetings_searchfacet
""",
    """
DROP TRIGGER IF EXISTS meetings_searchfacet_truncated ON meetings_agendaitem
""",
    """
DROP FUNCTION IF EXISTS meetings_searchfacet_truncated()
""",
    """
DROP FUNCTION IF EXISTS meetings_searchfacet_items_added()
""",
    """
DROP FUNCTION IF EXISTS meetings_searchfacet_items_changed()
""",
    """
DROP FUNCTION IF EXISTS meetings_searchfacet_items_removed()
""",
    """
DROP FUNCTION IF EXISTS meetings_searchfacet_links_added()
""",
    """
DROP FUNCTION IF EXISTS meetings_searchfacet_links_changed()
""",
    """
DROP FUNCTION IF EXISTS meetings_searchfacet_links_removed()
""",
    """
DROP FUNCTION IF EXISTS meetings_searchfacet_meetings_changed()
""",
    """
DROP FUNCTION IF EXISTS meetings_searchcount_added()
""",
    """
DROP FUNCTION IF EXISTS meetings_searchcount_changed()
""",
    """
DROP FUNCTION IF EXISTS meetings_searchcount_removed()
""",
    """
DROP FUNCTION IF EXISTS meetings_searchfacet_refresh(bigint[])
""",
    """
DROP TABLE IF EXISTS meetings_searchfacet, meetings_searchcount, meetings_searchtopiccount
""",
]

SQLITE_CREATE = [
    """
    CREATE TABLE meetings_searchfacet (
        item_id INTEGER PRIMARY KEY,
        meeting_id INTEGER NOT NULL,
        date TEXT,
        year INTEGER,
        body TEXT NOT NULL,
        position INTEGER NOT NULL,
        restricted INTEGER NOT NULL,
        status TEXT NOT NULL,
        topics TEXT NOT NULL DEFAULT '[]',
        topics_public TEXT NOT NULL DEFAULT '[]'
    )

""",
    """
    CREATE TABLE meetings_searchcount (
        year INTEGER NOT NULL,
        restricted INTEGER NOT NULL,
        status TEXT NOT NULL,
        body TEXT NOT NULL,
        items INTEGER NOT NULL,
        PRIMARY KEY (year, restricted, status, body)
    )

""",
    """
    CREATE TABLE meetings_searchtopiccount (
        topic_id INTEGER NOT NULL,
        year INTEGER NOT NULL,
        items INTEGER NOT NULL,
        items_public INTEGER NOT NULL,
        PRIMARY KEY (topic_id, year)
    )

""",
    """
CREATE INDEX searchfacet_newest_idx ON meetings_searchfacet (date DESC, body, meeting_id, position)
""",
    """
CREATE INDEX searchfacet_oldest_idx ON meetings_searchfacet ((date IS NULL), date, body, meeting_id, position)
""",
    """
CREATE INDEX searchfacet_meeting_idx ON meetings_searchfacet (meeting_id)
""",
    """
        CREATE TRIGGER meetings_searchfacet_item_insert AFTER INSERT ON meetings_agendaitem
        BEGIN
            INSERT INTO meetings_searchfacet (item_id, meeting_id, date, year, body, position,
                restricted, status)
            SELECT new.id, new.meeting_id, m.date, CAST(strftime('%Y', m.date) AS INTEGER), m.body, new.position,
                new.restricted, new.status
            FROM meetings_meeting m WHERE m.id = new.meeting_id;
        END
""",
    """
        CREATE TRIGGER meetings_searchfacet_item_update
        AFTER UPDATE OF meeting_id, position, restricted, status ON meetings_agendaitem
        BEGIN
            UPDATE meetings_searchfacet SET meeting_id = new.meeting_id, position = new.position,
                restricted = new.restricted, status = new.status,
                (date, year, body) = (SELECT m.date, CAST(strftime('%Y', m.date) AS INTEGER), m.body
                    FROM meetings_meeting m WHERE m.id = new.meeting_id),
                topics_public = (SELECT coalesce(json_group_array(topic_id), '[]') FROM (SELECT topic_id FROM meetings_itemtopic WHERE item_id = new.id AND (in_title OR NOT new.restricted) ORDER BY topic_id))
            WHERE item_id = new.id;
        END
""",
    """
        CREATE TRIGGER meetings_searchfacet_item_delete AFTER DELETE ON meetings_agendaitem
        BEGIN
            DELETE FROM meetings_searchfacet WHERE item_id = old.id;
        END
""",
    """
        CREATE TRIGGER meetings_searchfacet_meeting_update
        AFTER UPDATE OF date, body ON meetings_meeting
        BEGIN
            UPDATE meetings_searchfacet SET date = new.date,
                year = CAST(strftime('%Y', new.date) AS INTEGER), body = new.body
            WHERE meeting_id = new.id;
        END
""",
    """
        CREATE TRIGGER meetings_searchfacet_link_insert AFTER INSERT ON meetings_itemtopic
        BEGIN
            UPDATE meetings_searchfacet SET topics = (SELECT coalesce(json_group_array(topic_id), '[]') FROM (SELECT topic_id FROM meetings_itemtopic WHERE item_id = new.item_id ORDER BY topic_id)), topics_public = (SELECT coalesce(json_group_array(topic_id), '[]') FROM (SELECT topic_id FROM meetings_itemtopic WHERE item_id = new.item_id AND (in_title OR NOT restricted) ORDER BY topic_id)) WHERE item_id = new.item_id;
        END
""",
    """
        CREATE TRIGGER meetings_searchfacet_link_update AFTER UPDATE ON meetings_itemtopic
        BEGIN
            UPDATE meetings_searchfacet SET topics = (SELECT coalesce(json_group_array(topic_id), '[]') FROM (SELECT topic_id FROM meetings_itemtopic WHERE item_id = old.item_id ORDER BY topic_id)), topics_public = (SELECT coalesce(json_group_array(topic_id), '[]') FROM (SELECT topic_id FROM meetings_itemtopic WHERE item_id = old.item_id AND (in_title OR NOT restricted) ORDER BY topic_id)) WHERE item_id = old.item_id;
            UPDATE meetings_searchfacet SET topics = (SELECT coalesce(json_group_array(topic_id), '[]') FROM (SELECT topic_id FROM meetings_itemtopic WHERE item_id = new.item_id ORDER BY topic_id)), topics_public = (SELECT coalesce(json_group_array(topic_id), '[]') FROM (SELECT topic_id FROM meetings_itemtopic WHERE item_id = new.item_id AND (in_title OR NOT restricted) ORDER BY topic_id)) WHERE item_id = new.item_id;
        END
""",
    """
        CREATE TRIGGER meetings_searchfacet_link_delete AFTER DELETE ON meetings_itemtopic
        BEGIN
            UPDATE meetings_searchfacet SET topics = (SELECT coalesce(json_group_array(topic_id), '[]') FROM (SELECT topic_id FROM meetings_itemtopic WHERE item_id = old.item_id ORDER BY topic_id)), topics_public = (SELECT coalesce(json_group_array(topic_id), '[]') FROM (SELECT topic_id FROM meetings_itemtopic WHERE item_id = old.item_id AND (in_title OR NOT restricted) ORDER BY topic_id)) WHERE item_id = old.item_id;
        END
""",
    """
        CREATE TRIGGER meetings_searchcount_insert AFTER INSERT ON meetings_searchfacet
        BEGIN
        INSERT INTO meetings_searchcount (year, restricted, status, body, items)
        VALUES (coalesce(new.year, 0), new.restricted, new.status, new.body, +1)
        ON CONFLICT (year, restricted, status, body) DO UPDATE SET items = items + 1;
        INSERT INTO meetings_searchtopiccount (topic_id, year, items, items_public)
        SELECT value, coalesce(new.year, 0), +1, 0 FROM json_each(new.topics) WHERE true
        ON CONFLICT (topic_id, year) DO UPDATE SET items = items + 1;
        INSERT INTO meetings_searchtopiccount (topic_id, year, items, items_public)
        SELECT value, coalesce(new.year, 0), 0, +1 FROM json_each(new.topics_public)
        WHERE true
        ON CONFLICT (topic_id, year) DO UPDATE SET items_public = items_public + 1;
     END
""",
    """
        CREATE TRIGGER meetings_searchcount_update AFTER UPDATE ON meetings_searchfacet
        WHEN old.year IS NOT new.year OR old.restricted IS NOT new.restricted
            OR old.status IS NOT new.status OR old.body IS NOT new.body
            OR old.topics IS NOT new.topics OR old.topics_public IS NOT new.topics_public
        BEGIN
        INSERT INTO meetings_searchcount (year, restricted, status, body, items)
        VALUES (coalesce(old.year, 0), old.restricted, old.status, old.body, -1)
        ON CONFLICT (year, restricted, status, body) DO UPDATE SET items = items - 1;
        INSERT INTO meetings_searchtopiccount (topic_id, year, items, items_public)
        SELECT value, coalesce(old.year, 0), -1, 0 FROM json_each(old.topics) WHERE true
        ON CONFLICT (topic_id, year) DO UPDATE SET items = items - 1;
        INSERT INTO meetings_searchtopiccount (topic_id, year, items, items_public)
        SELECT value, coalesce(old.year, 0), 0, -1 FROM json_each(old.topics_public)
        WHERE true
        ON CONFLICT (topic_id, year) DO UPDATE SET items_public = items_public - 1;

        INSERT INTO meetings_searchcount (year, restricted, status, body, items)
        VALUES (coalesce(new.year, 0), new.restricted, new.status, new.body, +1)
        ON CONFLICT (year, restricted, status, body) DO UPDATE SET items = items + 1;
        INSERT INTO meetings_searchtopiccount (topic_id, year, items, items_public)
        SELECT value, coalesce(new.year, 0), +1, 0 FROM json_each(new.topics) WHERE true
        ON CONFLICT (topic_id, year) DO UPDATE SET items = items + 1;
        INSERT INTO meetings_searchtopiccount (topic_id, year, items, items_public)
        SELECT value, coalesce(new.year, 0), 0, +1 FROM json_each(new.topics_public)
        WHERE true
        ON CONFLICT (topic_id, year) DO UPDATE SET items_public = items_public + 1;
     END
""",
    """
        CREATE TRIGGER meetings_searchcount_delete AFTER DELETE ON meetings_searchfacet
        BEGIN
        INSERT INTO meetings_searchcount (year, restricted, status, body, items)
        VALUES (coalesce(old.year, 0), old.restricted, old.status, old.body, -1)
        ON CONFLICT (year, restricted, status, body) DO UPDATE SET items = items - 1;
        INSERT INTO meetings_searchtopiccount (topic_id, year, items, items_public)
        SELECT value, coalesce(old.year, 0), -1, 0 FROM json_each(old.topics) WHERE true
        ON CONFLICT (topic_id, year) DO UPDATE SET items = items - 1;
        INSERT INTO meetings_searchtopiccount (topic_id, year, items, items_public)
        SELECT value, coalesce(old.year, 0), 0, -1 FROM json_each(old.topics_public)
        WHERE true
        ON CONFLICT (topic_id, year) DO UPDATE SET items_public = items_public - 1;
     END
""",
    """
INSERT OR REPLACE INTO meetings_searchfacet (item_id, meeting_id, date, year, body, position,
            restricted, status, topics, topics_public)
        SELECT i.id, i.meeting_id, m.date, CAST(strftime('%Y', m.date) AS INTEGER), m.body, i.position, i.restricted,
            i.status, coalesce(t.topics, '[]'), coalesce(t.topics_public, '[]')
        FROM meetings_agendaitem i
        JOIN meetings_meeting m ON m.id = i.meeting_id
        LEFT JOIN (
            SELECT l.item_id, json_group_array(l.topic_id) AS topics,
                json_group_array(l.topic_id)
                    FILTER (WHERE l.in_title OR NOT r.restricted) AS topics_public
            FROM (SELECT * FROM meetings_itemtopic ORDER BY item_id, topic_id) l
            JOIN meetings_agendaitem r ON r.id = l.item_id

            GROUP BY l.item_id
        ) t ON t.item_id = i.id

""",
    """
DELETE FROM meetings_searchcount
""",
    """
DELETE FROM meetings_searchtopiccount
""",
    """
INSERT INTO meetings_searchcount (year, restricted, status, body, items)
        SELECT coalesce(year, 0), restricted, status, body, count(*) FROM meetings_searchfacet
        GROUP BY 1, 2, 3, 4
""",
    """
INSERT INTO meetings_searchtopiccount (topic_id, year, items, items_public)
        SELECT topic_id, year, sum(a), sum(p) FROM (
            SELECT j.value AS topic_id, coalesce(f.year, 0) AS year, 1 AS a, 0 AS p
            FROM meetings_searchfacet f, json_each(f.topics) j
            UNION ALL
            SELECT j.value, coalesce(f.year, 0), 0, 1
            FROM meetings_searchfacet f, json_each(f.topics_public) j
        ) links GROUP BY topic_id, year
""",
]

SQLITE_DROP = [
    """
DROP TRIGGER IF EXISTS meetings_searchfacet_item_insert
""",
    """
DROP TRIGGER IF EXISTS meetings_searchfacet_item_update
""",
    """
DROP TRIGGER IF EXISTS meetings_searchfacet_item_delete
""",
    """
DROP TRIGGER IF EXISTS meetings_searchfacet_meeting_update
""",
    """
DROP TRIGGER IF EXISTS meetings_searchfacet_link_insert
""",
    """
DROP TRIGGER IF EXISTS meetings_searchfacet_link_update
""",
    """
DROP TRIGGER IF EXISTS meetings_searchfacet_link_delete
""",
    """
DROP TRIGGER IF EXISTS meetings_searchcount_insert
""",
    """
DROP TRIGGER IF EXISTS meetings_searchcount_update
""",
    """
DROP TRIGGER IF EXISTS meetings_searchcount_delete
""",
    """
DROP TABLE IF EXISTS meetings_searchfacet
""",
    """
DROP TABLE IF EXISTS meetings_searchcount
""",
    """
DROP TABLE IF EXISTS meetings_searchtopiccount
""",
]

# fmt: on


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("meetings", "0006_overrides_and_history")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL_CREATE, "sqlite": SQLITE_CREATE}),
            _run({"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP}),
        ),
    ]
