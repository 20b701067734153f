"""What staff without ``view_restricted`` can reach in the admin never includes restricted text.

The sample minutes are imported, with a restricted item whose decision was once edited in the
admin, a topic found only in its text and overrides. Then a staff member holding every
permission but ``view_restricted`` walks the admin: every registered model's changelist with
each filter, sort and facet link it offers and searches for restricted words; the add, change,
delete and history pages of every object (those the user may not see must answer as if missing);
the autocomplete of every relation; every extra page of a model's admin (import, preview); each
action's confirmation or outcome; and every admin link found on those pages. Each page must
answer 200, and no phrase or word found only in restricted text may appear in any of them.

Models, their objects, extra admin URLs, actions and relations are read from ``admin.site``
and the app registry, so a model registered later is walked too.
"""

import datetime
import html
import re
from collections import deque
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from ingest.services import import_document
from meetings.models import (
    AgendaItem,
    Attendee,
    ImportEvent,
    Meeting,
    Override,
    Resolution,
    SourceDocument,
    Topic,
)
from tests.conftest import MINUTES_DIR, RESTRICTED_WORD
from tests.meetings.test_admin_restricted import log_decision_edit
from tests.meetings.test_restricted_crawl import (
    add_follow_ups,
    normalise,
    public_text,
    readable,
    secret_phrases,
    secret_words,
)

pytestmark = pytest.mark.django_db

HOST = "testserver"
LINK = re.compile(r"""<(?:a|link)\b[^>]*?\bhref\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
# Found only in the restricted item made here: in its text, its decision and a topic's name.
HIDDEN_TOPIC = "Operation Wombat"
SKIPPED = ("/admin/logout/", "/admin/r/", "/static/")
STANDARD_VIEWS = {"changelist", "add", "history", "delete", "change"}
# Pages refused to the user by design; the status each must answer.
REFUSED = {
    # The original file holds the text of any restricted items; it is not linked for them.
    "meetings_sourcedocument_original": 403,
}
# Pages of some objects only: the objects each is for (the others answer 404).
ONLY_FOR = {
    # Only a correction a re-import could not place is placed by hand.
    "meetings_override_place": {"unmatched__isnull": False},
}


@pytest.fixture
def archive(make_meeting, django_user_model):
    """The samples, and a meeting whose restricted item has a topic found only in its text, a
    decision edited by hand and overrides. Returns that item."""
    for path in sorted(MINUTES_DIR.glob("*.txt")):
        outcome = import_document(path.read_bytes(), path.name)
        assert not outcome.failed, outcome.message
    meeting = make_meeting(
        date=datetime.date(2025, 3, 19),
        items=[
            {"number": "SSP/60/25", "title": "Operation Nightfall", "minutes_text": "Noted."},
            {
                "number": "SSP/61/25",
                "title": "Contract Review",
                "restricted": True,
                "agenda_text": f"To consider the {RESTRICTED_WORD} contract.",
                "minutes_text": f"The {RESTRICTED_WORD} contract and {HIDDEN_TOPIC} were noted.",
                "resolutions": [f"AGREED that the {RESTRICTED_WORD} contract be terminated."],
                "topics": {HIDDEN_TOPIC: False},
            },
        ],
    )
    item = meeting.items.get(restricted=True)
    Topic.objects.filter(name=HIDDEN_TOPIC).update(created_automatically=True)
    Override.objects.create(item=item, field="restricted", value=True, created_by_name="jo")
    Override.objects.create(item=item, field="title", value=item.title, created_by_name="jo")
    # A hand restriction a re-import could not place: its meeting lists it, to place or drop.
    Override.objects.create(
        meeting=meeting,
        field="restricted",
        value=True,
        created_by_name="jo",
        unmatched={"position": 3, "number": "SSP/62/25", "title": "Old Business", "held": {}},
    )
    # A follow-up set by hand on a restricted item a re-import removed, kept in its words.
    Override.objects.create(
        meeting=meeting,
        field="follow_up",
        value={
            "kind": "action",
            "what": f"the {RESTRICTED_WORD} contract's final accounts",
            "who": "Legal Services",
            "due": "next_meeting",
            "due_date": None,
            "phrase": f"The final accounts of the {RESTRICTED_WORD} contract to come back.",
            "position": 1,
            "status": "closed",
            "returned_item": None,
            "note": f"The {RESTRICTED_WORD} contract was settled.",
            "rejected_items": [],
            "restricted": True,
        },
        unmatched={"position": 4, "number": "SSP/63/25", "title": "Contract Settlement"},
    )
    add_follow_ups()  # the restricted item's among them, in the words of its minutes
    officer = django_user_model.objects.create_superuser("officer", password="x-long-enough-1")
    log_decision_edit(officer, item)
    assert AgendaItem.objects.filter(restricted=True).count() > 1
    return item


@pytest.fixture
def clerk(django_user_model):
    """Staff holding every permission there is except ``view_restricted``."""
    user = django_user_model.objects.create_user("clerk", password="x-long-enough-2", is_staff=True)
    user.user_permissions.set(Permission.objects.exclude(codename="view_restricted"))
    return django_user_model.objects.get(pk=user.pk)


def admin_public_text() -> str:
    """What the admin may show such a user: the public site's text and more."""
    parts = [public_text()]
    for meeting in Meeting.objects.all():
        parts += [meeting.header_text, *meeting.warnings]
    for row in Attendee.objects.values_list("name", "organisation", "role", "title", "honours"):
        parts += row
    parts += SourceDocument.objects.values_list("file_name", flat=True)
    parts += SourceDocument.objects.values_list("error", flat=True)
    parts += ImportEvent.objects.values_list("message", flat=True)
    parts += AgendaItem.objects.values_list("restricted_reason", flat=True)
    return normalise("\n".join(part for part in parts if part))


def restricted_texts() -> list[str]:
    """What is withheld: restricted items' text and decisions, topics found only there, and
    the follow-ups kept from restricted items.

    The reason an item is restricted is shown on the public site too.
    """
    texts = []
    for item in AgendaItem.objects.filter(restricted=True):
        texts += [item.agenda_text, item.minutes_text]
    texts += Resolution.objects.filter(item__restricted=True).values_list("text", flat=True)
    for kept in Override.objects.filter(field="follow_up").values_list("value", flat=True):
        if kept["restricted"]:
            texts += [kept["what"], kept["phrase"], kept["note"]]
    hidden_topics = Topic.objects.exclude(pk__in=Topic.objects.with_restricted(False))
    texts += hidden_topics.values_list("name", flat=True)
    return [text for text in texts if text]


class Leaks:
    """Checks each response for restricted phrases and words."""

    def __init__(self):
        self.phrases = secret_phrases(restricted_texts(), admin_public_text())
        self.words = secret_words(restricted_texts(), admin_public_text())
        assert self.phrases
        assert RESTRICTED_WORD in self.words
        assert "wombat" in self.words

    def check(self, response, path, echoed: str = ""):
        text = readable(response)
        for phrase in self.phrases:
            assert phrase not in text, f"restricted text in {path}: {phrase!r}"
        for word in self.words:
            if word != echoed:
                assert not re.search(rf"\b{word}\b", text), f"restricted word in {path}: {word!r}"


def same_site_admin_path(href: str, base: str) -> str | None:
    parts = urlsplit(urljoin(f"http://{HOST}{base}", html.unescape(href)))
    if parts.netloc != HOST or not parts.path.startswith("/admin/"):
        return None
    if parts.path.startswith(SKIPPED):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def admin_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def object_urls(model, model_admin, request):
    """(url, expected status) of the change, history and delete pages of every object.

    Objects the user may not see (decisions of restricted items, hidden topics) must answer as
    if they did not exist: a redirect to the admin's home page.
    """
    opts = model._meta
    visible = set(model_admin.get_queryset(request).values_list("pk", flat=True))
    for obj in model._default_manager.all():
        shown = obj.pk in visible
        for view in ("change", "history", "delete"):
            if view == "delete" and shown and not model_admin.has_delete_permission(request, obj):
                continue
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])
            yield url, 200 if shown else 302


def extra_urls(model, model_admin):
    """The model admin's own pages besides Django's five, e.g. the import pages."""
    for pattern in model_admin.get_urls():
        name = pattern.name or ""
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if not name.startswith(prefix) or name.removeprefix(prefix) in STANDARD_VIEWS:
            continue
        if pattern.pattern.converters:
            offered = set(
                model._default_manager.filter(**ONLY_FOR.get(name, {})).values_list("pk", flat=True)
            )
            for pk in model._default_manager.values_list("pk", flat=True):
                expected = REFUSED.get(name, 200) if pk in offered else 404
                yield reverse(f"admin:{name}", args=[pk]), expected
        else:
            yield reverse(f"admin:{name}"), REFUSED.get(name, 200)


def autocomplete_urls(terms):
    """The autocomplete of every relation to a model whose admin has search fields."""
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not (field.is_relation and field.concrete and field.related_model):
                continue
            related_admin = admin.site._registry.get(field.related_model)
            if related_admin is None or not related_admin.search_fields:
                continue
            for term in terms:
                query = {
                    "app_label": model._meta.app_label,
                    "model_name": model._meta.model_name,
                    "field_name": field.name,
                    "term": term,
                }
                yield f"/admin/autocomplete/?{urlencode(query)}", term


class AdminWalk:
    def __init__(self, client, user, leaks):
        self.client, self.user, self.leaks = client, user, leaks
        self.seen: set[str] = set()
        self.queue: deque = deque()
        self.visited: list[str] = []

    def add(self, url, expected=200, found_on="seed"):
        if url not in self.seen:
            self.seen.add(url)
            self.queue.append((url, expected, found_on))

    def run(self):
        while self.queue:
            url, expected, found_on = self.queue.popleft()
            response = self.client.get(url)
            self.visited.append(url)
            status = response.status_code
            if found_on != "seed" and status == 302:
                # A link may lead to a redirect: follow it.
                response = self.client.get(url, follow=True)
                status = response.status_code
            assert status == expected, f"{url} (from {found_on}): {status}, not {expected}"
            if status == 302:
                response = self.client.get(url, follow=True)
                assert response.status_code == 200, url
            self.leaks.check(response, url)
            self.follow_links(response, url)

    def follow_links(self, response, url):
        if "html" not in response.get("Content-Type", ""):
            return
        body = response.content.decode(response.charset or "utf-8", errors="replace")
        for href in LINK.findall(body):
            target = same_site_admin_path(href, url)
            # Filter, sort and facet links are followed from an unfiltered list only: their
            # combinations would never end.
            if target and not ("?" in url and "?" in target):
                self.add(target, found_on=url)


def test_staff_without_the_permission_see_no_restricted_text_anywhere_in_the_admin(
    archive, client, clerk
):
    leaks = Leaks()
    request = admin_request(clerk)
    client.force_login(clerk)
    walk = AdminWalk(client, clerk, leaks)

    # An upload of minutes with restricted items, held for its preview.
    sample = next(p for p in sorted(MINUTES_DIR.glob("*.txt")) if "moderngov" in p.name)
    response = client.post(
        reverse("admin:meetings_sourcedocument_import"),
        {"files": [SimpleUploadedFile(sample.name, sample.read_bytes())]},
    )
    assert response.status_code == 302
    walk.add(response["Location"])

    walk.add("/admin/")
    for app_label in {model._meta.app_label for model in admin.site._registry}:
        walk.add(f"/admin/{app_label}/")
    searched = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        walk.add(changelist)
        walk.add(f"{changelist}?_facets=1")
        if model_admin.has_add_permission(request):
            walk.add(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        for url, expected in object_urls(model, model_admin, request):
            walk.add(url, expected)
        for url, expected in extra_urls(model, model_admin):
            # The preview of no uploads, say, sends back to the upload page.
            walk.add(url, expected, found_on=f"{model_admin}.get_urls()")
        if model_admin.get_search_fields(request):
            searched.append(changelist)
    walk.run()

    # Searches for words found only in restricted text find nothing.
    for changelist in searched:
        for word in leaks.words:
            response = client.get(changelist, {"q": word})
            assert response.status_code == 200, f"{changelist}?q={word}"
            assert response.context["cl"].result_count == 0, f"{changelist}?q={word} found"
            leaks.check(response, f"{changelist}?q={word}", echoed=word)

    # Autocomplete: everything offered, and searches for restricted words.
    for url, term in autocomplete_urls(["", "a", *leaks.words]):
        response = client.get(url)
        assert response.status_code == 200, url
        leaks.check(response, url)
        if term in leaks.words:
            assert response.json()["results"] == [], url

    # Actions, last (some re-import or drop overrides): their confirmation page or outcome.
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        selected = [
            str(pk) for pk in model_admin.get_queryset(request).values_list("pk", flat=True)
        ]
        for name in model_admin.get_actions(request):
            data = {"action": name, helpers.ACTION_CHECKBOX_NAME: selected, "index": 0}
            response = client.post(changelist, data, follow=True)
            assert response.status_code == 200, f"{name} on {changelist}"
            leaks.check(response, f"action {name} on {changelist}")
            walk.visited.append(f"action {name} on {changelist}")

    # The held upload, imported.
    preview = next(url for url in walk.visited if "/import/preview/" in url and "ids=" in url)
    held = preview.rpartition("ids=")[2]
    response = client.post(preview, {f"file-{held}-selected": "on"}, follow=True)
    assert response.status_code == 200
    leaks.check(response, f"import from {preview}")

    kinds = {
        "delete page of a restricted item": f"/admin/meetings/agendaitem/{archive.pk}/delete/",
        "history of a restricted item": f"/admin/meetings/agendaitem/{archive.pk}/history/",
        "delete page of its meeting": f"/admin/meetings/meeting/{archive.meeting_id}/delete/",
        "a filter": "/admin/meetings/agendaitem/?restricted__exact=1",
        "import preview": "/admin/meetings/sourcedocument/import/preview/?ids=",
        "action": "action delete_selected on /admin/meetings/resolution/",
    }
    for kind, url in kinds.items():
        assert any(visited.startswith(url) for visited in walk.visited), f"no {kind} walked"
    assert len(walk.visited) > 300


# Lookups from the query string -------------------------------------------------------------

# The lookups of the reported attacks: each would count restricted items by their hidden text.
ATTACKS = [
    "/admin/meetings/agendaitem/?minutes_text__icontains=quokka",
    "/admin/meetings/agendaitem/?id=1&minutes_text__startswith=The",
    "/admin/meetings/agendaitem/?search_extra__icontains=quokka",
    "/admin/meetings/agendaitem/?agenda_text__icontains=quokka",
    "/admin/meetings/agendaitem/?resolutions__text__icontains=quokka",
    "/admin/meetings/agendaitem/?topics__name__icontains=wombat",
    "/admin/meetings/sourcedocument/?original_text__icontains=quokka",
    "/admin/meetings/meeting/?items__minutes_text__icontains=quokka",
    "/admin/meetings/resolution/?item__minutes_text__icontains=quokka",
    "/admin/meetings/resolution/?text__icontains=quokka",
    "/admin/meetings/topic/?item_topics__item__minutes_text__icontains=quokka",
    "/admin/meetings/override/?item__minutes_text__icontains=quokka",
    "/admin/meetings/importevent/?meeting__items__minutes_text__icontains=quokka",
    "/admin/meetings/attendee/?meeting__items__minutes_text__icontains=quokka",
    "/admin/meetings/person/?attendances__meeting__items__minutes_text__icontains=quokka",
    "/admin/auth/user/?logentry__change_message__icontains=quokka",
]


def refused(response) -> bool:
    """As Django refuses a lookup: 400, or back to the list with ``?e=1``."""
    if response.status_code == 302:
        return response["Location"].endswith("?e=1")
    return response.status_code == 400


def text_lookups(model):
    """A lookup on every text field of ``model`` and of the models it is related to."""
    for field in model._meta.get_fields():
        if field.is_relation and field.related_model is not None:
            for related in field.related_model._meta.get_fields():
                if not related.is_relation and related.get_internal_type() == "TextField":
                    yield f"{field.name}__{related.name}__icontains"
        elif getattr(field, "concrete", False) and field.get_internal_type() in (
            "TextField",
            "CharField",
        ):
            yield f"{field.name}__icontains"


def test_the_changelists_accept_only_the_filters_they_offer(archive, client, clerk):
    client.force_login(clerk)
    for url in ATTACKS:
        assert refused(client.get(url)), url
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        offered = model_admin.offered_lookups(admin_request(clerk))
        for lookup in text_lookups(model):
            if lookup not in offered:
                response = client.get(changelist, {lookup: "e"})
                assert refused(response), f"{changelist}?{lookup}=e: {response.status_code}"


def test_the_offered_filters_still_filter(archive, client, clerk):
    client.force_login(clerk)
    response = client.get("/admin/meetings/agendaitem/", {"restricted__exact": "1"})
    restricted = AgendaItem.objects.filter(restricted=True).count()
    assert response.context["cl"].result_count == restricted
    response = client.get("/admin/meetings/meeting/", {"body": "Safer Stockton Partnership"})
    assert response.status_code == 200
    response = client.get("/admin/meetings/sourcedocument/", {"imported_at__year": "2020"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0
