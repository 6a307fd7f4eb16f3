"""Report pages: the list of past reports, one report's live progress and download, and the buttons'
POST targets (request, retry). The rendering happens in a worker, never here."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from assessments.models import Assessment
from core.http import AuthenticatedHttpRequest
from core.pages import get_for
from reports import selectors, services
from reports.choices import COMPACT_NOT_ASSESSED, GAP_KINDS, OMIT_MET, ReportKind
from reports.files import NotReady, report_file_response
from reports.forms import ReportFilterForm
from reports.models import ReportJob
from risk.models import RiskAssessment
from zones.models import Site

PAGE_SIZE = 25


@login_required
def report_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ReportFilterForm(request.GET or None, user=request.user)
    jobs = selectors.jobs_for(request.user)
    if form.is_valid():
        jobs = selectors.filter_jobs(jobs, form.cleaned_data, request.user)
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "reports/list.html", {"form": form, "page": page, "query": query.urlencode()})


@login_required
def report_detail(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    job = get_for(
        request, ReportJob, pk, select=("site", "site__organization", "assessment", "risk_assessment", "requested_by")
    )
    others = selectors.jobs_for(request.user).filter(assessment=job.assessment_id).exclude(pk=job.pk)[:6]
    return render(request, "reports/detail.html", {"job": job, "others": others if job.assessment_id else []})


@login_required
def report_status(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """The status panel alone: the detail page polls it every second until the job is done."""
    job = get_for(request, ReportJob, pk, select=("site", "assessment", "risk_assessment"))
    return render(request, "reports/_status.html", {"job": job})


@login_required
@require_POST
def report_request(request: AuthenticatedHttpRequest) -> HttpResponse:
    kind = request.POST.get("kind", "")
    assessment = site = risk_assessment = None
    if request.POST.get("assessment"):
        assessment = get_for(request, Assessment, request.POST["assessment"], select=("site",))
    elif request.POST.get("risk_assessment"):
        risk_assessment = get_for(request, RiskAssessment, request.POST["risk_assessment"], select=("site",))
    elif request.POST.get("site"):
        site = get_for(request, Site, request.POST["site"])
    back = assessment or site
    # The gap report's checkbox posts "0" then, when ticked, "1": the last one wins. Absent: the default.
    compact = request.POST.get(COMPACT_NOT_ASSESSED)
    options: dict[str, bool] = (
        {COMPACT_NOT_ASSESSED: compact == "1"} if compact in ("0", "1") and kind in GAP_KINDS else {}
    )
    if kind in GAP_KINDS and request.POST.get(OMIT_MET) == "1":
        options[OMIT_MET] = True
    try:
        job = services.report_request(
            kind=kind,
            by=request.user,
            assessment=assessment,
            site=site,
            risk_assessment=risk_assessment,
            parameters=options,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        if risk_assessment is not None:
            return redirect("risk-detail", risk_assessment.pk)
        return redirect(back) if back is not None else redirect("report-list")
    label = ReportKind(kind).label
    messages.success(request, f"{label} requested: a worker is preparing it. This page follows its progress.")
    return redirect(job)


@login_required
@require_POST
def report_retry(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    job = get_for(request, ReportJob, pk)
    try:
        services.report_retry(job=job, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Report queued again.")
    return redirect(job)


@login_required
def report_download(request: AuthenticatedHttpRequest, pk: Any) -> FileResponse:
    job = get_for(request, ReportJob, pk)
    try:
        return report_file_response(job)
    except NotReady as exc:
        raise Http404(str(exc)) from exc
