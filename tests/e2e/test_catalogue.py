"""A consultant logs in and browses the catalogue filtered to FR5 at SL2."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]  # one browser, one live server


def test_consultant_browses_fr5_at_sl2(page: Any, live_server: Any, demo: None) -> None:
    login(page, live_server.url, "demo-consultant")
    assert page.get_by_role("link", name="Northfield Water Authority").is_visible()
    page.get_by_role("link", name="Catalogue").click()
    assert "100" in page.locator("#catalogue-count").inner_text()
    page.get_by_label("Foundational requirement").select_option("FR5")
    page.get_by_label("Selected at SL").select_option("2")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**fr=FR5**")
    rows = page.locator("#catalogue-table tbody tr")
    ids = [rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())]
    assert ids and all(i.startswith("SR 5.") for i in ids), ids
    levels = page.locator("#catalogue-table .badge-sl").all_inner_texts()
    assert levels and set(levels) <= {"SL1", "SL2"}
    screenshot(page, "catalogue-fr5-sl2")
