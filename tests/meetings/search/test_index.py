"""The triggers and functions a migrated database holds are the text of meetings.search.index
and meetings.search.extra, and nothing else.

Migrations install that text (0015, 0016) and repairs and bulk loads put the same text back,
so whichever way a database came to hold its triggers, they are these.
"""

import re
import sys

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from meetings.search import extra, index

pytestmark = pytest.mark.django_db

only_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="checks PostgreSQL's triggers and functions"
)
only_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="checks SQLite's triggers")

TRIGGER_TABLES = ("meetings_agendaitem", "meetings_itemtopic", "meetings_meeting")


def normalised(sql: str) -> str:
    return " ".join(sql.split())


def rows(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@only_sqlite
def test_sqlite_triggers_are_the_modules_text():
    expected = {**index.SQLITE_FTS_TRIGGERS, **index.SQLITE_TRIGGERS, **extra.SQLITE_TRIGGERS}
    found = dict(rows("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))

    assert set(found) == set(expected)
    for name, sql in expected.items():
        assert normalised(found[name]) == normalised(sql), name


def _function_body(create_function: str) -> str:
    return create_function.split("$$")[1]


@only_postgresql
def test_postgresql_functions_are_the_modules_text():
    functions = {
        "meetings_searchfacet_refresh": index.PG_REFRESH_FUNCTION,
        "meetings_searchfacet_truncated": index.PG_TRUNCATE_TRIGGER[0],
    }
    functions |= {name: function for name, (function, _t, _table) in index.PG_TRIGGERS.items()}
    functions["meetings_search_extra_refresh"] = extra.PG_REFRESH_FUNCTION
    functions |= {name: function for name, (function, _t, _table) in extra.PG_TRIGGERS.items()}
    found = dict(rows("SELECT proname, prosrc FROM pg_proc WHERE proname LIKE 'meetings\\_%%'"))

    assert set(found) == set(functions)
    for name, function in functions.items():
        assert found[name] == _function_body(function), name


@only_postgresql
def test_postgresql_triggers_are_the_modules_text():
    triggers = {name: trigger for name, (_f, trigger, _table) in index.PG_TRIGGERS.items()}
    triggers["meetings_searchfacet_truncated"] = index.PG_TRUNCATE_TRIGGER[1]
    triggers |= {name: trigger for name, (_f, trigger, _table) in extra.PG_TRIGGERS.items()}
    found = dict(
        rows(
            "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger"
            " WHERE NOT tgisinternal AND tgname LIKE 'meetings\\_%%'"
        )
    )

    assert set(found) == set(triggers)
    for name, trigger in triggers.items():
        assert re.sub(r"\bpublic\.", "", found[name]) == normalised(trigger), name


@only_sqlite
def test_a_repair_puts_back_the_modules_text():
    from meetings import search

    with connection.cursor() as cursor:
        for name in [*index.SQLITE_FTS_TRIGGERS, *index.SQLITE_TRIGGERS, *extra.SQLITE_TRIGGERS]:
            cursor.execute(f"DROP TRIGGER {name}")
    search.repair_index(using=connection.alias)

    test_sqlite_triggers_are_the_modules_text()


def test_the_latest_trigger_migration_installs_the_modules_text():
    """A change to the text of meetings.search.index comes with a migration installing it."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    installing = sorted(
        name
        for (app, name), migration in loader.disk_migrations.items()
        if app == "meetings" and hasattr(sys.modules[migration.__module__], "FINGERPRINT")
    )

    latest = sys.modules[loader.disk_migrations["meetings", installing[-1]].__module__]
    assert index.fingerprint() == latest.FINGERPRINT, (
        f"meetings/search/index.py changed since migration {installing[-1]}: add a migration"
        " that installs its text (as that one does) and records the new fingerprint"
    )
