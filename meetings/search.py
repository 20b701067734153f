"""Full-text search over agenda items, on PostgreSQL and on SQLite.

Query syntax
------------
What people type in web search: words (all must match, stemmed: "patrols" finds "patrol"),
"quoted phrases", ``or`` between alternatives and ``-`` before a word or phrase to exclude it.
``parse_query`` reads a query once, the way PostgreSQL's ``websearch_to_tsquery`` does, into OR
groups of AND-ed operands. Every operand is then quoted again for the database, so nothing typed
reaches a database's own query language: ``"``, ``AND(``, ``*``, ``NEAR`` and the like are plain
text. English stop words ("the", "of") are left out on both databases, as PostgreSQL does; a
query with nothing left to search for matches nothing.

The index
---------
The weights: an item's number and title (A) count above its topic names and decisions (B), which
count above its agenda and minutes text (C); equal matches go newest meeting first.

Topic names and decisions live in other tables, so ``AgendaItem.search_extra`` holds a copy of
them and each index is built from the item's row alone. The import writes it with each new
item (``ingest.services.tag_topics``); triggers keep it in step whatever else changes decisions,
topic links or topic names (``meetings.search_extra``). ``manage.py rebuild_search_index``
recomputes every item's copy.

PostgreSQL: two stored generated ``tsvector`` columns on ``meetings_agendaitem``, made by
migration 0003: ``search_vector`` (A, B and C) and ``search_vector_public`` (number and title
only, and only for restricted items). They are not fields of the model, so the ordinary item
queries of every other page never load them; ``_IndexColumn`` refers to them in queries. Their
copies in ``meetings_searchfacet`` (below) have the GIN indexes that find the matches: since
migration 0011 the item table has none of its own. Queries use
``websearch_to_tsquery('english', ...)``, ``ts_rank`` with the weights above and
``ts_headline`` for the snippets of the page shown.

SQLite: the FTS5 table ``meetings_agendaitem_fts`` (Porter stemming over ``unicode61``) with
one row per item, the item's id as its rowid, kept in step with ``meetings_agendaitem`` by
triggers, so admin edits are indexed too. Ranking is ``bm25()`` with column weights and the
snippets come from ``snippet()``. Its ``sample`` column holds one word made from the item's id
(``SAMPLE_WORD``, see ``fts5_sample``), for counting broad searches on a sample, and its
``every`` column the word "item" (see ``ParsedQuery.fts5``); no query typed reaches either.
The unmanaged model ``ItemSearchEntry`` joins it to the items.
A later migration that rebuilds the item table drops its triggers; ``repair_sqlite_index``
runs after every ``migrate`` and puts them back.

At scale
--------
The search page itself reads ``meetings_searchfacet`` (see meetings/facet_index.py and
meetings/filters.py): a narrow copy of each item's facet values and, on PostgreSQL, of its two
vectors. ``AgendaItem.objects.search`` finds its matches there too on PostgreSQL, and ranks
them by the item table's vectors, with the same rules for restricted items.

Restricted items
----------------
Users without ``meetings.view_restricted`` may search a restricted item's number and title only.
On PostgreSQL they are matched against ``search_vector_public`` instead of ``search_vector``;
on SQLite a restricted item's decisions and text are indexed in columns of their own
(``restricted_extra``, ``restricted_body``) that their queries never name. Either way the
words of restricted text cannot select, rank or highlight anything for them, and a restricted
item's snippet is cut from its title. Nor can their length: on SQLite, where bm25 scales by
the length of the whole row, such an item is ranked with ``FTS_RESTRICTED_WEIGHTS``, which
leave the length out; PostgreSQL ranks ``search_vector_public`` without length normalisation.
"""

import re
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.db import connections
from django.db.models import (
    Case,
    Expression,
    F,
    FloatField,
    Func,
    Prefetch,
    TextField,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.expressions import Col, RawSQL
from django.db.models.functions import Concat, Lower, Substr
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import facet_index, search_extra
from .models import AgendaItem, ItemTopic, Resolution

# Queries

MAX_QUERY_LENGTH = 500
MAX_OPERANDS = 32

# PostgreSQL's english.stop, which its "english" configuration leaves out of queries.
_ENGLISH_STOP = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against
    between into through during before after above below to from up down in out on off over
    under again further then once here there when where why how all any both each few more
    most other some such no nor not only own same so than too very s t can will just don
    should now
"""
STOP_WORDS = frozenset(_ENGLISH_STOP.split())

_WORD_CHARS = re.compile(r"[^\W_]+")
_BARE_WORD = re.compile(r'[^\s"]+')
_IGNORED_OPERATORS = set("!&|()<")


@dataclass(frozen=True)
class Operand:
    """A word or a quoted phrase of a query."""

    text: str  # as typed, without quotes
    words: tuple[str, ...]  # its words in lower case, punctuation left out
    negated: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    """A query as alternatives (``or``), each a list of operands that must all match."""

    text: str
    groups: tuple[tuple[Operand, ...], ...]

    @property
    def is_empty(self) -> bool:
        """Nothing to search for: no words, or only stop words and punctuation."""
        return not self.groups

    def websearch(self) -> str:
        """The query for ``websearch_to_tsquery``, every operand quoted."""
        return " or ".join(
            " ".join(f'{"-" if operand.negated else ""}"{operand.text}"' for operand in group)
            for group in self.groups
        )

    def fts5(self, columns) -> str:
        """The query for an FTS5 ``MATCH`` on ``columns``, every operand a quoted string.

        On every column of text, and with no word that could be one of the words the index
        holds in its other columns ("item", "sample12"), the operands name no columns: they
        match the same rows, and FTS5 counts a word's rows for ``bm25()`` without reading
        where in each row it stands, in half the time.
        """
        spec = "{" + " ".join(columns) + "} : "
        if set(ALL_COLUMNS) <= set(columns) and self._text_only():
            spec = ""

        def phrase(operand):
            return f'{spec}"{" ".join(operand.words)}"'

        alternatives = []
        for group in self.groups:
            required = [phrase(operand) for operand in group if not operand.negated]
            # FTS5 has no "NOT x" alone; "every" holds the same word in every row.
            expression = " AND ".join(required) or _FTS_EVERY_ROW
            for operand in group:
                if operand.negated:
                    expression = f"({expression}) NOT {phrase(operand)}"
            alternatives.append(f"({expression})")
        return " OR ".join(alternatives)

    def _text_only(self) -> bool:
        """Whether no word can match the index's ``every`` or ``sample`` column: words of
        ASCII letters and digits (the tokenizer reads no other way) that neither stem to nor
        start as one of those columns' words."""
        words = [word for group in self.groups for operand in group for word in operand.words]
        return all(
            word.isascii() and word.isalnum() and not word.startswith(_OTHER_COLUMN_WORDS)
            for word in words
        )


def parse_query(text: str) -> ParsedQuery:
    """Read a query typed in web search syntax; never fails, whatever the input.

    As ``websearch_to_tsquery``: ``-`` excludes the next operand, ``or`` between two operands
    separates alternatives (binding looser than the implicit "and"), a ``"`` opens a phrase
    that runs to the next ``"`` or to the end, and ``! & | ( ) <`` are ignored. Only the first
    ``MAX_QUERY_LENGTH`` characters and ``MAX_OPERANDS`` operands are read.
    """
    text = (text or "")[:MAX_QUERY_LENGTH]
    groups: list[tuple[Operand, ...]] = []
    group: list[Operand] = []
    negated = after_operand = False
    position, count = 0, 0
    while position < len(text) and count < MAX_OPERANDS:
        char = text[position]
        if char.isspace() or char in _IGNORED_OPERATORS:
            position += 1
            continue
        if char == "-":
            negated, after_operand = not negated, False
            position += 1
            continue
        if char == '"':
            end = text.find('"', position + 1)
            end = len(text) if end == -1 else end
            raw, position = text[position + 1 : end], end + 1
        else:
            match = _BARE_WORD.match(text, position)
            raw, position = match.group(), match.end()
            if after_operand and raw.lower() == "or" and text[position:].strip():
                groups.append(tuple(group))
                group, after_operand = [], False
                continue
        words = tuple(word.lower() for word in _WORD_CHARS.findall(raw))
        if words and not all(word in STOP_WORDS for word in words):
            group.append(Operand(raw.strip(), words, negated))
            count += 1
        negated, after_operand = False, True
    groups.append(tuple(group))
    return ParsedQuery(text, tuple(g for g in groups if g))


def _parsed(query) -> ParsedQuery:
    return query if isinstance(query, ParsedQuery) else parse_query(query)


# The index

CONFIG = "english"
# ts_rank weights for D, C, B, A: a single title match outranks any number of matches in B,
# and a single B match any number in C.
PG_WEIGHTS = [0.0, 0.01, 0.1, 1.0]

FTS_TABLE = "meetings_agendaitem_fts"
FTS_COLUMNS = (
    "number",
    "title",
    "extra",
    "body",
    "restricted_extra",
    "restricted_body",
    "every",
    "sample",
)
# bm25() weights, in the order of FTS_COLUMNS. bm25 saturates with the number of matches, so
# the steps are steep enough to keep the A, B, C order of the weights whatever the counts.
FTS_WEIGHTS = (1e6, 1e6, 1e3, 1.0, 1e3, 1.0, 0.0, 0.0)
# bm25() weights for a restricted item ranked for someone who may not read it. bm25 divides
# each column's matches by a term that grows with the length of the whole row, hidden text
# included; with a weight this large on the number and title (the only columns such a query
# names) that term vanishes in the floating-point sum, and each word matched there counts its
# full share, whatever else the row holds: two restricted items matching by title in the same
# way rank equal (then newest first). The score is that of the best possible title match.
FTS_RESTRICTED_WEIGHTS = (1e100, 1e100, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
PUBLIC_COLUMNS = ("number", "title", "extra", "body")
ALL_COLUMNS = (*PUBLIC_COLUMNS, "restricted_extra", "restricted_body")
_FTS_EVERY_ROW = '{every} : "item"'
# The "sample" column holds one word, "sample" and the item's id modulo SAMPLE_BUCKETS, as
# PostgreSQL's ``sample`` column does (meetings/facet_index.py): FTS5 finds the matches of a
# few buckets by skipping along that word's lists, where testing the rowid read every match.
SAMPLE_WORD = facet_index.SAMPLE_LEXEME
# A word a query names a column for: those of "every" and "sample" start so (Porter stemming
# only shortens a word's end, or changes its last letters to others than these).
_OTHER_COLUMN_WORDS = ("item", SAMPLE_WORD)
_TITLE_COLUMN = FTS_COLUMNS.index("title")
_BODY_COLUMN = FTS_COLUMNS.index("body")
_RESTRICTED_BODY_COLUMN = FTS_COLUMNS.index("restricted_body")


def _fts_values(row: str) -> str:
    """The values of an FTS row for the item ``row`` ("new." in a trigger, "" in a SELECT)."""
    number = (
        f"CASE WHEN {row}number_printed IN ('', {row}number) THEN {row}number "
        f"ELSE {row}number || ' ' || {row}number_printed END"
    )
    text = f"{row}agenda_text || char(10) || {row}minutes_text"
    return ", ".join(
        [
            f"{row}id",
            number,
            f"{row}title",
            f"CASE WHEN {row}restricted THEN '' ELSE {row}search_extra END",
            f"CASE WHEN {row}restricted THEN '' ELSE {text} END",
            f"CASE WHEN {row}restricted THEN {row}search_extra ELSE '' END",
            f"CASE WHEN {row}restricted THEN {text} ELSE '' END",
            "'item'",
            f"'{SAMPLE_WORD}' || ({row}id % {facet_index.SAMPLE_BUCKETS})",
        ]
    )


_FTS_INSERT = f"INSERT INTO {FTS_TABLE} (rowid, {', '.join(FTS_COLUMNS)})"
_INDEXED_FIELDS = (
    "number, number_printed, title, agenda_text, minutes_text, restricted, search_extra"
)
SQLITE_TRIGGERS = {
    f"{FTS_TABLE}_insert": f"""
        CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON meetings_agendaitem BEGIN
            {_FTS_INSERT} VALUES ({_fts_values("new.")});
        END""",
    f"{FTS_TABLE}_update": f"""
        CREATE TRIGGER {FTS_TABLE}_update AFTER UPDATE OF {_INDEXED_FIELDS}
        ON meetings_agendaitem BEGIN
            DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
            {_FTS_INSERT} VALUES ({_fts_values("new.")});
        END""",
    f"{FTS_TABLE}_delete": f"""
        CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON meetings_agendaitem BEGIN
            DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
        END""",
}
SQLITE_REBUILD = [
    f"DELETE FROM {FTS_TABLE}",
    f"{_FTS_INSERT} SELECT {_fts_values('')} FROM meetings_agendaitem ORDER BY id",
    # One segment for each word, rather than the many that filling the table leaves.
    f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')",
]


def fts5_sample(buckets: int) -> str:
    """An FTS5 query matching the items of the first ``buckets`` of ``SAMPLE_BUCKETS``.

    Only the code names the ``sample`` column: ``ParsedQuery.fts5`` puts every word typed in
    the columns it is given, so no query typed can reach it.
    """
    words = " OR ".join(f'"{SAMPLE_WORD}{bucket}"' for bucket in range(buckets))
    return f"{{sample}} : ({words})"


def rebuild_sqlite_index(connection) -> None:
    """Index every item again (SQLite)."""
    with connection.cursor() as cursor:
        for statement in SQLITE_REBUILD:
            cursor.execute(statement)


def repair_sqlite_index(sender=None, using="default", **kwargs) -> None:
    """Put back the triggers that keep the SQLite indexes in step, and reindex, if any is missing.

    Connected to ``post_migrate``: SQLite migrations that alter the item table copy it to a
    new table, which loses its triggers. Covers the full-text index, the narrow table of
    ``meetings.facet_index`` and the triggers of ``meetings.search_extra``.
    """
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT type, name FROM sqlite_master WHERE name = %s OR tbl_name = %s",
            [FTS_TABLE, "meetings_agendaitem"],
        )
        found = {name for _type, name in cursor.fetchall()}
    if FTS_TABLE in found and not set(SQLITE_TRIGGERS) <= found:
        with connection.cursor() as cursor:
            for name, sql in SQLITE_TRIGGERS.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(sql)
        rebuild_sqlite_index(connection)
    if facet_index.installed(connection) and facet_index.repair_sqlite_triggers(connection):
        facet_index.rebuild(connection)
    search_extra.repair_sqlite_triggers(connection)


@contextmanager
def bulk_load(connection, *, first_item_id: int, rebuild_indexes: bool = False):
    """Write many items inside this block; the search indexes take them all at the end.

    The triggers that index each new item (SQLite's full-text index, and the narrow table of
    ``meetings.facet_index``) are left out while the block runs, and the items from
    ``first_item_id`` on are indexed in a few statements afterwards. On PostgreSQL, with
    ``rebuild_indexes``, the GIN indexes are dropped and built again at the end, several times
    faster than updating them row by row. The tables are then analysed for the planner. Only
    for loads that nothing else writes to at the same time, outside a transaction.
    """
    if connection.in_atomic_block:
        # Inside a transaction (the tests) the triggers stay: PostgreSQL cannot drop one or
        # build an index while the transaction has checks pending, nor SQLite change its sync.
        yield
        return
    vendor = connection.vendor
    facets = facet_index.installed(connection)
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("PRAGMA synchronous")
            synchronous = cursor.fetchone()[0]
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_insert")
        else:
            cursor.execute("SET synchronous_commit = off")
    if facets:
        facet_index.suspend(connection)
    search_extra.suspend(connection)  # the load writes each item's copy itself
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if vendor == "sqlite":
                values = _fts_values("").replace("%", "%%")  # a statement with parameters
                cursor.execute(
                    f"{_FTS_INSERT} SELECT {values} FROM meetings_agendaitem WHERE id >= %s",
                    [first_item_id],
                )
                cursor.execute(SQLITE_TRIGGERS[f"{FTS_TABLE}_insert"])
            else:
                cursor.execute("SET maintenance_work_mem = '512MB'")
        if facets:
            facet_index.resume(
                connection, first_item_id=first_item_id, rebuild_indexes=rebuild_indexes
            )
        search_extra.resume(connection)
        with connection.cursor() as cursor:
            if vendor == "sqlite":
                cursor.execute(f"PRAGMA synchronous = {int(synchronous)}")
            else:
                cursor.execute("RESET maintenance_work_mem")
                cursor.execute("RESET synchronous_commit")
            cursor.execute("ANALYZE")


def search_extra_text(topic_names, decisions) -> str:
    """What ``AgendaItem.search_extra`` holds: the topic names, then the decisions."""
    return "\n".join([*topic_names, *decisions])


def refresh_search_extra(item_ids, *, using: str = "default") -> int:
    """Recompute ``search_extra`` of these items from their topics and decisions (4 queries)."""
    ids = list(item_ids)
    names, decisions = defaultdict(list), defaultdict(list)
    links = ItemTopic.objects.using(using).filter(item_id__in=ids)
    for item_id, name in links.values_list("item_id", "topic__name"):
        names[item_id].append(name)
    resolutions = Resolution.objects.using(using).filter(item_id__in=ids)
    for item_id, text in resolutions.order_by("item_id", "order").values_list("item_id", "text"):
        decisions[item_id].append(text)
    changed = []
    items = AgendaItem.objects.using(using).filter(pk__in=ids).only("pk", "search_extra")
    for item in items:
        text = search_extra_text(sorted(names[item.pk]), decisions[item.pk])
        if item.search_extra != text:
            item.search_extra = text
            changed.append(item)
    AgendaItem.objects.using(using).bulk_update(changed, ["search_extra"], batch_size=500)
    return len(changed)


# Searching


class _IndexColumn(Expression):
    """A column of ``meetings_agendaitem`` that the model does not declare (PostgreSQL)."""

    def __init__(self, column: str):
        super().__init__(output_field=SearchVectorField())
        self.column = column

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        target = SearchVectorField()
        target.set_attributes_from_name(self.column)
        target.model = query.model
        # A Col of the query's own table follows it when the query becomes a subquery.
        return Col(query.get_initial_alias(), target)


def _vendor(queryset) -> str:
    vendor = connections[queryset.db].vendor
    if vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"Search is not available on {vendor}.")
    return vendor


def _pg_query(parsed: ParsedQuery) -> SearchQuery:
    return SearchQuery(parsed.websearch(), search_type="websearch", config=CONFIG)


def _pg_matching_ids(parsed: ParsedQuery, include_restricted: bool) -> RawSQL:
    """The ids of the items matching, found through the GIN indexes of the narrow table's
    copies of their vectors: a restricted item by its number and title alone unless
    ``include_restricted``."""
    query = f"websearch_to_tsquery('{CONFIG}', %s)"
    facets = facet_index.FACET_TABLE
    if include_restricted:
        sql = f"SELECT item_id FROM {facets} WHERE vector @@ {query}"
        return RawSQL(sql, [parsed.websearch()])
    sql = (
        f"SELECT item_id FROM {facets} WHERE NOT restricted AND vector @@ {query} UNION ALL "
        f"SELECT item_id FROM {facets} WHERE restricted AND vector_public @@ {query}"
    )
    return RawSQL(sql, [parsed.websearch()] * 2)


def search(queryset, query, *, include_restricted: bool = False):
    """``queryset`` narrowed to the items matching ``query``, with the alias ``search_rank``.

    A larger ``search_rank`` is a better match. See the module's docstring for what a user
    without the permission (``include_restricted=False``) can match.
    """
    parsed = _parsed(query)
    if parsed.is_empty:
        return queryset.none().alias(search_rank=Value(0.0, output_field=FloatField()))
    if _vendor(queryset) == "postgresql":
        tsquery = _pg_query(parsed)
        full = _IndexColumn("search_vector")
        matching = queryset.filter(pk__in=_pg_matching_ids(parsed, include_restricted))
        if include_restricted:
            return matching.alias(search_rank=SearchRank(full, tsquery, weights=PG_WEIGHTS))
        public = _IndexColumn("search_vector_public")
        vector = Case(
            When(restricted=True, then=public), default=full, output_field=SearchVectorField()
        )
        return matching.alias(search_rank=SearchRank(vector, tsquery, weights=PG_WEIGHTS))
    columns = ALL_COLUMNS if include_restricted else PUBLIC_COLUMNS

    def bm25(weights):
        return Func(
            F("search_entry__document"),
            *(Value(weight) for weight in weights),
            function="bm25",
            output_field=FloatField(),
        )

    rank = bm25(FTS_WEIGHTS)
    if not include_restricted:
        rank = Case(
            When(restricted=True, then=bm25(FTS_RESTRICTED_WEIGHTS)),
            default=rank,
            output_field=FloatField(),
        )
    # bm25() is negative, the better match the lower.
    return queryset.filter(search_entry__document__match=parsed.fts5(columns)).alias(
        search_rank=-rank
    )


# Snippets

_MARK_START, _MARK_STOP = "\ue000", "\ue001"  # private-use characters, marked after escaping
_MARKED = re.compile(f"{_MARK_START}([^{_MARK_START}{_MARK_STOP}]*){_MARK_STOP}")
SNIPPET_WORDS = 30
EXCERPT_CHARACTERS = 240


def _sqlite_snippet(column: int):
    return Func(
        F("search_entry__document"),
        Value(column),
        Value(_MARK_START),
        Value(_MARK_STOP),
        Value("…"),
        Value(SNIPPET_WORDS),
        function="snippet",
        output_field=TextField(),
    )


def with_snippets(queryset, query, *, include_restricted: bool = False):
    """Annotate ``search_snippet`` on the items of ``queryset`` that match ``query``.

    Costly: meant for the 20 items of one page. The marks are private-use characters;
    ``snippet_html`` escapes the text and turns them into ``<mark>``.
    """
    parsed = _parsed(query)
    if parsed.is_empty:
        return queryset.none()
    if _vendor(queryset) == "postgresql":
        text = Concat("agenda_text", Value("\n"), "minutes_text", output_field=TextField())
        if include_restricted:
            document = text
        else:
            document = Case(
                When(restricted=True, then=F("title")), default=text, output_field=TextField()
            )
        return queryset.annotate(
            search_snippet=SearchHeadline(
                document,
                _pg_query(parsed),
                config=CONFIG,
                start_sel=_MARK_START,
                stop_sel=_MARK_STOP,
                max_words=SNIPPET_WORDS,
                min_words=SNIPPET_WORDS // 2,
                max_fragments=1,
                fragment_delimiter=" … ",
            )
        )
    hidden = _RESTRICTED_BODY_COLUMN if include_restricted else _TITLE_COLUMN
    return search(queryset, parsed, include_restricted=include_restricted).annotate(
        search_snippet=Case(
            When(restricted=True, then=_sqlite_snippet(hidden)),
            default=_sqlite_snippet(_BODY_COLUMN),
        )
    )


def _sqlite_page_snippets(ids, parsed: ParsedQuery, include_restricted: bool, using: str):
    """(id, marked snippet) of the items ``ids`` that match: one query, one index seek each.

    FTS5 finds one row of a match quickly by its rowid, but not a list of rowids: with
    ``rowid IN (...)`` it reads the whole match for each, a second for a common word.
    """
    columns = ALL_COLUMNS if include_restricted else PUBLIC_COLUMNS
    hidden = _RESTRICTED_BODY_COLUMN if include_restricted else _TITLE_COLUMN
    snippet = (
        f"CASE WHEN i.restricted THEN snippet({FTS_TABLE}, {hidden}, %s, %s, %s, {SNIPPET_WORDS})"
        f" ELSE snippet({FTS_TABLE}, {_BODY_COLUMN}, %s, %s, %s, {SNIPPET_WORDS}) END"
    )
    one = (
        f"SELECT {FTS_TABLE}.rowid, {snippet} FROM {FTS_TABLE}"
        f" JOIN meetings_agendaitem i ON i.id = {FTS_TABLE}.rowid"
        f" WHERE {FTS_TABLE} MATCH %s AND {FTS_TABLE}.rowid = %s"
    )
    marks = [_MARK_START, _MARK_STOP, "…"] * 2
    params = []
    for pk in ids:
        params += [*marks, parsed.fts5(columns), pk]
    with connections[using].cursor() as cursor:
        cursor.execute(" UNION ALL ".join([one] * len(ids)), params)
        return cursor.fetchall()


def snippet_html(marked: str) -> SafeString:
    """Snippet text as HTML: escaped first, then the matched words wrapped in ``<mark>``."""
    html = _MARKED.sub(r"<mark>\1</mark>", escape(" ".join((marked or "").split())))
    return mark_safe(html.replace(_MARK_START, "").replace(_MARK_STOP, ""))


def excerpt(text: str) -> str:
    """The opening words of ``text``, for a result when there is no query to cut a snippet."""
    text = " ".join((text or "").split())
    if len(text) <= EXCERPT_CHARACTERS:
        return text
    return text[:EXCERPT_CHARACTERS].rsplit(" ", 1)[0] + " …"


# Results of a page


def prepare_page(items, query, *, include_restricted: bool) -> None:
    """Give each item of one page of results ``snippet`` (safe HTML) and ``shown_topics``.

    Two queries whatever the number of items: the topics the user may see (for a restricted
    item, only those named in its title), and the snippets, cut from the text around the
    matched words, or the opening words of the minutes when there is no query.
    """
    items = list(items)
    topics = (
        ItemTopic.objects.with_restricted(include_restricted)
        .select_related("topic")
        .order_by(Lower("topic__name"))
    )
    prefetch_related_objects(
        items, Prefetch("item_topics", queryset=topics, to_attr="shown_topics")
    )
    if not items:
        return
    ids = [item.pk for item in items]
    parsed = _parsed(query)
    page = AgendaItem.objects.filter(pk__in=ids)
    if parsed.is_empty:
        shown = page.with_restricted_text(include_restricted).annotate(
            opening=Case(
                When(minutes_text_shown="", then=Substr("agenda_text_shown", 1, 400)),
                default=Substr("minutes_text_shown", 1, 400),
            )
        )
        snippets = {pk: excerpt(text) for pk, text in shown.values_list("pk", "opening")}
    elif connections[page.db].vendor == "sqlite":
        rows = _sqlite_page_snippets(ids, parsed, include_restricted, page.db)
        snippets = {pk: snippet_html(text) for pk, text in rows}
    else:
        shown = page.with_search_snippets(parsed, include_restricted=include_restricted)
        rows = shown.values_list("pk", "search_snippet")
        snippets = {pk: snippet_html(text) for pk, text in rows}
    for item in items:
        item.snippet = snippets.get(item.pk, "")
