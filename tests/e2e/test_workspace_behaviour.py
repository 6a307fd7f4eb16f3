"""The workspace and the overview behave: a refused upload says why in the panel and an accepted one
updates the row's chips; a status shortcut never leads to stray text; a final assessment reads as
read-only; no page logs a console error; the overview's tiles follow changes live; the conflict card
names the versions it is about."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from assessments.choices import AssessmentStatus, ResultStatus
from assessments.demo import TITLE
from assessments.models import Assessment, Result
from tests.e2e.conftest import login, screenshot
from zones.models import Zone

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]  # one browser, one live server


@pytest.fixture
def second_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def watch_console(page: Any) -> list[str]:
    """Every console error and uncaught exception the page logs, with the page it happened on."""
    errors: list[str] = []

    def on_console(message: Any) -> None:
        if message.type == "error":
            errors.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    return errors


def demo_place(ref: str = "SR 1.1") -> tuple[Assessment, Zone, Result]:
    assessment = Assessment.objects.get(title=TITLE)
    dmz = Zone.objects.get(site=assessment.site, name="Plant DMZ")
    return assessment, dmz, Result.objects.get(assessment=assessment, zone=dmz, requirement__ref=ref)


def open_workspace(page: Any, base: str, assessment: Assessment, zone: Zone, fr: str = "FR1") -> None:
    page.goto(f"{base}/assessments/{assessment.pk}/workspace/?target={zone.pk}&fr={fr}")
    page.wait_for_function("() => window.ZonewiseLive && window.ZonewiseLive.me")


def consultant_on(page: Any, base: str, ref: str = "SR 1.1") -> tuple[Result, Any]:
    """The demo consultant in the workspace of the Plant DMZ (FR1): the result `ref` and its row."""
    assessment, dmz, result = demo_place(ref)
    login(page, base, "demo-consultant")
    open_workspace(page, base, assessment, dmz)
    return result, page.locator(f"#r-{result.pk}")


def test_refused_upload_says_why_and_an_upload_updates_the_chips(page: Any, demo: None, asgi_server: str) -> None:
    errors = watch_console(page)
    _, row = consultant_on(page, asgi_server)
    row.get_by_role("button", name="Evidence", exact=True).click()
    panel = row.locator('[data-role="panel"]')
    panel.locator(".upload-form").wait_for()

    panel.get_by_role("button", name="Add evidence").click()
    panel.get_by_text("Choose a file to upload or give a reference").wait_for()

    panel.locator('input[type="file"]').set_input_files(
        {"name": "tool.exe", "mimeType": "application/octet-stream", "buffer": b"MZ\x90\x00"}
    )
    panel.get_by_label("Description").fill("Installer")
    panel.get_by_role("button", name="Add evidence").click()
    panel.get_by_text("Files of type .exe are not accepted").wait_for()
    assert panel.get_by_label("Description").input_value() == "Installer"  # what was typed stays
    screenshot(page, "workspace-upload-refused")

    # Too large: said before anything is sent, from the server's limit.
    panel.locator(".upload-form").evaluate("form => { form.dataset.maxBytes = '16'; }")
    panel.locator('input[type="file"]').set_input_files(
        {"name": "big.txt", "mimeType": "text/plain", "buffer": b"x" * 64}
    )
    panel.get_by_role("button", name="Add evidence").click()
    panel.get_by_text(re.compile("evidence files are limited to")).wait_for()

    chips_before = row.locator('[data-role="evidence"] .chip').count()
    panel.locator('input[type="file"]').set_input_files(
        {"name": "fw-review.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7 review"}
    )
    panel.get_by_label("Description").fill("Firewall rule review")
    panel.get_by_label("Expires").fill("2020-01-31")
    panel.get_by_role("button", name="Add evidence").click()
    panel.get_by_text("Added “fw-review.pdf”.").wait_for()
    chips = row.locator('[data-role="evidence"] .chip')
    assert chips.count() == chips_before + 1
    assert "expired" in row.locator('[data-role="evidence"] .chip', has_text="fw-review.pdf").inner_text()
    item = panel.locator(".evidence-item", has_text="fw-review.pdf")
    assert "Firewall rule review" in item.inner_text() and "expired 2020-01-31" in item.inner_text()
    screenshot(page, "workspace-upload-added")
    assert errors == []


def test_a_status_shortcut_never_types_and_leaving_unsaved_asks(page: Any, demo: None, asgi_server: str) -> None:
    result, row = consultant_on(page, asgi_server)
    row.focus()
    assert row.locator('[data-role="hint"]').is_visible()  # "Press Enter or click a field to write"
    page.keyboard.press("a")  # not applicable: needs a justification
    page.keyboard.press("j")  # meant as "next requirement"
    page.keyboard.press("h")
    justification = row.locator('[data-field="justification"]')
    assert justification.is_visible() and justification.input_value() == ""
    assert "press Enter or click the field" in row.locator('[data-role="save-state"]').inner_text()
    assert page.evaluate("document.activeElement.tagName") != "TEXTAREA"
    dialog = page.locator("#history-dialog")
    dialog.and_(page.locator("[open]")).wait_for()  # h opened the next requirement's history (after a fetch)
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    page.wait_for_timeout(900)  # longer than the save delay: nothing may have been saved
    result.refresh_from_db()
    assert (result.status, result.justification, result.version) == (ResultStatus.NOT_ASSESSED, "", 1)

    # Enter starts writing where the status needs it; Escape goes back; keys in a field are the field's.
    row.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.dataset.field") == "justification"
    page.keyboard.type("Not used on this zone: jump host only")
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") == f"r-{result.pk}"
    row.locator('[data-role="save-state"]', has_text="Saved").wait_for()
    result.refresh_from_db()
    assert result.status == ResultStatus.NOT_APPLICABLE
    assert result.justification == "Not used on this zone: jump host only"

    # A status that waits for its text is not saved: leaving asks first.
    page.keyboard.press("c")  # compensated: not saved until the countermeasure is written
    asked: list[str] = []

    def on_dialog(dialog: Any) -> None:
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.close(run_before_unload=True)
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"]


def test_a_final_assessment_reads_as_read_only(page: Any, demo: None, asgi_server: str) -> None:
    errors = watch_console(page)
    assessment, dmz, result = demo_place("SR 1.1")
    consultant = User.objects.get(username="demo-consultant")
    Assessment.objects.filter(pk=assessment.pk).update(
        status=AssessmentStatus.FINAL, signed_off_at=timezone.now(), signed_off_by=consultant
    )
    login(page, asgi_server, "demo-consultant")
    open_workspace(page, asgi_server, assessment, dmz)
    banner = page.locator("#final-banner")
    assert "read-only" in banner.inner_text() and "reopen" in banner.inner_text()
    assert (
        banner.get_by_role("link", name="Go to the overview").get_attribute("href") == f"/assessments/{assessment.pk}/"
    )
    results = page.locator("article.result")
    assert results.count() > 0
    assert page.locator("article.result select, article.result textarea, article.result input").count() == 0
    assert page.locator(".help.keys").count() == 0
    row = page.locator(f"#r-{result.pk}")
    row.focus()
    page.keyboard.press("m")
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == f"r-{result.pk}"  # shortcuts are off
    row.get_by_role("button", name="Evidence", exact=True).click()
    row.locator(".evidence-panel").wait_for()
    assert row.locator(".upload-form").count() == 0
    result.refresh_from_db()
    assert result.status == ResultStatus.NOT_ASSESSED
    screenshot(page, "workspace-final")
    assert errors == []


def test_no_console_errors_on_the_main_pages(page: Any, demo: None, asgi_server: str) -> None:
    errors = watch_console(page)
    assessment, dmz, result = demo_place("SR 1.2")
    login(page, asgi_server, "demo-consultant")
    base = f"{asgi_server}/assessments/{assessment.pk}"
    for url in (f"{base}/", f"{base}/evidence/", f"{asgi_server}/roadmap/", f"{asgi_server}/kpis/"):
        page.goto(url)
        page.wait_for_load_state("networkidle")
    page.goto(f"{asgi_server}/reports/")
    report_links = [
        href
        for href in page.locator("main a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        if href and re.fullmatch(r"/reports/[0-9a-f-]{36}/", href)
    ]
    for href in report_links[:1]:
        page.goto(asgi_server + href)
        page.wait_for_load_state("networkidle")
    open_workspace(page, asgi_server, assessment, dmz)
    row = page.locator(f"#r-{result.pk}")
    row.get_by_role("button", name="Evidence", exact=True).click()
    row.locator(".evidence-panel").wait_for()
    row.get_by_role("button", name=re.compile("Comments")).click()
    row.locator(".comments").wait_for()
    row.get_by_label("Add a comment").fill("Checked with the operator")
    row.get_by_role("button", name="Post comment").click()
    row.locator(".comment", has_text="Checked with the operator").wait_for()
    row.get_by_role("button", name="History").click()
    page.locator("#history-dialog[open]").wait_for()
    assert errors == []


def test_overview_tiles_follow_changes_live_and_the_conflict_card_names_versions(
    page: Any, second_page: Any, demo: None, asgi_server: str
) -> None:
    assessment, dmz, result = demo_place("SR 1.3")
    if result.status != ResultStatus.NOT_ASSESSED:
        Result.objects.filter(pk=result.pk).update(status=ResultStatus.NOT_ASSESSED)
    login(page, asgi_server, "demo-consultant")
    login(second_page, asgi_server, "demo-owner")
    page.goto(f"{asgi_server}/assessments/{assessment.pk}/")
    page.wait_for_function("() => window.ZonewiseLive && window.ZonewiseLive.me")
    tile = page.locator("#overview-tiles .stat").first
    before = re.search(r"\((\d+) of (\d+)\)", tile.inner_text())
    assert before
    assessed, total = int(before[1]), int(before[2])

    open_workspace(second_page, asgi_server, assessment, dmz)
    owner_row = second_page.locator(f"#r-{result.pk}")
    owner_row.locator('[data-field="status"]').select_option("not_met")
    owner_row.locator('[data-role="save-state"]', has_text="Saved").wait_for()
    page.locator("#overview-tiles", has_text=f"({assessed + 1} of {total})").wait_for(timeout=5000)
    page.locator("#status-counts").wait_for()
    screenshot(page, "overview-tiles-live")

    # The conflict card: the consultant types on version 2 while the owner saves version 3.
    open_workspace(page, asgi_server, assessment, dmz)
    page.evaluate("document.getElementById('live-root').dataset.saveDelay = '2500'")
    mine = page.locator(f"#r-{result.pk}")
    mine.locator('[data-field="observations"]').fill("Consultant: no password policy on the HMI")
    owner_row.locator('[data-field="observations"]').fill("Owner: policy in draft")
    owner_row.locator('[data-field="observations"]').blur()
    owner_row.locator('[data-role="save-state"]', has_text="Saved").wait_for()
    conflict = mine.locator('[data-role="conflict"]')
    conflict.wait_for(state="visible", timeout=8000)
    head = conflict.locator("thead").inner_text()
    assert re.search(r"Their version 3 \(saved by Olivia Owner at \d{4}-\d\d-\d\d \d\d:\d\d\)", head), head
    assert "you started from version 2" in head
    screenshot(page, "workspace-conflict-versions")
