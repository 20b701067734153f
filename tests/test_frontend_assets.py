"""The committed front-end build: unbranded GOV.UK Frontend that collectstatic can publish.

static/css/archive.css and static/js/ are built by `make css` (see the README) and committed, so
that running and testing the archive needs no Node.js. These tests read the committed files.
"""

import json
import re
from pathlib import Path

from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
CSS = STATIC / "css" / "archive.css"
PACKAGE = json.loads((ROOT / "frontend" / "package.json").read_text(encoding="utf-8"))


def test_versions_are_pinned_exactly():
    for name, version in PACKAGE["devDependencies"].items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} {version} is not an exact version"
    assert PACKAGE["devDependencies"]["govuk-frontend"].startswith("6.")


def test_the_script_is_the_pinned_govuk_frontend():
    script = (STATIC / "js" / "govuk-frontend.min.js").read_text(encoding="utf-8")
    assert f'const version="{PACKAGE["devDependencies"]["govuk-frontend"]}"' in script
    assert "initAll" in script


def test_stylesheet_has_no_gov_uk_branding():
    css = CSS.read_text(encoding="utf-8")
    assert "GDS Transport" not in css
    assert "@font-face" not in css
    assert "govuk-crest" not in css
    assert "url(" not in css  # no images or fonts to serve: nothing of GOV.UK's brand
    assert 'font-family:"Helvetica Neue",Helvetica,Arial,sans-serif' in css
    assert "#005a70" in css


def test_no_crown_or_gov_uk_logo_in_static_files():
    for path in STATIC.rglob("*"):
        if path.is_file():
            assert "govuk-crest" not in path.name and "govuk-icon" not in path.name, path
            assert "crown" not in path.name.lower(), path


def test_collectstatic_publishes_every_file_with_hashed_names(tmp_path):
    manifest = {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    }  # production's
    storages = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    with override_settings(STATIC_ROOT=tmp_path, STORAGES={**storages, "staticfiles": manifest}):
        # Fails if a stylesheet or script refers to a file that static/ does not have.
        call_command("collectstatic", interactive=False, verbosity=0)
        for name in ("css/archive.css", "js/govuk-frontend.min.js", "images/favicon.svg"):
            assert re.search(r"\.[0-9a-f]{12}\.", staticfiles_storage.url(name)), name
