"""PostgreSQL: the "sample N" lexeme moves out of the copied vectors into its own column.

Migration 0007 appended the lexeme to each copy of an item's search vectors. Held in a column
of its own and indexed beside them (``gin (vector, sample)``), the vectors are plain copies again
and an unchanged vector is never rewritten. SQLite has no such column: nothing changes there.
The SQL is written out as it stood when this migration was made.
"""

from django.db import migrations

# ruff: noqa: E501
# fmt: off
_REFRESH = """
CREATE OR REPLACE FUNCTION meetings_searchfacet_refresh(ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    DELETE FROM meetings_searchfacet f
    WHERE f.item_id = ANY(ids)
      AND NOT EXISTS (SELECT FROM meetings_agendaitem i WHERE i.id = f.item_id);
    INSERT INTO meetings_searchfacet AS f (item_id, meeting_id, date, year, body, position, restricted, status, topics, topics_public, vector, vector_public{sample_column})
    SELECT i.id, i.meeting_id, m.date, extract(year FROM m.date), m.body, i.position,
        i.restricted, i.status, coalesce(t.topics, '{{}}'), coalesce(t.topics_public, '{{}}'),
        {vectors}
    FROM meetings_agendaitem i
    JOIN meetings_meeting m ON m.id = i.meeting_id{lexeme_join}
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
"""

FORWARD = [
    "DROP INDEX IF EXISTS searchfacet_vector_idx",
    "DROP INDEX IF EXISTS searchfacet_public_idx",
    "ALTER TABLE meetings_searchfacet ADD COLUMN sample tsvector",
    """
    UPDATE meetings_searchfacet f
    SET sample = array_to_tsvector(ARRAY['sample ' || f.item_id % 64]),
        vector = i.search_vector,
        vector_public = CASE WHEN i.restricted THEN i.search_vector_public END
    FROM meetings_agendaitem i
    WHERE i.id = f.item_id
    """,
    "ALTER TABLE meetings_searchfacet ALTER COLUMN sample SET NOT NULL",
    _REFRESH.format(
        sample_column=", sample",
        vectors="i.search_vector, CASE WHEN i.restricted THEN i.search_vector_public END,\n"
        "        array_to_tsvector(ARRAY['sample ' || i.id % 64])",
        lexeme_join="",
    ),
    "CREATE INDEX searchfacet_vector_idx ON meetings_searchfacet USING gin (vector, sample)",
    "CREATE INDEX searchfacet_public_idx ON meetings_searchfacet USING gin (vector_public, sample) WHERE restricted",
    "ANALYZE meetings_searchfacet",
]

BACKWARD = [
    "DROP INDEX IF EXISTS searchfacet_vector_idx",
    "DROP INDEX IF EXISTS searchfacet_public_idx",
    """
    UPDATE meetings_searchfacet f
    SET vector = f.vector || f.sample, vector_public = f.vector_public || f.sample
    """,
    "ALTER TABLE meetings_searchfacet DROP COLUMN sample",
    _REFRESH.format(
        sample_column="",
        vectors="i.search_vector || s.lexeme,\n"
        "        CASE WHEN i.restricted THEN i.search_vector_public || s.lexeme END",
        lexeme_join="\n    CROSS JOIN LATERAL (\n"
        "        SELECT array_to_tsvector(ARRAY['sample ' || i.id % 64]) AS lexeme\n"
        "    ) s",
    ),
    "CREATE INDEX searchfacet_vector_idx ON meetings_searchfacet USING gin (vector)",
    "CREATE INDEX searchfacet_public_idx ON meetings_searchfacet USING gin (vector_public) WHERE restricted",
]
# fmt: on


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("meetings", "0007_search_performance")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
