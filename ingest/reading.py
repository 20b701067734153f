"""Reading a minutes file: bytes in, text and a parsed document out, or the reason it cannot be.

Checks its size, tells text from binary data, decodes it (UTF-8, Windows-1252 or UTF-16), has
``ingest.converters`` turn a web page, a Word document or a PDF into text, and parses it
(``ingest.parsers``). Nothing here writes to the database.
"""

import codecs
import gc
import logging
import os
from dataclasses import dataclass

from django.conf import settings

from ingest import converters
from ingest.parsers import ParsedMeeting, parse_minutes
from ingest.topics import FoundTopics, TopicIndex, TopicTerm, found_topics, text_of
from ingest.writers import cut_to_columns

logger = logging.getLogger(__name__)

BINARY = "binary data, not text minutes"


# Bytes that never appear in text minutes; tab, line feed, form feed and carriage return do.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])


_MAX_CONTROL_SHARE = 0.01


class RejectedDocument(Exception):
    """The document cannot be imported; the message says why, for the person importing it."""


@dataclass
class ReadDocument:
    """A minutes file read: what it is, its text as received, and the text the parser reads."""

    kind: str  # converters.TEXT, HTML, DOCX or PDF
    text: str  # as received, decoded; for Word and PDF, the text taken from the file
    encoding: str  # "" for Word and PDF, whose text is not stored as encoded bytes
    minutes_text: str  # plain text with one kind of line ending, for the parser


_KIND_LABELS = {
    converters.HTML: "web page",
    converters.DOCX: "Word document",
    converters.PDF: "PDF",
}


def read_document(data: bytes, file_name: str) -> ReadDocument:
    """Read any accepted minutes file, or raise RejectedDocument saying why it cannot be.

    Plain text and saved web pages are decoded as ``read_minutes`` does; a web page, a Word
    document or a PDF is then turned into text by ``ingest.converters``. What a file is comes
    from its content where that is certain (a PDF or a Word document is recognised under any
    name), else from its name.
    """
    _check_size(data)
    kind = converters.kind_of(file_name, data)
    try:
        if kind in (converters.TEXT, converters.HTML):
            text, encoding = read_minutes(data)
            converted = converters.convert(kind, data, text)
        else:
            converted = converters.convert(kind, data)
            text, encoding = converted, ""
    except converters.ConversionError as exc:
        raise RejectedDocument(str(exc)) from exc
    if not converted.strip():
        raise RejectedDocument(f"the {_KIND_LABELS.get(kind, 'file')} holds no text")
    return ReadDocument(kind, text, encoding, normalise_text(converted))


def parse_document(document: ReadDocument) -> ParsedMeeting:
    """Parse a file read by ``read_document`` as an import does, writing nothing.

    Raises RejectedDocument when the import would refuse it: no agenda items found. A value
    longer than its column is cut, with a warning, as an import cuts it.
    """
    return parse(document.minutes_text)


def parse(text: str) -> ParsedMeeting:
    """Parse minutes text as an import does: RejectedDocument when no agenda items are found;
    a value longer than its column is cut, with a warning."""
    parsed = parse_minutes(text)
    if not parsed.items:
        raise RejectedDocument("no agenda items found")
    cut_to_columns(parsed)
    return parsed


def read_minutes(data: bytes) -> tuple[str, str]:
    """Decode the bytes of a minutes file: (text as received, encoding), or RejectedDocument.

    UTF-8 (with or without a byte-order mark) is tried first, then Windows-1252, the encoding
    of text saved from older Office programs; UTF-16 is read when it starts with its mark.
    """
    _check_size(data)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, encoding = _decode(data, ["utf-16"])
    elif _looks_binary(data):
        raise RejectedDocument(BINARY)
    else:
        utf8 = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
        text, encoding = _decode(data, [utf8, "cp1252"])
    if not text.strip():
        raise RejectedDocument("empty file")
    return text, encoding


def _check_size(data: bytes) -> None:
    if not data.strip():
        raise RejectedDocument("empty file")
    if len(data) > settings.MINUTES_MAX_BYTES:
        raise RejectedDocument(too_large(len(data)))


def too_large(size: int) -> str:
    """Why a file of ``size`` bytes is refused: "file is 6 MB, over the 5 MB limit"."""
    return f"file is {_size(size)}, over the {_size(settings.MINUTES_MAX_BYTES)} limit"


def _decode(data: bytes, encodings: list[str]) -> tuple[str, str]:
    for encoding in encodings:
        try:
            return data.decode(encoding), codecs.lookup(encoding).name
        except UnicodeDecodeError as exc:
            error = exc
    line = data.count(b"\n", 0, error.start) + 1
    raise RejectedDocument(
        f"this text file holds characters that cannot be read (byte 0x{data[error.start]:02X} "
        f"on line {line}). Save it again as UTF-8 text, or upload a Word or PDF version"
    )


def normalise_text(text: str) -> str:
    """The text the parser reads: one kind of line ending."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _looks_binary(data: bytes) -> bool:
    if b"\x00" in data:
        return True
    control = len(data) - len(data.translate(None, _CONTROL_BYTES))
    return control > len(data) * _MAX_CONTROL_SHARE


def _size(size: int) -> str:
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"


@dataclass
class Reading:
    """A file read and parsed: its text as received, and the parsed document or the reason it
    cannot be imported. Plain data, so that a worker process can send it back."""

    text: str = ""
    encoding: str = ""
    parsed: ParsedMeeting | None = None
    reason: str = ""
    found: list[FoundTopics] | None = None  # see ``start_reader``


_READER_NICENESS = 10

# The topics a reader process looks for in the documents it parses (see ``start_reader``).
_reader_topics: TopicIndex | None = None


def start_reader(terms: list[TopicTerm]) -> None:
    """Make this process, one of those reading and parsing files for ``import_documents``,
    find the topics ``terms`` in each document's items as well, beside the parsing: for new
    meetings, ``tag_topics`` then needs only to look for topics made since."""
    global _reader_topics
    _reader_topics = TopicIndex(terms)
    # The readers keep ahead of the process storing what they read, which is what an import
    # waits for: it, and the database, come first for the processor.
    os.nice(_READER_NICENESS)
    # Forked from a process whose import has paused the collector of reference cycles: a
    # reader makes many (a Word document or a PDF thousands), and keeps none of them.
    gc.enable()


def read_and_parse(file: tuple[str, bytes]) -> Reading:
    """Read and parse one (file name, bytes) pair; never raises: a file that cannot be imported
    gives a ``Reading`` with the reason."""
    file_name, data = file
    reading = Reading()
    try:
        read = read_document(data, file_name)
        reading.text, reading.encoding = read.text, read.encoding
        reading.parsed = parse(read.minutes_text)
        if _reader_topics is not None:
            reading.found = [
                found_topics(_reader_topics, item.title, text_of(item, item.resolutions))
                for item in reading.parsed.items
            ]
    except RejectedDocument as exc:
        reading.reason = str(exc)
    except Exception as exc:
        # A fault in the parser must not stop the other files of a batch.
        logger.exception("Import of %s failed", file_name)
        reading.reason = f"unexpected error: {exc}"
    return reading
