"""The risk pages in Chromium, as two people use them: a consultant and the asset owner on one register, the
owner seeing the consultant's new scenario live, approving (ZCR 7) and applying the proposal to a zone."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest

from accounts.models import User
from compliance.sl import SLVector
from risk import services
from risk.models import RiskAssessment
from tests.e2e.conftest import login
from zones.models import Site, Zone

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
SHOTS = Path(tempfile.gettempdir()) / "shots" / "risk"


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def second_page(browser: Any) -> Any:
    from tests.e2e.conftest import new_page

    with new_page(browser) as page:
        yield page


def open_register(page: Any, base: str, ra: RiskAssessment) -> None:
    page.goto(f"{base}/risk/{ra.pk}/register/")
    page.wait_for_function("() => window.ZonewiseLive && window.ZonewiseLive.me !== null")


def test_consultant_and_owner_build_approve_and_apply(
    page: Any, second_page: Any, demo: None, asgi_server: str
) -> None:
    consultant_page, owner_page = page, second_page
    site = Site.objects.get(name="Riverside Water Treatment Works")
    scada = Zone.objects.get(site=site, name="SCADA")
    consultant = User.objects.get(username="demo-consultant")
    ra = services.risk_assessment_create(
        site=site, by=consultant, fields={"title": "E2E risk", "scope": "SCADA and its conduits", "baseline_sl": 1}
    )
    login(consultant_page, asgi_server, "demo-consultant")
    login(owner_page, asgi_server, "demo-owner")
    open_register(consultant_page, asgi_server, ra)
    open_register(owner_page, asgi_server, ra)
    owner_page.locator("#presence .person", has_text="Casey Consultant").wait_for()

    # The consultant adds a scenario to SCADA in place; the owner sees the row appear without reloading.
    group = consultant_page.locator(f"#g-{scada.pk}")
    group.get_by_role("button", name="Add scenario").click()
    form = group.locator(".scenario-form")
    form.get_by_label("Title").fill("State actor manipulates setpoints")
    form.get_by_label("Threat source").select_option(label="Nation-state actor (SL 4)")
    form.locator("select[name=likelihood]").select_option("3")
    form.locator("select[name=c_safety]").select_option("5")
    form.get_by_label("Existing countermeasures").fill("Firewall between DMZ and SCADA")
    shot(consultant_page, "register-form")
    form.get_by_role("button", name="Add scenario").click()
    consultant_page.locator(f"#rows-{scada.pk} .scenario-row", has_text="State actor").wait_for()
    owner_row = owner_page.locator(f"#rows-{scada.pk} .scenario-row", has_text="State actor manipulates setpoints")
    owner_row.wait_for(timeout=5000)
    assert owner_row.locator(".badge", has_text="exceeds").count() == 1
    owner_page.locator("#live-notice", has_text="Casey Consultant added").wait_for()
    shot(owner_page, "register-live")

    # The consultant submits for review; the owner approves; the proposal applies to SCADA.
    consultant_page.goto(f"{asgi_server}/risk/{ra.pk}/")
    shot(consultant_page, "detail-draft")
    consultant_page.get_by_role("button", name="Submit for review").click()
    consultant_page.locator(".msg-success", has_text="Submitted for review").wait_for()
    owner_page.goto(f"{asgi_server}/risk/{ra.pk}/")
    owner_page.get_by_role("button", name="Approve").click()
    owner_page.locator(".msg-success", has_text="Approved").wait_for()
    shot(owner_page, "detail-approved")
    owner_page.goto(f"{asgi_server}/risk/{ra.pk}/proposal/")
    for box in owner_page.locator("input[name=targets]").all():
        box.uncheck()
    owner_page.locator(f"#t-{scada.pk}").check()
    shot(owner_page, "proposal")
    owner_page.get_by_role("button", name="Apply to the chosen zones and conduits").click()
    owner_page.locator("#apply-result", has_text="SCADA").wait_for()
    shot(owner_page, "proposal-applied")
    scada.refresh_from_db()
    assert scada.sl_target == SLVector.uniform(4)

    for name, url in [
        ("list", "/risk/"),
        ("heatmap", f"/risk/{ra.pk}/heatmap/"),
        ("matrix", f"/risk/organizations/{site.organization_id}/matrix/"),
        ("sources", f"/risk/organizations/{site.organization_id}/threat-sources/"),
        ("site", f"/sites/{site.pk}/"),
    ]:
        consultant_page.goto(asgi_server + url)
        shot(consultant_page, name)
