"""The demo's first reports: the gap-assessment PDF of the demo assessment and the requirements specification
of the demo risk assessment, queued for the worker that `./zw up` starts (idempotent)."""

from __future__ import annotations

from django.conf import settings

from accounts.models import User
from assessments.models import Assessment
from reports import services
from reports.choices import ReportKind
from reports.models import ReportJob
from risk.models import RiskAssessment


def seed(assessment: Assessment | None) -> ReportJob | None:
    """Queue a gap-assessment report of `assessment` as the demo consultant, once: nothing happens when
    the assessment already has a report (or there is none). Nothing either when Celery runs tasks
    eagerly (the test settings): the PDF would be rendered inside seed_demo, in every end-to-end test
    that seeds the demo."""
    if assessment is None or settings.CELERY_TASK_ALWAYS_EAGER:
        return None
    if ReportJob.objects.filter(assessment=assessment).exists():
        return None
    consultant = User.objects.get(username="demo-consultant")
    return services.report_request(kind=ReportKind.GAP_ASSESSMENT, by=consultant, assessment=assessment)


def seed_crs(risk_assessment: RiskAssessment | None) -> ReportJob | None:
    """Queue the cybersecurity requirements specification of the demo risk assessment, like the gap report
    above: once, as the demo consultant, and never when Celery runs tasks eagerly."""
    if risk_assessment is None or settings.CELERY_TASK_ALWAYS_EAGER:
        return None
    if ReportJob.objects.filter(risk_assessment=risk_assessment).exists():
        return None
    consultant = User.objects.get(username="demo-consultant")
    return services.report_request(kind=ReportKind.CRS, by=consultant, risk_assessment=risk_assessment)
