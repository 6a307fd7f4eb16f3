"""Template pieces of alignment: labels and badges of coverage, and the organization admin's choice of
frameworks for reports (shown on the organization page)."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.models import Organization
from alignment.choices import COVERAGE_BADGE, Coverage, Relationship
from alignment.models import Framework
from assessments.choices import ResultStatus

register = template.Library()


@register.inclusion_tag("alignment/_organization_frameworks.html")
def organization_frameworks(organization: Organization, can_manage: bool) -> dict[str, Any]:
    """The frameworks the organization's gap reports show, as a form for its admin and a line for others."""
    chosen = set(organization.alignment_frameworks)
    frameworks = list(Framework.objects.order_by("short_name"))
    return {
        "organization": organization,
        "can_manage": can_manage,
        "frameworks": [(f, f.key in chosen) for f in frameworks],
        "chosen": [f for f in frameworks if f.key in chosen],
    }


@register.filter
def coverage_label(value: str) -> str:
    """A coverage value as people read it ("Partly covered")."""
    return str(Coverage(value).label) if value in Coverage.values else value


@register.filter
def coverage_badge(value: str) -> str:
    """The badge class of a coverage value (neutral for the answers that are not judgements)."""
    return COVERAGE_BADGE.get(value, "")


@register.filter
def relationship_label(value: str) -> str:
    return str(Relationship(value).label) if value in Relationship.values else value


@register.filter
def result_status_label(value: str) -> str:
    return str(ResultStatus(value).label) if value in ResultStatus.values else value
