"""An auditor asks for the evidence bundle on the assessment page, watches its progress while the gap report
in it is laid out, downloads it and checks it; the reports page lists it."""

from __future__ import annotations

import hashlib
import io
import json
import re
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from pypdf import PdfReader

from assessments.demo import TITLE
from assessments.models import Assessment, Evidence
from reports import runner, tasks
from reports.models import ReportJob
from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.fixture
def worker_thread(monkeypatch: Any, settings: Any, tmp_path: Path) -> Iterator[list[threading.Thread]]:
    """Stands in for the Celery worker: what the request enqueues runs in a thread of this process,
    so the page can be seen following a job that is really running (eager tasks would finish inside
    the request, and the page would only ever show the end)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    threads: list[threading.Thread] = []

    def work(job_id: str, token: str | None) -> None:
        try:
            runner.report_run(job_id=job_id, token=token)
        finally:
            connection.close()  # this thread's own connection; the test database is dropped at the end

    def delay(job_id: str, token: str | None = None) -> None:
        thread = threading.Thread(target=work, args=(job_id, token), daemon=True)
        threads.append(thread)
        thread.start()

    monkeypatch.setattr(tasks.run_report, "delay", delay)
    yield threads
    for thread in threads:
        thread.join(timeout=120)


def test_auditor_requests_the_evidence_bundle_follows_it_and_it_verifies(
    worker_thread: list[threading.Thread], page: Any, demo: None, asgi_server: str, tmp_path: Path
) -> None:
    """An auditor, who can change nothing, takes the evidence away: the page follows the job while the
    gap report inside it is laid out, the ZIP downloaded through the page is the one the job recorded,
    every file in it matches the manifest the page vouches for, and the reports page lists it.

    The one end-to-end report test (it was two, the gap report and the bundle, each rendering the demo's
    report): the bundle renders the same gap report, and tests/reports/test_worker.py downloads a PDF
    rendered by a real Celery worker."""
    assessment = Assessment.objects.get(title=TITLE)
    uploaded = Evidence.objects.filter(assessment=assessment).exclude(file="")
    assert uploaded.count() == 3  # the demo's evidence files (references are listed, not carried)
    login(page, asgi_server, "demo-auditor")
    page.goto(f"{asgi_server}/assessments/{assessment.pk}/")
    page.locator("#report-requests").get_by_role("button", name="Evidence bundle (ZIP)").click()

    page.wait_for_url(f"{asgi_server}/reports/*/")
    page.get_by_text("Evidence bundle (ZIP) requested").wait_for()
    status = page.locator("#report-status")
    # The panel follows the worker: running with a moving bar, then the download.
    page.wait_for_selector('#report-status[data-status="running"] progress', timeout=30_000)
    page.wait_for_function(
        "() => { const bar = document.querySelector('#report-status progress'); return bar && bar.value >= 20; }",
        timeout=60_000,
    )
    # The gap report inside is laid out in parts (decision 0039): the panel counts them, then assembles.
    running = status.inner_text()
    assert re.search(r"Rendering parts: \d+ of \d+", running) or "Assembling" in running, running
    screenshot(page, "report-running")
    link = page.locator("#download-report")
    link.wait_for(timeout=120_000)
    assert status.get_attribute("data-status") == "succeeded"
    shown = " ".join(status.inner_text().split())
    screenshot(page, "bundle-ready")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.startswith("riverside-water-treatment-works-evidence-bundle-")
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    job = ReportJob.objects.get(kind="evidence_bundle")
    assert job.requested_by is not None and job.requested_by.username == "demo-auditor"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == job.sha256 and job.sha256 in shown
    with zipfile.ZipFile(path) as archive:
        manifest_bytes = archive.read("manifest.json")
        assert hashlib.sha256(manifest_bytes).hexdigest() == job.output_info["manifest_sha256"]
        assert job.output_info["manifest_sha256"] in shown
        manifest = json.loads(manifest_bytes)
        listed = {entry["path"]: entry for entry in manifest["files"]}
        assert set(listed) == set(archive.namelist()) - {"manifest.json"}
        for name, entry in listed.items():
            data = archive.read(name)
            assert (len(data), hashlib.sha256(data).hexdigest()) == (entry["size"], entry["sha256"]), name
        carried = {entry["evidence_id"] for entry in listed.values() if entry.get("evidence_id")}
        assert carried == {str(pk) for pk in uploaded.values_list("pk", flat=True)}
        assert all(
            listed[name].get("matches_upload")
            for name in listed
            if name.startswith("evidence/") and listed[name].get("evidence_id")
        )
        reader = PdfReader(io.BytesIO(archive.read("gap-assessment.pdf")))
    assert len(reader.pages) == job.output_info["gap_assessment_pages"] and len(reader.pages) > 30
    first_pages = " ".join((reader.pages[n].extract_text() or "") for n in range(3))
    assert TITLE in " ".join(first_pages.split())

    page.get_by_role("link", name="Reports", exact=True).first.click()
    page.wait_for_url(f"{asgi_server}/reports/")
    row = page.locator("#reports tbody tr").first
    assert "Evidence bundle (ZIP)" in row.inner_text() and "Succeeded" in row.inner_text()
    screenshot(page, "reports-list")
