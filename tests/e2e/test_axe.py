"""axe-core finds no critical or serious accessibility violation on the pages people use most: login,
home (per role), site, assessment overview, workspace, roadmap, KPI dashboard and a report.

axe-core comes from the npm package that ./zw test installs into .cache/npm (never from a CDN); the test
fails, rather than skips, when it is missing: an accessibility check that silently stops running is worse
than none."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.e2e.conftest import login
from tests.e2e.test_responsive import PHONE, main_pages

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]  # one browser, one live server
AXE = Path(settings.BASE_DIR) / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"critical", "serious"}
DESKTOP = {"width": 1366, "height": 900}
PAGES = ["site", "overview", "workspace", "roadmap", "kpi-dashboard", "report"]


def axe_script() -> Path:
    if not AXE.is_file():
        pytest.fail(
            f"axe-core is missing ({AXE}): run `npm install --no-save --prefix .cache/npm axe-core@4` "
            "(./zw test does it when node and npm are installed)"
        )
    return AXE


def violations(page: Any, name: str) -> list[str]:
    """The critical and serious violations axe finds on the page, one line each with where they are."""
    page.add_script_tag(path=str(axe_script()))
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [
        f"{name}: {v['impact']} {v['id']} ({v['help']}) at {[node['target'] for node in v['nodes'][:3]]}"
        for v in found
        if v["impact"] in BLOCKING
    ]


# Who looks, on which screen, at which pages (after their home page, which all of them check); two tests, so
# that each stays a few seconds.
VISITS = {
    "consultant-desktop": [("demo-consultant", DESKTOP, PAGES)],
    "owner-auditor-phone": [
        ("demo-owner", DESKTOP, []),
        ("demo-auditor", DESKTOP, []),
        ("demo-consultant", PHONE, ["workspace", "roadmap"]),  # and the home page with the menu open
    ],
}


@pytest.mark.parametrize("visits", list(VISITS))
def test_axe_finds_no_serious_violation(browser: Any, asgi_server: str, demo: None, visits: str) -> None:
    base, urls = asgi_server, main_pages()
    found: list[str] = []
    for username, viewport, names in VISITS[visits]:
        # bypass_csp: the pages' CSP allows no inline script, and axe arrives as one.
        context = browser.new_context(viewport=viewport, bypass_csp=True)
        page = context.new_page()
        where = f"as {username} at {viewport['width']} px"
        page.goto(f"{base}/login/")
        found += violations(page, f"login {where}")
        login(page, base, username)
        if viewport is PHONE:
            page.get_by_role("button", name="Menu").click()
        found += violations(page, f"home {where}")
        for name in names:
            page.goto(base + urls[name])
            found += violations(page, f"{name} {where}")
            if name == "site":  # the diagram's zones and conduits: links a keyboard reaches, named by their <title>
                links = page.locator(".diagram svg a[href]")
                assert links.count() > 0 and links.evaluate_all("els => els.every((a) => a.tabIndex >= 0)")
                assert page.get_by_role("link", name=re.compile(r"^Plant DMZ ")).count() == 1
        context.close()
    assert found == []


def test_a_missing_axe_fails_with_a_clear_message(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(f"{__name__}.AXE", tmp_path / "axe.min.js")
    with pytest.raises(pytest.fail.Exception, match=r"axe-core is missing.*npm install"):
        axe_script()


RISK_PAGES = ["/risk/", "/risk/{ra}/", "/risk/{ra}/register/", "/risk/{ra}/heatmap/", "/risk/{ra}/proposal/",
              "/risk/organizations/{org}/matrix/", "/risk/organizations/{org}/threat-sources/"]  # fmt: skip


def test_axe_on_the_risk_pages(browser: Any, asgi_server: str, demo: None) -> None:
    """The risk assessment pages of the demo (its approved risk assessment), as the consultant sees them, with
    a scenario's edit form open on the register."""
    from risk.models import RiskAssessment

    ra = RiskAssessment.objects.select_related("site").order_by("created").first()
    assert ra is not None, "the demo has a risk assessment"
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    page = context.new_page()
    login(page, asgi_server, "demo-consultant")
    found: list[str] = []
    for url in RISK_PAGES:
        page.goto(asgi_server + url.format(ra=ra.pk, org=ra.site.organization_id))
        found += violations(page, url)
    page.goto(f"{asgi_server}/risk/{ra.pk}/register/")
    page.locator(".register-group").first.get_by_role("button", name="Add scenario").click()
    page.locator(".scenario-form").wait_for()
    found += violations(page, "register with a form open")
    context.close()
    assert found == []
