"""Running report jobs beat; the reaper takes a job whose heartbeat stopped as one whose worker died, queues it
again once, then fails it saying when the heartbeat stopped (docs/decisions/0013-report-jobs.md)."""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from reports import runner, services
from reports.choices import JobStatus, ReportKind
from reports.models import ReportJob
from tests.assessments.helpers import uniform
from tests.conftest import Personas
from tests.reports.helpers import sample_assessment
from tests.reports.test_worker import really_queued, start_worker, stop_worker, wait_for

NOW = datetime(2026, 12, 2, 9, 41, 30, tzinfo=timezone.get_fixed_timezone(0))


def running(personas: Personas, **fields: Any) -> ReportJob:
    """A roadmap job (a site is all it needs) that a worker started, unless `fields` say otherwise."""
    defaults: dict[str, Any] = {
        "kind": ReportKind.ROADMAP,
        "site": personas.site,
        "requested_by": personas.consultant,
        "run_token": uuid.uuid4(),
        "status": JobStatus.RUNNING,
        "attempts": 1,
        "started_at": NOW - timedelta(minutes=4),
    }
    return ReportJob.objects.create(**{**defaults, **fields})


def signed_in(user: Any) -> APIClient:
    """A client logged in with a session: for the pages and the API alike."""
    client = APIClient()
    client.force_login(user)
    return client


def quick_output(workdir: Path) -> runner.Output:
    path = workdir / "x.csv"
    path.write_text("a,b\n")
    return runner.Output(path, "x.csv", "text/csv")


# --- beats and progress ----------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_beat_and_progress_count_only_while_the_run_owns_the_job(personas: Personas) -> None:
    job = running(personas, heartbeat_at=NOW - timedelta(minutes=3))
    heartbeat = runner.Heartbeat(job, 1, every=20)  # not started: beats written by hand
    before = timezone.now()
    assert heartbeat.beat()
    job.refresh_from_db()
    assert job.heartbeat_at is not None and job.heartbeat_at >= before

    runner._progress_writer(job, 1)(40, "Laying out the pages")
    job.refresh_from_db()
    assert job.progress == 40 and job.heartbeat_at is not None and job.heartbeat_at >= before

    # Queued again by the reaper meanwhile (new token): the old run writes nothing and its heartbeat ends.
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, run_token=uuid.uuid4(), heartbeat_at=None)
    assert not heartbeat.beat()
    runner._progress_writer(job, 1)(60, "Still going")
    job.refresh_from_db()
    assert job.heartbeat_at is None and job.progress == 40 and heartbeat.beats == 1


# --- the reaper ------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_job_that_beats_or_just_started_is_left_alone(personas: Personas) -> None:
    timeout = services.heartbeat_timeout()
    beating = running(personas, heartbeat_at=NOW - timeout + timedelta(seconds=5))
    starting = running(personas, started_at=NOW - timeout + timedelta(seconds=5))  # no beat yet
    assert services.report_reap_stale(now=NOW) == 0
    for job in (beating, starting):
        job.refresh_from_db()
        assert job.status == JobStatus.RUNNING and job.reaper_requeues == 0


@pytest.mark.django_db
def test_a_silent_job_is_queued_again_once_and_the_dead_runs_message_is_dropped(
    personas: Personas, django_capture_on_commit_callbacks: Any, monkeypatch: Any, media_root: Path
) -> None:
    beat = NOW - services.heartbeat_timeout() - timedelta(seconds=1)
    job = running(personas, heartbeat_at=beat, progress=63, stage="Laying out the pages")
    old_token = str(job.run_token)
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.report_reap_stale(now=NOW) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.reaper_requeues == 1 and job.attempts == 1
    assert str(job.run_token) != old_token and job.queued_at == NOW and job.started_at is None
    assert job.stage == "Queued again at 09:41 UTC: the worker rendering it stopped sending heartbeats at 09:39 UTC"
    assert job.progress == 0 and job.error == ""

    # What the page and the API say while it waits.
    page = signed_in(personas.auditor)
    assert (
        "stopped sending heartbeats at 09:39 UTC. Waiting for a worker"
        in page.get(f"/reports/{job.pk}/status/").content.decode()
    )
    assert page.get(f"/api/v1/reports/{job.pk}/").json()["stage"] == job.stage

    # The dead run's message, handed back by the broker, is dropped; the new one renders the job.
    assert runner.report_run(job_id=str(job.pk), token=old_token) is None
    monkeypatch.setitem(runner.RENDERERS, ReportKind.ROADMAP, lambda j, p, workdir: quick_output(workdir))
    assert len(callbacks) == 1
    callbacks[0]()  # the message sent on commit, run eagerly as a worker would
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 2 and job.stage == ""


@pytest.mark.django_db
def test_a_job_silent_again_after_its_requeue_fails_saying_when_and_can_be_retried(personas: Personas) -> None:
    beat = NOW - timedelta(minutes=2, seconds=30)
    job = running(personas, heartbeat_at=beat, reaper_requeues=1, attempts=2)
    assert services.report_reap_stale(now=NOW) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.finished_at == NOW and job.run_token is None
    assert job.error.startswith("The worker rendering this report stopped sending heartbeats at 09:39 UTC")
    assert "Retry it" in job.error

    client = signed_in(personas.auditor)
    body = client.get(f"/api/v1/reports/{job.pk}/").json()
    assert body["error"] == job.error and body["links"]["retry"]
    assert "stopped sending heartbeats at 09:39 UTC" in client.get(f"/reports/{job.pk}/").content.decode()
    retried = services.report_retry(job=job, by=personas.auditor)
    assert retried.reaper_requeues == 0 and retried.heartbeat_at is None and retried.status == JobStatus.QUEUED


@pytest.mark.django_db
def test_the_time_limit_rules_still_come_first(personas: Personas) -> None:
    # Ran past the hard limit and the grace period: failed as before, whatever its heartbeat says.
    overrun = running(personas, started_at=NOW - services.stale_after() - timedelta(seconds=1), heartbeat_at=NOW)
    # Beat past the soft limit, then went silent: the hard limit killed it; a new run would meet it again.
    limited = running(
        personas, started_at=NOW - timedelta(minutes=11, seconds=30), heartbeat_at=NOW - timedelta(minutes=2, seconds=1)
    )
    assert services.report_reap_stale(now=NOW) == 2
    for job in (overrun, limited):
        job.refresh_from_db()
        assert job.status == JobStatus.FAILED and job.reaper_requeues == 0
        assert "ran past the 10-minute time limit or its process died" in job.error


# --- in threads and processes: a beat from its own thread, and a real worker killed ----------------------------
# The heartbeat writes from its own thread and connection, so the test commits (and the database is emptied
# after it). In the Celery worker's group, just before the other transactional tests: one catalogue reload.
@pytest.mark.xdist_group("celery_worker")
@pytest.mark.django_db(transaction=True)
def test_a_run_beats_while_it_renders_and_the_beat_stops_with_it(
    personas: Personas, settings: Any, monkeypatch: Any
) -> None:
    settings.REPORT_HEARTBEAT_SECONDS = 0.05
    job = running(personas, status=JobStatus.QUEUED, attempts=0, started_at=None)
    seen: list[datetime] = []
    threads: list[str] = []

    def render(job_: ReportJob, progress: Any, workdir: Path) -> runner.Output:
        claimed = ReportJob.objects.get(pk=job.pk)
        assert claimed.heartbeat_at == claimed.started_at  # the claim is the first sign of life
        deadline = time.monotonic() + 5
        while len(seen) < 3 and time.monotonic() < deadline:  # no progress written: only the thread beats
            beat = ReportJob.objects.get(pk=job.pk).heartbeat_at
            assert beat is not None
            if not seen or beat > seen[-1]:
                seen.append(beat)
            time.sleep(0.01)
        threads.extend(t.name for t in threading.enumerate())
        return quick_output(workdir)

    monkeypatch.setitem(runner.RENDERERS, ReportKind.ROADMAP, render)
    done = runner.report_run(job_id=str(job.pk), token=str(job.run_token))
    assert done is not None and done.status == JobStatus.SUCCEEDED
    assert len(seen) == 3 and seen[0] < seen[1] < seen[2]
    assert f"report-heartbeat-{job.pk}" in threads
    # Stopped and joined with the run: no thread left, and the row no longer changes.
    assert not [t for t in threading.enumerate() if t.name.startswith("report-heartbeat-")]
    last = ReportJob.objects.get(pk=job.pk).heartbeat_at
    time.sleep(0.15)
    assert ReportJob.objects.get(pk=job.pk).heartbeat_at == last


@pytest.mark.xdist_group("celery_worker")
def test_a_killed_worker_is_noticed_and_its_job_runs_again_on_a_fresh_worker(
    transactional_db: None, media_root: Path, tmp_path: Path, personas: Personas, settings: Any
) -> None:
    """The whole worker (its process group) is killed with SIGKILL while it renders; with beats every second
    and a 3-second timeout, the reaper queues the job again within about 3 s and a fresh worker renders it."""
    call_command("load_catalogue", verbosity=0)  # a transactional test before this one may have flushed it
    settings.REPORT_HEARTBEAT_TIMEOUT = 3
    sample = sample_assessment(personas, zones=2, slt=uniform(2))
    log = tmp_path / "worker.log"
    first = start_worker(log, media_root, REPORT_HEARTBEAT_SECONDS="1")
    second = None
    try:
        with really_queued():
            job = services.report_request(
                kind=ReportKind.GAP_ASSESSMENT, by=personas.consultant, assessment=sample.assessment
            )
            deadline = time.monotonic() + 120
            while not (job.status == JobStatus.RUNNING and job.heartbeat_at and job.started_at
                       and job.heartbeat_at > job.started_at):  # fmt: skip
                assert first.poll() is None and time.monotonic() < deadline, log.read_text()[-4000:]
                time.sleep(0.02)
                job.refresh_from_db()
            os.killpg(first.pid, signal.SIGKILL)
            killed = time.monotonic()
            first.wait(timeout=10)
            second = start_worker(log, media_root, REPORT_HEARTBEAT_SECONDS="1")  # boots while the reaper waits

            while not services.report_reap_stale():  # beat runs it every 30 s; here as often as it likes
                assert time.monotonic() - killed < 30, "the reaper never noticed"
                time.sleep(0.1)
            noticed = time.monotonic() - killed
            job.refresh_from_db()
            assert job.status == JobStatus.QUEUED and job.reaper_requeues == 1, job.error
            assert noticed < 4.5  # the timeout, less the time since the last beat, plus polling (and a busy machine)
            print(f"killed worker noticed after {noticed:.1f} s")

            done, _ = wait_for(str(job.pk), second, log)
            assert done.status == JobStatus.SUCCEEDED, f"{done.error}\n{log.read_text()[-4000:]}"
            assert done.attempts == 2 and done.pages
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
        if second is not None:
            stop_worker(second)
