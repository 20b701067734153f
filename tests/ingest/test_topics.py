import pytest

from ingest import reading
from ingest.services import import_document
from ingest.topics import (
    TopicTerm,
    discover_topic_names,
    match_topics,
    preview_topics,
    topic_terms,
)
from meetings.models import ItemTopic, Topic
from tests.conftest import SAMPLES, sample_bytes

HARMONY = TopicTerm("harmony", "Operation Harmony", ("Op Harmony", "Project Harmony"))
NIGHTFALL = TopicTerm("nightfall", "Operation Nightfall")
PREVENT = TopicTerm("prevent", "Prevent", case_sensitive=True)
ASB = TopicTerm("asb", "Anti-Social Behaviour", ("ASB",))
TERMS = [HARMONY, NIGHTFALL, PREVENT, ASB]


def test_title_and_text_matches_are_told_apart():
    found = match_topics(
        TERMS,
        "Operation Harmony Update",
        "Members of the community recommended that Operation Nightfall be continued.",
    )
    assert found == {"harmony": True, "nightfall": False}


def test_aliases_find_the_topic():
    assert match_topics(TERMS, "Ropner/Town Centre (Op Harmony) Update", "") == {"harmony": True}
    assert match_topics(TERMS, "", "an overview of project Harmony") == {"harmony": False}


def test_case_sensitive_topic_is_not_the_ordinary_word():
    assert match_topics(TERMS, "Police Update", "a group to prevent the progression") == {}
    assert match_topics(TERMS, "Prevent Strategy Update", "") == {"prevent": True}


def test_whole_words_only_and_spelling_variants_of_separators():
    assert match_topics(TERMS, "", "ASBOs were issued") == {}
    assert match_topics(TERMS, "", "anti social behaviour fell") == {"asb": False}
    assert match_topics(TERMS, "", "Operation Nightfalls") == {}


def test_operation_and_project_names_are_discovered():
    text = (
        "Offices also highlighted operation Nightfall. Project Harmony/ Shield continued; "
        "the operation was being developed and the Project Team met. Op Shield began."
    )
    assert discover_topic_names(text) == [
        "Operation Nightfall",
        "Project Harmony",
        "Op Shield",
    ]


def test_a_sentence_ending_in_operation_names_no_operation():
    text = "Police reviewed the operation. Be aware of the project. Op. Harmony began."
    assert discover_topic_names(text) == ["Op Harmony"]


def test_a_few_topics_are_found_as_they_are_among_many():
    # An index of a few words searches texts for them instead of splitting the texts.
    many = TERMS + [TopicTerm(n, f"Topic{n} word{n}") for n in range(20)]
    keys = {term.key for term in TERMS}
    texts = [
        ("Operation Harmony Update", "Operation Nightfall continued; ASB fell."),
        ("", "ASBOs and nightfalls; Prevent_ and xPrevent are not Prevent"),
        ("Prevent", "anti social-behaviour, op  harmony"),
        ("Café update", "Opération Nightfall; Operation Nightfall à Stockton"),
        ("", "operation\nnightfall, ANTI-SOCIAL BEHAVIOUR"),
    ]
    for title, text in texts:
        among_many = match_topics(many, title, text)
        assert match_topics(TERMS, title, text) == {
            key: in_title for key, in_title in among_many.items() if key in keys
        }
    assert match_topics(TERMS, "", "ASBOs; Prevent_ prevents") == {}


def test_names_are_looked_for_where_the_pattern_would_find_them():
    from ingest.topics import _NAMED_OPERATION, _named_operations

    texts = [
        "Op Operation Nightfall; project Project Harmony",
        "op. Harmony, op\tShield, xop Harmony, _op Harmony, cooperation Nightfall",
        "the operation. Be ready; OP HARMONY; Op.  Shield",
        "Opération Nightfall and op Harmony",  # not ASCII: the pattern itself
    ]
    for text in texts:
        assert [m.span() for m in _named_operations(text)] == [
            m.span() for m in _NAMED_OPERATION.finditer(text)
        ]


OPERATIONS = b"""Body: Safer Stockton Partnership
Date: 2025-03-05
Item: SSP/1/25 | Op Harmony Update | Surgeries were held with Operation Nightfall officers.
Item: SSP/2/25 | Anti-Social Behaviour | ASB fell; project Lighthouse and Op Harmony continue.
"""


def previewed_and_linked(data, name):
    """The topics the preview finds in each item, and those the import then links, as
    (position, topic name, in title); and the names of the topics each makes."""
    parsed = reading.parse_document(reading.read_document(data, name))

    matches, new_terms = preview_topics(parsed.items, topic_terms())
    names = {term.key: term.name for term in [*topic_terms(), *new_terms]}
    previewed = {
        (position, names[key], in_title)
        for position, item_matches in enumerate(matches, start=1)
        for key, in_title in item_matches.items()
    }

    meeting = import_document(data, name).meeting
    links = ItemTopic.objects.filter(item__meeting=meeting)
    linked = set(links.values_list("item__position", "topic__name", "in_title"))
    created = Topic.objects.filter(created_automatically=True).values_list("name", flat=True)
    return (previewed, sorted(term.name for term in new_terms)), (linked, sorted(created))


@pytest.mark.django_db
@pytest.mark.parametrize("name", SAMPLES)
def test_the_preview_finds_the_topics_the_import_links(name):
    preview, imported = previewed_and_linked(sample_bytes(name), name)
    assert preview == imported


@pytest.mark.django_db
def test_the_preview_makes_the_topics_the_import_makes(stub_parser):
    preview, imported = previewed_and_linked(OPERATIONS, "operations.txt")
    assert preview == imported
    assert preview[1] == ["Project Lighthouse"]
    assert (2, "Project Lighthouse", False) in preview[0]
