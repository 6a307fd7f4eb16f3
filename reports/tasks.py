"""Celery shells around the report services: a job id in, the runner does the rest."""

from __future__ import annotations

from celery import shared_task

from reports import runner, services


@shared_task(name="reports.tasks.run_report", acks_late=True, ignore_result=True)
def run_report(job_id: str, token: str | None = None) -> None:
    """Render one report job (time limits, acks_late and worker recycling come from the settings)."""
    runner.report_run(job_id=job_id, token=token)


@shared_task(name="reports.tasks.reap_stale_jobs", ignore_result=True)
def reap_stale_jobs() -> int:
    """Queue again (once) or fail the jobs left "running" by a worker that died or overran its time limit,
    and fail the ones whose message was lost (run by beat every REPORT_REAPER_INTERVAL seconds)."""
    return services.report_reap_stale()
