"""Writes to report jobs: requesting one, retrying a failed one, and reaping the ones a dead worker left
behind. Each is one transaction and raises ValidationError on bad input; the rendering itself lives in
reports.runner and runs only in Celery workers (the job is enqueued after commit)."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.access import Action, AnyUser, can
from accounts.models import User
from assessments.models import Assessment, SignOff
from components.procurement import procurement_parameters
from reports.choices import (
    ASSESSMENT_KINDS,
    COMPACT_NOT_ASSESSED,
    GAP_KINDS,
    OMIT_MET,
    PROCUREMENT_KINDS,
    RISK_KINDS,
    SITE_KINDS,
    JobStatus,
    ReportKind,
)
from reports.models import ReportJob
from risk.models import RiskAssessment
from zones.models import Site

logger = logging.getLogger(__name__)

# A job may be started this many times (the first run plus redeliveries after a worker died). A report
# that kills its worker every time must end as failed, not loop through the broker forever.
MAX_ATTEMPTS = 3
# How long past the task's hard time limit a running job is left alone before it is called dead.
REAP_GRACE_SECONDS = 120


def _enqueue(job: ReportJob) -> None:
    """Send the job to the workers once the row is committed, with the token of this queueing."""
    from reports.tasks import run_report

    job_id, token = str(job.pk), str(job.run_token)
    transaction.on_commit(lambda: run_report.delay(job_id, token))


@transaction.atomic
def report_request(
    *,
    kind: str,
    by: User,
    assessment: Assessment | None = None,
    site: Site | None = None,
    parameters: dict[str, Any] | None = None,
    sign_off: SignOff | None = None,
    risk_assessment: RiskAssessment | None = None,
) -> ReportJob:
    """Ask for a report of an assessment (or, for the roadmap and the procurement requirements of a zone, of a
    site; for the cybersecurity requirements specification, of a risk assessment). Reading is enough: a report
    shows what its requester can already see, and auditors export evidence."""
    if kind not in ReportKind.values:
        raise ValidationError({"kind": f"Unknown report kind {kind!r}; use one of: {', '.join(ReportKind.values)}."})
    if kind in ASSESSMENT_KINDS:
        if assessment is None:
            raise ValidationError({"assessment": "This kind of report is made from an assessment; give its id."})
        if site is not None and site.pk != assessment.site_id:
            raise ValidationError({"site": "The site must be the assessment's site (or be left out)."})
        target: Assessment | Site | RiskAssessment = assessment
        site = assessment.site
    elif kind in SITE_KINDS:
        if site is None:
            raise ValidationError({"site": "This kind of report is made from a site; give its id."})
        target, assessment = site, None
    elif kind in RISK_KINDS:
        if risk_assessment is None:
            raise ValidationError(
                {"risk_assessment": "This kind of report is made from a risk assessment; give its id."}
            )
        if site is not None and site.pk != risk_assessment.site_id:
            raise ValidationError({"site": "The site must be the risk assessment's site (or be left out)."})
        target, site, assessment = risk_assessment, risk_assessment.site, None
    if kind not in RISK_KINDS:
        risk_assessment = None
    assert site is not None
    if not can(by, Action.VIEW, target):
        raise PermissionDenied("You cannot see this assessment or site.")
    job = ReportJob.objects.create(
        kind=kind,
        site=site,
        assessment=assessment,
        risk_assessment=risk_assessment,
        parameters=report_parameters(kind, assessment, parameters or {}, site=site),
        requested_by=by,
        run_token=uuid.uuid4(),
        sign_off=sign_off,
    )
    _enqueue(job)
    return job


def report_parameters(
    kind: str, assessment: Assessment | None, given: dict[str, Any], *, site: Site | None = None
) -> dict[str, Any]:
    """The options a job runs with, checked: for a report that includes the gap-assessment PDF, whether
    not-assessed items are a compact list (default: yes while the assessment is not final); for the procurement
    requirements, the zone of `site`, the component types and the purchase (components.procurement)."""
    if kind in PROCUREMENT_KINDS:
        assert site is not None  # report_request has refused a procurement request without a site
        return procurement_parameters(site, given)
    unknown = set(given) - ({COMPACT_NOT_ASSESSED, OMIT_MET} if kind in GAP_KINDS else set())
    if unknown:
        raise ValidationError({"parameters": f"Unknown option(s) for this report: {', '.join(sorted(unknown))}."})
    if kind not in GAP_KINDS or assessment is None:
        return {}
    compact = given.get(COMPACT_NOT_ASSESSED)
    if compact is not None and not isinstance(compact, bool):
        raise ValidationError({COMPACT_NOT_ASSESSED: "Give true or false."})
    omit_met = given.get(OMIT_MET, False)
    if not isinstance(omit_met, bool):
        raise ValidationError({OMIT_MET: "Give true or false."})
    options: dict[str, Any] = {COMPACT_NOT_ASSESSED: (not assessment.is_final) if compact is None else compact}
    if omit_met:  # only when asked: a report of record lists everything
        options[OMIT_MET] = True
    return options


def sign_off_report_request(*, sign_off: SignOff, by: User) -> ReportJob:
    """The gap-assessment report of record of a sign-off, requested in the sign-off's transaction and pinned
    to it (every not-assessed item listed in full: it is the signed record). See assessments_services."""
    return report_request(
        kind=ReportKind.GAP_ASSESSMENT,
        by=by,
        assessment=sign_off.assessment,
        parameters={COMPACT_NOT_ASSESSED: False},
        sign_off=sign_off,
    )


@transaction.atomic
def report_retry(*, job: ReportJob, by: AnyUser) -> ReportJob:
    """Queue a failed job again, with the same kind, target and parameters."""
    job = ReportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != JobStatus.FAILED:
        raise ValidationError(f"Only a failed report can be retried; this one is {job.get_status_display().lower()}.")
    job.status = JobStatus.QUEUED
    job.progress = 0
    job.stage = ""
    job.error = ""
    job.attempts = 0
    job.run_token = uuid.uuid4()  # a message still in the broker from the failed run is now ignored
    job.reaper_requeues = 0
    job.started_at = None
    job.heartbeat_at = None
    job.finished_at = None
    job.queued_at = timezone.now()
    job.save()
    _enqueue(job)
    return job


def stale_after() -> timedelta:
    """A running job older than this has lost its worker: the task's hard limit plus a grace period."""
    return timedelta(seconds=int(settings.CELERY_TASK_TIME_LIMIT) + REAP_GRACE_SECONDS)


STALE_MESSAGE = (
    "The worker stopped while rendering this report: it ran past the {minutes}-minute time limit or its "
    "process died (out of memory, a restart). Nothing was saved. Retry it; if it fails again, tell your "
    "administrator."
)


QUEUE_MESSAGE = (
    "No worker picked this report up within {minutes} minutes: the workers may be stopped, or the queue "
    "was lost when the broker restarted. Nothing was rendered. Retry it; if it happens again, tell your "
    "administrator."
)


def queue_timeout() -> timedelta:
    """A job still queued after this has lost its message (or has no worker to run it)."""
    return timedelta(seconds=int(settings.REPORT_QUEUE_TIMEOUT))


def heartbeat_timeout() -> timedelta:
    """A running job whose run has been silent this long has lost its worker (REPORT_HEARTBEAT_TIMEOUT)."""
    return timedelta(seconds=int(settings.REPORT_HEARTBEAT_TIMEOUT))


# The reaper sends a job whose heartbeat stopped back to the queue this many times before failing it: a
# worker killed by a deploy or the machine deserves a second chance, a report that kills every worker
# does not (the runner's MAX_ATTEMPTS cap on starts holds as well: attempts are kept).
REAPER_REQUEUES = 1

REQUEUED_STAGE = "Queued again at {now}: the worker rendering it stopped sending heartbeats at {beat}"

HEARTBEAT_MESSAGE = (
    "The worker rendering this report stopped sending heartbeats at {beat} (its process died or was stopped: "
    "out of memory, a restart), and it had already been queued again once after the same happened. Nothing "
    "was saved. Retry it; if it fails again, tell your administrator."
)


def _clock(moment: datetime) -> str:
    """HH:MM in the site's time zone, with the zone's name (people read it on the page and in the API)."""
    local = timezone.localtime(moment)
    return f"{local:%H:%M} {local.tzname()}"


def _requeue(job: ReportJob, *, now: datetime, beat: datetime) -> None:
    """Send a job whose worker died back to the queue, the way a request does: a new token (so the dead
    run's late writes, and its message if the broker hands it back, are ignored) and a message after
    commit. Its attempts are kept, so the runner's cap on starts still holds."""
    job.status = JobStatus.QUEUED
    job.stage = REQUEUED_STAGE.format(now=_clock(now), beat=_clock(beat))
    job.progress = 0
    job.reaper_requeues += 1
    job.run_token = uuid.uuid4()
    job.queued_at = now
    job.started_at = None
    job.heartbeat_at = None
    job.save()
    _enqueue(job)


def _reap_silent(now: datetime) -> int:
    """Re-queue (once) or fail the running jobs whose run has given no sign of life (start, heartbeat or
    progress) for REPORT_HEARTBEAT_TIMEOUT. The rows are locked, so a run writing at the same moment
    either lands first or finds the token changed."""
    silent = list(
        ReportJob.objects.select_for_update()
        .annotate(last_sign=Coalesce("heartbeat_at", "started_at"))
        .filter(status=JobStatus.RUNNING, last_sign__lt=now - heartbeat_timeout())
    )
    soft_limit = timedelta(seconds=int(settings.CELERY_TASK_SOFT_TIME_LIMIT))
    for job in silent:
        beat = job.heartbeat_at or job.started_at or now
        if job.started_at is not None and beat - job.started_at >= soft_limit:
            # Still beating past the soft time limit: the hard limit killed it, and a new run would meet it too.
            job.error = STALE_MESSAGE.format(minutes=round(int(settings.CELERY_TASK_TIME_LIMIT) / 60))
        elif job.reaper_requeues < REAPER_REQUEUES:
            _requeue(job, now=now, beat=beat)
            logger.warning("Report job %s sent no heartbeat since %s: queued again", job.pk, beat.isoformat())
            continue
        else:
            job.error = HEARTBEAT_MESSAGE.format(beat=_clock(beat))
        job.status, job.stage, job.run_token, job.finished_at = JobStatus.FAILED, "", None, now
        job.save()
        logger.warning("Report job %s sent no heartbeat since %s: failed", job.pk, beat.isoformat())
    return len(silent)


@transaction.atomic
def report_reap_stale(*, now: datetime | None = None) -> int:
    """Deal with the jobs whose worker is gone, returning how many it touched:
    - running longer than any worker may run one (the task's hard time limit and a grace period): failed;
    - running but silent (no heartbeat, progress or start) for REPORT_HEARTBEAT_TIMEOUT: the worker died
      with the job; queued again once with a new token, failed the next time, with a message saying when
      the heartbeat stopped;
    - waiting in the queue longer than REPORT_QUEUE_TIMEOUT (their message is gone: a broker that keeps
      nothing on disk restarted, say): failed.
    A failed job can be retried; a message or a run that turns up later finds its token changed and
    leaves the job alone. Beat runs this every REPORT_REAPER_INTERVAL seconds."""
    now = now or timezone.now()
    running = STALE_MESSAGE.format(minutes=round(int(settings.CELERY_TASK_TIME_LIMIT) / 60))
    waiting = QUEUE_MESSAGE.format(minutes=round(queue_timeout().total_seconds() / 60))
    failed = {"status": JobStatus.FAILED, "stage": "", "run_token": None, "finished_at": now}
    reaped = ReportJob.objects.filter(status=JobStatus.RUNNING, started_at__lt=now - stale_after()).update(
        error=running, **failed
    )
    reaped += _reap_silent(now)
    return reaped + ReportJob.objects.filter(status=JobStatus.QUEUED, queued_at__lt=now - queue_timeout()).update(
        error=waiting, **failed
    )
