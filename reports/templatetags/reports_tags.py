"""Template helpers for the report pages and the request buttons included on other apps' pages."""

from __future__ import annotations

from typing import Any

from django import template

from reports import selectors
from reports.choices import ReportKind
from reports.models import ReportJob

register = template.Library()

# What the request buttons offer on an assessment, in this order.
ASSESSMENT_BUTTONS = (
    (ReportKind.GAP_ASSESSMENT, "Gap assessment report", "PDF"),
    (ReportKind.GAP_ASSESSMENT_DOCX, "Gap assessment report", "Word"),
    (ReportKind.EVIDENCE_BUNDLE, "Evidence bundle", "ZIP"),
    (ReportKind.RESULTS_XLSX, "Results", "XLSX"),
    (ReportKind.RESULTS_CSV, "Results", "CSV"),
    (ReportKind.OSCAL_ASSESSMENT_RESULTS, "OSCAL assessment results", "JSON"),
)


@register.simple_tag(takes_context=True)
def recent_reports(context: Any, assessment: Any, limit: int = 4) -> list[ReportJob]:
    """The latest report jobs of `assessment` that the person looking may see."""
    request = context.get("request")
    if request is None or assessment is None:
        return []
    return selectors.recent_jobs(request.user, assessment, limit)


@register.simple_tag(takes_context=True)
def recent_site_reports(context: Any, site: Any, kind: str = ReportKind.ROADMAP, limit: int = 4) -> list[ReportJob]:
    """The latest `kind` report jobs of `site` (the roadmap by default) that the person looking may see."""
    request = context.get("request")
    if request is None or site is None:
        return []
    return selectors.recent_site_jobs(request.user, site, kind, limit)


@register.simple_tag
def assessment_buttons() -> tuple[tuple[str, str, str], ...]:
    return tuple((str(kind), label, fmt) for kind, label, fmt in ASSESSMENT_BUTTONS)


@register.filter
def duration(job: ReportJob) -> str:
    """A job's run time as "42 s" or "3 min 5 s" ("" until it has finished)."""
    span = job.duration
    if span is None:
        return ""
    seconds = max(round(span.total_seconds()), 0)
    return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min {seconds % 60} s"
