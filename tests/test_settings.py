"""The production settings refuse to start half-configured and pass Django's deploy checks.

Settings are read once per process, so each case runs ``manage.py`` in a fresh interpreter.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = "ssp_archive.settings.production"

# Variables whose values in the test process must not leak into these runs: what the settings
# read, and Django's own switches (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE, which
# check --deploy rightly reports).
SETTINGS_VARIABLES = (
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DEBUG",
    "DATABASE_URL",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
)


@pytest.fixture
def production_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not _is_setting(k)}
    env.update(
        DJANGO_SETTINGS_MODULE=PRODUCTION,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="archive.example.org",
    )
    return env


def _is_setting(name):
    return name in SETTINGS_VARIABLES or name.startswith("DJANGO_")


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SECRET_KEY", None),
        ("SECRET_KEY", ""),
        ("SECRET_KEY", "   "),
        ("ALLOWED_HOSTS", None),
        ("ALLOWED_HOSTS", ""),
        ("ALLOWED_HOSTS", " , "),
    ],
)
def test_production_refuses_to_start_without(production_env, variable, value):
    if value is None:
        del production_env[variable]
    else:
        production_env[variable] = value

    result = manage(production_env, "check")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{variable} must be set" in result.stderr


def test_production_passes_deploy_checks(production_env):
    result = manage(production_env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_ignores_debug_from_the_environment(production_env):
    # base.py derives several values from DEBUG before production.py switches it off.
    production_env["DEBUG"] = "true"
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.WHITENOISE_USE_FINDERS, s.WHITENOISE_AUTOREFRESH, "
        "s.STORAGES['staticfiles']['BACKEND'])"
    )

    result = manage(production_env, "shell", "--no-imports", "-c", code)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "False",
        "False",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
    ]


def test_development_defaults_need_no_environment(production_env):
    env = {k: v for k, v in production_env.items() if not _is_setting(k)}
    env["DJANGO_SETTINGS_MODULE"] = "ssp_archive.settings.base"

    result = manage(env, "check")

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("value", ["", "  "])
def test_empty_database_url_means_the_sqlite_default(production_env, value):
    env = {k: v for k, v in production_env.items() if not _is_setting(k)}
    env.update(DJANGO_SETTINGS_MODULE="ssp_archive.settings.base", DATABASE_URL=value)
    code = "from django.db import connection; print(connection.vendor)"

    result = manage(env, "shell", "--no-imports", "-c", code)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["sqlite"]


def test_unusable_database_url_is_reported_in_one_line(production_env):
    production_env["DATABASE_URL"] = "localhost/archive"

    result = manage(production_env, "check")

    assert result.returncode != 0
    assert "ImproperlyConfigured: DATABASE_URL is not a database address" in result.stderr
    assert "KeyError" not in result.stderr


def test_production_leaves_out_the_development_tools(production_env):
    # The synthetic archive and the benchmarks (devtools) are for development machines only.
    code = "from django.conf import settings as s; print(' '.join(s.INSTALLED_APPS))"

    result = manage(production_env, "shell", "--no-imports", "-c", code)

    assert result.returncode == 0, result.stderr
    apps = result.stdout.split()
    assert "meetings" in apps
    assert "ingest" in apps
    assert "devtools" not in apps

    result = manage(production_env, "help", "--commands")

    assert result.returncode == 0, result.stderr
    commands = result.stdout.split()
    assert "import_minutes" in commands
    assert "generate_archive" not in commands
    assert "benchmark_search" not in commands


def test_development_installs_the_development_tools(production_env):
    env = {k: v for k, v in production_env.items() if not _is_setting(k)}
    env["DJANGO_SETTINGS_MODULE"] = "ssp_archive.settings.base"

    result = manage(env, "help", "--commands")

    assert result.returncode == 0, result.stderr
    commands = result.stdout.split()
    assert "generate_archive" in commands
    assert "benchmark_search" in commands
