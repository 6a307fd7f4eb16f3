"""Reads of report jobs for the pages (the gap-assessment PDF's own reads are in reports.pdf.gap_data)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.access import Action, AnyUser
from assessments.models import Assessment
from reports.models import ReportJob
from zones.models import Site


def jobs_for(user: AnyUser) -> QuerySet[ReportJob]:
    """The report jobs a person may see (those of the sites they may see), newest first, with what a
    list row shows: constant queries for any number of rows."""
    return (
        ReportJob.objects.restrict(user, Action.VIEW)
        .select_related("site", "site__organization", "assessment", "risk_assessment", "requested_by")
        .order_by("-created", "pk")
    )


def recent_jobs(user: AnyUser, assessment: Assessment, limit: int = 4) -> list[ReportJob]:
    return list(jobs_for(user).filter(assessment=assessment)[:limit])


def recent_site_jobs(user: AnyUser, site: Site, kind: str, limit: int = 4) -> list[ReportJob]:
    """The latest jobs of one site-level kind (the roadmap) of `site` that the person may see."""
    return list(jobs_for(user).filter(site=site, kind=kind, assessment__isnull=True)[:limit])


def filter_jobs(jobs: QuerySet[ReportJob], filters: dict[str, Any], user: AnyUser) -> QuerySet[ReportJob]:
    """Apply the list page's filters (already validated by ReportFilterForm)."""
    if filters.get("kind"):
        jobs = jobs.filter(kind=filters["kind"])
    if filters.get("status"):
        jobs = jobs.filter(status=filters["status"])
    if filters.get("assessment"):
        jobs = jobs.filter(assessment=filters["assessment"])
    if filters.get("mine"):
        jobs = jobs.filter(requested_by_id=getattr(user, "pk", None))
    return jobs


def recent_bundles(user: AnyUser, limit: int = 5) -> list[ReportJob]:
    """The latest evidence bundles the person may see (the auditor's home page)."""
    from reports.choices import ReportKind

    return list(jobs_for(user).filter(kind=ReportKind.EVIDENCE_BUNDLE)[:limit])
