"""Celery shells around the report services: a job id in, the runner does the rest."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from reports import runner, services


@shared_task(name="reports.tasks.run_report", acks_late=True, ignore_result=True)
def run_report(job_id: str, token: str | None = None) -> None:
    """Render one report job (time limits, acks_late and worker recycling come from the settings)."""
    runner.report_run(job_id=job_id, token=token)


@shared_task(name="reports.tasks.render_report_parts", acks_late=True, ignore_result=True)
def render_report_parts(job_id: str, token: str, attempt: int, part_ids: list[int]) -> None:
    """Render a batch of a gap report's parts (decision 0039); the call that completes them enqueues the
    assembly once its transaction has committed."""
    from reports import parts

    if parts.parts_run(job_id=job_id, token=token, attempt=attempt, part_ids=part_ids):
        transaction.on_commit(lambda: assemble_report.delay(job_id, token, attempt))


@shared_task(name="reports.tasks.assemble_report", acks_late=True, ignore_result=True)
def assemble_report(job_id: str, token: str, attempt: int) -> None:
    """Merge a gap report's parts into its file (decision 0039)."""
    from reports import parts

    parts.assemble_run(job_id=job_id, token=token, attempt=attempt)


@shared_task(name="reports.tasks.reap_stale_jobs", ignore_result=True)
def reap_stale_jobs() -> int:
    """Queue again (once) or fail the jobs left "running" by a worker that died or overran its time limit,
    and fail the ones whose message was lost (run by beat every REPORT_REAPER_INTERVAL seconds)."""
    return services.report_reap_stale()
