"""A real Celery worker renders a requested report: the API queues the job, a worker subprocess picks
it up from the broker the settings give (Redis with REDIS_URL, else the data folder's filesystem broker),
renders it against this test's database, and the PDF comes back through the download endpoint."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from reports.models import ReportJob
from tests.assessments.helpers import uniform
from tests.conftest import Personas, api_as
from tests.reports.helpers import outline_titles, pdf_text, sample_assessment

# One worker runs it: it shares the broker (Redis or the worker's filesystem folder) with a Celery process.
pytestmark = pytest.mark.xdist_group("celery_worker")
ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 240


def start_worker(log: Path, media_root: Path, **env: str) -> subprocess.Popen[bytes]:
    """`celery -A config worker --pool=solo --concurrency=1` on this test's database, in a process group of its
    own (so a test can kill the whole worker), with `env` added to its environment."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.reports.worker_settings",
        "ZONEWISE_WORKER_DB_NAME": str(connection.settings_dict["NAME"]),
        "ZONEWISE_WORKER_MEDIA_ROOT": str(media_root),
        "PYTHONPATH": str(ROOT),
        **env,
    }
    command = [
        str(Path(sys.executable).parent / "celery"), "-A", "config", "worker", "--pool=solo", "--concurrency=1",
        "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
        "-n", f"reports-test-{uuid.uuid4().hex[:8]}@%h",
    ]  # fmt: skip
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop_worker(process: subprocess.Popen[bytes]) -> None:
    """Stop a worker that `start_worker` started (if it still runs)."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextmanager
def really_queued() -> Iterator[None]:
    """Tasks go to the broker: the in-process suite runs them eagerly, these tests must not."""
    from config.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = eager


@pytest.fixture
def worker(transactional_db: None, media_root: Path, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """A real worker on this test's database (see start_worker); tasks sent for real."""
    # A transactional test before this one may have flushed the catalogue the session loaded.
    call_command("load_catalogue", verbosity=0)
    log = tmp_path / "worker.log"
    process = start_worker(log, media_root)
    try:
        with really_queued():
            yield process, log
    finally:
        stop_worker(process)


def wait_for(job_id: str, process: subprocess.Popen[bytes], log: Path) -> tuple[ReportJob, set[str]]:
    seen: set[str] = set()
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        job = ReportJob.objects.get(pk=job_id)
        seen.add(job.status)
        if job.is_done:
            return job, seen
        if process.poll() is not None:
            pytest.fail(f"the worker exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        time.sleep(0.05)
    pytest.fail(f"the job was not done after {WAIT_SECONDS} s (status {job.status}):\n{log.read_text()[-4000:]}")


def test_a_real_worker_renders_the_requested_gap_report(
    worker: tuple[subprocess.Popen[bytes], Path], personas: Personas
) -> None:
    process, log = worker
    sample = sample_assessment(personas, zones=2, slt=uniform(2))
    client = api_as(personas.auditor)
    response = client.post(
        "/api/v1/reports/", {"kind": "gap_assessment", "assessment": str(sample.assessment.pk)}, format="json"
    )
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued"  # not rendered in the request

    job, seen = wait_for(response.json()["id"], process, log)
    assert job.status == "succeeded", f"{job.error}\n{log.read_text()[-4000:]}"
    assert "running" in seen
    body = client.get(f"/api/v1/reports/{job.pk}/").json()
    assert body["progress"] == 100 and body["attempts"] == 1
    download = client.get(body["links"]["download"])
    assert download.status_code == 200
    data = download.getvalue()

    reader, pages = pdf_text(data)
    text = " ".join(" ".join(p.split()) for p in pages)
    assert body["output"]["pages"] == len(reader.pages)
    assert 12 <= len(reader.pages) <= 60
    for expected in ("Riverside 2026 gap assessment", "1 Executive summary", "2 Scope and method",
                     "4.1 Zone: Zone 1", "4.2 Zone: Zone 2", "5.1 Conduit: Conduit 1-2", "6 Findings",
                     "Appendix A Evidence index", "SL-T {2,2,2,2,2,2,2}", "SL-A {2,0,0,0,0,0,0}"):  # fmt: skip
        assert expected in text, expected
    assert (1, "4.1 Zone: Zone 1") in outline_titles(reader)
    assert f"Page {len(reader.pages)} of {len(reader.pages)}" in text
