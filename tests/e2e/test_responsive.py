"""On a phone (390 x 844): no main page scrolls sideways, the navigation folds behind a Menu button (and
still works without JavaScript), tabs and tables scroll in their own boxes, the workspace shows one
requirement at a time. Run as the demo consultant and the demo asset owner over the seeded demo."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.demo import FIRST_ORG
from accounts.models import User
from assessments.models import Assessment
from remediation.models import Action, Finding
from reports.choices import JobStatus, ReportKind
from reports.models import ReportJob
from tests.e2e.conftest import SCREENSHOTS, login, screenshot
from zones.models import Asset, Conduit, Site, Zone

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]  # one browser, one live server
PHONE = {"width": 390, "height": 844}
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"
# What sticks out past the right edge, outside any box that scrolls or clips it: named in a failure.
CULPRITS = """() => {
  const w = window.innerWidth, out = [];
  const clipped = (el) => { for (let p = el.parentElement; p; p = p.parentElement) {
    if (getComputedStyle(p).overflowX !== 'visible' && p.getBoundingClientRect().right <= w + 1) return true; }
    return false; };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > w + 1 && !clipped(el)) out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}`
      + `${typeof el.className === 'string' && el.className ? '.' + el.className.trim().replace(/\\s+/g, '.') : ''}`);
  }
  return out.slice(0, 5);
}"""


def main_pages() -> dict[str, str]:
    """Every main page of the seeded demo, by name: lists, the first site's objects, its first assessment's
    overview, workspace and evidence, the remediation and KPI pages, a report and an edit form."""
    site = Site.objects.filter(organization__name=FIRST_ORG).order_by("name").first()
    assert site is not None, "the demo has no site"
    zone = Zone.objects.filter(site=site).first()
    conduit = Conduit.objects.filter(site=site).first()
    asset = Asset.objects.filter(zone__site=site).first()
    assessment = Assessment.objects.filter(site=site).first()
    report = ReportJob.objects.filter(site=site).first() or finished_report(assessment)
    action = Action.objects.filter(site=site).first()
    finding = Finding.objects.filter(site=site).first()
    assert zone and conduit and asset and assessment and report and action and finding, "the demo is incomplete"
    return {
        "home": reverse("home"),
        "sites": reverse("site-list"),
        "site": site.get_absolute_url(),
        "zone": zone.get_absolute_url(),
        "asset": asset.get_absolute_url(),
        "conduit": conduit.get_absolute_url(),
        "assessments": reverse("assessment-list"),
        "overview": assessment.get_absolute_url(),
        "workspace": reverse("assessment-workspace", args=[assessment.pk]),
        "evidence": reverse("assessment-evidence", args=[assessment.pk]),
        "roadmap": reverse("roadmap"),
        "findings": reverse("finding-list"),
        "finding": finding.get_absolute_url(),
        "actions": reverse("action-list"),
        "action": action.get_absolute_url(),
        "suggestions": reverse("suggestion-list"),
        "kpis": reverse("kpi-index"),
        "kpi-dashboard": reverse("kpi-site", args=[site.pk]),
        "vulnerabilities": reverse("vulnerability-list", args=[site.pk]),
        "reports": reverse("report-list"),
        "report": report.get_absolute_url(),
        "catalogue": reverse("catalogue"),
        "history": reverse("object-history", args=["zone", zone.pk]),
        "action-edit": reverse("action-edit", args=[action.pk]),  # an edit form the owner may use too
        "zone-edit": reverse("zone-edit", args=[zone.pk]),
    }


def finished_report(assessment: Assessment | None) -> ReportJob:
    """A gap report as the worker leaves it (the test demo queues none: Celery runs eagerly in tests)."""
    assert assessment is not None
    return ReportJob.objects.create(
        kind=ReportKind.GAP_ASSESSMENT, site=assessment.site, assessment=assessment, status=JobStatus.SUCCEEDED,
        progress=100, stage="Done", attempts=1, started_at=timezone.now(), finished_at=timezone.now(),
        filename="riverside-gap-assessment.pdf", content_type="application/pdf", size=183_402, sha256="ab12" * 16,
        pages=14, requested_by=User.objects.get(username="demo-consultant"),
    )  # fmt: skip


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    yield page
    context.close()


def sideways(page: Any, base: str, pages: dict[str, str]) -> list[str]:
    """The pages that fail to load or scroll sideways, each with what sticks out."""
    failures = []
    for name, path in pages.items():
        response = page.goto(base + path)
        if response is None or response.status >= 400:
            failures.append(f"{name} ({path}) answered {response and response.status}")
        elif page.evaluate(OVERFLOW) > 0:
            failures.append(f"{name} ({path}) is {page.evaluate(OVERFLOW)} px too wide: {page.evaluate(CULPRITS)}")
    return failures


def test_no_main_page_scrolls_sideways_on_a_phone(browser: Any, asgi_server: str, demo: None) -> None:
    pages = main_pages()
    failures = []
    for username in ("demo-consultant", "demo-owner"):
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        login(page, asgi_server, username)
        mine = {name: path for name, path in pages.items() if not (username == "demo-owner" and name == "zone-edit")}
        failures += [f"as {username}: {failure}" for failure in sideways(page, asgi_server, mine)]
        context.close()
    assert failures == []  # (the owner may not edit a zone: that form answers 403 to them)


def test_the_phone_layout(browser: Any, phone: Any, asgi_server: str, demo: None) -> None:
    base, pages = asgi_server, main_pages()
    login(phone, base, "demo-consultant")
    screenshot(phone, "phone-home")

    # The navigation folds behind the Menu button; the button opens it, Escape closes it.
    menu = phone.get_by_role("button", name="Menu")
    sites = phone.get_by_role("navigation", name="Main").get_by_role("link", name="Sites")
    assert menu.get_attribute("aria-expanded") == "false" and not sites.is_visible()
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true" and sites.is_visible()
    screenshot(phone, "phone-menu-open")
    phone.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false" and not sites.is_visible()

    # Tabs and tables scroll in their own boxes, not the page.
    phone.goto(base + pages["actions"])
    assert phone.locator(".table-wrap #actions").count() == 1
    wrap = phone.locator(".table-wrap").first
    assert wrap.evaluate("el => el.scrollWidth > el.clientWidth"), "the actions table should scroll in its box"
    phone.goto(base + pages["roadmap"])
    assert phone.locator(".tabs a[aria-current=page]").inner_text() == "Roadmap"

    # The workspace: the zones and conduits above, then one requirement across the whole width.
    phone.goto(base + pages["workspace"])
    first = phone.locator(".result").first
    box = first.bounding_box()
    assert box is not None and box["width"] > PHONE["width"] * 0.85
    targets = phone.locator("#targets").bounding_box()
    assert targets is not None and targets["height"] < 150, "the zone and conduit list should fold to two rows"
    phone.screenshot(path=str(SCREENSHOTS / "phone-workspace.png"))  # the first screen only: the page is long

    # Without JavaScript there is no Menu button: the links wrap under the brand, still within the width.
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    login(page, base, "demo-consultant")
    assert not page.get_by_role("button", name="Menu").is_visible()
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Catalogue").is_visible()
    assert page.evaluate(OVERFLOW) <= 0
    screenshot(page, "phone-no-js")
    context.close()
