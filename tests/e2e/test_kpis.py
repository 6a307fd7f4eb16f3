"""An asset owner reads the KPI dashboard, imports a vulnerability CSV through the page (a refused file
first, then a good one) and sees the vulnerability KPIs change."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.demo import FIRST_ORG
from accounts.models import Organization
from program.demo import seed_program
from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]  # one browser, one live server
GREEN = "rgb(28, 117, 73)"  # palette.RAG["green"].solid


def tile_value(page: Any, key: str) -> str:
    return str(page.locator(f"#kpi-{key} .kpi-value").inner_text())


def test_asset_owner_imports_vulnerabilities_and_sees_the_kpis_move(page: Any, live_server: Any, demo: None) -> None:
    seed_program(Organization.objects.get(name=FIRST_ORG))
    base = live_server.url
    login(page, base, "demo-owner")
    page.goto(f"{base}/kpis/")
    page.get_by_role("link", name="Riverside Water Treatment Works").click()
    page.wait_for_selector("h1:has-text('Security program KPIs')")

    tiles = page.locator(".kpi-tile")
    assert tiles.count() == 6
    rags = [tiles.nth(i).get_attribute("data-rag") for i in range(6)]
    assert set(rags) <= {"green", "amber", "red", "none"} and len(set(rags) - {"none"}) >= 2
    assert page.locator(".kpi-tile .kpi-chart svg").count() == 6
    green = page.locator(".kpi-tile.rag-green").first
    assert green.evaluate("el => getComputedStyle(el).borderTopColor") == GREEN  # the stylesheet got through CSP
    assert page.locator("#kpi-incident_response_exercises .kpi-chart svg rect[fill='#0b5cad']").count() >= 1
    screenshot(page, "kpis-dashboard")
    remediated_before = tile_value(page, "critical_vulnerabilities_remediated")
    mttp_before = tile_value(page, "mean_time_to_patch_critical")

    today = timezone.localdate()
    page.get_by_role("link", name="Import vulnerabilities (CSV)").click()
    bad = "asset,cve,cvss,found\nSCADA-01,CVE-26-0001,9.8,2026-01-01\nNo such asset,CVE-2026-0002,9.8,2026-01-01\n"
    page.set_input_files("input[type=file]", {"name": "bad.csv", "mimeType": "text/csv", "buffer": bad.encode()})
    page.get_by_role("button", name="Import").click()
    errors = page.locator("#import-errors")
    errors.wait_for()
    assert "Nothing was imported." in errors.inner_text()
    assert [c.inner_text() for c in errors.locator("tbody td.num").all()] == ["2", "3"]
    screenshot(page, "kpis-import-refused")

    good = "\n".join(
        [
            "asset,cve,title,cvss,found,fixed",
            f"SCADA-01,CVE-2026-55501,Web client: remote code execution,9.8,{today - timedelta(days=5)},",
            f"HMI-01,CVE-2026-55502,Panel: authentication bypass,9.1,{today - timedelta(days=10)},"
            f"{today - timedelta(days=2)}",
        ]
    )
    page.set_input_files("input[type=file]", {"name": "scan.csv", "mimeType": "text/csv", "buffer": good.encode()})
    page.get_by_role("button", name="Import").click()
    page.wait_for_selector("text=Imported: 2 vulnerabilities added, 0 updated.")
    assert re.search(r"/sites/[0-9a-f-]+/kpis/$", page.url)
    assert tile_value(page, "critical_vulnerabilities_remediated") != remediated_before
    assert tile_value(page, "mean_time_to_patch_critical") != mttp_before
    screenshot(page, "kpis-after-import")
