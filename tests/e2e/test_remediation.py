"""The asset owner closes a remediation action in real Chromium: marks it done, verifies it by
updating the assessment result it addressed (with evidence), and sees the zone's SL-A change on the
verify page, the roadmap's projection and the assessment overview."""

from __future__ import annotations

from typing import Any

import pytest

from assessments.demo import TITLE
from assessments.models import Assessment, Evidence, Result
from remediation.demo import seed_roadmap
from remediation.models import Action, Finding
from tests.e2e.conftest import login, screenshot
from zones.models import Site, Zone

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]  # one browser, one live server

ACTION = "Lock the field panels and control the cabinet keys"


def projection_row(page: Any, zone: Zone) -> Any:
    return page.locator(f'#projection tr[data-target="{zone.pk}"]')


def test_owner_verifies_an_action_and_the_zone_reaches_its_target(page: Any, demo: None, asgi_server: str) -> None:
    site = Site.objects.get(name="Riverside Water Treatment Works")
    seed_roadmap(site)  # idempotent: a no-op once seed_demo calls it
    field = Zone.objects.get(site=site, name="Field devices")
    assessment = Assessment.objects.get(title=TITLE)
    sr11 = Result.objects.get(assessment=assessment, zone=field, requirement__ref="SR 1.1")
    login(page, asgi_server, "demo-owner")

    # The roadmap: Field devices is short of its SL-T on FR1 until the panel-locking action lands.
    page.goto(f"{asgi_server}/roadmap/")
    row = projection_row(page, field)
    assert row.locator('[data-role="sl-a"]').inner_text() == "{0,1,1,0,1,1,1}"
    assert "Q4 2026" in row.locator('[data-role="verdict"]').inner_text()
    assert page.locator("#gantt svg .gantt-bar.is-overdue").count() >= 1
    screenshot(page, "remediation-roadmap-before")
    page.goto(f"{asgi_server}/sites/{site.pk}/kpis/")
    share = page.locator("#kpi-zones_at_target .kpi-value")
    share_before = float(share.get_attribute("data-value") or "0")
    page.goto(f"{asgi_server}/roadmap/")

    # Open the action from the list and mark it done.
    page.get_by_role("navigation", name="Remediation views").get_by_role("link", name="Actions", exact=True).click()
    page.get_by_role("link", name=ACTION).click()
    page.get_by_role("button", name="Mark done").click()
    page.get_by_text("Action marked done. Verify it next").wait_for()
    assert page.locator("#action-status").inner_text() == "Done"

    # Verify: update the result it addressed, with evidence, through the assessment.
    page.get_by_role("link", name="Verify and update the results").click()
    card = page.locator(f"#r-{sr11.pk}")
    card.get_by_label("Status").select_option("compensated")
    card.get_by_label("Compensating countermeasure").fill(
        "Panels in locked cabinets; keys issued from the register; seals checked weekly."
    )
    card.get_by_label("or a reference").fill("Key register KR-2026-11")
    card.get_by_role("button", name="Save SR 1.1").click()
    page.get_by_text("SR 1.1 on Field devices saved.").wait_for()
    standing = page.locator(f'#standings tr[data-target="{field.pk}"] [data-role="sl-a"]')
    assert standing.inner_text() == "{1,1,1,0,1,1,1}"
    screenshot(page, "remediation-verify")
    page.get_by_label("How was the fix verified?").fill("Walk-down on site: every cabinet locked, keys registered.")
    page.get_by_role("button", name="Record verification").click()
    page.get_by_text("Action verified. 1 finding resolved.").wait_for()
    assert page.locator("#action-status").inner_text() == "Verified"

    sr11.refresh_from_db()
    assert sr11.status == "compensated"
    assert Evidence.objects.get(results=sr11).reference == "Key register KR-2026-11"
    assert Finding.objects.get(zone=field, requirement__ref="SR 1.1").status == "resolved"
    assert Action.objects.get(title=ACTION).verified_by.username == "demo-owner"  # type: ignore[union-attr]

    # The roadmap and the assessment agree: Field devices is at its SL-T now.
    page.goto(f"{asgi_server}/roadmap/")
    row = projection_row(page, field)
    assert row.locator('[data-role="sl-a"]').inner_text() == "{1,1,1,0,1,1,1}"
    assert row.locator('[data-role="verdict"]').inner_text() == "At target now"
    screenshot(page, "remediation-roadmap-after")
    page.goto(f"{asgi_server}/assessments/{assessment.pk}/")
    cell = page.locator(f'tr[data-target="{field.pk}"] td[data-fr="FR1"]')
    assert cell.inner_text().strip() == "1 / 1"

    # ... and the program KPI counts one more zone at its SL-T.
    page.goto(f"{asgi_server}/sites/{site.pk}/kpis/")
    share_after = float(share.get_attribute("data-value") or "0")
    assert share_after > share_before
    assert (
        page.locator("#kpi-zones_at_target .kpi-summary")
        .inner_text()
        .startswith(f"{round(share_after * 7 / 100)} of 7 zones")
    )
    screenshot(page, "remediation-kpi-after")
