"""reports.demo.seed: the demo's first report is queued once, for the worker, never rendered in the seeding."""

from __future__ import annotations

from typing import Any

import pytest

from assessments.demo import TITLE
from assessments.models import Assessment
from reports import tasks
from reports.choices import JobStatus, ReportKind
from reports.demo import seed
from reports.models import ReportJob
from tests.conftest import DEMO_GROUP

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group(DEMO_GROUP)]


def test_seed_queues_one_gap_report_once(
    demo_db: None, settings: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # The demo was seeded as in every test (Celery eager): no report was queued, let alone rendered.
    assessment = Assessment.objects.get(title=TITLE)
    sent: list[tuple[Any, ...]] = []
    monkeypatch.setattr(tasks.run_report, "delay", lambda *args: sent.append(args))

    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert seed(assessment) is None and not ReportJob.objects.exists()

    settings.CELERY_TASK_ALWAYS_EAGER = False
    with django_capture_on_commit_callbacks(execute=True):
        job = seed(assessment)
    assert job is not None and job.requested_by is not None
    assert (job.kind, job.status, job.requested_by.username) == (
        ReportKind.GAP_ASSESSMENT,
        JobStatus.QUEUED,
        "demo-consultant",
    )
    assert sent == [(str(job.pk), str(job.run_token))]
    assert seed(assessment) is None and seed(None) is None
    assert ReportJob.objects.count() == 1
