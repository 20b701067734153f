"""The query language (meetings.search.query): read the same way for every database."""

import pytest

from meetings.search import query
from meetings.search.query import parse_query


class TestQuerySyntax:
    def test_words_phrases_alternatives_and_exclusions(self):
        parsed = parse_query('night "town centre" -fireworks or bonfire')

        assert [[(op.text, op.negated) for op in group] for group in parsed.groups] == [
            [("night", False), ("town centre", False), ("fireworks", True)],
            [("bonfire", False)],
        ]
        assert parsed.websearch() == '"night" "town centre" -"fireworks" or "bonfire"'

    @pytest.mark.parametrize(
        ("text", "groups"),
        [
            ("the of and", []),
            ("***", []),
            ("-", []),
            ("or", []),
            ("x or", [["x"]]),
            ("or x", [["x"]]),
            ("x or or y", [["x"], ["y"]]),
            ('"unclosed phrase', [["unclosed phrase"]]),
            ('""', []),
            ("--x", [["x"]]),
            ("a-b", [["a-b"]]),
            ("(x) | !y & <z>", [["x)", "y", "z>"]]),
        ],
    )
    def test_reads_anything_as_web_search_does(self, text, groups):
        parsed = parse_query(text)

        assert [[op.text for op in group] for group in parsed.groups] == groups

    def test_long_queries_are_cut(self):
        parsed = parse_query("word " * 2000)

        assert sum(len(group) for group in parsed.groups) == query.MAX_OPERANDS
