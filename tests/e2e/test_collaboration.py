"""Two people on the same assessment in two browsers: live changes, presence, conflicts, heat-map."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from accounts.models import User
from assessments import services
from assessments.choices import ResultStatus
from assessments.demo import TITLE
from assessments.models import Assessment, Result
from tests.e2e.conftest import login, new_page, screenshot
from zones.models import Zone

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]  # one browser, one live server


@pytest.fixture
def second_page(browser: Any) -> Iterator[Any]:
    """A second person's window beside `page`."""
    with new_page(browser) as page:
        yield page


def row(page: Any, result: Result) -> Any:
    return page.locator(f"#r-{result.pk}")


def open_workspace(page: Any, base: str, assessment: Assessment, zone: Zone, fr: str = "") -> None:
    page.goto(f"{base}/assessments/{assessment.pk}/workspace/?target={zone.pk}&fr={fr}")
    page.wait_for_function("() => window.ZonewiseLive && window.ZonewiseLive.me !== null")


def test_two_people_edit_one_assessment_live(page: Any, second_page: Any, demo: None, asgi_server: str) -> None:
    consultant_page, owner_page = page, second_page
    assessment = Assessment.objects.get(title=TITLE)
    dmz = Zone.objects.get(site=assessment.site, name="Plant DMZ")
    sr11 = Result.objects.get(assessment=assessment, zone=dmz, requirement__ref="SR 1.1")
    sr12 = Result.objects.get(assessment=assessment, zone=dmz, requirement__ref="SR 1.2")
    login(consultant_page, asgi_server, "demo-consultant")
    login(owner_page, asgi_server, "demo-owner")
    open_workspace(consultant_page, asgi_server, assessment, dmz, "FR1")
    open_workspace(owner_page, asgi_server, assessment, dmz, "FR1")

    # Each sees the other; focusing a requirement shows who is editing it.
    owner_page.locator("#presence .person", has_text="Casey Consultant").wait_for()
    row(consultant_page, sr12).locator('[data-field="observations"]').focus()
    row(owner_page, sr12).locator('[data-role="editing"]', has_text="Casey Consultant is editing").wait_for()

    # The consultant marks SR 1.1 met; the owner sees it without reloading, with who did it.
    row(consultant_page, sr11).locator('[data-field="status"]').select_option("met")
    row(consultant_page, sr11).locator('[data-role="save-state"]', has_text="Saved").wait_for()
    owner_row = row(owner_page, sr11)
    owner_row.locator('[data-role="save-state"]', has_text="Updated by Casey Consultant").wait_for(timeout=5000)
    assert owner_row.locator('[data-field="status"]').input_value() == "met"
    assert owner_row.get_attribute("data-version") == "2"
    screenshot(owner_page, "collab-owner-sees-change")

    # Both edit SR 1.2: the owner's text is typed first but saved after the consultant's change.
    owner_page.evaluate("document.getElementById('live-root').dataset.saveDelay = '2500'")
    row(owner_page, sr12).locator('[data-field="observations"]').fill("Owner: shared account on the historian")
    row(consultant_page, sr12).locator('[data-field="status"]').select_option("not_met")
    row(consultant_page, sr12).locator('[data-role="save-state"]', has_text="Saved").wait_for()
    conflict = row(owner_page, sr12).locator('[data-role="conflict"]')
    conflict.wait_for(state="visible", timeout=8000)
    assert "Casey Consultant changed this requirement" in conflict.inner_text()
    assert "Owner: shared account on the historian" in conflict.inner_text()
    screenshot(owner_page, "collab-conflict")
    conflict.get_by_role("button", name="Keep mine (save over theirs)").click()
    row(owner_page, sr12).locator('[data-role="save-state"]', has_text="Saved").wait_for()
    sr12.refresh_from_db()
    # Nothing anyone typed is lost: the consultant's status and the owner's observations both stand.
    assert sr12.status == ResultStatus.NOT_MET
    assert sr12.observations == "Owner: shared account on the historian"
    row(consultant_page, sr12).locator('[data-field="observations"]').blur()
    consultant_obs = row(consultant_page, sr12).locator('[data-field="observations"]')
    consultant_page.wait_for_function(
        "el => el.value === 'Owner: shared account on the historian'", arg=consultant_obs.element_handle()
    )


def test_heatmap_cell_changes_live(page: Any, second_page: Any, demo: None, asgi_server: str) -> None:
    assessment = Assessment.objects.get(title=TITLE)
    dmz = Zone.objects.get(site=assessment.site, name="Plant DMZ")
    owner = User.objects.get(username="demo-owner")
    level_one = list(
        Result.objects.filter(assessment=assessment, zone=dmz, requirement__fr_id="FR4", requirement__lowest_sl=1)
    )
    *others, last = level_one
    for result in others:
        services.result_update(result=result, by=owner, fields={"status": ResultStatus.MET})
    login(page, asgi_server, "demo-consultant")
    login(second_page, asgi_server, "demo-owner")
    second_page.goto(f"{asgi_server}/assessments/{assessment.pk}/")
    cell = second_page.locator(f'tr[data-target="{dmz.pk}"] td[data-fr="FR4"]')
    assert cell.inner_text().strip() == "2 / 0"
    second_page.wait_for_function("() => window.ZonewiseLive && window.ZonewiseLive.me !== null")

    open_workspace(page, asgi_server, assessment, dmz, "FR4")
    row(page, last).locator('[data-field="status"]').select_option("met")
    row(page, last).locator('[data-role="save-state"]', has_text="Saved").wait_for()

    second_page.wait_for_function(
        "sel => document.querySelector(sel).innerText.trim() === '2 / 1'",
        arg=f'tr[data-target="{dmz.pk}"] td[data-fr="FR4"]',
        timeout=5000,
    )
    assert "gap-1" in (cell.get_attribute("class") or "")
    screenshot(second_page, "collab-heatmap")


def test_after_the_socket_was_away_the_page_catches_up_and_keeps_what_was_typed(
    page: Any, demo: None, asgi_server: str
) -> None:
    """Messages sent while a socket is down are not replayed (a network drop, a laptop asleep, a
    deploy): when it reconnects, the workspace reads its results again. A row nobody is typing in
    takes the newer version; a row with unsaved typing keeps the typing and says what happened."""
    assessment = Assessment.objects.get(title=TITLE)
    dmz = Zone.objects.get(site=assessment.site, name="Plant DMZ")
    sr11 = Result.objects.get(assessment=assessment, zone=dmz, requirement__ref="SR 1.1")
    sr12 = Result.objects.get(assessment=assessment, zone=dmz, requirement__ref="SR 1.2")
    consultant = User.objects.get(username="demo-consultant")
    routes: list[Any] = []
    deaf = {"on": False}

    def through(route: Any) -> None:
        server = route.connect_to_server()
        routes.append(route)
        # While "deaf", what the server says never reaches the page: the messages are lost.
        server.on_message(lambda message: None if deaf["on"] else route.send(message))

    page.route_web_socket("**/ws/assessments/**", through)
    login(page, asgi_server, "demo-owner")
    open_workspace(page, asgi_server, assessment, dmz, "FR1")
    assert len(routes) == 1

    deaf["on"] = True
    page.evaluate("document.getElementById('live-root').dataset.saveDelay = '60000'")  # saved on blur only
    row(page, sr12).locator('[data-field="observations"]').fill("Owner, not saved yet: shared account on the HMI")
    services.result_update(result=sr11, by=consultant, fields={"status": ResultStatus.MET})
    services.result_update(result=sr12, by=consultant, fields={"observations": "Consultant: checked the HMI"})
    page.wait_for_timeout(1500)  # the live messages had time to arrive, and were lost
    assert row(page, sr11).locator('[data-field="status"]').input_value() != "met"

    deaf["on"] = False
    routes[0].close(code=1001, reason="the network dropped")  # the page reconnects on its own
    state11 = row(page, sr11).locator('[data-role="save-state"]')
    state11.filter(has_text="while you were offline").wait_for(timeout=10_000)
    assert len(routes) == 2
    assert row(page, sr11).locator('[data-field="status"]').input_value() == "met"
    assert "Casey Consultant" in state11.inner_text()
    state12 = row(page, sr12).locator('[data-role="save-state"]')
    assert "changed this while you were offline" in state12.inner_text()
    typed = row(page, sr12).locator('[data-field="observations"]')
    assert typed.input_value() == "Owner, not saved yet: shared account on the HMI"
    screenshot(page, "caught-up-after-reconnect")

    # Saving the typed row now shows both versions instead of overwriting the consultant's.
    typed.blur()
    row(page, sr12).locator('[data-role="conflict"]').wait_for(timeout=10_000)
    assert "Consultant: checked the HMI" in row(page, sr12).locator('[data-role="conflict"]').inner_text()
