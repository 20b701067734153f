"""Headless Chromium, driven by Playwright, against pytest-django's live server."""

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in the test thread; the live server's database
# access from that thread is safe here because the test waits on the browser.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"
MINUTES = Path(__file__).resolve().parents[1] / "fixtures" / "minutes"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Reports every Content-Security-Policy violation of a page to the console. Added through the
# browser, so the policy itself does not apply to it.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}` +
    ` at ${event.sourceFile}:${event.lineNumber}`);
});
"""


def is_csp_violation(text: str) -> bool:
    """Whether a console message reports a blocked resource, script or style."""
    return text.startswith("CSP violation:") or "Content Security Policy" in text


@pytest.fixture(autouse=True)
def csp_violations(request):
    """Fail a browser test when any page it opened reports a Content-Security-Policy violation.

    Every browser context a test makes (the ``page`` fixture's or its own) is watched.
    """
    if "chromium" not in request.fixturenames:
        yield []
        return
    browser = request.getfixturevalue("chromium")
    found = []
    new_context = browser.new_context

    def watched_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.add_init_script(REPORT_CSP_VIOLATIONS)

        def on_console(message):
            if is_csp_violation(message.text):
                found.append(f"{message.page.url if message.page else '?'}: {message.text}")

        context.on("console", on_console)
        return context

    browser.new_context = watched_context
    try:
        yield found
    finally:
        browser.new_context = new_context
    if found:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(dict.fromkeys(found)))


@pytest.fixture
def page(chromium, csp_violations):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under test-results/ for a person to look at."""

    def take(name):
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def archive(transactional_db):
    """The sample minutes, imported into the database the live server reads."""
    call_command("import_minutes", str(MINUTES), verbosity=0)
