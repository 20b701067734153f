"""Import many minutes files together: ``import_documents``.

Storing a document alone costs a transaction, a dozen statements and, on PostgreSQL, a run of
the search index's statement triggers, more than the rows themselves. So documents are stored
in batches of ``BATCH_SIZE`` in one transaction, and in each batch a run of documents that
all make new meetings (the usual case: minutes the archive has not seen) is written together,
a statement or two a table for the whole run. Documents that update or match a stored
meeting, or share a file, a file name or a meeting with another document of the batch, are
stored one at a time by ``services.store_document``, each in a savepoint of its own, in
their place in the order, so the outcome is that of importing the files one by one.

Should writing a run together fail, it is rolled back and its documents are stored one at a
time instead: a bad document then fails alone, with its name and reason.
"""

import datetime
import gc
import logging
import multiprocessing
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.models import Q

from ingest import reading, services, writers
from ingest.history import import_event
from ingest.services import CREATED, FAILED, ImportOutcome, ParsedFile, SourceFile
from ingest.topics import TopicCache, tag_topics, topic_terms
from meetings.models import (
    AgendaItem,
    ImportEvent,
    Meeting,
    SourceDocument,
)
from meetings.search import backend_for, insert_instances, next_ids

logger = logging.getLogger(__name__)

# Documents stored in one transaction; each is its own savepoint when stored alone.
BATCH_SIZE = 50


def import_documents(
    files: list[tuple[str, bytes]],
    *,
    body: str | None = None,
    meeting_date: datetime.date | None = None,
    dry_run: bool = False,
    imported_by=None,
    imported_by_name: str = "",
    batch_size: int = BATCH_SIZE,
    workers: int = 0,
    writers: int = 1,
) -> list[ImportOutcome]:
    """Import many minutes files, each as ``services.import_document`` would; their outcomes
    in order.

    ``files`` holds (file name, bytes) pairs. Up to ``batch_size`` documents are stored in one
    transaction (see the module's docstring). Should the batch's transaction itself fail (its
    commit, say), nothing of it is kept and its documents are imported again one transaction
    each.

    Files are read and parsed before their batch's transaction begins. With ``workers``, that
    is done by as many processes, a few files ahead of the one being stored; the results come
    back in order, so the outcome is the same as without. With ``writers`` (PostgreSQL, outside
    a transaction), batches of new documents are stored on as many connections at once; see
    ``_Writers``.
    """
    options = {"body": body, "meeting_date": meeting_date, "dry_run": dry_run}
    matcher = _Matcher(alongside=not dry_run and not connection.in_atomic_block)
    with (
        _collector_between_batches(paused=workers > 0) as collect,
        _reader(workers) as (read_and_parse, looked_for),
        matcher,
        _Writers(writers, matcher) as store,
    ):
        readings = zip(files, read_and_parse(files), strict=True)
        for batch in _batches(readings, batch_size):
            collect()
            documents = [
                ParsedFile(
                    SourceFile(
                        name, data, imported_by, imported_by_name, reading.text, reading.encoding
                    ),
                    reading.parsed,
                    reading.reason,
                    reading.found,
                )
                for (name, data), reading in batch
            ]
            if dry_run:
                store.done([services.import_parsed(document, **options) for document in documents])
            else:
                store(documents, looked_for=looked_for, **options)
    return store.outcomes()


# How many imports under way in this process have paused the cycle collector, and whether it
# was running before the first of them.
_pausing = threading.Lock()
_paused = {"imports": 0, "was_enabled": False}


# Batches between two full collections while the collector is paused.
_FULL_COLLECTION_EVERY = 20


@contextmanager
def _collector_between_batches(*, paused: bool):
    """Pause Python's collector of reference cycles for an import whose files are parsed in
    other processes (``paused``), and give a function that collects the objects made since
    its last call: called once a batch.

    An import makes hundreds of thousands of objects a batch, most of which live on (what was
    read, the outcomes), and the collector, run every few hundred new objects, went through
    them and all the older ones again and again: a third of the storing process's time. Storing
    makes few cycles (under 50 objects in 300 documents): those of a batch are collected with
    it, and those that outlive their batch at every twentieth. Parsing makes many (a Word
    document or a PDF thousands), so where the files are parsed in this process the collector
    runs as usual, and the processes that parse them run their own
    (``reading.start_reader``). The collector is the process's: it runs again once no import
    is under way.
    """
    if not paused:
        yield lambda: None
        return
    with _pausing:
        if _paused["imports"] == 0:
            _paused["was_enabled"] = gc.isenabled()
            gc.disable()
        _paused["imports"] += 1
    batches = 0

    def collect():
        nonlocal batches
        batches += 1
        gc.collect(2 if batches % _FULL_COLLECTION_EVERY == 0 else 1)

    try:
        yield collect
    finally:
        with _pausing:
            _paused["imports"] -= 1
            if _paused["imports"] == 0 and _paused["was_enabled"]:
                gc.enable()


class _Matcher:
    """Matches the follow-ups each stored batch can touch (``services.rematch_follow_ups``).

    Outside a transaction, in a thread of its own and on a connection of its own, a batch at a
    time, in the order the batches were stored, while the next batches are read and stored:
    matching a batch reads thousands of items, and the processor would otherwise wait for it
    at the end. Each batch is matched once it is committed, after the batches stored before
    it, and taking the statuses stored as right for the archive without it, which they are
    once those are matched: the statuses come out as matching the whole import at the end
    would give. A batch with documents stored one at a time (a re-import, an update) waits for
    the matching under way, which may read the follow-ups it rewrites.

    Inside a transaction (the other connection would not see what it stores), the whole
    import is matched at the end, in this thread. So it is too if a batch's matching failed:
    nothing is lost, as matching works out every status again from the stored follow-ups.
    """

    def __init__(self, *, alongside: bool):
        self.alongside = alongside
        self.outcomes: list[ImportOutcome] = []  # of every batch stored
        self.under_way: list = []  # futures
        self.failed = False

    def __enter__(self):
        self.pool = ThreadPoolExecutor(1) if self.alongside else None
        return self

    def __exit__(self, exc_type, *exc_info):
        if self.pool is not None:
            self.wait()
            self.pool.submit(_close_connection).result()  # the thread's own
            self.pool.shutdown()
        if exc_type is None and self.outcomes and (self.pool is None or self.failed):
            # Once for the whole import: each body's follow-ups around the dates it touched.
            with transaction.atomic():
                services.rematch_follow_ups(self.outcomes)

    def stored(self, outcomes: list[ImportOutcome]) -> None:
        """Match the follow-ups a batch just stored (committed) can touch."""
        self.outcomes += outcomes
        if self.pool is not None and not self.failed:
            self.under_way.append(self.pool.submit(self._match, outcomes))

    def wait(self) -> None:
        """Wait for the matching under way."""
        for future in self.under_way:
            try:
                future.result()
            except Exception:
                logger.exception("Matching beside the import failed; matching at its end")
                self.failed = True
        self.under_way = []

    @staticmethod
    def _match(outcomes: list[ImportOutcome]) -> None:
        services.rematch_follow_ups(outcomes)


def _close_connection() -> None:
    connections[DEFAULT_DB_ALIAS].close()


class _Writers:
    """Stores batches, in order, and keeps their outcomes.

    On PostgreSQL, with more than one writer and outside a transaction, a batch whose
    documents all make new meetings is stored on a connection of its own, in a thread, while
    the next batches are read and stored: the database works on one batch while Python
    prepares the next. A batch waits for the batches being stored that share a file, a file
    name or a meeting with it, so that each finds what those stored; a batch with documents
    stored one at a time (updates) is stored with no other batch under way. Two batches of
    new meetings update the search counts in one statement each, locking the count rows in
    the same order, so neither waits for the other in a cycle. A batch whose writer fails is
    stored again, alone, on this thread's connection.
    """

    def __init__(self, count: int, matcher: "_Matcher | None" = None):
        self.count = count
        self.matcher = matcher
        self.parallel = (
            count > 1
            and backend_for(connection).parallel_writers
            and not connection.in_atomic_block
        )
        self.slots: list = []  # each batch's outcomes, or None while it is being stored
        self.under_way: list = []  # (future, keys, slot, documents, options)

    def __enter__(self):
        self.pool = ThreadPoolExecutor(self.count) if self.parallel else None
        self.connections = set()  # the writer threads' own, kept open from batch to batch
        return self

    def __exit__(self, *exc_info):
        if self.pool is not None:
            try:
                self._drain()
            finally:
                self.pool.shutdown()
                for writer_connection in self.connections:
                    writer_connection.close()
                    writer_connection.dec_thread_sharing()

    def done(self, outcomes: list[ImportOutcome]) -> None:
        self.slots.append(outcomes)

    def _stored(self, outcomes: list[ImportOutcome]) -> list[ImportOutcome]:
        if self.matcher is not None:
            self.matcher.stored(outcomes)
        return outcomes

    def __call__(self, documents: list[ParsedFile], **options) -> None:
        keys = _batch_keys(documents, options["body"], options["meeting_date"])
        if self.parallel:
            shared = {key for document_keys in keys.values() for key in document_keys}
            for entry in [entry for entry in self.under_way if entry[1] & shared]:
                self._finish(entry)
        # Whether a document finds a stored one: only once the batches sharing a key with it
        # are stored.
        alone = _stored_alone(documents, keys)
        if any(alone):
            # Stored with nothing else under way: no other batch, and no matching, which may
            # read or write the follow-ups a re-import rewrites.
            self._drain()
            if self.matcher is not None:
                self.matcher.wait()
        if not self.parallel or any(alone):
            self.slots.append(self._stored(_store_or_each_alone(documents, options, alone)))
            return
        while len(self.under_way) >= self.count:
            self._finish(self.under_way[0])
        future = self.pool.submit(self._store, documents, options, alone)
        self.under_way.append((future, shared, len(self.slots), documents, options))
        self.slots.append(None)

    def _store(self, documents: list[ParsedFile], options: dict, alone: list[bool]):
        """Store a batch of new documents in a writer thread, on its own connection; raise
        rather than store them one at a time (that is left to the thread that started it,
        with no other batch under way)."""
        own = connections[DEFAULT_DB_ALIAS]
        if own not in self.connections:
            own.inc_thread_sharing()  # closed by the thread that started the import
            self.connections.add(own)
        return _store_batch(documents, alone=alone, each_alone_on_failure=False, **options)

    def outcomes(self) -> list[ImportOutcome]:
        return [outcome for outcomes in self.slots for outcome in outcomes]

    def _finish(self, entry) -> None:
        future, _keys, slot, documents, options = entry
        self.under_way.remove(entry)
        try:
            self.slots[slot] = self._stored(future.result())
        except Exception:
            logger.exception("A batch stored beside others failed; storing it again alone")
            self._drain()
            self.slots[slot] = self._stored(_store_or_each_alone(documents, options))

    def _drain(self) -> None:
        while self.under_way:
            self._finish(self.under_way[0])


def _store_or_each_alone(documents: list[ParsedFile], options: dict, alone=None):
    try:
        return _store_batch(documents, alone=alone, **options)
    except DatabaseError:
        logger.exception("A batch of %d documents failed; importing each alone", len(documents))
        options = {name: options[name] for name in ("body", "meeting_date", "dry_run")}
        return [services.import_parsed(document, **options) for document in documents]


@contextmanager
def _reader(workers: int):
    """A function reading and parsing (file name, bytes) pairs in order, lazily: in this
    process, or in ``workers`` processes; and the topics it looks for in them too, if any.
    Parsing uses no database, so forked processes may do it; they never touch the parent's
    connection."""
    if workers < 1:
        yield (lambda files: map(reading.read_and_parse, files)), frozenset()
        return
    # The processes look for the topics as they are now (``reading.start_reader``).
    terms = topic_terms()
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, reading.start_reader, (terms,)) as pool:
        yield (
            (lambda files: pool.imap(reading.read_and_parse, files, chunksize=2)),
            frozenset(terms),
        )


def _batches(items, size: int):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@transaction.atomic
def _store_batch(
    documents: list[ParsedFile],
    *,
    body=None,
    meeting_date=None,
    looked_for=frozenset(),
    alone: list[bool] | None = None,
    each_alone_on_failure: bool = True,
    **options,
):
    """Store a batch: runs of new documents together, the others one at a time, in order.

    ``alone`` says which documents are stored one at a time, if ``_stored_alone`` was asked
    already. Without ``each_alone_on_failure``, a run that cannot be stored together raises.
    """
    topics = TopicCache()
    if alone is None:
        alone = _stored_alone(documents, _batch_keys(documents, body, meeting_date))

    def each_alone(run):
        return [
            services.import_parsed(
                document,
                topics=topics,
                body=body,
                meeting_date=meeting_date,
                match_follow_ups=False,
                **options,
            )
            for document in run
        ]

    def together(run):
        """A run of new documents stored together; if that fails, rolled back and stored
        one at a time."""
        try:
            with transaction.atomic():
                return _create_all(
                    run, topics, body, meeting_date, looked_for, options.get("action")
                )
        except Exception:
            if not each_alone_on_failure:
                raise
            logger.exception(
                "Storing %d new documents together failed; storing each alone", len(run)
            )
            topics.forget()  # topics created for the run were rolled back with it
            return each_alone(run)

    outcomes, run = [], []
    for document, by_itself in zip(documents, alone, strict=True):
        if by_itself:
            outcomes += together(run) if len(run) > 1 else each_alone(run)
            outcomes += each_alone([document])
            run = []
        else:
            run.append(document)
    outcomes += together(run) if len(run) > 1 else each_alone(run)
    return outcomes


def _batch_keys(documents: list[ParsedFile], body, meeting_date) -> dict[int, list[tuple]]:
    """What ties each readable document to a meeting, by ``id()``: its bytes, its file name
    and, when it has a date, its body and date (``services.find_meeting`` looks by these)."""
    keys = {}
    for document in documents:
        if not document.reason:
            target = services.target_for(document.parsed, body, meeting_date)
            source = document.source
            keys[id(document)] = [("sha", source.sha256), ("name", source.file_name)]
            if target.date is not None:
                keys[id(document)].append(("on", target.body, target.date))
    return keys


def _stored_alone(documents: list[ParsedFile], keys: dict[int, list[tuple]]) -> list[bool]:
    """For each document, whether it must be stored by itself: it may belong to a stored
    meeting (``services.find_meeting`` might find one), or it shares its bytes, its file name
    or its body and date with another document of the batch. ``keys`` from ``_batch_keys``.
    Three queries for the batch."""
    shared = Counter(key for document_keys in keys.values() for key in document_keys)
    stored = set()
    shas = [key[1] for document_keys in keys.values() for key in document_keys if key[0] == "sha"]
    names = [key[1] for document_keys in keys.values() for key in document_keys if key[0] == "name"]
    dated = [key[1:] for document_keys in keys.values() for key in document_keys if key[0] == "on"]
    if shas:
        matching = SourceDocument.objects.filter(sha256__in=shas, meeting__isnull=False)
        stored.update(("sha", sha) for sha in matching.values_list("sha256", flat=True))
    if names:
        matching = SourceDocument.objects.filter(
            file_name__in=names, status=SourceDocument.Status.IMPORTED, meeting__isnull=False
        )
        stored.update(("name", name) for name in matching.values_list("file_name", flat=True))
    if dated:
        on = Q()
        for meeting_body, date in dated:
            on |= Q(body=meeting_body, date=date)
        stored.update(
            ("on", *key) for key in Meeting.objects.filter(on).values_list("body", "date")
        )
    return [
        not document.reason and any(shared[key] > 1 or key in stored for key in keys[id(document)])
        for document in documents
    ]


def _create_all(
    documents: list[ParsedFile], topics: TopicCache, body, meeting_date, looked_for, action
):
    """What ``services.store_document`` does for a new meeting, and ``_import_parsed`` for a
    document that cannot be read, for many documents at once."""
    action = action or ImportEvent.Action.IMPORT
    good = [document for document in documents if not document.reason]
    targets = [services.target_for(document.parsed, body, meeting_date) for document in good]
    # Numbered first, the originals and their meetings are written each pointing at the other
    # (the foreign keys are checked at commit).
    original = {}
    for document, pk in zip(
        documents, next_ids(connection, SourceDocument, len(documents)), strict=True
    ):
        original[id(document)] = SourceDocument(
            pk=pk,
            **writers.source_fields(document.source, body),
            shape=document.parsed.shape if document.parsed else "",
            status=SourceDocument.Status.FAILED
            if document.reason
            else SourceDocument.Status.IMPORTED,
            error=document.reason,
        )
    meetings = []
    for document, target, pk in zip(
        good, targets, next_ids(connection, Meeting, len(good)), strict=True
    ):
        meeting = Meeting(pk=pk, source=original[id(document)])
        writers.fill_meeting(meeting, document.parsed, target)
        meeting.set_needs_review()
        original[id(document)].meeting = meeting
        meetings.append(meeting)
    insert_instances(connection, SourceDocument, original.values())
    insert_instances(connection, Meeting, meetings)

    pairs, matches = [], {}
    for document, meeting in zip(good, meetings, strict=True):
        items = []
        for position, parsed_item in enumerate(document.parsed.items, start=1):
            item = AgendaItem(meeting=meeting, position=position)
            writers.fill_item(item, parsed_item)
            items.append(item)
            pairs.append((item, parsed_item))
        # Document by document, as one at a time: a topic a document makes tags it and the
        # documents after it, not those before.
        matches.update(tag_topics(items, topics, found=document.found, looked_for=looked_for))
    writers.insert_items(pairs, matches)
    writers.insert_follow_ups(pairs)
    writers.insert_attendees(
        [(meeting, document.parsed) for document, meeting in zip(good, meetings, strict=True)]
    )

    outcomes = {
        id(document): services.outcome_for(
            CREATED, document.source, document.parsed, meeting, target
        )
        for document, meeting, target in zip(good, meetings, targets, strict=True)
    }
    for document in documents:
        if document.reason:
            outcomes[id(document)] = ImportOutcome(
                FAILED, document.source.file_name, document.reason, parsed=document.parsed
            )
    ImportEvent.objects.bulk_create(
        import_event(
            action=action,
            outcome=outcomes[id(document)].status,
            file_name=document.source.file_name,
            message=outcomes[id(document)].message,
            meeting_id=getattr(outcomes[id(document)].meeting, "pk", None),
            document_id=original[id(document)].pk,
            by=document.source.imported_by,
            by_name=document.source.imported_by_name,
        )
        for document in documents
    )
    return [outcomes[id(document)] for document in documents]
