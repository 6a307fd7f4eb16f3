"""Celery shells around the assessments' housekeeping."""

from __future__ import annotations

from celery import shared_task

from assessments import live_changes


@shared_task(name="assessments.tasks.prune_live_changes", ignore_result=True)
def prune_live_changes() -> int:
    """Forget live changes older than LIVE_CHANGES_RETENTION_HOURS (beat, hourly; decision 0037)."""
    return live_changes.prune()
