"""Running one report job in a Celery worker: claim it, render it by kind, store the file with its size,
SHA-256 and page count, or record why it failed.

A run owns the job through its token (set when the job was queued, carried by the task message):
a message from an earlier queueing, or a run that outlived its job being reaped, finds the token
changed and leaves the job alone. With acks_late a worker that dies mid-job gets the message back
and runs it again, up to MAX_ATTEMPTS starts. While it renders, a run beats (Heartbeat): a worker
that died whole hands no message back, and the reaper knows it by the silence.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.db import DatabaseError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify

from assessments.models import Assessment
from reports.bundle import evidence_bundle
from reports.choices import COMPACT_NOT_ASSESSED, OMIT_MET, JobStatus, ReportKind
from reports.exports import results_csv, results_xlsx
from reports.models import ReportJob, report_upload_to
from reports.pdf.render import ProgressFn
from reports.services import MAX_ATTEMPTS

logger = logging.getLogger(__name__)
CHUNK = 1024 * 1024
PROGRESS_EVERY = 0.5  # seconds between progress writes


class ReportUnavailable(Exception):
    """No renderer produces this kind of report (the message says why)."""


@dataclass
class Output:
    """What a renderer produced: a file on disk (removed after storing) and what to call it."""

    path: Path
    filename: str
    content_type: str
    pages: int | None = None
    info: dict[str, Any] = field(default_factory=dict)


Renderer = Callable[[ReportJob, ProgressFn, Path], Output | None]  # None: the job continues on other workers


def _basename(job: ReportJob, what: str, extension: str) -> str:
    stamp = timezone.localdate().isoformat()
    return f"{slugify(job.site.name)[:60] or 'site'}-{what}-{stamp}.{extension}"


def _gap_options(job: ReportJob) -> dict[str, Any]:
    """The gap-assessment report's options from the job: its parameters, and the sign-off it is pinned to,
    which it can only show while the assessment still stands as then signed off."""
    assert job.assessment is not None
    sign_off = job.sign_off
    if sign_off is not None and (sign_off.reopened_at is not None or job.assessment.version != sign_off.version):
        raise ReportUnavailable(
            "The assessment was reopened or changed after this sign-off, so its report of record can no longer "
            "be produced as it stood then; its history as of the sign-off is still on the assessment's History tab."
        )
    return {
        "compact_not_assessed": bool(job.parameters.get(COMPACT_NOT_ASSESSED)),
        "omit_met": bool(job.parameters.get(OMIT_MET)),
        "sign_off": sign_off,
    }


def _gap_assessment(job: ReportJob, progress: ProgressFn, workdir: Path) -> Output | None:
    from reports.parts import gap_start

    return gap_start(job, job.attempts, progress, workdir)


def _roadmap(job: ReportJob, progress: ProgressFn, workdir: Path) -> Output:
    from reports.pdf.roadmap import render_roadmap

    pdf = render_roadmap(job.site, progress=progress)
    path = workdir / "report.pdf"
    path.write_bytes(pdf.data)
    return Output(path, _basename(job, "roadmap", "pdf"), "application/pdf", pages=pdf.pages)


def _crs(job: ReportJob, progress: ProgressFn, workdir: Path) -> Output:
    from reports.pdf.crs import render_crs

    if job.risk_assessment is None:
        raise ReportUnavailable("The risk assessment of this specification no longer exists.")
    pdf = render_crs(job.risk_assessment, progress=progress)
    path = workdir / "report.pdf"
    path.write_bytes(pdf.data)
    return Output(path, _basename(job, "requirements-specification", "pdf"), "application/pdf", pages=pdf.pages)


def _procurement(job: ReportJob, progress: ProgressFn, workdir: Path) -> Output:
    from components.procurement import job_procurement
    from reports.pdf.procurement import render_procurement

    procurement = job_procurement(job.site, job.parameters)
    if procurement is None:
        raise ReportUnavailable("The zone of these procurement requirements no longer exists in the site.")
    pdf = render_procurement(procurement, progress=progress)
    path = workdir / "report.pdf"
    path.write_bytes(pdf.data)
    return Output(path, procurement.filename("pdf"), "application/pdf", pages=pdf.pages)


def _gap_assessment_docx(job: ReportJob, progress: ProgressFn, workdir: Path) -> Output:
    from reports.docx.gap_assessment import render_gap_assessment_docx

    assert job.assessment is not None
    options = _gap_options(job)
    options.pop("omit_met")  # the Word report lists every item (decision 0039 covers the PDF)
    docx = render_gap_assessment_docx(job.assessment, progress=progress, **options)
    path = workdir / "report.docx"
    path.write_bytes(docx.data)
    kind = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return Output(path, _basename(job, "gap-assessment", "docx"), kind)


def _evidence_bundle(job: ReportJob, progress: ProgressFn, workdir: Path) -> Output:
    from reports.parts import render_gap_assessment_parts as render_gap_assessment

    assert job.assessment is not None
    # The PDF is most of the work; the ZIP streams the evidence files from storage afterwards.
    options = _gap_options(job)
    pdf = render_gap_assessment(job.assessment, progress=lambda p, s: progress(p * 70 // 100, s), **options)
    progress(72, "Packing the evidence files")
    path = workdir / "bundle.zip"
    with path.open("wb") as out:
        info = evidence_bundle(job.assessment, out, gap_pdf=pdf.data)
    details = {
        "manifest_sha256": info.manifest_sha256,
        "files": len(info.files),
        "total_size": info.total_size,
        "gap_assessment_pages": pdf.pages,
    }
    return Output(path, _basename(job, "evidence-bundle", "zip"), "application/zip", info=details)


def _export(write: Callable[[Assessment, BinaryIO], None], extension: str, content_type: str) -> Renderer:
    def render(job: ReportJob, progress: ProgressFn, workdir: Path) -> Output:
        assert job.assessment is not None
        progress(20, "Writing the results")
        path = workdir / f"results.{extension}"
        with path.open("wb") as out:
            write(job.assessment, out)
        return Output(path, _basename(job, "results", extension), content_type)

    return render


def _oscal_assessment_results(job: ReportJob, progress: ProgressFn, workdir: Path) -> Output:
    from reports.oscal import EmptyExport
    from reports.oscal.assessment_results import write_assessment_results

    assert job.assessment is not None
    progress(20, "Writing the OSCAL assessment results")
    path = workdir / "assessment-results.json"
    try:
        with path.open("wb") as out:
            write_assessment_results(job.assessment, out)
    except EmptyExport as exc:
        raise ReportUnavailable(str(exc)) from exc
    return Output(path, _basename(job, "oscal-assessment-results", "json"), "application/json")


def _oscal_poam(job: ReportJob, progress: ProgressFn, workdir: Path) -> Output:
    from reports.oscal import EmptyExport
    from reports.oscal.poam import write_poam

    progress(20, "Writing the OSCAL plan of action and milestones")
    path = workdir / "poam.json"
    try:
        with path.open("wb") as out:
            write_poam(job.site, out)
    except EmptyExport as exc:
        raise ReportUnavailable(str(exc)) from exc
    return Output(path, _basename(job, "oscal-poam", "json"), "application/json")


RENDERERS: dict[str, Renderer] = {
    ReportKind.GAP_ASSESSMENT: _gap_assessment,
    ReportKind.ROADMAP: _roadmap,
    ReportKind.CRS: _crs,
    ReportKind.PROCUREMENT: _procurement,
    ReportKind.GAP_ASSESSMENT_DOCX: _gap_assessment_docx,
    ReportKind.EVIDENCE_BUNDLE: _evidence_bundle,
    ReportKind.RESULTS_CSV: _export(results_csv, "csv", "text/csv; charset=utf-8"),
    ReportKind.RESULTS_XLSX: _export(
        results_xlsx, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
    ReportKind.OSCAL_ASSESSMENT_RESULTS: _oscal_assessment_results,
    ReportKind.OSCAL_POAM: _oscal_poam,
}


# --- the job's row ------------------------------------------------------------------------------------
def _claim(job_id: str, token: str | None) -> tuple[ReportJob, int] | None:
    """Take the job for this run: it must be queued (or running, when a dead worker's message comes
    back) under this message's token. Returns the job and this run's attempt number."""
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            logger.warning("Report job %s no longer exists; message dropped", job_id)
            return None
        if token is not None and str(job.run_token) != token:
            logger.info("Report job %s was re-queued or reaped since this message was sent; dropped", job_id)
            return None
        if job.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
            logger.info("Report job %s is already %s; message dropped", job_id, job.status)
            return None
        if job.attempts >= MAX_ATTEMPTS:
            job.status = JobStatus.FAILED
            job.error = (
                f"The worker stopped {job.attempts} times while rendering this report (each time it died or "
                "was killed before finishing), so it was given up. Retry it later, or tell your administrator."
            )
            job.finished_at = timezone.now()
            job.stage = ""
            job.save()
            return None
        job.status = JobStatus.RUNNING
        job.attempts += 1
        job.started_at = timezone.now()
        job.heartbeat_at = job.started_at
        job.finished_at = None
        job.progress = 1
        job.stage = "Started"
        job.error = ""
        if job.run_token is None:
            job.run_token = uuid.uuid4()
        job.save()
    return job, job.attempts


def _owned(job: ReportJob, attempt: int) -> QuerySet[ReportJob]:
    """The job's row, as long as this run still owns it (writes through it are no-ops otherwise)."""
    return ReportJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING, run_token=job.run_token, attempts=attempt)


def _progress_writer(job: ReportJob, attempt: int) -> ProgressFn:
    last = [0.0]

    def write(percent: int, stage: str) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY and percent < 100:
            return
        last[0] = now
        owned = _owned(job, attempt)
        # Progress is a sign of life too: the row beats even when the percentage would go backwards.
        if not owned.filter(progress__lte=percent).update(
            progress=min(max(percent, 1), 99), stage=stage[:120], heartbeat_at=timezone.now()
        ):
            owned.update(heartbeat_at=timezone.now())

    return write


class Heartbeat:
    """A daemon thread that tells the job's row the run is alive: every REPORT_HEARTBEAT_SECONDS it sets
    heartbeat_at, through the same token-and-attempt guard as every other write of the run. The reaper
    takes a running job whose heartbeat stopped for REPORT_HEARTBEAT_TIMEOUT as one whose worker died.

    It lives as long as the render: started after the claim, stopped and joined in the run's finally. It
    stops by itself once the job is no longer this run's (reaped, queued again, retried). The thread has
    its own database connection (Django's are per thread) and closes it on the way out."""

    def __init__(self, job: ReportJob, attempt: int, every: float) -> None:
        self.job, self.attempt, self.every = job, attempt, every
        self.beats = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"report-heartbeat-{job.pk}", daemon=True)

    def beat(self) -> bool:
        """Write one heartbeat; False once the run no longer owns the job."""
        owned = bool(_owned(self.job, self.attempt).update(heartbeat_at=timezone.now()))
        self.beats += owned
        return owned

    def _loop(self) -> None:
        try:
            while not self._stop.wait(self.every):
                try:
                    if not self.beat():
                        logger.info("Report job %s changed hands; heartbeat stopped", self.job.pk)
                        return
                except DatabaseError:  # a busy or restarting database: the next beat may get through
                    logger.warning("Report job %s: heartbeat not written", self.job.pk, exc_info=True)
                    connection.close_if_unusable_or_obsolete()
        finally:
            connection.close()

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=max(self.every, 30))


def _heartbeat(job: ReportJob, attempt: int) -> Heartbeat | None:
    """The run's heartbeat, or None when the run is inside a caller's transaction (a task run eagerly in a
    test or a request): another connection could not see the row yet and would only wait on its locks."""
    if connection.in_atomic_block:
        return None
    return Heartbeat(job, attempt, float(settings.REPORT_HEARTBEAT_SECONDS)).start()


def _digest(handle: IO[bytes]) -> tuple[str, int]:
    sha, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK):
        sha.update(chunk)
        size += len(chunk)
    handle.seek(0)
    return sha.hexdigest(), size


def _store(job: ReportJob, attempt: int, output: Output) -> bool:
    storage = ReportJob._meta.get_field("file").storage
    with output.path.open("rb") as handle:
        sha256, size = _digest(handle)
        name = storage.save(report_upload_to(job, output.filename), File(handle))
    stored = _owned(job, attempt).update(
        status=JobStatus.SUCCEEDED,
        progress=100,
        stage="",
        finished_at=timezone.now(),
        file=name,
        filename=output.filename,
        content_type=output.content_type,
        size=size,
        sha256=sha256,
        pages=output.pages,
        output_info=output.info,
    )
    if not stored:  # reaped or re-queued while this run was rendering: its result belongs to nobody
        storage.delete(name)
        logger.warning("Report job %s changed hands while rendering; output discarded", job.pk)
    return bool(stored)


def _fail(job: ReportJob, attempt: int, message: str) -> None:
    _owned(job, attempt).update(status=JobStatus.FAILED, error=message[:2000], stage="", finished_at=timezone.now())


def _explain(exc: BaseException) -> str:
    if isinstance(exc, SoftTimeLimitExceeded):
        minutes = round(int(settings.CELERY_TASK_SOFT_TIME_LIMIT) / 60)
        return (
            f"Rendering took longer than the {minutes}-minute limit and was stopped. Retry it when the workers "
            "are less busy; if it fails again, tell your administrator."
        )
    if isinstance(exc, ReportUnavailable):
        return str(exc)
    text = str(exc).strip()
    what = f"{type(exc).__name__}: {text.splitlines()[0][:300]}" if text else type(exc).__name__
    return f"The report could not be rendered ({what}). Retry it; if it fails again, tell your administrator."


def report_run(*, job_id: str, token: str | None = None) -> ReportJob | None:
    """Render one job (the body of reports.tasks.run_report). Never raises for a failed render: the
    failure is the job's outcome, recorded on its row."""
    claimed = _claim(job_id, token)
    if claimed is None:
        return None
    job, attempt = claimed
    job = ReportJob.objects.select_related(
        "site", "assessment", "risk_assessment__site__organization", "sign_off__signed_off_by"
    ).get(pk=job.pk)
    progress = _progress_writer(job, attempt)
    heartbeat = _heartbeat(job, attempt)
    began = time.perf_counter()
    try:
        renderer = RENDERERS.get(job.kind)
        if renderer is None:
            raise ReportUnavailable(f"Unknown report kind {job.kind!r}.")
        with tempfile.TemporaryDirectory(prefix="zonewise-report-") as workdir:
            output = renderer(job, progress, Path(workdir))
            if output is None:  # a gap report's parts went to the workers; the assembler stores it (0039)
                return _refreshed(job)
            progress(99, "Saving the file")
            _store(job, attempt, output)
    except ReportUnavailable as exc:
        logger.warning("Report job %s (%s) refused: %s", job.pk, job.kind, exc)
        _fail(job, attempt, _explain(exc))
    except Exception as exc:  # whatever went wrong, the job must not stay "running"
        logger.exception("Report job %s (%s) failed", job.pk, job.kind)
        _fail(job, attempt, _explain(exc))
    else:
        logger.info("Report job %s (%s) done in %.1f s", job.pk, job.kind, time.perf_counter() - began)
    finally:
        if heartbeat is not None:
            heartbeat.stop()
    return _refreshed(job)


def _refreshed(job: ReportJob) -> ReportJob:
    job.refresh_from_db()
    return job
