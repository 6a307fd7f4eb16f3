"""A consultant draws a small plant; an auditor reads it without edit buttons."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]  # one browser, one live server


def add_zone(page: Any, name: str, kind: str, level: str, compact: str) -> None:
    # A site without zones leads with "Add a zone"; once it has some, the button row says "New zone".
    page.get_by_role("link", name=re.compile(r"^(Add a zone|New zone)$")).first.click()
    page.get_by_label("Name *").fill(name)
    page.get_by_label("Kind *").select_option(kind)
    page.get_by_label("Purdue level").fill(level)
    page.get_by_label("or type the compact notation").fill(compact)
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(f"text=Zone “{name}” created.")


def add_conduit(page: Any, name: str, zones: list[str]) -> None:
    page.get_by_role("link", name="New conduit").click()
    page.get_by_label("Name *").fill(name)
    for zone in zones:
        page.locator("#id_zones").get_by_label(zone, exact=True).check()
    page.get_by_label("or type the compact notation").fill("{2,2,2,2,2,2,2}")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(f"text=Conduit “{name}” created.")


def test_consultant_builds_a_site_auditor_reads_it(browser: Any, live_server: Any, demo: None) -> None:
    consultant = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    login(consultant, live_server.url, "demo-consultant")
    consultant.get_by_role("link", name="Sites").click()
    consultant.get_by_role("link", name="New site").click()
    consultant.get_by_label("Organization").select_option(label="Northfield Water Authority")
    consultant.get_by_label("Name *").fill("Eastbrook Pumping Station")
    consultant.get_by_label("Sector *").select_option("water")
    consultant.get_by_role("button", name="Save").click()
    consultant.wait_for_selector("text=Site “Eastbrook Pumping Station” created.")

    add_zone(consultant, "Station DMZ", "dmz", "3", "{2,2,2,2,2,2,2}")
    add_zone(consultant, "Station SCADA", "supervisory", "2", "{2,2,2,1,2,2,2}")
    add_zone(consultant, "Pump control", "control", "1", "{2,2,2,1,3,1,2}")
    add_conduit(consultant, "DMZ-SCADA link", ["Station DMZ", "Station SCADA"])
    add_conduit(consultant, "SCADA-control link", ["Station SCADA", "Pump control"])

    diagram = consultant.locator("#diagram svg")
    for text in ["Station DMZ", "Station SCADA", "Pump control", "DMZ-SCADA link", "SCADA-control link"]:
        assert diagram.get_by_text(text).count() >= 1, text
    screenshot(consultant, "site-built-by-consultant")
    site_url = consultant.url

    auditor = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    login(auditor, live_server.url, "demo-auditor")
    auditor.goto(site_url)
    assert auditor.locator("#diagram svg").get_by_text("Pump control").count() >= 1
    assert auditor.get_by_role("link", name="New zone").count() == 0
    assert auditor.get_by_role("link", name="Edit").count() == 0
    assert auditor.get_by_role("link", name="Delete").count() == 0
    screenshot(auditor, "site-seen-by-auditor")
