"""The coverage page of an assessment (a tab beside the heat map) and its CSV and XLSX downloads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from accounts.access import Action
from accounts.models import Organization
from alignment.choices import COVERAGE_BADGE, Coverage
from alignment.coverage import ItemCoverage
from alignment.exports import coverage_csv, coverage_xlsx
from alignment.models import Framework
from alignment.selectors import coverage_for
from alignment.services import organization_alignment_set
from assessments.choices import ResultStatus
from assessments.models import Assessment
from core.csv_pages import csv_download
from core.http import AuthenticatedHttpRequest
from core.pages import get_for

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class GroupRows:
    """The items of one group of the framework, as the page's table shows them."""

    ref: str
    title: str
    entries: list[ItemCoverage] = field(default_factory=list)


def _chosen(request: AuthenticatedHttpRequest, assessment: Assessment, choices: list[Framework]) -> Framework | None:
    """`?framework=KEY` (404 when no such framework), else the organization's first chosen one, else the first."""
    by_key = {f.key: f for f in choices}
    key = request.GET.get("framework")
    if key:
        if key not in by_key:
            raise Http404("No such framework.")
        return by_key[key]
    preferred = [k for k in assessment.site.organization.alignment_frameworks if k in by_key]
    return by_key[preferred[0]] if preferred else (choices[0] if choices else None)


def _groups(entries: list[ItemCoverage]) -> list[GroupRows]:
    groups: dict[str, GroupRows] = {}
    for entry in entries:
        item = entry.item
        groups.setdefault(item.group, GroupRows(item.group, item.group_title)).entries.append(entry)
    return list(groups.values())


@login_required
def coverage_page(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    assessment = get_for(request, Assessment, pk, select=("site__organization", "catalogue", "lead", "signed_off_by"))
    choices = list(Framework.objects.order_by("short_name"))
    framework = _chosen(request, assessment, choices)
    data = coverage_for(assessment, framework) if framework is not None else None
    counts = data.coverage.counts if data is not None else {}
    return render(
        request,
        "alignment/coverage.html",
        {
            "assessment": assessment,
            "site": assessment.site,
            "tab": "coverage",
            "frameworks": choices,
            "framework": framework,
            "groups": _groups(data.coverage.items) if data is not None else [],
            "chips": [(value, label, counts.get(value, 0), COVERAGE_BADGE[value]) for value, label in Coverage.choices],
            "total": len(data.coverage.items) if data is not None else 0,
            "badges": COVERAGE_BADGE,
            "labels": dict(Coverage.choices),
            "status_labels": dict(ResultStatus.choices),
        },
    )


def _export(request: AuthenticatedHttpRequest, pk: Any) -> tuple[Assessment, Any]:
    assessment = get_for(request, Assessment, pk, select=("site",))
    framework = Framework.objects.filter(key=request.GET.get("framework", "")).first()
    if framework is None:
        raise Http404("No such framework.")
    return assessment, coverage_for(assessment, framework)


def _filename(assessment: Assessment, framework: Framework, extension: str) -> str:
    return f"{slugify(assessment.title) or 'assessment'}-{framework.key}-coverage.{extension}"


@login_required
def coverage_csv_download(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    assessment, data = _export(request, pk)
    return csv_download("\ufeff" + coverage_csv(data), _filename(assessment, data.framework, "csv"))


@login_required
def coverage_xlsx_download(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    assessment, data = _export(request, pk)
    response = HttpResponse(coverage_xlsx(assessment, data, timezone.now()), content_type=XLSX_TYPE)
    filename = _filename(assessment, data.framework, "xlsx")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


@login_required
@require_POST
def organization_alignment(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """The organization admin's choice of frameworks for the gap-assessment report (a form on the
    organization page)."""
    organization = get_object_or_404(Organization.objects.restrict(request.user, Action.VIEW), pk=pk)
    try:
        saved = organization_alignment_set(
            actor=request.user, organization=organization, keys=request.POST.getlist("framework")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        names = ", ".join(
            Framework.objects.filter(key__in=saved.alignment_frameworks).values_list("short_name", flat=True)
        )
        messages.success(request, f"Reports of {organization.name} now show: {names or 'no regulatory framework'}.")
    return redirect("organization-detail", pk=organization.pk)
