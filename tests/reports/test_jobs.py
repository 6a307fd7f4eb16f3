"""Report jobs: requesting, running in the worker's runner, failing, retrying, reaping."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reports import runner, services, tasks
from reports.choices import JobStatus, ReportKind
from reports.models import ReportJob
from tests.conftest import Personas
from tests.reports.helpers import pdf_text

pytestmark = pytest.mark.django_db


def request(sample: Any, by: Any, capture: Any, kind: str = ReportKind.GAP_ASSESSMENT) -> ReportJob:
    """Request a report and run what the request enqueued (the eager Celery task, as a worker would)."""
    with capture(execute=True) as callbacks:
        job = services.report_request(kind=kind, by=by, assessment=sample.assessment)
    assert len(callbacks) == 1
    job.refresh_from_db()
    return job


def test_a_requested_report_is_rendered_and_stored_with_its_facts(
    sample: Any, personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    job = request(sample, personas.auditor, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert (job.progress, job.attempts, job.error, job.stage) == (100, 1, "", "")
    assert job.requested_by == personas.auditor and job.site == personas.site
    data = job.file.read()
    assert data.startswith(b"%PDF-")
    assert job.size == len(data) and job.sha256 == hashlib.sha256(data).hexdigest()
    reader, _ = pdf_text(data)
    assert job.pages == len(reader.pages)
    assert job.filename == f"site-a-gap-assessment-{timezone.localdate().isoformat()}.pdf"
    assert job.content_type == "application/pdf"
    assert job.started_at is not None and job.finished_at is not None and job.started_at <= job.finished_at


def test_nothing_is_enqueued_before_commit_and_nothing_renders_in_the_request(
    sample: Any, personas: Personas, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    sent: list[tuple[Any, ...]] = []
    monkeypatch.setattr(tasks.run_report, "delay", lambda *args: sent.append(args))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.report_request(kind=ReportKind.GAP_ASSESSMENT, by=personas.owner, assessment=sample.assessment)
        assert sent == []
    assert job.status == JobStatus.QUEUED and not job.file
    for callback in callbacks:
        callback()
    assert sent == [(str(job.pk), str(job.run_token))]


@pytest.mark.parametrize(
    ("kind", "target", "field", "message"),
    [
        ("poster", "assessment", "kind", "Unknown report kind"),
        (ReportKind.ROADMAP, "assessment", "site", "made from a site"),
        (ReportKind.GAP_ASSESSMENT, "site", "assessment", "made from an assessment"),
        (ReportKind.RESULTS_CSV, None, "assessment", "made from an assessment"),
    ],
)
def test_bad_requests_are_refused_with_the_field_at_fault(
    sample: Any, personas: Personas, kind: str, target: str | None, field: str, message: str
) -> None:
    targets = {"assessment": {"assessment": sample.assessment}, "site": {"site": personas.site}, None: {}}
    with pytest.raises(ValidationError) as caught:
        services.report_request(kind=kind, by=personas.consultant, **targets[target])
    assert message in " ".join(caught.value.message_dict[field])
    assert not ReportJob.objects.exists()


def test_an_outsider_cannot_request_a_report(sample: Any, personas: Personas) -> None:
    with pytest.raises(PermissionDenied):
        services.report_request(kind=ReportKind.GAP_ASSESSMENT, by=personas.outsider, assessment=sample.assessment)
    assert not ReportJob.objects.exists()


@pytest.mark.usefixtures("light_pdf")  # permissions and plumbing: no real render needed
def test_a_failing_render_fails_the_job_with_the_reason_and_a_retry_succeeds(
    sample: Any, personas: Personas, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    def broken(job: ReportJob, progress: Any, workdir: Path) -> runner.Output:
        progress(30, "Half way")
        raise RuntimeError("the printer caught fire")

    healthy = runner.RENDERERS[ReportKind.GAP_ASSESSMENT]
    monkeypatch.setitem(runner.RENDERERS, ReportKind.GAP_ASSESSMENT, broken)
    job = request(sample, personas.consultant, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED
    assert "RuntimeError: the printer caught fire" in job.error
    assert not job.file and job.finished_at is not None

    monkeypatch.setitem(runner.RENDERERS, ReportKind.GAP_ASSESSMENT, healthy)
    old_token = job.run_token
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.report_retry(job=job, by=personas.auditor)
    job.refresh_from_db()
    assert (job.status, job.error, job.progress, job.attempts) == (JobStatus.QUEUED, "", 0, 0)
    assert job.run_token != old_token
    # The failed run's message, if it ever came back, is now ignored.
    assert runner.report_run(job_id=str(job.pk), token=str(old_token)) is None
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.file.read().startswith(b"%PDF-")


@pytest.mark.usefixtures("light_pdf")  # permissions and plumbing: no real render needed
def test_only_a_failed_job_can_be_retried(
    sample: Any, personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    job = request(sample, personas.consultant, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError, match="Only a failed report can be retried"):
        services.report_retry(job=job, by=personas.consultant)


def test_the_time_limit_message_is_clear(
    sample: Any, personas: Personas, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    from celery.exceptions import SoftTimeLimitExceeded

    def slow(job: ReportJob, progress: Any, workdir: Path) -> runner.Output:
        raise SoftTimeLimitExceeded()

    monkeypatch.setitem(runner.RENDERERS, ReportKind.GAP_ASSESSMENT, slow)
    job = request(sample, personas.consultant, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED
    assert "took longer than the 9-minute limit" in job.error


def queued(sample: Any, personas: Personas, **fields: Any) -> ReportJob:
    defaults = {"kind": ReportKind.GAP_ASSESSMENT, "run_token": uuid.uuid4()}
    return ReportJob.objects.create(
        site=personas.site, assessment=sample.assessment, requested_by=personas.consultant, **{**defaults, **fields}
    )


@pytest.mark.usefixtures("light_pdf")  # permissions and plumbing: no real render needed
def test_a_dead_workers_message_runs_the_job_again_up_to_a_limit(sample: Any, personas: Personas) -> None:
    # The worker died mid-job: the row says running, and acks_late hands the same message to another worker.
    job = queued(sample, personas, status=JobStatus.RUNNING, attempts=1, started_at=timezone.now())
    done = runner.report_run(job_id=str(job.pk), token=str(job.run_token))
    assert done is not None and done.status == JobStatus.SUCCEEDED and done.attempts == 2

    doomed = queued(sample, personas, status=JobStatus.RUNNING, attempts=services.MAX_ATTEMPTS)
    assert runner.report_run(job_id=str(doomed.pk), token=str(doomed.run_token)) is None
    doomed.refresh_from_db()
    assert doomed.status == JobStatus.FAILED
    assert f"stopped {services.MAX_ATTEMPTS} times" in doomed.error


def test_messages_for_finished_or_missing_jobs_are_dropped(sample: Any, personas: Personas) -> None:
    job = queued(sample, personas, status=JobStatus.SUCCEEDED, progress=100)
    assert runner.report_run(job_id=str(job.pk), token=str(job.run_token)) is None
    assert runner.report_run(job_id=str(uuid.uuid4()), token=None) is None
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 0


@pytest.mark.usefixtures("light_pdf")  # permissions and plumbing: no real render needed
def test_a_job_reaped_while_rendering_keeps_its_failure_and_the_file_is_discarded(
    sample: Any, personas: Personas, monkeypatch: Any, media_root: Path
) -> None:
    job = queued(sample, personas)
    healthy = runner.RENDERERS[ReportKind.GAP_ASSESSMENT]

    def reaped_meanwhile(job: ReportJob, progress: Any, workdir: Path) -> runner.Output | None:
        output = healthy(job, progress, workdir)
        later = timezone.now() + services.stale_after() + timedelta(seconds=1)
        assert services.report_reap_stale(now=later) == 1
        return output

    monkeypatch.setitem(runner.RENDERERS, ReportKind.GAP_ASSESSMENT, reaped_meanwhile)
    runner.report_run(job_id=str(job.pk), token=str(job.run_token))
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "The worker stopped" in job.error and not job.file
    # The stored parts stay (the next report reuses them, decision 0039); the report's own file is gone.
    assert not [p for p in (media_root / "reports").rglob("*.pdf") if "parts" not in p.parts]


def test_reaper_fails_only_jobs_running_past_the_time_limit(sample: Any, personas: Personas) -> None:
    now = timezone.now()
    limit = services.stale_after()
    stale = queued(sample, personas, status=JobStatus.RUNNING, started_at=now - limit - timedelta(seconds=5))
    # Running for over nine minutes and still beating (tests/reports/test_heartbeat.py has the silent ones).
    busy = queued(
        sample, personas, status=JobStatus.RUNNING, started_at=now - limit + timedelta(seconds=30), heartbeat_at=now
    )
    waiting = queued(sample, personas, queued_at=now - services.queue_timeout() + timedelta(minutes=1))
    assert tasks.reap_stale_jobs() == 1  # the beat task, run now
    stale.refresh_from_db()
    busy.refresh_from_db()
    waiting.refresh_from_db()
    assert stale.status == JobStatus.FAILED
    assert "ran past the 10-minute time limit or its process died" in stale.error
    assert stale.finished_at is not None and stale.run_token is None
    assert busy.status == JobStatus.RUNNING and waiting.status == JobStatus.QUEUED
    # A reaped job can be retried like any failed one.
    assert services.report_retry(job=stale, by=personas.auditor).status == JobStatus.QUEUED


def test_reaper_fails_jobs_whose_message_was_lost_and_a_late_message_is_dropped(
    sample: Any, personas: Personas
) -> None:
    now = timezone.now()
    lost = queued(sample, personas, queued_at=now - services.queue_timeout() - timedelta(seconds=5))
    token = str(lost.run_token)
    # Retried a minute ago after a long wait: its clock starts again at the retry.
    lost_again = queued(sample, personas, status=JobStatus.FAILED, created=now - timedelta(days=2))
    lost_again = services.report_retry(job=lost_again, by=personas.auditor)
    assert services.report_reap_stale() == 1
    lost.refresh_from_db()
    lost_again.refresh_from_db()
    assert lost.status == JobStatus.FAILED and lost.finished_at is not None
    assert "No worker picked this report up within 60 minutes" in lost.error
    assert lost_again.status == JobStatus.QUEUED
    # The message turns up after all (the broker came back): the job stays failed, nothing renders.
    assert runner.report_run(job_id=str(lost.pk), token=token) is None
    lost.refresh_from_db()
    assert lost.status == JobStatus.FAILED and lost.attempts == 0 and not lost.file
    assert services.report_retry(job=lost, by=personas.consultant).status == JobStatus.QUEUED


def test_progress_is_written_as_the_worker_goes(sample: Any, personas: Personas, monkeypatch: Any) -> None:
    job = queued(sample, personas)
    seen: list[tuple[int, str]] = []

    def watching(job_: ReportJob, progress: Any, workdir: Path) -> runner.Output:
        monkeypatch.setattr(runner, "PROGRESS_EVERY", 0)
        for percent in (10, 40, 30, 80):
            progress(percent, f"step {percent}")
            row = ReportJob.objects.get(pk=job.pk)
            seen.append((row.progress, row.stage))
        path = workdir / "x.csv"
        path.write_text("a,b\n")
        return runner.Output(path, "x.csv", "text/csv")

    monkeypatch.setitem(runner.RENDERERS, ReportKind.GAP_ASSESSMENT, watching)
    runner.report_run(job_id=str(job.pk), token=str(job.run_token))
    assert seen == [(10, "step 10"), (40, "step 40"), (40, "step 40"), (80, "step 80")]  # never backwards
    job.refresh_from_db()
    assert (job.status, job.progress, job.size) == (JobStatus.SUCCEEDED, 100, 4)
