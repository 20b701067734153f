"""Fixtures shared by the whole suite: sample minutes, small data builders, users."""

import datetime
import json
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import override_settings
from django.utils.text import slugify

from ingest.parsers import ParsedItem, ParsedMeeting, ParsedResolution
from ingest.parsers.document import NO_DATE_WARNING, SHAPE_UNKNOWN
from meetings.models import AgendaItem, Attendee, ItemTopic, Meeting, Resolution, Topic

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINUTES_DIR = FIXTURES / "minutes"
GOLD_DIR = FIXTURES / "gold"
SAMPLES = sorted(path.name for path in MINUTES_DIR.glob("*.txt"))


def sample_bytes(name: str) -> bytes:
    return (MINUTES_DIR / name).read_bytes()


def gold(name: str) -> dict:
    return json.loads((GOLD_DIR / name.replace(".txt", ".json")).read_text(encoding="utf-8"))


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """Hash test users' passwords with a fast hasher: PBKDF2 is slow by design, and the suite
    creates and signs in users hundreds of times. The site itself keeps Django's default."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def minutes_dir():
    return MINUTES_DIR


@pytest.fixture
def make_meeting(db):
    """Build a meeting with items, decisions and topics, without going through the parser.

    ``items`` is a list of dicts of AgendaItem fields plus optional ``resolutions`` (texts) and
    ``topics`` ({topic name: in_title}); topics are created when missing.
    """

    def make(items=(), attendees=(), **fields):
        fields.setdefault("body", "Safer Stockton Partnership")
        fields.setdefault("date", datetime.date(2025, 1, 22))
        if fields["date"] is not None:
            fields.setdefault("date_source", Meeting.DateSource.DOCUMENT)
        meeting = Meeting.objects.create(**fields)
        for order, attendee in enumerate(attendees, start=1):
            Attendee.objects.create(meeting=meeting, order=order, **attendee)
        for position, spec in enumerate(items, start=1):
            spec = dict(spec)
            resolutions = spec.pop("resolutions", [])
            topics = spec.pop("topics", {})
            item = AgendaItem.objects.create(meeting=meeting, position=position, **spec)
            for order, text in enumerate(resolutions, start=1):
                Resolution.objects.create(item=item, order=order, text=text, kind="noted")
            for name, in_title in topics.items():
                topic, _ = Topic.objects.get_or_create(name=name, defaults={"slug": slugify(name)})
                ItemTopic.objects.create(item=item, topic=topic, in_title=in_title)
        # As the import does: the search index holds a copy of the decisions and topic names.
        meeting.items.all().refresh_search_text()
        return meeting

    return make


# A word found only in the restricted item of ``open_and_restricted_meeting``.
RESTRICTED_WORD = "quokka"


@pytest.fixture
def open_and_restricted_meeting(make_meeting):
    """A meeting with an attendee, an open item and a restricted one, each with a decision."""
    return make_meeting(
        start_time=datetime.time(9, 0),
        venue="Municipal Buildings",
        previous_meeting=datetime.date(2024, 11, 27),
        attendees=[
            {"name": "Steve Nelson", "title": "Cllr", "role": "Chair", "attendance": "present"}
        ],
        items=[
            {
                "number": "SSP/52/24",
                "title": "Operation Nightfall",
                "minutes_text": "Patrols continued.",
                "resolutions": ["Members noted the report."],
                "topics": {"Operation Nightfall": True},
            },
            {
                "number": "SSP/58/24",
                "title": "iQuanta Report",
                "restricted": True,
                "agenda_text": f"To consider the {RESTRICTED_WORD} figures.",
                "minutes_text": f"The {RESTRICTED_WORD} figures were discussed.",
                "resolutions": [f"The {RESTRICTED_WORD} report was noted."],
                "topics": {"iQuanta": True, "Knife Crime": False},
            },
        ],
    )


def make_user(django_user_model, username, *codenames, is_staff=True):
    """A user (staff unless told otherwise) holding the permissions with these codenames."""
    user = django_user_model.objects.create_user(
        username, password="not-a-real-password", is_staff=is_staff
    )
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return django_user_model.objects.get(pk=user.pk)  # without a stale permission cache


def messages_of(response) -> list[str]:
    """The texts of the messages Django's messages framework holds for the response's request."""
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def restricted_viewer(django_user_model):
    """A signed-in-able user with the permission to read restricted items."""
    user = django_user_model.objects.create_user("officer", password="not-a-real-password-1")
    user.user_permissions.add(Permission.objects.get(codename="view_restricted"))
    return django_user_model.objects.get(pk=user.pk)  # fresh, without a stale permission cache


@pytest.fixture
def ordinary_user(django_user_model):
    return django_user_model.objects.create_user("resident", password="not-a-real-password-2")


def _stub_parse(text: str) -> ParsedMeeting:
    """A tiny parser for tests of the import rules that must not depend on the real parser.

    Lines: ``Body: name``, ``Date: YYYY-MM-DD``, ``Item: number | title | minutes text``
    (an item whose title starts with "Restricted" is restricted; minutes ending in
    "noted." give a resolution).
    """
    parsed = ParsedMeeting(shape=SHAPE_UNKNOWN)
    for line in text.splitlines():
        key, _, value = line.partition(":")
        value = value.strip()
        if key == "Body":
            parsed.body = value
        elif key == "Date":
            parsed.date = datetime.date.fromisoformat(value)
        elif key == "Item":
            number, title, minutes = (part.strip() for part in value.split("|"))
            item = ParsedItem(
                position=len(parsed.items) + 1,
                number=number,
                number_printed=number,
                title=title,
                minutes_text=minutes,
                restricted=title.lower().startswith("restricted"),
            )
            if minutes.endswith("noted."):
                item.resolutions.append(ParsedResolution(text=minutes, kind="noted"))
            parsed.items.append(item)
    if parsed.date is None:
        parsed.warnings.append(NO_DATE_WARNING)
    return parsed


@pytest.fixture
def stub_parser(monkeypatch):
    """Import with ``_stub_parse`` instead of the real parser."""
    monkeypatch.setattr("ingest.reading.parse_minutes", _stub_parse)
    return _stub_parse
