"""Settings for development and tests.

Every value comes from the environment with a safe default for a developer's machine;
``ssp_archive.settings.production`` tightens them for a real deployment.
"""

import os
import tempfile
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "development-only-key-not-for-production")
DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_filters",
    "meetings",
    "ingest",
    # The synthetic archive and the benchmarks; production.py leaves it out.
    "devtools",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check, which is the first to read a request's files.
    "ingest.middleware.TooManyFilesMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "ssp_archive.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "ssp_archive.wsgi.application"

# SQLite is the embedded default so a newcomer needs nothing installed;
# production points DATABASE_URL at PostgreSQL. An empty DATABASE_URL (as left by
# "DATABASE_URL=" in a shell or an .env file) counts as unset.
# (Lower case: the address may hold a password, and the debug page lists upper-case settings.)
database_url = os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
try:
    DATABASES = {
        "default": dj_database_url.parse(
            database_url, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60"))
        )
    }
except ValueError as error:  # dj_database_url.UnknownSchemeError among others
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a database address Django can use ({error}); "
        "give one such as postgres://user@host:5432/name, or leave it unset for SQLite."
    ) from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    # Readers keep going while an import writes; writers wait rather than fail at once. With
    # WAL, synchronous=NORMAL cannot corrupt the database; a commit does not wait for the disk,
    # so the last transactions before a power cut (not a crash of the process) may be lost.
    # Each connection keeps a page cache of up to 64 MiB (SQLite's default is 2 MiB), and
    # connections last between requests (CONN_MAX_AGE, as for PostgreSQL): a search looks up
    # thousands of rows of a large archive, and then finds most of their pages in memory
    # rather than reading them again for every request.
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;"
            ),
        }
    )
    # Tests get a database file of their own (one per test run), not SQLite's default shared
    # in-memory database: there every connection shares one cache, WAL does not apply, and a
    # reader is refused ("database table is locked") while another connection is writing,
    # instead of reading the last committed version.
    DATABASES["default"].setdefault("TEST", {})
    DATABASES["default"]["TEST"].setdefault(
        "NAME", str(Path(tempfile.gettempdir()) / f"ssp_archive_test_{os.getpid()}.sqlite3")
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
# WhiteNoise would otherwise read DEBUG when its middleware starts, after the test runner has
# switched it off, and look for collected files in STATIC_ROOT that development never makes.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Content-Security-Policy (django-csp): scripts, styles, images and fonts from this site only,
# no inline script or style anywhere (pages, admin, GOV.UK Frontend), no plugins, no framing.
# (Django's admin writes one <style> element, into changelists of a ModelAdmin that turns off
# both actions_on_top and actions_on_bottom: none here does.)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# The archive is public unless this is switched on.
ARCHIVE_LOGIN_REQUIRED = env_bool("ARCHIVE_LOGIN_REQUIRED", False)

# Follow-ups (meetings.followups): a later item takes one up within this many meetings of the
# same body, held within this many days of it (about 18 months); one with no time stated is
# overdue after this many meetings without it.
FOLLOW_UPS_WINDOW_MEETINGS = int(os.environ.get("FOLLOW_UPS_WINDOW_MEETINGS", "6"))
FOLLOW_UPS_WINDOW_DAYS = int(os.environ.get("FOLLOW_UPS_WINDOW_DAYS", "548"))
FOLLOW_UPS_OVERDUE_AFTER_MEETINGS = int(os.environ.get("FOLLOW_UPS_OVERDUE_AFTER_MEETINGS", "3"))

# Minutes files larger than this are refused by every import path.
MINUTES_MAX_BYTES = int(os.environ.get("MINUTES_MAX_BYTES", str(5 * 1024 * 1024)))
# Files one upload may carry (Django's own limit, 100 by default); the upload page says so.
DATA_UPLOAD_MAX_NUMBER_FILES = int(os.environ.get("MINUTES_MAX_FILES", "100"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Alerts: the site's address, for the links in emails (which have no request to build them
# from), and email. Development prints messages to the console; production sends them by SMTP
# (see production.py).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").strip().rstrip("/")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "alerts@localhost")
