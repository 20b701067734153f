"""What an anonymous visitor can reach never includes the text of restricted items.

The sample minutes are imported; then a client without the permission follows every same-site
link from the home page (pages, feeds, JSON, search pages and their CSV), plus every item,
meeting, topic and person address an attacker could guess from sequential ids and slugs, and
runs searches (the page and the CSV) for words found only in restricted text. Phrases that
occur only in restricted items' agenda text, minutes or decisions must never appear in any
response, and every page linked to must answer: a missing search page or CSV fails the test.
"""

import html
import json
import re
from collections import deque
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from ingest.services import import_document
from meetings import followups
from meetings.models import (
    AgendaItem,
    Attendee,
    FollowUp,
    ItemTopic,
    Meeting,
    Resolution,
    Topic,
)
from tests.conftest import MINUTES_DIR

pytestmark = pytest.mark.django_db

HOST = "testserver"
MAX_PAGES = 3000
MAX_SEARCH_PAGES = 300  # filter links multiply; enough to cover every kind of search page
SKIPPED_PREFIXES = ("/admin/", "/static/")
LINK = re.compile(r"""<(?:a|link)\b[^>]*?\bhref\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
WORD = re.compile(r"[^\W\d_]{5,}")
MIN_PHRASE_WORDS = 5


def normalise(text: str) -> str:
    """Text as a reader sees it: tags dropped, entities decoded (twice, for feeds), one space."""
    for _ in range(2):
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return " ".join(text.split()).casefold()


def readable(response) -> str:
    """The text of a response, JSON strings decoded."""
    body = response.content.decode(response.charset or "utf-8", errors="replace")
    if response.get("Content-Type", "").startswith("application/json"):
        body = json.dumps(json.loads(body), ensure_ascii=False)
    return normalise(body)


@pytest.fixture
def samples(db):
    for path in sorted(MINUTES_DIR.glob("*.txt")):
        outcome = import_document(path.read_bytes(), path.name)
        assert not outcome.failed, outcome.message
    assert AgendaItem.objects.filter(restricted=True).exists()
    add_follow_ups()


def add_follow_ups():
    """Every item with minutes raises a follow-up in their words (a restricted item's are
    secret), matched as an import matches them."""
    for item in AgendaItem.objects.exclude(minutes_text=""):
        FollowUp.objects.create(
            item=item, position=1, kind="promise", what=item.minutes_text[:300],
            who="Officers", due="next_meeting", phrase=item.minutes_text,
        )  # fmt: skip
    for body in Meeting.objects.values_list("body", flat=True).distinct():
        followups.rematch(body, Meeting.objects.filter(body=body).values_list("date", flat=True))
    assert FollowUp.objects.filter(item__restricted=True).exists()


def restricted_texts() -> list[str]:
    texts = []
    for item in AgendaItem.objects.filter(restricted=True):
        texts += [item.agenda_text, item.minutes_text, item.restricted_reason]
    texts += Resolution.objects.filter(item__restricted=True).values_list("text", flat=True)
    return [text for text in texts if text]


def public_text() -> str:
    """Everything an anonymous visitor may legitimately read, normalised."""
    parts = []
    for item in AgendaItem.objects.all():
        parts += [item.number, item.number_printed, item.title]
        if not item.restricted:
            parts += [item.agenda_text, item.minutes_text, *item.attachments]
    parts += Resolution.objects.filter(item__restricted=False).values_list("text", flat=True)
    for meeting in Meeting.objects.all():
        parts += [meeting.body, meeting.venue, meeting.contact]
    parts += Attendee.objects.values_list("printed", flat=True)
    public_topics = ItemTopic.objects.with_restricted(False).values_list("topic", flat=True)
    for topic in Topic.objects.filter(pk__in=public_topics):
        parts += topic.get_names()
    return normalise("\n".join(part for part in parts if part))


def secret_phrases(restricted=None, public=None) -> list[str]:
    """Sentences of restricted text that occur nowhere in public text (by default, those of
    ``restricted_texts`` and ``public_text``)."""
    public = public_text() if public is None else public
    phrases = set()
    for text in restricted_texts() if restricted is None else restricted:
        for sentence in SENTENCE_END.split(text):
            phrase = normalise(sentence)
            if len(phrase.split()) >= MIN_PHRASE_WORDS and phrase not in public:
                phrases.add(phrase)
    return sorted(phrases)


def secret_words(restricted=None, public=None) -> list[str]:
    """Words of restricted text that occur nowhere in public text (by default, those of
    ``restricted_texts`` and ``public_text``)."""
    public = set(WORD.findall(public_text() if public is None else public))
    restricted = restricted_texts() if restricted is None else restricted
    words = {word for text in restricted for word in WORD.findall(normalise(text))}
    return sorted(words - public)


def guessable_urls() -> list[str]:
    """Addresses an attacker can build from ids and slugs without following any link."""
    urls = []
    for pk in Meeting.objects.values_list("pk", flat=True):
        urls += [f"/meetings/{pk}/", f"/meetings/{pk}.json"]
    urls += [f"/items/{pk}/" for pk in AgendaItem.objects.values_list("pk", flat=True)]
    for slug in Topic.objects.values_list("slug", flat=True):
        urls += [f"/topics/{slug}/", f"/feeds/topics/{slug}/"]
    urls += [f"/people/{slug}/" for slug in Attendee.objects.values_list("person__slug", flat=True)]
    return urls


def same_site_path(href: str, base: str) -> str | None:
    url, _ = urldefrag(urljoin(f"http://{HOST}{base}", html.unescape(href)))
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc != HOST:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if path.startswith(SKIPPED_PREFIXES):
        return None
    return path


def crawl(client, phrases):
    """Visit everything reachable from the home page, checking every response for ``phrases``.

    Returns the paths visited and the paths that answered 404 (guessed addresses of things the
    visitor may not see).
    """
    queue = deque([("/", "home")])
    queue.extend((url, "guessed") for url in guessable_urls())
    seen = {url for url, _ in queue}
    visited, not_found, search_pages = [], [], 0
    while queue and len(visited) < MAX_PAGES:
        path, found_on = queue.popleft()
        if path.startswith("/search/"):
            search_pages += 1
            if search_pages > MAX_SEARCH_PAGES:
                continue
        response = client.get(path)
        visited.append(path)
        if response.status_code == 404:
            not_found.append(path)
            continue
        assert response.status_code == 200, (
            f"{path} (linked from {found_on}): {response.status_code}"
        )
        text = readable(response)
        for phrase in phrases:
            assert phrase not in text, f"restricted text in {path}: {phrase!r}"
        body = response.content.decode(response.charset or "utf-8", errors="replace")
        for href in LINK.findall(body):
            target = same_site_path(href, path)
            if target and target not in seen:
                seen.add(target)
                queue.append((target, path))
    return visited, not_found


class TestAnonymousCrawl:
    def test_the_samples_have_restricted_text_to_protect(self, samples, client, restricted_viewer):
        phrases = secret_phrases()
        assert phrases
        # The phrases are real: someone allowed to read restricted items does see them.
        client.force_login(restricted_viewer)
        item = AgendaItem.objects.filter(restricted=True).exclude(minutes_text="").first()
        page = normalise(client.get(f"/items/{item.pk}/").content.decode())
        assert any(phrase in page for phrase in phrases)

    def test_no_restricted_text_anywhere_a_visitor_can_go(self, samples, client):
        phrases = secret_phrases()

        visited, not_found = crawl(client, phrases)

        kinds = {
            "home": "/",
            "meeting list": "/meetings/",
            "year": "/meetings/year/",
            "meeting": re.compile(r"^/meetings/\d+/$"),
            "json": re.compile(r"^/meetings/\d+\.json$"),
            "item": "/items/",
            "topic list": "/topics/",
            "topic": re.compile(r"^/topics/[\w-]+/$"),
            "people": "/people/",
            "person": re.compile(r"^/people/[\w-]+/$"),
            "meetings feed": "/feeds/meetings/",
            "topic feed": "/feeds/topics/",
            "search": "/search/?",
            "search CSV": "/search/results.csv?",
        }
        for kind, pattern in kinds.items():
            reached = [
                path
                for path in visited
                if path not in not_found
                and (
                    pattern.match(path)
                    if isinstance(pattern, re.Pattern)
                    else path.startswith(pattern)
                )
            ]
            assert reached, f"the crawl reached no {kind} page"
        # Only guessed addresses of topics the visitor may not see may be missing.
        hidden_topics = {f"/topics/{s}/" for s in Topic.objects.values_list("slug", flat=True)}
        hidden_topics |= {
            f"/feeds/topics/{s}/" for s in Topic.objects.values_list("slug", flat=True)
        }
        assert all(path in hidden_topics for path in not_found), not_found

    def test_searching_for_words_only_in_restricted_text(self, samples, client):
        phrases = secret_phrases()
        words = secret_words()
        assert words
        control = "xqzvbnwplk"  # found nowhere: what a search page says about nothing
        baseline = client.get("/search/", {"q": control})
        assert baseline.status_code == 200, f"/search/?q={control}"
        baseline_text = readable(baseline)

        for word in words:
            for path in ("/search/", "/search/results.csv"):
                response = client.get(path, {"q": word})
                assert response.status_code == 200, f"{path}?q={word}"
                text = readable(response)
                for phrase in phrases:
                    assert phrase not in text, f"restricted text in {path}?q={word}"
                assert f"<mark>{word}</mark>" not in response.content.decode().casefold()
                if path == "/search/":
                    # The word may be echoed back (in the search box, in "no results for ...")
                    # and may be part of the page itself, but is found no more often than that.
                    allowed = occurrences(control, baseline_text) + occurrences(word, baseline_text)
                    assert occurrences(word, text) <= allowed, f"{word!r} found by search"


def occurrences(word: str, text: str) -> int:
    return len(re.findall(rf"\b{re.escape(word)}\b", text))
