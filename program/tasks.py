"""Celery shells for the program app: the monthly KPI snapshots (scheduled by beat on the 1st)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from program import services
from program.kpis import add_months, parse_month

CATCH_UP_MONTHS = 3


@shared_task(
    name="program.tasks.snapshot_kpis",
    acks_late=True,
    autoretry_for=(OperationalError,),  # safe: taking a snapshot twice adds nothing the second time
    retry_backoff=60,
    max_retries=5,
)
def snapshot_kpis(month: str | None = None) -> int:
    """Record every organization's and site's KPIs for `month` (YYYY-MM). By default the month just ended,
    and the two before it where they lack snapshots (a run missed while the server was down)."""
    if month:
        return services.kpi_snapshots_take(month=parse_month(month))
    last = services.previous_month()
    return sum(services.kpi_snapshots_take(month=add_months(last, -n)) for n in range(CATCH_UP_MONTHS))
