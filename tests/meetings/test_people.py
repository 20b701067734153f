"""People: one per name in the attendance lists, their pages, and the members' group."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission

from ingest import services, writers
from ingest.parsers import ParsedItem, ParsedMeeting
from ingest.parsers.document import SHAPE_FORMAL, ParsedAttendee
from meetings.models import Attendee, Person, person_key, person_sort_name
from tests.conftest import MINUTES_DIR
from tests.meetings.test_pages import check_structure

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("meetings.migrations.0004_people_and_members_group")


def store(day, attendees, *, name=None, body="Safer Stockton Partnership"):
    """Store a meeting with these attendees through the import service."""
    parsed = ParsedMeeting(
        shape=SHAPE_FORMAL,
        body=body,
        date=day,
        attendees=[ParsedAttendee(**{"attendance": "present", **fields}) for fields in attendees],
        items=[ParsedItem(position=1, number="", number_printed="", title="Apologies")],
    )
    source = services.SourceFile(name or f"{day}.txt", f"{day} {attendees}".encode())
    return services.store_document(parsed, source).meeting


class TestNames:
    @pytest.mark.parametrize(
        "name",
        ["Steve Nelson", "steve nelson", "  Steve   NELSON ", "Steve\u00a0Nelson"],
    )
    def test_case_and_spacing_do_not_matter(self, name):
        assert person_key(name) == "steve nelson"

    def test_quote_marks_and_dashes_do_not_matter(self):
        assert person_key("Sean O\u2019Brien") == person_key("Sean O'Brien")
        assert person_key("Leanne Maloney\u2013Kelly") == person_key("Leanne Maloney-Kelly")

    def test_listed_by_surname(self):
        assert person_sort_name("Leanne Maloney-Kelly") == "maloney-kelly leanne"
        assert person_sort_name("Cher") == "cher"


class TestLinkingOnImport:
    def test_a_title_or_other_spacing_is_the_same_person(self):
        store(
            datetime.date(2022, 9, 28),
            [{"name": "Steve Nelson", "printed": "Cllr Steve Nelson (Chair)", "title": "Cllr"}],
        )
        store(datetime.date(2023, 1, 4), [{"name": "steve  nelson", "printed": "steve  nelson"}])

        [person] = Person.objects.all()
        assert (person.name, person.slug) == ("Steve Nelson", "steve-nelson")
        assert Attendee.objects.filter(person=person).count() == 2

    def test_different_people_with_the_same_slug_get_their_own(self):
        store(datetime.date(2022, 9, 28), [{"name": "Jo Smith", "printed": "Jo Smith"}])
        store(datetime.date(2023, 1, 4), [{"name": "Jo-Smith", "printed": "Jo-Smith"}])
        assert sorted(Person.objects.values_list("slug", flat=True)) == [
            "jo-smith",
            "jo-smith-2",
        ]

    def test_a_corrected_import_keeps_the_people(self):
        day = datetime.date(2022, 9, 28)
        store(day, [{"name": "Steve Nelson", "printed": "Steve Nelson"}], name="a.txt")
        person = Person.objects.get()
        store(
            day,
            [
                {"name": "Steve Nelson", "printed": "Cllr Steve Nelson"},
                {"name": "Ann McCoy", "printed": "Cllr Ann McCoy"},
            ],
            name="a.txt",
        )
        assert Attendee.objects.get(name="Steve Nelson").person == person
        assert Person.objects.count() == 2

    def test_linking_takes_a_fixed_number_of_queries(self, django_assert_max_num_queries):
        few = [{"name": f"Person {n}", "printed": f"Person {n}"} for n in range(2)]
        many = [{"name": f"Someone {n}", "printed": f"Someone {n}"} for n in range(40)]
        with django_assert_max_num_queries(4):
            writers.people_for_names(row["name"] for row in few)
        with django_assert_max_num_queries(4):
            writers.people_for_names(row["name"] for row in many)
        assert Person.objects.count() == 42

    def test_the_samples(self, minutes_dir):
        for path in sorted(MINUTES_DIR.glob("*.txt")):
            services.import_document(path.read_bytes(), path.name)
        assert not Attendee.objects.filter(person=None).exists()
        nelson = Person.objects.get(slug="steve-nelson")
        assert set(nelson.attendances.values_list("printed", flat=True)) == {
            "Cllr Steve Nelson",
            "Cllr Steve Nelson (Chair)",
        }


@pytest.fixture
def people():
    """Steve Nelson at two meetings (once as Chair), Jane Humphreys sending apologies."""
    first = store(
        datetime.date(2011, 7, 5),
        [
            {"name": "Steve Nelson", "printed": "Cllr Steve Nelson", "title": "Cllr"},
            {"name": "Jane Humphreys", "printed": "Jane Humphreys", "attendance": "apologies"},
        ],
    )
    second = store(
        datetime.date(2022, 9, 28),
        [
            {
                "name": "Steve Nelson",
                "printed": "Cllr Steve Nelson (Chair)",
                "title": "Cllr",
                "role": "Chair",
            },
            {
                "name": "Marc Anderson",
                "printed": "Marc Anderson (Cleveland Police)",
                "organisation": "Cleveland Police",
            },
        ],
    )
    return first, second


class TestPeopleList:
    def test_alphabetical_by_surname_with_counts(self, client, people):
        response = client.get("/people/")

        assert response.status_code == 200
        people = response.context["people"]
        rows = [(p.name, p.attended_count, p.apologies_count) for p in people]
        assert rows == [
            ("Marc Anderson", 1, 0),
            ("Jane Humphreys", 0, 1),
            ("Steve Nelson", 2, 0),
        ]
        assert [p.main_organisation for p in people] == ["Cleveland Police", None, None]
        html = response.content.decode()
        assert '<a class="govuk-link" href="/people/steve-nelson/">Steve Nelson</a>' in html
        assert html.count("<h1") == 1
        assert html.count("<table") == 1  # one table, its columns the same for everyone
        assert "and the organisation most often listed beside it</span></th>" in html
        assert '">Cleveland Police</span></th>' in html
        # No apologies: an empty-looking cell rather than a 0 (read out as "none").
        assert html.count('<span class="govuk-visually-hidden">none</span>') == 2

    def test_the_organisation_most_often_listed_for(self, client, people):
        for day, organisation in [(1, "Stockton Council"), (2, "Stockton Council")]:
            store(
                datetime.date(2023, 1, day),
                [{"name": "Marc Anderson", "printed": "Marc", "organisation": organisation}],
            )
        people = client.get("/people/").context["people"]
        assert people[0].main_organisation == "Stockton Council"

    def test_search_by_name(self, client, people):
        response = client.get("/people/", {"q": "  nel  "})
        assert [p.name for p in response.context["people"]] == ["Steve Nelson"]
        html = response.content.decode()
        assert "1 person named “nel”." in html
        assert 'value="nel"' in html
        none = client.get("/people/", {"q": "<b>Zed</b>"}).content.decode()
        assert "0 people named “&lt;b&gt;Zed&lt;/b&gt;”." in none and "<b>Zed" not in none

    def test_paged(self, client, people):
        store(
            datetime.date(2023, 1, 4),
            [{"name": f"Person {n:02}", "printed": f"Person {n:02}"} for n in range(60)],
        )
        first = client.get("/people/")
        assert len(first.context["people"]) == 50
        html = first.content.decode()
        assert "Showing 1 to 50 of 63." in html
        assert 'href="?page=2" rel="next"' in html
        rest = client.get("/people/", {"page": "2"}).context["people"]
        assert len(rest) == 13
        assert len(client.get("/people/", {"q": "person", "page": "2"}).context["people"]) == 10

    @pytest.mark.parametrize("url", ["/people/", "/people/steve-nelson/"])
    def test_headings_in_order_tables_and_link_text(self, client, people, url):
        check_structure(client.get(url).content.decode())

    def test_people_no_longer_in_any_minutes_are_not_listed(self, client, people):
        Person.objects.create(name="Nobody Now", slug="nobody-now")
        assert "Nobody Now" not in client.get("/people/").content.decode()
        assert client.get("/people/nobody-now/").status_code == 404

    def test_empty(self, client, db):
        assert (
            "No attendance lists have been imported yet." in client.get("/people/").content.decode()
        )

    def test_query_count_does_not_grow(self, client, django_assert_max_num_queries, people):
        # The number of people (for the pages), then a page of them with their counts and
        # organisations.
        with django_assert_max_num_queries(2):
            client.get("/people/")
        store(
            datetime.date(2023, 1, 4),
            [{"name": f"Person {n}", "printed": f"Person {n}"} for n in range(30)],
        )
        with django_assert_max_num_queries(2):
            assert client.get("/people/").status_code == 200


class TestPersonPage:
    def test_meetings_newest_first_as_printed(self, client, people):
        first, second = people
        response = client.get("/people/steve-nelson/")

        assert response.status_code == 200
        html = response.content.decode()
        assert '<h1 class="govuk-heading-xl">Steve Nelson</h1>' in html
        assert "attended 2, never sent apologies." in html
        assert html.index(second.get_absolute_url()) < html.index(first.get_absolute_url())
        assert "Cllr Steve Nelson (Chair)" in html
        assert '<td class="govuk-table__cell">Chair</td>' in html
        assert '<th scope="col" class="govuk-table__header">Attendance</th>' in html

    def test_no_apologies_reads_never(self, client, people):
        html = client.get("/people/steve-nelson/").content.decode()
        assert "attended 2, never sent apologies." in html
        assert "sent apologies to 0" not in html

    def test_apologies_and_organisation(self, client, people):
        html = client.get("/people/jane-humphreys/").content.decode()
        assert '<td class="govuk-table__cell">Apologies</td>' in html
        assert "attended 0, sent apologies to 1" in html
        html = client.get("/people/marc-anderson/").content.decode()
        assert '<td class="govuk-table__cell">Cleveland Police</td>' in html

    def test_unknown_person_is_404(self, client, db):
        assert client.get("/people/nobody/").status_code == 404

    def test_query_count_does_not_grow(self, client, django_assert_max_num_queries, people):
        with django_assert_max_num_queries(2):
            client.get("/people/steve-nelson/")
        for year in range(2012, 2022):
            store(datetime.date(year, 3, 1), [{"name": "Steve Nelson", "printed": "Steve Nelson"}])
        with django_assert_max_num_queries(2):
            response = client.get("/people/steve-nelson/")
        assert len(response.context["page"].attendances) == 12

    def test_login_required_setting(self, client, settings, people):
        settings.ARCHIVE_LOGIN_REQUIRED = True
        for url in ("/people/", "/people/steve-nelson/"):
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith("/accounts/login/")


class TestMigration:
    """The data steps of 0004, run against the current models (the test database is migrated)."""

    def test_links_attendees_stored_before_people_existed(self, make_meeting):
        make_meeting(
            attendees=[
                {"name": "Steve Nelson", "printed": "Cllr Steve Nelson", "attendance": "present"},
                {"name": "Ann McCoy", "printed": "Cllr Ann McCoy", "attendance": "present"},
            ]
        )
        make_meeting(
            date=datetime.date(2024, 1, 1),
            attendees=[
                {"name": "STEVE NELSON", "printed": "STEVE NELSON", "attendance": "present"}
            ],
        )
        Person.objects.create(name="Ann McCoy", slug="ann-mccoy")

        MIGRATION.link_attendees(apps, None)

        assert not Attendee.objects.filter(person=None).exists()
        assert sorted(Person.objects.values_list("slug", "sort_name")) == [
            ("ann-mccoy", "mccoy ann"),
            ("steve-nelson", "nelson steve"),
        ]

    def test_members_group_holds_the_permission(self):
        Group.objects.filter(name="Partnership members").delete()  # as on a new database

        MIGRATION.create_members_group(apps, None)
        MIGRATION.create_members_group(apps, None)  # again: nothing new

        group = Group.objects.get(name="Partnership members")
        assert [p.codename for p in group.permissions.all()] == ["view_restricted"]
        assert Permission.objects.filter(codename="view_restricted").count() == 1

    def test_members_may_read_restricted_items(self, client, make_meeting, django_user_model):
        MIGRATION.create_members_group(apps, None)
        meeting = make_meeting(
            items=[{"title": "iQuanta Report", "restricted": True, "minutes_text": "Quokka."}]
        )
        member = django_user_model.objects.create_user("member", password="not-a-real-pw-3")
        member.groups.add(Group.objects.get(name="Partnership members"))
        item_url = f"/items/{meeting.items.get().pk}/"

        assert "Quokka." not in client.get(item_url).content.decode()
        client.force_login(member)
        assert "Quokka." in client.get(item_url).content.decode()
