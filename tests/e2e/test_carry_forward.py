"""Carry forward in the workspace (decision 0026): next year's assessment starts from the demo's findings;
the consultant confirms one with the key "y" and one with the Confirm button; both clear with If-Match."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import User
from assessments import services
from assessments.demo import TITLE
from assessments.models import Assessment, Result
from tests.e2e.conftest import login, screenshot
from zones.models import Zone

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]  # one browser, one live server


def test_confirm_carried_forward_with_a_key_and_a_button(page: Any, demo: None, asgi_server: str) -> None:
    last = Assessment.objects.get(title=TITLE)
    consultant = User.objects.get(username="demo-consultant")
    new = services.assessment_create(site=last.site, title="Next year", by=consultant, previous=last)
    carried = Result.objects.filter(assessment=new, carried_forward=True).select_related("zone")
    first = carried.filter(zone__isnull=False).order_by("requirement__position").first()
    assert first is not None
    zone: Zone = first.zone  # type: ignore[assignment]
    rows = carried.filter(zone=zone).order_by("requirement__position")
    key_one, button_one = rows[0], rows[1]
    to_confirm = carried.filter(zone=zone).count()

    login(page, asgi_server, "demo-consultant")
    page.goto(f"{asgi_server}/assessments/{new.pk}/workspace/?target={zone.pk}")
    page.wait_for_function("() => window.ZonewiseLive && window.ZonewiseLive.me")
    nav_count = page.locator(f'[data-target-link="{zone.pk}"] [data-role="carried-count"]')
    assert nav_count.inner_text() == f"{to_confirm} to confirm"
    row = page.locator(f"#r-{key_one.pk}")
    assert row.locator('[data-role="carried"]').is_visible()
    screenshot(page, "carry-forward-to-confirm")
    row.focus()
    page.keyboard.press("y")
    row.locator('[data-role="save-state"]', has_text="Confirmed").wait_for(timeout=10000)
    assert row.locator('[data-role="carried"]').count() == 0
    other = page.locator(f"#r-{button_one.pk}")
    other.get_by_role("button", name="Confirm").click()
    other.locator('[data-role="save-state"]', has_text="Confirmed").wait_for(timeout=10000)
    nav_count.filter(has_text=f"{to_confirm - 2} to confirm").wait_for(timeout=10000)
    key_one.refresh_from_db()
    button_one.refresh_from_db()
    assert (key_one.carried_forward, button_one.carried_forward) == (False, False)
    assert key_one.version == button_one.version == 2  # created carried, then confirmed
    assert key_one.updated_by == consultant
