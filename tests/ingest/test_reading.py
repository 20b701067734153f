"""Reading a minutes file (``ingest.reading``): decoding, size and binary checks, line endings."""

import codecs

import pytest

from ingest.reading import RejectedDocument, normalise_text, read_minutes


class TestReadMinutes:
    def test_utf8_is_read_as_is(self):
        assert read_minutes("Café – £5\n".encode()) == ("Café – £5\n", "utf-8")

    def test_utf8_byte_order_mark_is_dropped(self):
        text, encoding = read_minutes(codecs.BOM_UTF8 + b"Minutes\n")
        assert (text, encoding) == ("Minutes\n", "utf-8-sig")

    def test_windows_1252_is_tried_after_utf8(self):
        assert read_minutes("Café – £5 ‘quoted’\n".encode("cp1252")) == (
            "Café – £5 ‘quoted’\n",
            "cp1252",
        )

    def test_utf16_with_its_mark_is_read(self):
        text, encoding = read_minutes("Minutes – agreed\n".encode("utf-16"))
        assert text == "Minutes – agreed\n"
        assert encoding == "utf-16"

    @pytest.mark.parametrize("data", [b"", b"  \n\r\n\t"], ids=["empty", "blank"])
    def test_empty_file_is_refused(self, data):
        with pytest.raises(RejectedDocument, match="^empty file$"):
            read_minutes(data)

    @pytest.mark.parametrize(
        "data",
        [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", bytes(range(1, 32)) * 20 + b"text"],
        ids=["nul-bytes", "control-characters"],
    )
    def test_binary_data_is_refused(self, data):
        with pytest.raises(RejectedDocument, match="^binary data, not text minutes$"):
            read_minutes(data)

    def test_bytes_that_are_neither_utf8_nor_windows_1252_are_refused(self):
        with pytest.raises(RejectedDocument, match=r"characters that cannot be read \(byte 0x81"):
            read_minutes(b"Minutes \x81\x8d of the meeting")

    def test_file_over_the_size_limit_is_refused(self, settings):
        settings.MINUTES_MAX_BYTES = 5 * 1024 * 1024
        with pytest.raises(RejectedDocument, match=r"file is 5\.0 MB, over the 5 MB limit"):
            read_minutes(b"a" * (5 * 1024 * 1024 + 1))

    def test_line_endings_are_normalised_for_the_parser(self):
        assert normalise_text("one\r\ntwo\rthree\n") == "one\ntwo\nthree\n"
