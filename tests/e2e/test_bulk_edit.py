"""Bulk edit in the workspace (decision 0028): the consultant selects ten requirements and sets them not
applicable with one justification; the owner's open workspace shows it live."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from assessments.choices import ResultStatus
from assessments.demo import TITLE
from assessments.models import Assessment, Result
from tests.e2e.conftest import login, new_page, screenshot
from zones.models import Zone

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]  # one browser, one live server

WHY = "The plant DMZ has no wireless and no remote users: these do not apply."


@pytest.fixture
def second_page(browser: Any) -> Iterator[Any]:
    with new_page(browser) as page:
        yield page


def open_workspace(page: Any, base: str, assessment: Assessment, zone: Zone) -> None:
    page.goto(f"{base}/assessments/{assessment.pk}/workspace/?target={zone.pk}&status=not_assessed")
    page.wait_for_function("() => window.ZonewiseLive && window.ZonewiseLive.me !== null")


def test_ten_set_not_applicable_in_one_bulk_edit(page: Any, second_page: Any, demo: None, asgi_server: str) -> None:
    consultant, owner = page, second_page
    assessment = Assessment.objects.get(title=TITLE)
    dmz = Zone.objects.get(site=assessment.site, name="Plant DMZ")
    login(consultant, asgi_server, "demo-consultant")
    login(owner, asgi_server, "demo-owner")
    open_workspace(consultant, asgi_server, assessment, dmz)
    open_workspace(owner, asgi_server, assessment, dmz)

    consultant.get_by_role("button", name="Select results…").click()
    boxes = consultant.locator('article.result [data-role="pick"]')
    assert boxes.count() >= 10
    ids = [boxes.nth(i).evaluate("b => b.closest('article').dataset.id") for i in range(10)]
    for i in range(10):
        boxes.nth(i).check()
    bar = consultant.locator("#bulk-bar")
    assert bar.locator('[data-role="bulk-count"]').inner_text() == "10 selected"
    bar.get_by_label("Action").select_option("not_applicable")
    bar.get_by_label("Justification (why none of them applies)").fill(WHY)
    bar.get_by_role("button", name="Apply to selected").click()
    bar.locator('[data-role="bulk-msg"]', has_text="Saved on 10 requirements").wait_for(timeout=10000)
    # In place, in both browsers: the status select of every row says not applicable, with the text.
    for p in (consultant, owner):
        p.wait_for_function(
            """([ids, why]) => ids.every((id) => {
                 const row = document.getElementById('r-' + id);
                 return row.querySelector('[data-field="status"]').value === 'not_applicable'
                   && row.querySelector('[data-field="justification"]').value === why;
               })""",
            arg=[ids, WHY],
            timeout=10000,
        )
    screenshot(owner, "bulk-edit-owner-sees-it")
    saved = Result.objects.filter(pk__in=ids).values_list("status", "justification", "updated_by__username")
    assert set(saved) == {(ResultStatus.NOT_APPLICABLE, WHY, "demo-consultant")}
