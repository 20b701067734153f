"""Every kind of page passes axe-core's WCAG 2.2 A and AA rules with no violations, on a
desktop and on a phone 375 pixels wide.

axe-core is vendored (tests/browser/vendor/axe.min.js, the version pinned in
frontend/package.json), so the audit needs no Node.js. Each page is also saved as a screenshot
under test-results/ for a person to look at.
"""

import datetime
import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from meetings.models import AgendaItem, Meeting, Topic

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

NIGHTFALL_MEETING = datetime.date(2025, 1, 22)
ATTENDANCE_MEETING = datetime.date(2022, 9, 28)


def meeting_url(date):
    return Meeting.objects.get(date=date).get_absolute_url()


def item_url(title, date):
    item = AgendaItem.objects.get(title=title, meeting__date=date)
    return reverse("meetings:item_detail", args=[item.pk])


def topic_slug(name):
    return Topic.objects.get(name=name).slug


def person_url(page, base_url):
    """The page of Steve Nelson, reached from the people list as a visitor would."""
    response = page.goto(base_url + "/people/")
    assert response.status == 200, f"/people/ answered {response.status}: no person to audit"
    link = page.locator("main a", has_text=re.compile(r"Steve Nelson")).first
    href = link.get_attribute("href")
    assert href and re.fullmatch(r"/people/[^/]+/", href), f"no person link on /people/: {href}"
    return href


# id -> the page's path: a string, or a function of the imported sample data.
PAGES = {
    "home": "/",
    "meeting-list": "/meetings/",
    "meeting-year": "/meetings/year/2025/",
    "meeting": lambda page, base: meeting_url(NIGHTFALL_MEETING),
    "meeting-with-attendance": lambda page, base: meeting_url(ATTENDANCE_MEETING),
    "meeting-undated": lambda page, base: Meeting.objects.get(date=None).get_absolute_url(),
    "item": lambda page, base: item_url("Operation Nightfall", NIGHTFALL_MEETING),
    "item-restricted": lambda page, base: item_url("iQuanta Report", NIGHTFALL_MEETING),
    "topic-list": "/topics/",
    "topic": lambda page, base: f"/topics/{topic_slug('Operation Nightfall')}/",
    "people-list": "/people/",
    "person": person_url,
    "search-empty": "/search/",
    "search-filtered": lambda page, base: (
        f"/search/?q=operation+nightfall&topic={topic_slug('Operation Nightfall')}&year=2025"
    ),
    "search-no-results": "/search/?q=quokka&year=2025",
    "follow-ups": "/follow-ups/",
    "follow-ups-filtered": "/follow-ups/?status=open&year=2025",
    "not-found": "/meetings/999999/",
    "admin-login": "/admin/login/",
    "sign-in": "/accounts/login/",
}
EXPECTED_STATUS = {"not-found": 404}

RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  const brief = (v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html, why: n.failureSummary})),
  });
  return {violations: results.violations.map(brief), incomplete: results.incomplete.map(brief)};
}"""


def describe(violations):
    lines = []
    for v in violations:
        lines.append(f"\n[{v['impact']}] {v['id']}: {v['help']}\n    {v['helpUrl']}")
        for node in v["nodes"]:
            lines.append(f"    - {node['target']}\n      {node['html'][:200]}")
            lines.extend(f"      {line}" for line in (node["why"] or "").splitlines())
    return "\n".join(lines)


def test_vendored_axe_is_the_pinned_version():
    pinned = json.loads((ROOT / "frontend" / "package.json").read_text())["devDependencies"][
        "axe-core"
    ]
    header = AXE.read_text(encoding="utf-8")[:400]
    assert header.startswith(f"/*! axe v{pinned}\n"), header[:40]
    assert "Mozilla Public" in header  # the licence notice is kept with the file


# Desktop, and a small phone: the layout changes at GOV.UK Frontend's breakpoints.
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "375px": {"width": 375, "height": 667}}


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("kind", list(PAGES))
def test_page_has_no_accessibility_violations(
    kind, viewport, archive, live_server, page, screenshot
):
    target = PAGES[kind]
    path = target if isinstance(target, str) else target(page, live_server.url)

    page.set_viewport_size(VIEWPORTS[viewport])
    response = page.goto(live_server.url + path)

    expected = EXPECTED_STATUS.get(kind, 200)
    assert response.status == expected, (
        f"{path} answered {response.status}, not {expected}: the {kind} page is missing"
    )
    screenshot(f"page-{kind}" if viewport == "desktop" else f"page-{kind}-{viewport}")
    # Run through the browser's devtools, as the page's policy refuses scripts written into it.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate(RUN_AXE, AXE_TAGS)
    if results["incomplete"]:
        print(f"axe could not decide on {path} (check by hand):", describe(results["incomplete"]))
    assert not results["violations"], f"axe violations on {path}:" + describe(results["violations"])
